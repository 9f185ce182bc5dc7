"""A new user's walk through the demo in Chromium at 1440×900 (issue 12), with screenshots for the README.

Open a shared link cold, read the title slide, play the story to its end, filter by an actor
and by an event type, pick an event in the feed, and share the view; the receiver of the
link sees the same view. Each stage is saved into docs/screenshots/walk-*.png, which the
README shows.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from geo.cards import type_label
from geo.config import PROJECT_ROOT
from geo.store import Store
from tests.browser_support import CHROMIUM, FLAGS, need_browser, settle, streamlit_server

pytestmark = [pytest.mark.browser, pytest.mark.gazetteer, pytest.mark.model]

SHOTS = PROJECT_ROOT / "docs" / "screenshots"
FIRST_LOAD_MS = 300_000  # the first request loads the model and ingests the demo
STEP_MS = 30_000
MAX_STEPS = 15  # the bound for the demo
VIEWPORT = {"width": 1440, "height": 900}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    need_browser()
    db_url = f"sqlite:///{tmp_path_factory.mktemp('walk') / 'story.sqlite'}"
    env = {"GEOSTORY_DB_URL": db_url, "GEOSTORY_DEMO": "true"}
    with streamlit_server(env, tmp_path_factory.getbasetemp() / "streamlit-walk.log") as base:
        yield base, db_url


@pytest.fixture(scope="module")
def browser(server: tuple[str, str]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        chromium.close()


def _shot(tab: Any, name: str) -> None:
    """The viewport from the page's top (a click in the feed may have scrolled it)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.locator("h1").first.scroll_into_view_if_needed()
    tab.screenshot(path=str(SHOTS / f"walk-{name}.png"))


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def _step_caption(tab: Any) -> tuple[int, int] | None:
    found = tab.get_by_text(re.compile(r"^Story step \d+ of \d+$"))
    if found.count() == 0:
        return None
    first, total = re.findall(r"\d+", found.first.inner_text())
    return int(first), int(total)


def _pick(tab: Any, box_name: str, option: str) -> None:
    box = tab.get_by_role("combobox", name=box_name)
    box.click()
    box.fill(option)
    tab.get_by_role("option", name=option).first.click()  # a substring: the label ends with a count
    tab.keyboard.press("Escape")
    settle(tab)


def _card_holds(tab: Any, text: str) -> None:
    """Wait until the card names ``text`` (a rerun draws the card's title before its facts)."""
    tab.wait_for_function(
        """(text) => { const c = document.querySelector('.st-key-card');
                       return !!c && c.innerText.replaceAll('\\u2060', '').includes(text); }""",
        arg=text, timeout=STEP_MS)


def test_a_new_user_walks_the_demo_and_shares_it(server: tuple[str, str], browser: Any) -> None:
    base, db_url = server
    context = browser.new_context(viewport=VIEWPORT, permissions=["clipboard-read", "clipboard-write"])
    tab = context.new_page()
    # 1. A shared link, opened cold: the map page coloured by event type.
    tab.goto(f"{base}/?color=type", timeout=FIRST_LOAD_MS)
    tab.wait_for_selector("[data-testid='stDeckGlJsonChart'] canvas", timeout=FIRST_LOAD_MS)
    settle(tab, FIRST_LOAD_MS)
    intro = tab.locator(".st-key-story_intro")
    intro.wait_for(timeout=STEP_MS)
    with Store(db_url) as store:
        events = [e for e in store.events() if e.has_place and not e.background]
        story_name = store.latest_story()
    assert story_name and story_name in intro.inner_text()
    _shot(tab, "1-shared-link")
    # 2. Play to the end: the story runs itself, in at most 15 steps, in time order.
    tab.get_by_role("button", name="Play").click()
    seen: list[int] = []
    headings: list[str] = []
    total = None
    for _ in range(MAX_STEPS * 4):
        tab.wait_for_timeout(1_000)
        caption = _step_caption(tab)
        if caption is None:
            continue
        step, total = caption
        if not seen or seen[-1] != step:
            seen.append(step)
            heading = tab.locator(".st-key-story_heading")
            headings.append(heading.inner_text() if heading.count() else "")
            if step == 3:
                settle(tab)  # between two steps the run is over: the page shows only this step
                assert tab.locator(".st-key-story_intro").count() == 0
                _shot(tab, "2-story-step")
        if step == total and tab.get_by_role("button", name="Play").count():
            break
    assert total is not None and total <= MAX_STEPS, total
    assert seen[-1] == total and seen == sorted(seen), seen
    tab.get_by_role("button", name="Play").wait_for(timeout=STEP_MS)  # at the end, Play again
    # Each step has its large date heading, and the days run in order.
    days = [datetime.strptime(m.group(0), "%d %B %Y").date() for h in headings
            if (m := re.search(r"\d{1,2} [A-Z][a-z]+ \d{4}", h))]
    assert len(days) >= len(seen) - 1 and days == sorted(days), headings
    settle(tab)
    _shot(tab, "3-story-end")
    # 3. Filter by an actor, then by the type of most of that actor's events.
    actor = Counter(a for e in events for a in e.actors).most_common(1)[0][0]
    kind = Counter(e.event_type for e in events if actor in e.actors).most_common(1)[0][0]
    _pick(tab, "Actors", actor)
    _pick(tab, "Event types", type_label(kind))
    query = _query(tab.url)
    assert query["actor"] == [actor] and query["type"] == [kind], query
    wanted = [e for e in events if actor in e.actors and e.event_type == kind]
    shown = tab.get_by_text(re.compile(r"^\d+ events shown$")).inner_text()
    assert int(shown.split()[0]) >= len(wanted) > 0
    _shot(tab, "4-filtered")
    # 4. The feed: a click on a row opens that event's card.
    row = tab.locator(".st-key-feed [data-testid^='stBaseButton']").last
    label = row.inner_text()
    place = next(e.place_name for e in wanted if e.place_name in label)
    row.click()
    settle(tab)
    _card_holds(tab, place)
    _shot(tab, "5-feed")
    # 5. Share: the button copies the link and says so; the receiver sees the same view.
    frame = tab.frame_locator("iframe").first
    frame.get_by_role("button", name=re.compile("Share this view")).click()
    frame.get_by_text("Link copied").wait_for(timeout=5_000)
    link = tab.evaluate("navigator.clipboard.readText()")
    assert link.startswith(base) and f"type={kind}" in link, link
    _shot(tab, "6-shared")
    receiver = browser.new_context(viewport=VIEWPORT)
    other = receiver.new_page()
    other.goto(link, timeout=STEP_MS * 2)
    other.wait_for_selector("[data-testid='stDeckGlJsonChart'] canvas", timeout=STEP_MS * 2)
    settle(other)
    _card_holds(other, place)
    assert _query(other.url)["actor"] == [actor]
    receiver.close()
    context.close()
