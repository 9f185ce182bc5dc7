"""Large views' summaries in SQL against the same summaries of Store.events, on a synthetic store."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from bench import synth
from geo.aggregates import (
    actor_counts,
    actor_days,
    actor_pairs,
    actor_totals,
    day_counts,
    source_counts,
    timeline_data,
)
from geo.overview import MapFilters
from geo.store import Store
from geo.summaries import NO_ACTOR, actor_table, co_occurrence, day_totals, timeline_counts
from tests.dashboard_events import events_of, fill_story, filter_cases

N_EVENTS = 800
SEED = 11


@pytest.fixture(scope="module")
def synth_db(tmp_path_factory: pytest.TempPathFactory, real_gazetteer):
    path = synth.synth_store(N_EVENTS, SEED, folder=tmp_path_factory.mktemp("synth"))
    with Store(synth.store_url(path)) as store:
        yield store


def _cases(store: Store) -> list[MapFilters]:
    cases = filter_cases(store)
    assert any(len(e.actors) > 1 for e in events_of(store, MapFilters()))  # what makes actors count twice
    return cases


@pytest.mark.gazetteer
def test_actor_counts_agree_with_the_event_list(synth_db: Store) -> None:
    for f in _cases(synth_db):
        listed = events_of(synth_db, f)
        got = actor_counts(synth_db, f)
        expected = actor_table(listed)
        # Places: map points (coordinates and precision), which the event list gives too.
        points: dict[str, set[tuple[float, float, str]]] = defaultdict(set)
        for e in listed:
            for actor in e.actors:
                points[actor].add((e.lat, e.lon, e.place_precision))
        expected["places"] = [len(points[a]) for a in expected["actor"]]
        assert_frame_equal(got, expected, check_dtype=False)
        assert_frame_equal(actor_totals(synth_db, f), expected[["actor", "events"]], check_dtype=False)


@pytest.mark.gazetteer
def test_actor_days_and_day_counts_agree_with_the_event_list(synth_db: Store) -> None:
    for f in _cases(synth_db):
        listed = events_of(synth_db, f)
        expected = timeline_counts(listed)
        expected = expected[expected["actor"] != NO_ACTOR]
        busiest = list(actor_table(listed)["actor"][:5])
        got = actor_days(synth_db, f, busiest)
        wanted = expected[expected["actor"].isin(busiest)].sort_values(["date", "actor"], ignore_index=True)
        assert_frame_equal(got, wanted, check_dtype=False)
        assert_frame_equal(day_counts(synth_db, f), day_totals(listed), check_dtype=False)
        assert day_counts(synth_db, f)["events"].sum() == len(listed)
        days, totals, named = timeline_data(synth_db, f, top=5)
        assert_frame_equal(days, got)
        assert_frame_equal(totals, day_counts(synth_db, f))
        assert named == len(actor_table(listed))


@pytest.mark.gazetteer
def test_source_counts_agree_with_the_event_list(synth_db: Store) -> None:
    for f in _cases(synth_db):
        listed = events_of(synth_db, f)
        got = source_counts(synth_db, f)
        assert dict(zip(got["source"], got["events"], strict=True)) == dict(Counter(e.source for e in listed))
        assert list(got["events"]) == sorted(got["events"], reverse=True)


@pytest.mark.gazetteer
def test_actor_pairs_agree_with_the_event_list(synth_db: Store) -> None:
    def as_set(frame: pd.DataFrame) -> set[tuple[str, str, int]]:
        return {(a, b, int(n)) for a, b, n in frame.itertuples(index=False)}

    for f in _cases(synth_db):
        expected = co_occurrence(events_of(synth_db, f))
        got = actor_pairs(synth_db, f, limit=100_000)
        assert as_set(got) == as_set(expected)
        assert list(got["shared events"]) == sorted(got["shared events"], reverse=True)
    everything = co_occurrence(events_of(synth_db, MapFilters()))
    assert len(everything) > 5
    top = actor_pairs(synth_db, limit=5)
    # The five most shared: every pair left out shares at most as many events as the last kept.
    assert len(top) == 5 and as_set(top) <= as_set(everything)
    assert max(n for *_p, n in as_set(everything) - as_set(top)) <= top["shared events"].iloc[-1]


def test_empty_views_and_no_actors(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 's.sqlite'}") as store:
        assert actor_counts(store).empty and day_counts(store).empty and source_counts(store).empty
        assert actor_totals(store).empty
        fill_story(store)
        assert actor_days(store, MapFilters(), []).empty
        nothing = MapFilters.of(sources=["nobody"])
        assert actor_counts(store, nothing).empty and day_counts(store, nothing).empty
        assert list(actor_counts(store)["actor"]) == ["Alpha Person", "Beta Group", "Gamma Org"]
        assert isinstance(day_counts(store)["date"].iloc[0], str)
        assert pd.api.types.is_integer_dtype(day_counts(store)["events"])
