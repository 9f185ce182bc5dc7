"""Issue 10, item 1: every date the store can hold renders, on every page, for every viewer.

A store holds history as news tells it ("in 1221, Genghis Khan..."), a published date
typed as 1500, and the first and last days Python has. Streamlit's date widgets reach only
about 285 years either side of 1970 (1684-07-29 to 2255-06-05 in 1.67): the slider clamps
into that range and says so, and its ends take in everything beyond.

The store is a real SQLite file filled with hand-made events (no model needed); the pages
run under Streamlit's AppTest through the router, and alone as a deep link would run them.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.config import PROJECT_ROOT
from geo.models import Actor, Article
from geo.store import Store
from geo.viewstate import WIDGET_FIRST_DAY, WIDGET_LAST_DAY
from tests.dashboard_events import _event, app_store

APP = str(PROJECT_ROOT / "app.py")
PAGES = ["pages/map.py", "pages/timeline.py", "pages/actors.py", "pages/sources.py", "pages/add.py",
         "pages/review.py"]
TIMEOUT = 60
# (published, event date): the earliest and latest dates Python holds, a medieval aside in a
# modern article, a published date no widget can show, and an ordinary story day.
DATES = [
    (date(1, 1, 1), date(1, 1, 1)),
    (date(2021, 9, 6), date(1221, 3, 2)),
    (date(2021, 9, 6), date(9999, 12, 31)),
    (date(1500, 3, 2), date(1500, 3, 2)),
    (date(2021, 9, 6), date(2021, 9, 6)),
]


def _history(store: Store, dates: list[tuple[date, date]] = DATES) -> list[str]:
    ids = []
    for number, (published, day) in enumerate(dates):
        article = Article(text=f"Alpha Person arrived in Northtown, report {number}.",
                          title=f"Report {number}", published=published, source="Wire", url=f"https://example.org/{number}")
        event = _event(article, article.text, "Northtown", day, 30.0 + number, 60.0, country="AA",
                       actors=("Alpha Person",))
        store.add_article(article, [event], [Actor("Alpha Person", "person")])
        ids.append(event.event_id)
    return ids


@pytest.fixture
def history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The app's store: the usual story plus the history articles; returns their event ids."""
    url = app_store(tmp_path, monkeypatch)
    with Store(url) as store:
        return _history(store)


def _app(params: dict[str, str], script: str = APP) -> AppTest:
    at = AppTest.from_file(script, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def _shown(at: AppTest) -> set[str]:
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    # A group of nearby places (geo.clusters, at world zoom) stands for each of its events.
    return {event_id for layer in spec["layers"] if layer["id"] == "events" for row in layer["data"]
            for event_id in row.get("members", [row["event_id"]])}


def _day(microseconds: float) -> date:
    return (datetime(1970, 1, 1) + timedelta(microseconds=microseconds)).date()


LINKS = [{}, {"from": "0001-01-01"}, {"from": "1221-01-01"}, {"from": "1500-01-01", "to": "9999-12-31"},
         {"to": "0001-01-01"}, {"from": "9999-12-31"}]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("link", LINKS, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()) or "plain")
def test_every_page_renders_every_date(history: list[str], page: str, link: dict[str, str]) -> None:
    at = _app(link)
    if page != "pages/map.py":
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(b.label == "Reset filters" for b in at.sidebar.button)
    caption = " ".join(c.value for c in at.sidebar.caption)
    assert "Events run from 0001-01-01 to 9999-12-31" in caption


@pytest.mark.parametrize("page", PAGES)
def test_a_deep_link_into_history_renders_alone(history: list[str], page: str) -> None:
    """The first request to a woken server runs the page script without app.py."""
    at = _app({"from": "1221-01-01"}, script=str(PROJECT_ROOT / page))
    assert not at.exception, [e.value for e in at.exception]


def test_the_slider_clamps_and_its_ends_take_in_what_lies_beyond(history: list[str]) -> None:
    at = _app({})
    assert not at.exception, [e.value for e in at.exception]
    # An article published in year 1 opens the story's period at the first day Python has
    # (a month before it used to overflow): every event is in the first view.
    slider = at.slider(key="w_dates")
    assert (_day(slider.min), _day(slider.max)) == (WIDGET_FIRST_DAY, WIDGET_LAST_DAY)
    assert set(history) <= _shown(at)
    # Moving the start inside the range leaves out what lies before it...
    slider.set_range(date(1700, 1, 1), WIDGET_LAST_DAY).run()
    assert not {history[0], history[1], history[3]} & _shown(at) and history[2] in _shown(at)
    # ...and back at its limit it means "and everything before", 0001 included.
    at.slider(key="w_dates").set_range(WIDGET_FIRST_DAY, WIDGET_LAST_DAY).run()
    assert not at.exception, [e.value for e in at.exception]
    assert set(history) <= _shown(at)
    # Pulling the end in from its limit leaves out the far future.
    at.slider(key="w_dates").set_range(WIDGET_FIRST_DAY, date(2100, 1, 1)).run()
    assert history[2] not in _shown(at) and history[0] in _shown(at)
    assert at.query_params["to"] in ("2100-01-01", ["2100-01-01"])


def test_a_medieval_aside_in_a_modern_story_is_background(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A 2021 article that says "in 1221 ... Herat": the switch and a link reach back to it."""
    url = app_store(tmp_path, monkeypatch)
    with Store(url) as store:
        ids = _history(store, DATES[1:3])
    at = _app({})
    assert ids[0] not in _shown(at)
    assert any("1 earlier event" in c.value for c in at.sidebar.caption)
    at.toggle(key="w_background").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    assert ids[0] in _shown(at) and ids[1] in _shown(at)
    assert _day(at.slider(key="w_dates").min) == WIDGET_FIRST_DAY
    assert at.query_params["from"] in ("1221-03-02", ["1221-03-02"])
    at.toggle(key="w_background").set_value(False).run()
    assert not at.exception and ids[0] not in _shown(at)


def test_reset_is_drawn_and_works_after_a_link_into_history(history: list[str]) -> None:
    at = _app({"from": "1221-01-01", "to": "1221-12-31"})
    assert _shown(at) == {history[1]}
    next(b for b in at.sidebar.button if b.label == "Reset filters").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert set(history) <= _shown(at)


def _slider_script(low: date, high: date) -> AppTest:
    def script(low: str, high: str) -> None:
        from datetime import date

        import streamlit as st

        st.slider("d", min_value=date.fromisoformat(low), max_value=date.fromisoformat(high))

    args = (low.isoformat(), high.isoformat())
    return AppTest.from_function(script, args=args, default_timeout=TIMEOUT).run()


def test_the_widget_range_is_streamlits_own() -> None:
    """Our limits are the outermost days Streamlit's slider takes: one day further fails."""
    assert not _slider_script(WIDGET_FIRST_DAY, WIDGET_LAST_DAY).exception
    assert _slider_script(WIDGET_FIRST_DAY - timedelta(days=1), WIDGET_LAST_DAY).exception
    assert _slider_script(WIDGET_FIRST_DAY, WIDGET_LAST_DAY + timedelta(days=1)).exception


@pytest.mark.browser
def test_every_page_draws_history_in_a_real_browser(tmp_path: Path) -> None:
    """What AppTest cannot see: the browser's own charts and slider take these dates too."""
    from playwright.sync_api import sync_playwright

    from tests.browser_support import CHROMIUM, FLAGS, need_browser, settle, streamlit_server

    need_browser()
    url = f"sqlite:///{tmp_path / 'history.sqlite'}"
    with Store(url) as store:
        _history(store)
    env = {"GEOSTORY_DB_URL": url, "GEOSTORY_DEMO": "false"}
    with streamlit_server(env, tmp_path / "server.log") as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            tab = browser.new_page(viewport={"width": 1400, "height": 900})
            failures: list[str] = []
            tab.on("pageerror", lambda err: failures.append(str(err)))
            for path in ("", "timeline", "actors", "sources", "add", "review"):
                tab.goto(f"{base}/{path}?from=0001-01-01")
                # The sidebar's note on the slider's reach: the page ran to the end of its setup.
                tab.get_by_text("Events run from 0001-01-01 to 9999-12-31").wait_for(timeout=60_000)
                settle(tab)
                assert tab.locator("[data-testid='stException']").count() == 0, path
                if path == "timeline":  # Vega draws the years 1 to 9999 on one axis
                    tab.wait_for_selector("[data-testid='stVegaLiteChart'] canvas, "
                                          "[data-testid='stVegaLiteChart'] svg", timeout=30_000)
            assert not failures, failures
        finally:
            browser.close()
