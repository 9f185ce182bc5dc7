"""Curation in a real browser (issue 12): an editor marks a name "not a place" on Review places and its
point leaves the map that every visitor is sent; a viewer sees no edit control; a submit whose right
went away meanwhile (the editor password was changed on the server) is refused and changes nothing.

A real server on 127.0.0.1 reads its editor password from a secrets file and serves a store of
hand-made events; Debian's Chromium opens it. The deck's JSON is read from the websocket frames.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geo import access
from geo.schema import place_key
from geo.store import Store
from tests.browser_support import CHROMIUM, FLAGS, need_browser, settle, streamlit_server
from tests.dashboard_events import all_events, fill_story
from tests.test_app_access import ACCESS_ENV
from tests.test_browser_events import LOAD_MS, _decks, _layer

pytestmark = pytest.mark.browser
PASSWORD = "a long editor passphrase"
CURATION_BUTTONS = ("Mark as not a place", "Delete this event", "Delete this article", "Rename or merge")


def _secrets(path: Path, password: str) -> None:
    hashed = access.hash_password(password, iterations=2_000)
    path.write_text(f'[geostory]\neditor_password_hash = "{hashed}"\n', encoding="utf-8")


def _state(url: str) -> tuple[object, ...]:
    with Store(url) as store:
        return store.counts(), store.events(), store.curations()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    need_browser()
    url = f"sqlite:///{tmp_path / 'story.sqlite'}"
    with Store(url) as store:
        fill_story(store)
    secrets = tmp_path / "conf" / "secrets.toml"
    secrets.parent.mkdir()
    _secrets(secrets, PASSWORD)
    env = {"GEOSTORY_DB_URL": url, "GEOSTORY_DEMO": "false"}
    with streamlit_server(env, tmp_path / "streamlit.log", drop_env=ACCESS_ENV,
                          extra_args=("--secrets.files", str(secrets))) as base:
        yield base, url, secrets


def _tab(browser: Any) -> Any:
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    page.frames_seen = []
    page.on("websocket", lambda ws: ws.on(
        "framereceived", lambda payload: page.frames_seen.append(
            payload if isinstance(payload, bytes) else payload.encode())))
    return page


def _drawn(tab: Any, base: str) -> set[str]:
    """The event ids the map page sends to a fresh visitor."""
    tab.frames_seen.clear()
    tab.goto(base + "/", timeout=LOAD_MS)
    tab.get_by_text("events shown").first.wait_for(timeout=LOAD_MS)
    settle(tab)
    return {i for row in _layer(_decks(tab)[-1], "events")
            for i in row.get("members", [row["event_id"]])}  # a group at world zoom: each of its events


def _open_review(tab: Any, base: str) -> Any:
    tab.goto(base + "/review", timeout=LOAD_MS)
    tab.wait_for_selector("h1:has-text('Review places')", timeout=LOAD_MS)
    settle(tab)
    return tab.locator("[data-testid='stMain']")


def _choose(tab: Any, label: str, option: str) -> None:
    box = tab.get_by_role("combobox", name=label, exact=True)
    box.click()
    tab.get_by_role("option", name=option).first.click()


def test_an_editor_marks_not_a_place_and_a_viewer_cannot(site: tuple[str, str, Path]) -> None:
    base, url, secrets = site
    from playwright.sync_api import sync_playwright

    northtown = {e.event_id for e in all_events() if place_key(e.place_name) == "northtown"}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            viewer, editor = _tab(browser), _tab(browser)
            before_map = _drawn(viewer, base)
            assert northtown <= before_map  # the control: the points are there
            # A viewer: the page reads, but offers no edit at all.
            main = _open_review(viewer, base)
            assert "Editors only" in main.inner_text()
            for label in CURATION_BUTTONS:
                assert viewer.get_by_role("button", name=label).count() == 0
            # An editor unlocks and marks the name.
            main = _open_review(editor, base)
            editor.get_by_label("Editor password").fill(PASSWORD)
            editor.get_by_role("button", name="Unlock editing").click()
            editor.get_by_role("button", name="Mark as not a place").wait_for(timeout=LOAD_MS)
            _choose(editor, "Name", "Northtown (1 event(s))")
            editor.get_by_role("button", name="Mark as not a place").click()
            editor.get_by_text("Marked as not a place").wait_for(timeout=LOAD_MS)
            settle(editor)
            after_map = _drawn(viewer, base)
            assert not northtown & after_map
            assert after_map == before_map - northtown
            # The editor's page stays open while the password is changed on the server: the next
            # submit is refused by the server's own check, and nothing changes.
            before = _state(url)
            _secrets(secrets, "another passphrase entirely")
            time.sleep(3)  # Streamlit polls the secrets file
            _choose(editor, "Name", "Easton (1 event(s))")
            editor.get_by_role("button", name="Mark as not a place").click()
            editor.get_by_text("Nothing was changed").wait_for(timeout=LOAD_MS)
            assert "editor sign-in" in main.inner_text()
            assert _state(url) == before
            assert _drawn(viewer, base) == after_map
        finally:
            browser.close()
