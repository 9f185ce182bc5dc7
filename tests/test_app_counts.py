"""Counts agree with the filters on every page (issue 12).

For the same filters, the sidebar's "N events shown", the count beside each actor and each event
type in the sidebar's lists, the Actors table, the Sources page's event list and the earlier
events the background switch would add must all say the same thing. Before, the lists counted
the whole store whatever the filters ("Taliban (13)" in the list, 11 on the Actors page) and the
earlier-events note ignored the actor, country, source and type filters ("9 earlier events"
became 4 when switched on).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.cards import type_label
from geo.config import PROJECT_ROOT
from geo.lexicon import event_types
from geo.store import Store
from tests.dashboard_events import app_store, background, modelled

TIMEOUT = 30
_LABEL = re.compile(r"^(?P<name>.*) \((?P<n>\d+)\)$")


@pytest.fixture
def store_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = app_store(tmp_path, monkeypatch)
    with Store(url) as store:
        store.add_article(*background())  # an aside years before the story
        store.add_article(*modelled())  # roles, types and an event without a place
    return url


def _run(page: str, params: dict[str, str | list[str]]) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / page), default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _shown(at: AppTest) -> int:
    found = [re.match(r"^([\d,]+) events shown$", c.value) for c in at.sidebar.caption]
    return int(next(m for m in found if m).group(1).replace(",", ""))


def _listed(at: AppTest, key: str) -> dict[str, int]:
    """The counts the sidebar's list shows beside each choice ("Alpha Person (3)")."""
    widget = at.multiselect(key=key)
    labels = [_LABEL.match(o) for o in widget.options]
    assert all(labels), widget.options
    return {m.group("name"): int(m.group("n")) for m in labels if m}


def _earlier(at: AppTest) -> int:
    found = [re.search(r"The story has (\d+) earlier events?", c.value) for c in at.sidebar.caption]
    return next((int(m.group(1)) for m in found if m), 0)


VIEWS: list[dict[str, str | list[str]]] = [
    {},
    {"actor": "Alpha Person"},
    {"type": "travel"},
    {"country": "AA"},
    {"actor": ["Epsilon Envoy", "Delta Union"]},
]


@pytest.mark.parametrize("params", VIEWS, ids=["all", "actor", "type", "country", "two-actors"])
def test_the_sidebar_the_lists_and_every_page_count_the_same(store_url: str,
                                                             params: dict[str, str | list[str]]) -> None:
    at = _run("pages/actors.py", params)
    shown = _shown(at)
    actors_listed, types_listed = _listed(at, "w_actors"), _listed(at, "w_types")
    table = at.dataframe[0].value
    per_actor = dict(zip(table["actor"], table["events"], strict=True))
    chosen = params.get("actor", [])
    chosen = [chosen] if isinstance(chosen, str) else chosen
    if not chosen:
        # Every actor the Actors page lists has the count its list entry gives.
        assert per_actor and all(actors_listed[a] == n for a, n in per_actor.items()), actors_listed
    for name in chosen:
        # The list counts an actor's events under the other filters: choosing it shows that many.
        assert per_actor[name] == actors_listed[name]
    if "type" not in params:  # every event has one type: the type list adds up to the view
        assert sum(types_listed.values()) == shown
    sources = _run("pages/sources.py", params)
    heading = next(h.value for h in sources.subheader if h.value.startswith("Events in this view"))
    assert heading == f"Events in this view ({shown})"
    assert _shown(sources) == shown


def test_a_listed_count_is_what_choosing_it_shows(store_url: str) -> None:
    at = _run("pages/map.py", {"country": "AA"})
    for name, n in _listed(at, "w_actors").items():
        if n:
            assert _shown(_run("pages/map.py", {"country": "AA", "actor": name})) == n, name
    listed = _listed(_run("pages/map.py", {"actor": "Epsilon Envoy"}), "w_types")
    labels = {type_label(t.id): t.id for t in event_types()}
    assert listed and set(listed) <= set(labels)
    for label, n in listed.items():
        assert _shown(_run("pages/map.py", {"actor": "Epsilon Envoy", "type": labels[label]})) == n, label


def test_the_earlier_events_note_counts_what_the_switch_adds(store_url: str) -> None:
    for params in ({}, {"actor": "Delta Union"}, {"actor": "Alpha Person"}, {"country": "BB"}):
        at = _run("pages/map.py", params)
        earlier, shown = _earlier(at), _shown(at)
        if at.toggle(key="w_background") is None:
            continue
        at.toggle(key="w_background").set_value(True).run()
        assert not at.exception
        assert _shown(at) - shown == earlier, params
    assert _earlier(_run("pages/map.py", {"actor": "Delta Union"})) == 1
    assert _earlier(_run("pages/map.py", {"actor": "Alpha Person"})) == 0
