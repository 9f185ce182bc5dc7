"""The map's SQL query path against Store.events, and the synthetic stores it is benchmarked on."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from bench import synth
from geo.models import Event
from geo.overview import (
    MapFilters,
    _place_query,
    conditions,
    count_events,
    place_counts,
    run_read,
    wide_window,
)
from geo.store import Store
from tests.dashboard_events import events_of, fill_story, filter_cases, wide_windows

N_EVENTS = 600
SEED = 7


@pytest.fixture(scope="module")
def synth_path(tmp_path_factory: pytest.TempPathFactory, real_gazetteer) -> Path:
    return synth.synth_store(N_EVENTS, SEED, folder=tmp_path_factory.mktemp("synth"))


@pytest.fixture
def synth_db(synth_path: Path):
    with Store(synth.store_url(synth_path)) as store:
        yield store


@pytest.fixture
def story_db(tmp_path: Path):
    with Store(f"sqlite:///{tmp_path / 'story.sqlite'}") as store:
        fill_story(store)
        yield store


def _by_place(events: list[Event]) -> dict[tuple[float, float, str], list[Event]]:
    groups: dict[tuple[float, float, str], list[Event]] = defaultdict(list)
    for e in events:
        groups[(e.lat, e.lon, e.place_precision)].append(e)
    return groups


def _check_against_store(store: Store, f: MapFilters) -> None:
    expected = _by_place(events_of(store, f))
    overview = place_counts(store, f)
    assert overview.total == sum(len(v) for v in expected.values()) == count_events(store, f)
    got = {(p.lat, p.lon, p.precision): p for p in overview.places}
    assert set(got) == set(expected)
    for key, evs in expected.items():
        place = got[key]
        assert place.count == len(evs)
        assert (place.first, place.last) == (min(e.date for e in evs), max(e.date for e in evs))
        latest = max(evs, key=lambda e: (e.date, e.event_id))
        assert place.event_id == latest.event_id  # a matching event: the card it opens is in the view
        assert place.name == (latest.resolved_name or latest.place_name)  # the point and its card agree
        assert place.country_code == latest.country_code
    counts = [p.count for p in overview.places]
    assert counts == sorted(counts, reverse=True)


def test_counts_and_aggregates_match_store_events_on_a_synthetic_store(synth_db: Store) -> None:
    cases = filter_cases(synth_db)
    for f in cases:
        _check_against_store(synth_db, f)
    assert len(place_counts(synth_db, cases[0])) > 50  # the store really has many places
    nothing = next(f for f in cases if f.date_to == date(1900, 1, 2))
    assert place_counts(synth_db, nothing).total == 0


def test_a_window_that_keeps_most_events_is_not_read_through_the_date_index(synth_db: Store) -> None:
    """A story's period keeps most events: SQLite would fetch nearly every row by the date index
    (3.0 s against 0.6 s on a million events) unless the date terms are kept off it."""
    narrow = next(f for f in filter_cases(synth_db) if f.date_from and f.date_to and not f.actors)

    def plan(f: MapFilters) -> tuple[bool, str]:
        def work(conn):
            query = _place_query(conditions(conn, f)).compile(conn, compile_kwargs={"literal_binds": True})
            steps = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {query}")
            return wide_window(conn, f), " ".join(row[3] for row in steps)
        return run_read(synth_db, work)

    for f in wide_windows(synth_db):
        wide, steps = plan(f)
        assert wide and "ix_events_date" not in steps, steps
    wide, steps = plan(narrow)
    assert not wide and "ix_events_date" in steps, steps
    assert plan(MapFilters())[0] is False


def test_counts_match_on_hand_made_events_with_untrusted_text(story_db: Store) -> None:
    for f in (MapFilters(), MapFilters.of(actors=["alpha"]), MapFilters.of(countries=["AA"]),
              MapFilters.of(sources=["Daily"]), MapFilters.of(date_from=date(2021, 8, 16))):
        _check_against_store(story_db, f)


def test_only_the_places_asked_for_are_described(synth_db: Store) -> None:
    overview = place_counts(synth_db, describe=lambda ov: [0, len(ov) - 1])
    assert set(overview.described) == {0, len(overview) - 1}
    assert overview.place(0).name and overview.place(0).event_id
    assert overview.place(1).name == "" and overview.place(1).event_id == ""
    full = place_counts(synth_db)
    assert overview.place(0) == full.place(0)
    assert list(overview.count) == list(full.count)


def test_empty_store_gives_an_empty_overview(tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 'empty.sqlite'}") as store:
        overview = place_counts(store)
        assert len(overview) == 0 and overview.total == 0 and overview.first_day is None
        assert count_events(store) == 0


# -- the synthetic stores ----------------------------------------------------------------


def _dump(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as conn:
        tables = {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
                  for t in ("articles", "events", "event_actors", "actors")}
    conn.close()
    return tables


def test_synth_is_deterministic_per_seed(tmp_path: Path, real_gazetteer, synth_path: Path) -> None:
    again = _dump(synth.synth_store(N_EVENTS, SEED, folder=tmp_path / "again"))
    assert again == _dump(synth_path)
    other = _dump(synth.synth_store(N_EVENTS, SEED + 1, folder=tmp_path / "other"))
    assert other["events"] != again["events"]


def test_synth_store_is_cached_by_size_and_seed(tmp_path: Path, real_gazetteer) -> None:
    path = synth.synth_store(50, 1, folder=tmp_path)
    stamp = path.stat().st_mtime_ns
    assert synth.synth_store(50, 1, folder=tmp_path) == path and path.stat().st_mtime_ns == stamp
    assert synth.synth_store(51, 1, folder=tmp_path) != path


def test_bulk_rows_read_back_as_store_writes_them(tmp_path: Path, real_gazetteer, synth_db: Store) -> None:
    """The bulk writer and Store.add_article leave rows Store reads back identically."""
    items = list(synth.Generator(N_EVENTS, SEED, Path(real_gazetteer.path)))
    with Store(f"sqlite:///{tmp_path / 'slow.sqlite'}") as slow:
        for article, events, actors in items:
            assert slow.add_article(article, events, actors)
        assert synth_db.events() == slow.events()
        assert [e.candidates for e in synth_db.events()] == [e.candidates for e in slow.events()]
        assert sorted(synth_db.actors(), key=repr) == sorted(slow.actors(), key=repr)
        assert [a for _i, a in synth_db.articles()] == [a for _i, a in slow.articles()]
        assert synth_db.counts() == slow.counts()
    assert synth_db.counts()["events"] == N_EVENTS


def test_synth_places_are_real_gazetteer_entries(synth_db: Store, real_gazetteer) -> None:
    events = synth_db.events()
    for e in events[:: max(1, len(events) // 40)]:
        found = real_gazetteer.lookup(e.place_name)
        assert any((c.lat, c.lon) == (e.lat, e.lon) for c in found), e.place_name
        assert e.quote in synth_db.article(e.article_id).text
        assert synth_db.article(e.article_id).text[e.place_start:e.place_end] == e.place_name
    for e in events:  # the offsets point at the place, not at an actor's name that contains it
        at = e.place_start - e.sentence_start
        assert e.quote[at:at + len(e.place_name)] == e.place_name
        assert all(not (e.quote.find(a) <= at < e.quote.find(a) + len(a)) for a in e.actors), e.quote
    places = _by_place(events)
    sizes = sorted((len(v) for v in places.values()), reverse=True)
    assert sizes[0] >= 5 * sizes[len(sizes) // 2]  # a few hot places, a long tail
