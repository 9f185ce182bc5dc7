"""The map page's event feed, share button, layer toggles and colours under Streamlit's AppTest,
and the Timeline's and Actors page's colours against the map's (real SQLite, hand-made events)."""

from __future__ import annotations

import html
import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.config import PROJECT_ROOT
from geo.feed import PAGE_SIZE
from geo.legend import actor_color, hex_color
from geo.models import Article, make_event_id
from geo.store import Store
from tests.dashboard_events import all_events, app_store, modelled

APP = str(PROJECT_ROOT / "app.py")
TIMEOUT = 30


@pytest.fixture
def store_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    return app_store(tmp_path, monkeypatch)


def _app(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


def _feed(at: AppTest) -> list:  # type: ignore[type-arg]
    return [b for b in at.button if (b.key or "").startswith("feed_") and not b.key.startswith("feed_page_")]


def _deck(at: AppTest) -> dict:  # type: ignore[type-arg]
    return json.loads(at.get("deck_gl_json_chart")[0].proto.json)


def _layer(at: AppTest, layer_id: str) -> dict:  # type: ignore[type-arg]
    return next(layer for layer in _deck(at)["layers"] if layer["id"] == layer_id)


def test_the_feed_lists_the_mapped_events_oldest_first(store_url: str) -> None:
    at = _app()
    assert not at.exception
    rows = _feed(at)
    events = sorted(all_events(), key=lambda e: e.date)
    assert [b.key for b in rows] == [f"feed_{e.event_id}" for e in events]
    assert rows[0].label.startswith("**2021\\-08\\-15**")
    assert all(b.proto.type == "tertiary" for b in rows)  # nothing selected yet
    assert not any("<img" in b.label for b in rows)  # the hostile sentence is escaped


def test_a_click_on_a_row_selects_the_event_on_the_map_and_its_card(store_url: str) -> None:
    at = _app()
    target = next(e for e in all_events() if e.place_name == "Southland")
    at.button(key=f"feed_{target.event_id}").click().run()
    assert not at.exception
    assert at.query_params["event"] == [target.event_id] or at.query_params["event"] == target.event_id
    assert "**Southland**" in " ".join(m.value for m in at.markdown)  # the card
    selected = _layer(at, "selected")["data"][0]
    assert (selected["lat"], selected["lon"]) == (target.lat, target.lon)  # the map's ring
    assert at.button(key=f"feed_{target.event_id}").proto.type == "primary"


def test_the_feed_follows_the_story_step_and_the_filters(store_url: str) -> None:
    at = _app()
    at.button(key="next").click().run()
    marked = {b.key for b in _feed(at) if b.proto.type == "primary"}
    first_day = min(e.date for e in all_events())
    assert marked and marked <= {f"feed_{e.event_id}" for e in all_events() if e.date == first_day}
    at.button(key="next").click().run()
    again = {b.key for b in _feed(at) if b.proto.type == "primary"}
    assert again and again != marked
    at.multiselect(key="w_actors").set_value(["Gamma Org"]).run()
    assert [b.key for b in _feed(at)] == [f"feed_{e.event_id}" for e in all_events()
                                          if "Gamma Org" in e.actors]


def _many(url: str, count: int) -> list[str]:
    """An article of ``count`` dated events at one place; their ids, oldest first."""
    base = all_events()[0]
    text = " ".join(f"Alpha Person met people {i}." for i in range(count))
    article = Article(text=text, title="Many", published=base.date, source="Wire", url="https://example.org/m")
    events = []
    for i in range(count):
        start = text.index(f"people {i}.")
        events.append(replace(base, event_id=make_event_id(article.article_id, start, start + 6),
                              article_id=article.article_id, date=base.date + timedelta(days=i % 20),
                              quote=f"Alpha Person met people {i}."))
    with Store(url) as store:
        store.add_article(article, events, [])
    return [e.event_id for e in sorted(events, key=lambda e: e.date)]


def test_a_large_feed_is_paged_and_follows_the_step_to_its_page(store_url: str) -> None:
    _many(store_url, 70)
    at = _app()
    first = [b.key for b in _feed(at)]
    assert len(first) == PAGE_SIZE
    assert any("of 75" in m.value for m in at.markdown)
    at.button(key="feed_page_later").click().run()
    second = [b.key for b in _feed(at)]
    assert len(second) == PAGE_SIZE and not set(first) & set(second)
    # A link to the last event opens the page that lists it, marked.
    last = [b.key for b in _feed(at.button(key="feed_page_later").click().run())]
    target = last[-1].removeprefix("feed_")
    linked = _app({"event": target})
    keys = [b.key for b in _feed(linked)]
    assert f"feed_{target}" in keys
    assert linked.button(key=f"feed_{target}").proto.type == "primary"


def test_layer_toggles_hide_layers_and_stay_in_the_link(store_url: str) -> None:
    at = _app()
    assert _layer(at, "events")["data"] and _layer(at, "labels")["data"]
    at.button_group(key="w_layers").set_value(["points"]).run()
    assert not at.exception
    assert _layer(at, "events")["data"]
    assert not any(layer["id"] in ("labels",) for layer in _deck(at)["layers"])
    assert _layer(at, "areas")["data"]["features"] == []
    assert at.query_params["layers"] in ("points", ["points"])
    legend = " ".join(h.proto.body for h in at.get("html"))
    assert 'data-legend="size"' in legend and 'data-legend="arcs"' not in legend
    reopened = _app({"layers": "points"})
    assert reopened.button_group(key="w_layers").value == ["points"]


def test_the_share_button_carries_the_escaped_link_of_the_view(store_url: str) -> None:
    at = _app({"actor": "Alpha Person", "color": "actor"})
    frame = at.get("iframe")[0].proto.srcdoc
    assert "Share this view" in frame and "Link copied" in frame
    link = html.unescape(frame.split('value="', 1)[1].split('"', 1)[0])
    assert "actor=Alpha+Person" in link and "color=actor" in link
    assert " on" not in frame.split("<script>")[0].lower().replace(" only", "")  # no inline handlers


def test_colours_match_across_map_timeline_and_actors_and_survive_new_data(store_url: str) -> None:
    at = _app({"color": "actor"})
    on_map = {row["actors"]: row["color"][:3] for row in _layer(at, "events")["data"]}
    assert on_map["Alpha Person"] == actor_color("Alpha Person")
    at.switch_page("pages/timeline.py").run()
    assert not at.exception
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    scale = spec["encoding"]["color"]["scale"]
    shown = dict(zip(scale["domain"], scale["range"], strict=True))
    for actor, colour in on_map.items():
        if actor in shown:
            assert shown[actor] == hex_color(colour)
    assert "Alpha Person" in shown
    sizes = spec["encoding"]["size"]["legend"]["values"]
    assert 0 not in sizes  # no "0 events" entry
    # New data with new actors: Alpha Person keeps its colour on the map.
    article, events, actors = modelled()
    with Store(store_url) as store:
        store.add_article(article, events, actors)
    later = _app({"color": "actor"})
    again = {row["actors"]: row["color"][:3] for row in _layer(later, "events")["data"]}
    assert again["Alpha Person"] == on_map["Alpha Person"]


def test_the_timeline_axis_is_a_time_axis_with_years(store_url: str) -> None:
    at = _app()
    at.switch_page("pages/timeline.py").run()
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        x = spec["encoding"]["x"]
        assert x["type"] == "temporal"
        assert "%Y" in x["axis"]["format"]


def test_the_sources_table_has_no_none_link_text(store_url: str) -> None:
    at = _app()
    at.switch_page("pages/sources.py").run()
    assert not at.exception
    articles = at.dataframe[0].value
    assert "None" not in set(map(str, articles["link"]))
    assert (articles["link"] == "").any()  # the article with a javascript: URL has no link


def test_a_view_too_large_to_load_still_has_a_paged_feed_read_from_sql(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui

    monkeypatch.setattr(ui.data, "MAX_DETAIL_EVENTS", 2)  # every view is "large": counts per place
    many = _many(store_url, 70)
    at = _app()
    assert not at.exception, [e.value for e in at.exception]
    assert not [b for b in at.button if b.key == "next"]  # the overview, not story mode
    first = [b.key for b in _feed(at)]
    assert len(first) == PAGE_SIZE
    assert any("of 75" in m.value for m in at.markdown)
    at.button(key="feed_page_later").click().run()
    second = [b.key for b in _feed(at)]
    assert len(second) == PAGE_SIZE and not set(first) & set(second)
    dates = [b.label.split("**")[1] for b in _feed(at)]
    assert dates == sorted(dates)  # oldest first, as the small view's feed
    # A click opens the event's card beside the overview map.
    target = second[3].removeprefix("feed_")
    day = at.button(key=f"feed_{target}").label.split("**")[1]
    at.button(key=f"feed_{target}").click().run()
    assert not at.exception
    assert at.session_state["overview_pick"] == target
    assert at.button(key=f"feed_{target}").proto.type == "primary"
    assert target in many
    card = " ".join(m.value for m in at.markdown)
    assert "#### Many" in card and f"**Date:** {day}" in card  # the picked event's card
