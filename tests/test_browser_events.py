"""The event model in a real browser (issue 11): the card, the type filter in the URL, no arc
drawn from co-mention.

A real server on 127.0.0.1 serves a store of hand-made events; Debian's Chromium opens it.
The deck's JSON is read from the websocket frames the page receives (deck.gl draws on a
canvas, so the arcs are not in the DOM).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from geo.models import Actor, Article, Event
from geo.store import Store
from tests.browser_support import CHROMIUM, FLAGS, need_browser, settle, streamlit_server
from tests.dashboard_events import _event, fill_story, modelled

pytestmark = pytest.mark.browser
LOAD_MS = 60_000
DECK_START = b'{\n  "initialViewState"'


@dataclass
class Site:
    base: str
    modelled: list[Event]
    co_mention: list[Event]


def _co_mention() -> tuple[Article, list[Event], list[Actor]]:
    """Two places one sentence each, an actor named beside both but put at neither."""
    article = Article(text="Theta Person praised Easton. Theta Person condemned Westville.", title="Sixth",
                      published=date(2021, 8, 28), source="Wire", url="https://example.org/6")
    text = article.text
    events = [replace(_event(article, text, place, day, lat, lon, country=cc), actors=(),
                      mentioned_actors=("Theta Person",), locative=False)
              for place, day, lat, lon, cc in (("Easton", date(2021, 8, 28), 25.0, 50.0, "BB"),
                                               ("Westville", date(2021, 8, 29), 10.0, 10.0, "AA"))]
    return article, events, [Actor("Theta Person", "person")]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    need_browser()
    tmp: Path = tmp_path_factory.mktemp("events")
    url = f"sqlite:///{tmp / 'story.sqlite'}"
    with Store(url) as store:
        fill_story(store)
        store.add_article(*modelled())
        store.add_article(*_co_mention())
    env = {"GEOSTORY_DB_URL": url, "GEOSTORY_DEMO": "false"}
    with streamlit_server(env, tmp / "streamlit.log") as base:
        yield Site(base, modelled()[1], _co_mention()[1])


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.frames_seen = []
    page.on("websocket", lambda ws: ws.on(
        "framereceived", lambda payload: page.frames_seen.append(
            payload if isinstance(payload, bytes) else payload.encode())))
    yield page
    context.close()


def _decks(tab: Any) -> list[dict[str, Any]]:
    """Every deck spec the page was sent, parsed from the websocket frames."""
    decks = []
    for frame in tab.frames_seen:
        at = frame.find(DECK_START)
        while at >= 0:
            text = frame[at:].decode("utf-8", errors="replace")
            try:
                deck, _end = json.JSONDecoder().raw_decode(text)
            except ValueError:
                break
            decks.append(deck)
            at = frame.find(DECK_START, at + 1)
    return decks


def _layer(deck: dict[str, Any], layer_id: str) -> list[Any]:
    for layer in deck["layers"]:
        if layer["id"] == layer_id:
            data = layer["data"]
            return data["features"] if isinstance(data, dict) else data
    return []


def _card_text(tab: Any, wanted: list[str]) -> str:
    tab.wait_for_function(
        """(wanted) => { const c = document.querySelector('.st-key-card');
                         const t = c ? c.innerText.replaceAll('\\u2060', '') : '';
                         return wanted.every((w) => t.includes(w)); }""", arg=wanted, timeout=LOAD_MS)
    return tab.locator(".st-key-card").inner_text().replace("\u2060", "")


def test_the_card_and_the_type_filter_from_a_link(tab: Any, site: Site) -> None:
    arrive = next(e for e in site.modelled if e.place_name == "Northtown")
    tab.goto(f"{site.base}/?type=travel&event={arrive.event_id}", timeout=LOAD_MS)
    card = _card_text(tab, ["Who was there:", "Epsilon Envoy (going there)", "Also mentioned: Zeta Bureau",
                            "What: travel", "planned, not yet done"])
    assert "2021-08-26 to 2021-08-27" in card
    settle(tab)
    # The sidebar's type filter shows the link's choice, and the URL keeps it.
    types = tab.locator("[data-testid='stMultiSelect']").filter(has_text="Event types")
    assert "travel" in types.inner_text()
    assert parse_qs(urlsplit(tab.url).query).get("type") == ["travel"]
    # Only travel is drawn.
    deck = _decks(tab)[-1]
    drawn = {i for row in _layer(deck, "events") for i in row.get("members", [row["event_id"]])}
    assert drawn == {e.event_id for e in site.modelled if e.has_place}


def test_co_mention_draws_no_arc(tab: Any, site: Site) -> None:
    tab.goto(site.base + "/", timeout=LOAD_MS)
    tab.get_by_text("events shown").first.wait_for(timeout=LOAD_MS)
    settle(tab)
    deck = _decks(tab)[-1]
    drawn = {i for row in _layer(deck, "events") for i in row.get("members", [row["event_id"]])}
    assert {e.event_id for e in site.co_mention} <= drawn  # both places are on the map
    arcs = _layer(deck, "arcs")
    assert arcs, "the control: the story's own journeys are drawn"
    assert not [a for a in arcs if "Theta" in str(a.get("actors", ""))]
