"""The map page's layout, event feed and share button in a real browser (Debian Chromium).

A server on a store of hand-made events (no model needed, the demo load off): the map's measured
box at 1440×900 and on a phone, a click in the feed, and "Share this view" copying the link.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from geo.models import Article, make_event_id
from geo.store import Store
from tests.browser_support import CHROMIUM, FLAGS, need_browser, settle, streamlit_server
from tests.dashboard_events import all_events, fill_story

pytestmark = [pytest.mark.browser]

OUTPUT = Path(__file__).resolve().parent.parent / "test-output"
MAP = "[data-testid='stDeckGlJsonChart']"
MAP_SHARE_OF_WIDTH = 0.60
MAP_MIN_HEIGHT = 600


def _fill(url: str) -> None:
    """The dashboard fixture's story, and a busier article so that the feed has pages."""
    with Store(url) as store:
        fill_story(store)
        base = all_events()[0]
        text = " ".join(f"Alpha Person met delegates {i} in Northtown." for i in range(40))
        article = Article(text=text, title="Busy", published=base.date, source="Wire",
                          url="https://example.org/busy")
        events = []
        for i in range(40):
            start = text.index(f"delegates {i} ")
            events.append(replace(base, event_id=make_event_id(article.article_id, start, start + 9),
                                  article_id=article.article_id, date=base.date + timedelta(days=i % 15),
                                  quote=f"Alpha Person met delegates {i} in Northtown."))
        store.add_article(article, events, [])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    need_browser()
    url = f"sqlite:///{tmp_path_factory.mktemp('feed') / 'story.sqlite'}"
    _fill(url)
    env = {"GEOSTORY_DB_URL": url, "GEOSTORY_DEMO": "false"}
    with streamlit_server(env, tmp_path_factory.getbasetemp() / "streamlit-feed.log") as base:
        yield base


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        chromium.close()


def _open(browser, base: str, width: int, height: int, query: str = ""):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": width, "height": height},
                                  permissions=["clipboard-read", "clipboard-write"])
    tab = context.new_page()
    tab.outside = []
    tab.on("request", lambda r: None if r.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:"))
           else tab.outside.append(r.url))
    tab.goto(f"{base}/{query}", timeout=60_000)
    tab.wait_for_selector(f"{MAP} canvas", timeout=60_000)
    settle(tab)
    return context, tab


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_the_map_leads_at_1440_by_900_with_the_feed_beside_it(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    context, tab = _open(browser, server, 1440, 900)
    main = tab.locator("[data-testid='stMainBlockContainer']")
    content = main.bounding_box()
    assert content
    # The content width: the main block less its padding (what the page's elements can fill).
    padding = main.evaluate("el => parseFloat(getComputedStyle(el).paddingLeft)"
                            " + parseFloat(getComputedStyle(el).paddingRight)")
    content = {**content, "width": content["width"] - padding}
    box = tab.locator(MAP).first.bounding_box()
    feed = tab.locator(".st-key-feed").bounding_box()
    assert content and box and feed
    share = box["width"] / content["width"]
    print(f"map box at 1440x900: {box['width']:.0f} x {box['height']:.0f} px, "
          f"{share:.0%} of the content width ({content['width']:.0f} px)")
    assert share >= MAP_SHARE_OF_WIDTH, (box, content)
    assert box["height"] >= MAP_MIN_HEIGHT, box
    assert feed["x"] >= box["x"] + box["width"] - 1  # beside the map, not under it
    # The legend: one continuous date ramp, and the marks of each layer.
    assert tab.locator("[data-legend='ramp']").count() == 1
    for part in ("size", "arcs", "areas"):
        assert tab.locator(f"[data-legend='{part}']").count() == 1
    OUTPUT.mkdir(exist_ok=True)
    tab.screenshot(path=str(OUTPUT / "map-layout-1440.png"))
    assert not tab.outside
    context.close()


def test_on_a_phone_the_page_stays_usable(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    context, tab = _open(browser, server, 390, 844)
    box = tab.locator(MAP).first.bounding_box()
    feed = tab.locator(".st-key-feed").bounding_box()
    assert box and feed
    assert box["width"] >= 0.8 * 390 and box["height"] >= 300, box
    assert feed["y"] >= box["y"] + box["height"] - 1  # stacked under the map
    # Nothing wider than the screen, and story mode works with a tap.
    assert tab.evaluate("document.documentElement.scrollWidth") <= 391
    tab.locator(".st-key-next button").click()
    tab.wait_for_selector("text=Story step 1 of", timeout=20_000)
    settle(tab)
    tab.locator(".st-key-card").wait_for(timeout=20_000)
    assert tab.locator(".st-key-card").is_visible()
    tab.screenshot(path=str(OUTPUT / "map-phone.png"), full_page=True)
    context.close()


def test_a_click_in_the_feed_selects_the_event_and_its_card(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    context, tab = _open(browser, server, 1440, 900)
    southland = next(e for e in all_events() if e.place_name == "Southland")
    # The feed is paged and oldest first; the last page holds the story's last day.
    while tab.locator(f".st-key-feed_{southland.event_id} button").count() == 0:
        later = tab.locator(".st-key-feed_page_later button")
        assert later.count() and later.is_enabled(), "Southland never appears in the feed"
        later.click()
        settle(tab)
    row = tab.locator(f".st-key-feed_{southland.event_id} button")
    assert "Southland" in row.inner_text() and "2021-09-01" in row.inner_text()
    row.click()
    tab.wait_for_function("() => new URL(location.href).searchParams.get('event') !== null", timeout=20_000)
    settle(tab)
    assert _query(tab.url)["event"] == [southland.event_id]
    assert "Southland" in tab.locator(".st-key-card").inner_text()
    assert tab.locator(f".st-key-feed_{southland.event_id} [data-testid='stBaseButton-primary']").count() == 1
    context.close()


def test_share_this_view_copies_the_link_and_confirms(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    context, tab = _open(browser, server, 1440, 900, "?actor=Alpha+Person&color=actor")
    frame = tab.frame_locator("iframe").first
    button = frame.get_by_role("button", name=re.compile("Share this view"))
    assert button.is_visible()
    map_top = tab.locator(MAP).first.bounding_box()["y"]
    share_box = tab.locator("iframe").first.bounding_box()
    assert share_box and share_box["y"] < map_top  # above the map
    shown = frame.locator("#link").input_value()  # the link is there for a manual copy too
    button.click()
    frame.get_by_text("Link copied").wait_for(timeout=5_000)
    copied = tab.evaluate("navigator.clipboard.readText()")
    assert copied == shown and copied.startswith(server)
    assert _query(copied) == {"actor": ["Alpha Person"], "color": ["actor"]}
    context.close()


FIRST_LOAD_S = 300
GRID_WIDTHS = ("() => [...document.querySelectorAll(\"[data-testid='stDataFrame'] .dvn-scroller\")]"
               ".map(el => [el.scrollWidth, el.clientWidth])")
MAIN_TEXT = "() => (document.querySelector('[data-testid=stMain]') || {}).innerText || ''"


@pytest.mark.gazetteer
@pytest.mark.model
def test_the_first_start_never_leaves_a_blank_page(tmp_path: Path, browser) -> None:  # type: ignore[no-untyped-def]
    """A fresh server on an empty store loads the demo under a progress bar; from the bar's first
    appearance until the map is drawn, the main area always shows something."""
    import time

    url = f"sqlite:///{tmp_path / 'first.sqlite'}"
    env = {"GEOSTORY_DB_URL": url, "GEOSTORY_DEMO": "true"}
    with streamlit_server(env, tmp_path / "streamlit-first.log") as base:
        tab = browser.new_page(viewport={"width": 1440, "height": 900})
        tab.goto(base, timeout=FIRST_LOAD_S * 1000)
        seen_bar, blank_after_bar, deadline = False, [], time.monotonic() + FIRST_LOAD_S
        while time.monotonic() < deadline:
            text = tab.evaluate(MAIN_TEXT)
            bar = tab.locator("[data-testid='stProgress']").count() > 0
            seen_bar = seen_bar or bar
            if seen_bar and not text.strip():
                blank_after_bar.append(round(deadline - time.monotonic(), 1))
            if tab.locator(f"{MAP} canvas").count():
                break
            tab.wait_for_timeout(150)
        assert seen_bar, "no progress bar on the first start"
        assert tab.locator(f"{MAP} canvas").count(), "the map never came"
        assert not blank_after_bar, f"blank after the progress bar ({len(blank_after_bar)} polls)"
        tab.close()


def test_the_feed_scrolls_to_the_picked_row(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    context, tab = _open(browser, server, 1440, 900)
    rows = tab.locator(".st-key-feed [data-testid^='stBaseButton']")
    assert rows.count() >= 20
    late = rows.nth(19)
    key = late.evaluate("el => [...el.closest('[class*=st-key-feed_]').classList]"
                        ".find(c => c.startsWith('st-key-feed_'))")
    event_id = key.removeprefix("st-key-feed_")
    context.close()
    context, tab = _open(browser, server, 1440, 900, f"?event={event_id}")
    row = tab.locator(f".st-key-feed_{event_id} button")
    row.wait_for(timeout=20_000)
    tab.wait_for_timeout(1500)  # the scroll runs once the frame has loaded
    box = tab.locator(".st-key-feed").bounding_box()
    mine = row.bounding_box()
    assert box and mine
    assert box["y"] <= mine["y"] and mine["y"] + mine["height"] <= box["y"] + box["height"] + 1, (box, mine)
    context.close()


def test_timeline_and_tables_at_1440(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    """Screenshots for a look (test-output/); every table fits its column: no sideways scrolling."""
    for path in ("timeline", "sources", "actors"):
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        tab = context.new_page()
        tab.goto(f"{server}/{path}", timeout=60_000)
        tab.wait_for_selector("h1", timeout=60_000)
        settle(tab)
        tab.wait_for_timeout(1500)
        tab.screenshot(path=str(OUTPUT / f"{path}-1440.png"), full_page=True)
        # A grid wider than its box scrolls sideways: its last columns are cut off.
        widths = tab.evaluate(GRID_WIDTHS)
        assert all(scroll <= client + 1 for scroll, client in widths), (path, widths)
        if path != "timeline":
            assert widths, f"no table found on {path}"
        context.close()
