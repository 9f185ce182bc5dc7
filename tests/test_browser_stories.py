"""Stories in a real browser (issue 12): the selector opens on the latest story, lives in the link,
and scopes the map; a shared link opens the story it names.

A real server on 127.0.0.1 serves a store of hand-made events in two stories two years apart;
Debian's Chromium opens it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from geo.store import Store
from tests.browser_support import CHROMIUM, FLAGS, need_browser, settle, streamlit_server
from tests.dashboard_events import story
from tests.test_stories import _later_story

pytestmark = pytest.mark.browser
LOAD_MS = 60_000
SIDEBAR = "[data-testid='stSidebar']"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    need_browser()
    tmp: Path = tmp_path_factory.mktemp("stories")
    url = f"sqlite:///{tmp / 'story.sqlite'}"
    with Store(url) as store:
        for article, events, actors in story():
            store.add_article(article, events, actors)
        store.set_story([a.article_id for a, _e, _x in story()], "Envoys in August")
        store.add_article(*_later_story())
    with streamlit_server({"GEOSTORY_DB_URL": url, "GEOSTORY_DEMO": "false"}, tmp / "streamlit.log") as root:
        yield root


@pytest.fixture(scope="module")
def browser(base: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    yield context.new_page()
    context.close()


def _open(tab: Any, url: str) -> None:
    tab.goto(url, timeout=LOAD_MS)
    tab.wait_for_selector(f"{SIDEBAR} >> text=/events shown/", timeout=LOAD_MS)
    settle(tab)


def _shown(tab: Any) -> int:
    text = tab.locator(SIDEBAR).get_by_text(re.compile(r"\d+ events shown")).inner_text()
    return int(re.search(r"(\d+) events shown", text).group(1))  # type: ignore[union-attr]


def _story_box(tab: Any) -> Any:
    return tab.locator(f"{SIDEBAR} [data-testid='stSelectbox']").filter(has_text="Story").first


def _pick_story(tab: Any, label: str) -> None:
    _story_box(tab).locator("input").click()
    tab.get_by_role("option", name=label, exact=True).click()
    tab.wait_for_function("() => location.search.includes('story=')", timeout=LOAD_MS)
    settle(tab)
    assert _story_box(tab).locator("input").input_value() == label


def test_the_selector_scopes_the_view_and_lives_in_the_link(tab: Any, base: str) -> None:
    _open(tab, base)
    # A plain link: the story published last, with only its own events.
    assert _story_box(tab).locator("input").input_value() == "Northtown storm"
    assert _shown(tab) == 1
    _pick_story(tab, "Envoys in August")
    assert parse_qs(urlsplit(tab.url).query)["story"] == ["Envoys in August"]
    envoys = _shown(tab)
    assert envoys > 1
    # The slider is the story's own period: no two-year span.
    years = {t[:4] for t in tab.locator("[data-testid='stSliderThumbValue']").all_inner_texts()}
    assert years == {"2021"}, years
    _pick_story(tab, "All stories")
    assert _shown(tab) == envoys + 1
    # The receiver of a shared link sees the story it names.
    link = tab.url
    other = tab.context.browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    try:
        _open(other, re.sub(r"story=[^&]*", "story=Envoys+in+August", link))
        assert _story_box(other).locator("input").input_value() == "Envoys in August"
        assert _shown(other) == envoys
    finally:
        other.context.close()
