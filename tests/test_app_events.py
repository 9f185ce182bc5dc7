"""The event model in the dashboard (issue 11), under Streamlit's AppTest.

The card says who was there (with each role), who is only mentioned, what was done and
whether it happened; event types are a sidebar filter kept in the URL (``type=``) and a
colouring of the map; events without a place count on the Timeline and the Actors page and
in the tables, never on the map; co-mention draws no arc; an event the text denies is not
drawn; background asides do not open the story.

The store is a real SQLite file filled with hand-made events (tests/dashboard_events.py).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.cards import type_label
from geo.config import PROJECT_ROOT
from geo.legend import type_color
from geo.models import Actor, Article
from geo.store import Store
from tests.dashboard_events import _event, app_store, modelled

APP = str(PROJECT_ROOT / "app.py")
TIMEOUT = 30


@pytest.fixture
def store_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = app_store(tmp_path, monkeypatch)
    with Store(url) as store:
        store.add_article(*modelled())
    return url


def _app(params: dict[str, str | list[str]] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


def _layer(at: AppTest, layer_id: str) -> list[dict[str, object]]:
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    for layer in spec["layers"]:
        if layer["id"] == layer_id:
            data = layer["data"]
            return [f["properties"] for f in data["features"]] if isinstance(data, dict) else data
    return []


def _on_map(at: AppTest) -> set[str]:
    return {str(i) for r in [*_layer(at, "events"), *_layer(at, "areas")]
            for i in r.get("members", [r["event_id"]])}  # a group at world zoom: each of its events


def _ids() -> dict[str, str]:
    _article, events, _actors = modelled()
    return {e.place_name or "placeless": e.event_id for e in events}


def test_the_card_says_who_was_there_who_is_mentioned_and_what(store_url: str) -> None:
    at = _app({"event": _ids()["Northtown"]})
    assert not at.exception, [e.value for e in at.exception]
    facts = "\n".join(m.value for m in at.markdown).replace("\\", "")  # Markdown escapes away
    assert f"**What:** {type_label('travel')} · “fly” · planned, not yet done" in facts
    assert "**Who was there:** Epsilon Envoy (going there)" in facts
    assert "**Also mentioned:** Zeta Bureau" in facts
    assert "2021-08-26 to 2021-08-27" in facts
    tooltip = next(r for r in _layer(at, "events") if r["event_id"] == _ids()["Northtown"])
    assert tooltip["what"] == f"{type_label('travel')} (planned)"


def test_the_type_filter_lives_in_the_url_and_narrows_every_page(store_url: str) -> None:
    at = _app({"type": "travel"})
    assert not at.exception, [e.value for e in at.exception]
    assert at.multiselect(key="w_types").value == ["travel"]
    assert _on_map(at) == {_ids()["Westville"], _ids()["Northtown"]}
    assert at.query_params["type"] in ("travel", ["travel"])
    for page in ("pages/timeline.py", "pages/actors.py", "pages/sources.py"):
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.multiselect(key="w_types").value == ["travel"]
    events_table = at.dataframe[1].value
    assert set(events_table["event_type"]) == {"travel"}
    # Choosing another type in the sidebar rewrites the link.
    at.switch_page("pages/map.py").run()
    at.multiselect(key="w_types").set_value(["statement"]).run()
    assert at.query_params["type"] in ("statement", ["statement"])
    assert not at.get("deck_gl_json_chart")  # the statement has no place: nothing to draw
    assert any("No events match" in i.value for i in at.info)


def test_an_unknown_type_in_a_link_is_dropped_with_a_notice(store_url: str) -> None:
    at = _app({"type": ["travel", "<script>"]})
    assert not at.exception, [e.value for e in at.exception]
    assert at.multiselect(key="w_types").value == ["travel"]


def test_colour_by_type_uses_each_types_own_colour(store_url: str) -> None:
    at = _app({"color": "type"})
    rows = _layer(at, "events")
    travel = [r for r in rows if r["event_id"] in {_ids()["Westville"], _ids()["Northtown"]}]
    assert travel and all(r["color"][:3] == type_color("travel") for r in travel)
    others = [r for r in rows if r not in travel]
    assert others and all(r["color"][:3] == type_color("other") for r in others)


def test_an_event_without_a_place_counts_but_is_never_drawn(store_url: str) -> None:
    placeless = _ids()["placeless"]
    at = _app({"actor": "Epsilon Envoy"})
    assert placeless not in _on_map(at)
    at.switch_page("pages/actors.py").run()
    table = at.dataframe[0].value
    row = table[table["actor"] == "Epsilon Envoy"].iloc[0]
    assert row["events"] == 3 and row["places"] == 2  # the statement counts, with no place
    at.switch_page("pages/sources.py").run()
    shown = at.dataframe[1].value
    assert placeless in set(shown["event_id"])
    # A link to it shows the whole map, never a guessed point.
    at = _app({"event": placeless})
    assert not at.exception and placeless not in _on_map(at)


def test_co_mention_draws_no_arc(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    url = app_store(tmp_path, monkeypatch)
    article = Article(text="Theta Person praised Easton. Theta Person condemned Westville.", title="Sixth",
                      published=date(2021, 8, 28), source="Wire")
    text = article.text
    praised = _event(article, text, "Easton", date(2021, 8, 28), 25.0, 50.0, country="BB")
    condemned = _event(article, text, "Westville", date(2021, 8, 29), 10.0, 10.0, country="AA")
    # The text names Theta Person but puts nobody at either place: mentioned only.
    events = [replace(e, actors=(), mentioned_actors=("Theta Person",), locative=False)
              for e in (praised, condemned)]
    with Store(url) as store:
        store.add_article(article, events, [Actor("Theta Person", "person")])
        store.add_article(*modelled())  # a trip the text states: from Westville to Northtown
    at = _app({})
    assert not at.exception, [e.value for e in at.exception]
    assert {praised.event_id, condemned.event_id} <= _on_map(at)
    assert not [a for a in _layer(at, "arcs") if "Theta" in str(a["actors"])]
    at = _app({"actor": "Epsilon Envoy"})
    assert not at.exception and {_ids()["Westville"], _ids()["Northtown"]} <= _on_map(at)
    # The trip the text states is drawn, and it is the only arc.
    arcs = _layer(at, "arcs")
    assert len(arcs) == 1 and arcs[0]["actors"] == "Epsilon Envoy", arcs
    assert "Westville" in str(arcs[0]) and "Northtown" in str(arcs[0]), arcs


def test_a_denied_event_is_not_drawn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = app_store(tmp_path, monkeypatch)
    article = Article(text="Iota Person did not travel to Southland.", title="Seventh",
                      published=date(2021, 8, 30), source="Wire")
    event = replace(_event(article, article.text, "Southland", date(2021, 8, 30), 49.0, 7.0, country="CC",
                           actors=("Iota Person",)), modality="negated", predicate="travel to",
                    event_type="travel", actor_roles=(("Iota Person", "to"),))
    with Store(url) as store:
        store.add_article(article, [event], [Actor("Iota Person", "person")])
    at = _app({"event": event.event_id})
    assert not at.exception and event.event_id not in _on_map(at)


def test_background_asides_do_not_open_the_story(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An aside dated inside the month before publication would open the story without its flag."""
    url = f"sqlite:///{tmp_path / 'aside.sqlite'}"
    monkeypatch.setenv("GEOSTORY_DB_URL", url)
    monkeypatch.setenv("GEOSTORY_DEMO", "false")
    monkeypatch.syspath_prepend(str(PROJECT_ROOT))
    article = Article(text="Kappa Group met in Oldport last month. Kappa Group met in Newport.",
                      title="Eighth", published=date(2021, 9, 10), source="Wire")
    aside = replace(_event(article, article.text, "Oldport", date(2021, 8, 20), 12.0, 14.0, country="AA",
                           actors=("Kappa Group",)), background=True)
    now = _event(article, article.text, "Newport", date(2021, 9, 10), 13.0, 15.0, country="AA",
                 actors=("Kappa Group",))
    with Store(url) as store:
        store.add_article(article, [aside, now], [Actor("Kappa Group", "organization")])
    at = _app({})
    assert aside.event_id not in _on_map(at) and now.event_id in _on_map(at)
    assert any("1 earlier event" in c.value for c in at.sidebar.caption)
    at.toggle(key="w_background").set_value(True).run()
    assert aside.event_id in _on_map(at)
