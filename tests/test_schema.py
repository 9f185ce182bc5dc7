"""The store's schema: version 1 databases are migrated in place, nothing lost."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from geo.errors import StoreError
from geo.schema import SCHEMA_VERSION, parse_schema_version, place_key
from geo.store import Store
from tests.dashboard_events import fill_story, story
from tests.old_stores import write_as_version


def _downgrade_to_v1(url: str) -> None:
    """Make a version-1 file: no locative column, keys by casefold only, two keys for one name."""
    path = Path(sa.engine.make_url(url).database or "")
    write_as_version(path, path.with_suffix(".v1"), 1).replace(path)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE events SET place_key = lower(place_name)"))
        for key in ("u.s.", "us"):
            conn.execute(sa.text(
                "INSERT INTO overrides VALUES (:k, 1.0, 2.0, 'city', NULL, 'US', 'x', '', :t)"),
                {"k": key, "t": "2021-01-0" + ("1" if key == "u.s." else "2")})
        conn.execute(sa.text("UPDATE meta SET value = '1' WHERE key = 'schema_version'"))
    engine.dispose()


def test_version_1_is_migrated_without_losing_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    with Store(url) as store:
        fill_story(store)
        before = [(e.event_id, e.place_name, e.lat, e.lon) for e in store.events()]
    _downgrade_to_v1(url)

    with Store(url) as store:
        after = store.events()
        assert [(e.event_id, e.place_name, e.lat, e.lon) for e in after] == before
        assert all(e.locative is False for e in after)  # unknown for old rows: no arcs claimed
        assert set(store.overrides()) == {"us"}  # one name, one correction: the first kept
        # Overrides now reach every spelling the gazetteer treats as the same name.
        name = after[0].place_name
        assert store.set_override(name, lat=10.0, lon=20.0) == sum(
            1 for e in after if place_key(e.place_name) == place_key(name))
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        version = conn.execute(sa.text("SELECT value FROM meta WHERE key = 'schema_version'")).scalar()
    engine.dispose()
    assert int(version) == SCHEMA_VERSION


def test_locative_round_trips(tmp_path):
    article, events, actors = story()[0]
    with Store(f"sqlite:///{tmp_path / 'x.sqlite'}") as store:
        store.add_article(article, events, actors)
        assert [e.locative for e in store.events(article_ids=[article.article_id])] == [
            e.locative for e in sorted(events, key=lambda e: (e.date, e.sentence_start, e.place_start))]


MAP_INDEXES = {"ix_events_map", "ix_events_id_map", "ix_event_actors_actor_event"}


def _indexes_and_statistics(path) -> tuple[set[str], dict[str, int]]:
    with sqlite3.connect(path) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        counted: dict[str, int] = {}
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
            rows = conn.execute("SELECT idx, stat FROM sqlite_stat1")
            counted = {idx: int(stat.split()[0]) for idx, stat in rows}
    conn.close()
    return names, counted


def _back_to_the_old_indexes(path) -> None:
    """What a store made before the map indexes looks like: the actor index alone, no statistics."""
    with sqlite3.connect(path) as conn:
        for name in MAP_INDEXES:
            conn.execute(f"DROP INDEX {name}")
        conn.execute("CREATE INDEX ix_event_actors_actor ON event_actors (actor)")
        conn.execute("DROP TABLE sqlite_stat1")
    conn.close()


def test_an_older_store_gets_the_map_indexes_and_statistics_on_open(tmp_path):
    path = tmp_path / "old.sqlite"
    with Store(f"sqlite:///{path}") as store:
        fill_story(store)
        n_events = store.counts()["events"]
    _back_to_the_old_indexes(path)
    names, counted = _indexes_and_statistics(path)
    assert not names & MAP_INDEXES and "ix_event_actors_actor" in names and not counted

    with Store(f"sqlite:///{path}") as store:
        assert store.counts()["events"] == n_events
    names, counted = _indexes_and_statistics(path)
    assert names >= MAP_INDEXES and "ix_event_actors_actor" not in names
    assert counted["ix_events_map"] == counted["ix_events_id_map"] == n_events


def test_as_is_opens_a_store_without_adding_anything(tmp_path):
    path = tmp_path / "old.sqlite"
    with Store(f"sqlite:///{path}") as store:
        fill_story(store)
        before = store.events()
    _back_to_the_old_indexes(path)
    with Store(f"sqlite:///{path}", as_is=True) as store:
        assert store.events() == before
    assert not _indexes_and_statistics(path)[0] & MAP_INDEXES

    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    conn.close()
    with pytest.raises(StoreError, match="schema version 999"):
        Store(f"sqlite:///{path}", as_is=True)


# --- the schema version as text (issue 10, item 10) ---------------------------------------------------

BAD_VERSIONS = {"x": "'x'", "superscript": "'²'", "5000-digits": f"'{'9' * 5000}'", "empty": "''",
                "negative": "'-1'", "spaces": "' 2'", "leading-zero": "'02'", "real": "2.0",
                "blob": "X'32'", "arabic-indic": "'٢'"}


@pytest.mark.parametrize("value", BAD_VERSIONS.values(), ids=list(BAD_VERSIONS))
def test_a_malformed_version_is_a_clear_error_wherever_it_is_read(tmp_path, value):
    path = tmp_path / "store.sqlite"
    Store(f"sqlite:///{path}").close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(f"UPDATE meta SET value = {value} WHERE key = 'schema_version'")
    conn.close()
    for as_is in (False, True):  # create_schema, then Store._check_version
        with pytest.raises(StoreError, match="is not a version number") as info:
            Store(f"sqlite:///{path}", as_is=as_is)
        assert len(str(info.value)) < 150 and info.value.__cause__ is None


def test_a_missing_version_row(tmp_path):
    path = tmp_path / "store.sqlite"
    Store(f"sqlite:///{path}").close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DELETE FROM meta")
    conn.close()
    with pytest.raises(StoreError, match="schema version is missing"):
        Store(f"sqlite:///{path}", as_is=True)
    with Store(f"sqlite:///{path}"):  # an opening that may write adds it, as for a new file
        pass


def test_the_parser_takes_plain_numbers_only():
    assert parse_schema_version("2") == 2 and parse_schema_version("0") == 0
    assert parse_schema_version("123456789") == 123456789
    for bad in ("1234567890", "2\n", "+2", "2 ", "0x2", b"2", 2, None):
        with pytest.raises(StoreError):
            parse_schema_version(bad)


# --- version 2 -> 3: the event model (issue 11) ------------------------------------------------------


def _rows(url: str) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        events = [tuple(r) for r in conn.execute(sa.text(
            "SELECT event_id, article_id, date, place_name, lat, lon, actors, quote, locative FROM events "
            "ORDER BY event_id"))]
        links = [tuple(r) for r in conn.execute(
            sa.text("SELECT event_id, actor FROM event_actors ORDER BY 1, 2"))]
    engine.dispose()
    return events, links


def test_version_2_is_migrated_to_3_keeping_every_row_and_link(tmp_path: Path) -> None:
    today = tmp_path / "today.sqlite"
    with Store(f"sqlite:///{today}") as store:
        fill_story(store)
    old = write_as_version(today, tmp_path / "v2.sqlite", 2)
    url = f"sqlite:///{old}"
    before = _rows(url)
    raw = sqlite3.connect(old)
    assert "mentioned_actors" not in {r[1] for r in raw.execute("PRAGMA table_info(events)")}
    assert {r[1]: r[3] for r in raw.execute("PRAGMA table_info(events)")}["lat"] == 1  # NOT NULL in v2
    raw.close()
    with Store(url) as store:
        after = store.events()
        assert store.counts()["events"] == len(before[0])
        # What version 2 knew stays; what it did not know takes the defaults (until reanalysis).
        assert {(e.mentioned_actors, e.actor_roles, e.predicate, e.event_type, e.modality, e.background,
                 e.date_end) for e in after} == {((), (), "", "other", "reported", False, None)}
    assert _rows(url) == before  # every event and every actor link (no cascade on the rebuild)
    raw = sqlite3.connect(old)
    columns = {r[1]: r for r in raw.execute("PRAGMA table_info(events)")}
    assert columns["lat"][3] == 0 and columns["lon"][3] == 0  # nullable now
    version = raw.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    assert version == str(SCHEMA_VERSION)
    assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    indexes = {r[0] for r in raw.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
    raw.close()
    assert {"ix_events_map", "ix_events_id_map", "ix_event_actors_actor_event"} <= indexes
    # Opening again changes nothing more.
    with Store(url) as store:
        assert store.events() == after


def test_a_place_less_event_round_trips(tmp_path: Path) -> None:
    from dataclasses import replace

    article, events, actors = story()[0]
    placeless = replace(events[0], event_id="f" * 16, place_name="", lat=None, lon=None, place_precision="",
                        geonameid=None, country_code="", place_start=0, place_end=0, resolved_name="",
                        candidates=(), mentioned_actors=("Beta Group",),
                        actor_roles=(("Alpha Person", "at"),), predicate="call for",
                        event_type="statement", modality="planned", background=True,
                        date_end=events[0].date)
    with Store(f"sqlite:///{tmp_path / 's.sqlite'}") as store:
        store.add_article(article, [*events, placeless], actors)
        back = {e.event_id: e for e in store.events()}
    assert back[placeless.event_id] == placeless and not placeless.has_place
    assert back[events[0].event_id] == events[0]
