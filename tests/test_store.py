"""The store on real SQLite files: transactions, idempotency, filters, overrides, concurrency."""

from __future__ import annotations

import multiprocessing
import os
import re
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

import geo.engine as engine_module
import geo.store as store_module
from geo.config import load_settings
from geo.errors import ConfigError, InputError, NotFoundError, StoreError
from geo.models import Actor, Article, Candidate, Event, make_event_id
from geo.store import Store, place_key


def make_article(text: str, published: date | None = date(2021, 9, 6), source: str = "AFP") -> Article:
    return Article(text=text, title=text[:20], published=published, source=source, url="https://x.test/a",
                   origin="test")


def make_event(
    article: Article, start: int, place: str, lat: float, lon: float, *, actors: tuple[str, ...] = (),
    when: date | None = None, country: str = "AF", sentence_start: int = 0, geonameid: int | None = None,
) -> Event:
    end = start + len(place)
    return Event(
        event_id=make_event_id(article.article_id, start, end), article_id=article.article_id,
        date=when or article.published or date(2021, 9, 6), date_precision="day", place_name=place,
        lat=lat, lon=lon, place_precision="city", geonameid=geonameid, country_code=country,
        actors=actors, quote=f"Something happened in {place}.", sentence_start=sentence_start,
        sentence_end=sentence_start + 30, confidence=0.7, source=article.source, url=article.url,
        place_start=start, place_end=end, resolved_name=place, date_text="on Monday",
        nationalities=("AF",),
        candidates=(Candidate(place, lat, lon, "city", country, population=1000, geonameid=geonameid),),
    )


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "dir" / "geostory.sqlite"  # parents do not exist yet


@pytest.fixture
def store(db_path: Path):
    with Store(f"sqlite:///{db_path}") as s:
        yield s


Story = tuple[Article, list[Event], list[Actor]]


def story(text: str = "The Taliban took Kabul. Blinken flew to Doha.") -> Story:
    article = make_article(text)
    events = [
        make_event(article, 17, "Kabul", 34.5, 69.2, actors=("Taliban",), geonameid=1),
        make_event(article, 40, "Doha", 25.3, 51.5, actors=("Antony Blinken",), country="QA",
                   when=date(2021, 9, 7), sentence_start=24),
    ]
    actors = [Actor("Taliban", "group"), Actor("Antony Blinken", "person", ("Blinken",))]
    return article, events, actors


def test_add_and_read_back_everything(store: Store, db_path: Path) -> None:
    article, events, actors = story()
    assert db_path.exists()
    assert store.add_article(article, events, actors) is True
    assert store.events() == events
    assert [e.candidates for e in store.events()] == [e.candidates for e in events]  # not in __eq__
    assert store.event(events[1].event_id) == events[1]
    assert store.article(article.article_id) == article
    assert store.articles() == [(article.article_id, article)]
    assert store.has_article(article.article_id)
    assert store.counts() == {"articles": 1, "events": 2, "actors": 2}
    assert store.date_range() == (date(2021, 9, 6), date(2021, 9, 7))


def test_empty_store(store: Store) -> None:
    assert store.events() == []
    assert store.date_range() is None
    assert store.counts() == {"articles": 0, "events": 0, "actors": 0}
    assert not store.has_article("nope")
    with pytest.raises(NotFoundError):
        store.event("nope")
    with pytest.raises(NotFoundError):
        store.article("nope")


def test_same_article_twice_changes_nothing(store: Store) -> None:
    article, events, actors = story()
    assert store.add_article(article, events, actors)
    before = (store.events(), store.articles(), store.actors())
    # Same text, different metadata and events: still the same article id.
    again = make_article(article.text, published=date(2020, 1, 1), source="other")
    other_events = [make_event(again, 0, "Elsewhere", 1.0, 2.0)]
    assert store.add_article(again, other_events, [Actor("X", "person")]) is False
    assert (store.events(), store.articles(), store.actors()) == before


def test_duplicate_event_id_leaves_nothing_behind(store: Store) -> None:
    first, first_events, first_actors = story()
    store.add_article(first, first_events, first_actors)
    before = (store.counts(), store.events(), store.actors())
    article = make_article("Another story in Herat.")
    bad = make_event(article, 17, "Herat", 34.3, 62.2, actors=("New Actor",))
    with pytest.raises(StoreError):
        store.add_article(article, [bad, bad], [Actor("New Actor", "person")])
    assert (store.counts(), store.events(), store.actors()) == before
    assert not store.has_article(article.article_id)


def test_failure_after_events_rolls_back(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    article, events, actors = story()

    def boom(*_args: object) -> None:
        raise RuntimeError("disk fell off")

    monkeypatch.setattr(store_module, "upsert_actors", boom)
    with pytest.raises(RuntimeError):
        store.add_article(article, events, actors)
    assert store.counts() == {"articles": 0, "events": 0, "actors": 0}
    monkeypatch.undo()
    assert store.add_article(article, events, actors)  # nothing half-written blocks a retry


def test_events_of_another_article_are_refused(store: Store) -> None:
    _, events, _ = story()
    other = make_article("Some other text entirely.")
    with pytest.raises(StoreError, match="do not belong"):
        store.add_article(other, events)
    assert store.counts()["articles"] == 0


def test_actor_aliases_merge_and_counts_order(store: Store) -> None:
    article, events, actors = story()
    store.add_article(article, events, actors)
    second = make_article("Antony Blinken met the Taliban in Doha. The Taliban left Doha.")
    store.add_article(
        second,
        [make_event(second, 32, "Doha", 25.3, 51.5, actors=("Antony Blinken", "Taliban"), country="QA"),
         make_event(second, 57, "Doha", 25.3, 51.5, actors=("Taliban",), country="QA", sentence_start=40)],
        [Actor("Antony Blinken", "person", ("Tony Blinken", "Blinken")),
         Actor("Taliban", "group", ("Talibs",))],
    )
    assert store.actors() == [
        (Actor("Taliban", "group", ("Talibs",)), 3),
        (Actor("Antony Blinken", "person", ("Blinken", "Tony Blinken")), 2),
    ]


def test_filters(store: Store) -> None:
    a1 = make_article("First: Kabul and Doha.", published=date(2021, 8, 15))
    a2 = make_article("Second: Ramstein.", published=date(2021, 9, 8), source="Reuters")
    e1 = make_event(a1, 7, "Kabul", 34.5, 69.2, actors=("Taliban",), when=date(2021, 8, 15))
    e2 = make_event(a1, 17, "Doha", 25.3, 51.5, actors=("Antony Blinken",), country="QA",
                    when=date(2021, 8, 20), sentence_start=10)
    e3 = make_event(a2, 8, "Ramstein", 49.4, 7.6, actors=("Antony Blinken", "Heiko Maas"), country="DE",
                    when=date(2021, 9, 8))
    store.add_article(a2, [e3], [Actor("Antony Blinken", "person", ("Blinken",)),
                                 Actor("Heiko Maas", "person")])
    store.add_article(a1, [e1, e2], [Actor("Taliban", "group")])

    assert store.events() == [e1, e2, e3]  # story order, whatever the ingest order
    assert store.events(actors=["Antony Blinken"]) == [e2, e3]
    assert store.events(actors=["blinken"]) == [e2, e3]  # an alias, in another case
    assert store.events(actors=["Taliban", "Heiko Maas"]) == [e1, e3]  # ANY of them
    assert store.events(actors=["Nobody"]) == []
    assert store.events(date_from=date(2021, 8, 20)) == [e2, e3]
    assert store.events(date_to=date(2021, 8, 20)) == [e1, e2]
    assert store.events(date_from=date(2021, 8, 16), date_to=date(2021, 9, 7)) == [e2]
    assert store.events(countries=["qa", "DE"]) == [e2, e3]
    assert store.events(sources=["Reuters"]) == [e3]
    assert store.events(article_ids=[a1.article_id]) == [e1, e2]
    assert store.events(actors=["Antony Blinken"], countries=["DE"]) == [e3]
    assert store.events(limit=2) == [e1, e2]
    assert [a for a, _ in store.articles()] == [a1.article_id, a2.article_id]


def test_override_moves_events_and_persists(store: Store, db_path: Path) -> None:
    article, events, actors = story("The Taliban took Kabul. Later, kabul  was calm.")
    events = [make_event(article, 17, "Kabul", 34.5, 69.2), make_event(article, 31, "kabul", 34.5, 69.2)]
    other = make_event(article, 0, "The", 1.0, 1.0)  # another name is left alone
    store.add_article(article, [*events, other], actors)

    changed = store.set_override(" KABUL ", lat=34.53, lon=69.17, precision="city", geonameid=1138958,
                                 country_code="af", resolved_name="Kabul", note="checked")
    assert changed == 2
    for e in store.events(article_ids=[article.article_id]):
        if place_key(e.place_name) == "kabul":
            assert (e.lat, e.lon, e.place_precision, e.geonameid, e.country_code, e.confidence) == (
                34.53, 69.17, "city", 1138958, "AF", 1.0)
        else:
            assert (e.lat, e.lon, e.confidence) == (1.0, 1.0, 0.7)

    with Store(f"sqlite:///{db_path}") as reopened:
        saved = reopened.overrides()
        assert list(saved) == ["kabul"]
        kabul = saved["kabul"]
        assert (kabul.lat, kabul.note, kabul.country_code) == (34.53, "checked", "AF")
        place = reopened.override_places()["kabul"]
        assert (place.lat, place.lon, place.confidence, place.method) == (34.53, 69.17, 1.0, "override")
        # A second correction replaces the first.
        assert reopened.set_override("Kabul", lat=0.5, lon=0.25) == 2
        assert reopened.overrides()["kabul"].precision == "point"
        reopened.remove_override("kabul")
        assert reopened.overrides() == {}
        with pytest.raises(NotFoundError):
            reopened.remove_override("kabul")


def test_override_from_candidate_and_bad_overrides(store: Store) -> None:
    article, events, actors = story()
    store.add_article(article, events, actors)
    candidate = Candidate("Ad Dawhah", 25.28, 51.53, "admin1", "QA", geonameid=42)
    assert store.set_override_candidate("Doha", candidate) == 1
    moved = store.event(events[1].event_id)
    assert (moved.lat, moved.lon, moved.place_precision, moved.geonameid, moved.resolved_name) == (
        25.28, 51.53, "admin1", 42, "Ad Dawhah")
    with pytest.raises(InputError):
        store.set_override("Doha", lat=95.0, lon=0.0)
    with pytest.raises(InputError):
        store.set_override("Doha", lat=0.0, lon=0.0, precision="street")  # type: ignore[arg-type]
    with pytest.raises(InputError):
        store.set_override("  ", lat=0.0, lon=0.0)


def test_delete_article(store: Store) -> None:
    article, events, actors = story()
    store.add_article(article, events, actors)
    keep = make_article("The Taliban in Herat.")
    store.add_article(keep, [make_event(keep, 14, "Herat", 34.3, 62.2, actors=("Taliban",))], [])
    store.delete_article(article.article_id)
    assert store.counts() == {"articles": 1, "events": 1, "actors": 1}  # Blinken had no other event
    assert [a.name for a, _ in store.actors()] == ["Taliban"]
    with pytest.raises(NotFoundError):
        store.delete_article(article.article_id)
    assert store.add_article(article, events, actors)  # it can come back


def test_sqlite_settings_on_disk(store: Store, db_path: Path) -> None:
    store.add_article(*story())
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(
            store_module.SCHEMA_VERSION)


def test_newer_schema_is_refused(db_path: Path) -> None:
    Store(f"sqlite:///{db_path}").close()
    with sqlite3.connect(db_path) as raw:
        raw.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="schema version 999"):
        Store(f"sqlite:///{db_path}")


def test_url_forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with Store("sqlite:///relative/here.sqlite") as s:  # relative to the working directory
        s.add_article(*story())
    assert (tmp_path / "relative" / "here.sqlite").exists()
    settings = load_settings(env={"GEOSTORY_DB_URL": f"sqlite:///{tmp_path / 'relative' / 'here.sqlite'}"})
    with Store.from_settings(settings) as s:
        assert s.counts()["events"] == 2
    with Store("sqlite://") as memory:  # in-memory works too, for quick scripts
        assert memory.add_article(*story())
    with pytest.raises(ConfigError):
        Store("not a url")
    with pytest.raises(ConfigError):
        Store("nosuchdialect://user@host/db")


def test_locked_database_raises_store_error_after_retries(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr(store_module, "LOCK_RETRIES", 2)
    store = Store(f"sqlite:///{db_path}")
    holder = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        with pytest.raises(StoreError, match="locked"):
            store.add_article(*story())
        # A lock that is released while we back off does not fail the write.
        threading.Timer(0.1, holder.execute, args=("ROLLBACK",)).start()
        assert store.add_article(*story())
    finally:
        holder.close()
        store.close()


def _writer(url: str, worker: int, n: int) -> list[bool]:
    results = []
    with Store(url) as s:
        for i in range(n):
            article = make_article(f"Dispatch {i} from worker {worker}: fighting near Kabul.")
            event = make_event(article, 40, "Kabul", 34.5, 69.2, actors=("Taliban",))
            results.append(s.add_article(article, [event], [Actor("Taliban", "group")]))
        shared, events, actors = story("The one story every worker tries to add: Kabul.")
        events = [make_event(shared, 42, "Kabul", 34.5, 69.2, actors=("Taliban",))]
        results.append(s.add_article(shared, events, actors))
    return results


def test_concurrent_writers_all_land(db_path: Path) -> None:
    url = f"sqlite:///{db_path}"
    workers, per_worker = 4, 5
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        results = pool.starmap(_writer, [(url, w, per_worker) for w in range(workers)])
    assert all(all(r[:-1]) for r in results)  # each worker's own articles were new
    assert sum(r[-1] for r in results) == 1  # the shared article landed exactly once
    with Store(url) as s:
        assert s.counts() == {"articles": workers * per_worker + 1,
                              "events": workers * per_worker + 1, "actors": 2}
        assert dict((a.name, n) for a, n in s.actors())["Taliban"] == workers * per_worker + 1


def test_distinct_countries_sources_and_dates(store: Store) -> None:
    assert store.countries() == [] and store.sources() == []
    assert store.first_published() is None and store.count_events() == 0
    a1 = make_article("Talks in Kabul and Herat went on.", published=date(2021, 8, 20), source="AFP")
    a2 = make_article("Troops left Doha early.", published=date(2021, 9, 1), source="Reuters")
    a3 = make_article("No date on this one, in Doha.", published=None, source="AFP")
    store.add_article(a1, [make_event(a1, 9, "Kabul", 34.5, 69.2, when=date(2013, 1, 1)),
                           make_event(a1, 19, "Herat", 34.3, 62.2, country="")])
    store.add_article(a2, [make_event(a2, 16, "Doha", 25.3, 51.5, country="QA")])
    store.add_article(a3, [make_event(a3, 24, "Doha", 25.3, 51.5, country="QA", when=date(2021, 9, 2))])
    # The empty country code is not an option; counts are events, not articles.
    assert store.countries() == [("AF", 1), ("QA", 2)]
    assert store.sources() == [("AFP", 3), ("Reuters", 1)]
    assert store.first_published() == date(2021, 8, 20)
    assert store.count_events() == 4
    assert store.count_events(date_to=date(2021, 8, 19)) == 1
    assert store.count_events(date_from=date(2021, 9, 1), date_to=date(2021, 9, 1)) == 1
    store.delete_article(a2.article_id)
    assert store.sources() == [("AFP", 3)]


# --- refusals are not duplicates (issue 10, item 6) ------------------------------------------------
# Stores made directly with sqlite3, as an earlier restore could leave them: restore now refuses
# backups with triggers or CHECK constraints, so a store can only get them from outside.

POISONS = {
    "abort-on-events": ("CREATE TRIGGER no BEFORE INSERT ON events "
                        "BEGIN SELECT RAISE(ABORT, 'UNIQUE constraint failed: articles.article_id'); END;",
                        "UNIQUE constraint failed"),
    "abort-on-articles": ("CREATE TRIGGER no BEFORE INSERT ON articles BEGIN SELECT RAISE(ABORT, 'no'); END;",
                          "no"),
    "check-on-events": ("PRAGMA writable_schema=ON; UPDATE sqlite_master SET sql = replace(sql, "
                        "'PRIMARY KEY (event_id)', 'PRIMARY KEY (event_id), CHECK (lat < 0)') "
                        "WHERE name = 'events'; PRAGMA writable_schema=OFF;", "CHECK constraint failed"),
    "check-on-articles": ("PRAGMA writable_schema=ON; UPDATE sqlite_master SET sql = replace(sql, "
                          "'PRIMARY KEY (article_id)', "
                          "'PRIMARY KEY (article_id), CHECK (length(title) < 3)') "
                          "WHERE name = 'articles'; PRAGMA writable_schema=OFF;", "CHECK constraint failed"),
    "events-eaten": ("CREATE TRIGGER eat AFTER INSERT ON events "
                     "BEGIN DELETE FROM events WHERE event_id = new.event_id; END;", "kept 0 of"),
}


def poisoned(db_path: Path, sql: str) -> str:
    url = f"sqlite:///{db_path}"
    Store(url).close()
    raw = sqlite3.connect(db_path, isolation_level=None)
    raw.executescript(sql)
    raw.close()
    return url


@pytest.mark.parametrize("linked", [True, False], ids=["with-actors", "no-actors"])
@pytest.mark.parametrize("poison", sorted(POISONS))
def test_a_refused_insert_is_an_error_never_already_stored(db_path: Path, poison: str, linked: bool) -> None:
    """Before issue 10: "already stored" for the two article poisons, success without events for
    events-eaten when no event named an actor."""
    sql, words = POISONS[poison]
    article, events, actors = story()
    if not linked:
        events = [replace(e, actors=()) for e in events]
    with Store(poisoned(db_path, sql)) as store:
        with pytest.raises(StoreError, match=f"article {article.article_id}.*{re.escape(words)}|"
                                             f"{re.escape(words)}.*article {article.article_id}"):
            store.add_article(article, events, actors)
        assert store.counts() == {"articles": 0, "events": 0, "actors": 0}
        assert not store.has_article(article.article_id)


def test_a_stored_article_is_still_already_stored_beside_a_trigger(db_path: Path) -> None:
    article, events, actors = story()
    url = f"sqlite:///{db_path}"
    with Store(url) as store:
        assert store.add_article(article, events, actors)
    poisoned(db_path, POISONS["abort-on-events"][0])
    with Store(url) as store:
        assert store.add_article(article, events, actors) is False


@pytest.mark.model
@pytest.mark.gazetteer
def test_ingest_counts_a_refusal_as_failed(tmp_path: Path, real_gazetteer: object,
                                           capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The real pipeline through the CLI: the summary says failed, with the reason, not already stored."""
    from geo.cli import main
    from geo.config import PROJECT_ROOT

    monkeypatch.setenv("GEOSTORY_GEOCODER", "offline")
    db = tmp_path / "store.sqlite"
    url = poisoned(db, POISONS["abort-on-articles"][0])  # before issue 10: "1 already stored; 0 failed"
    article = PROJECT_ROOT / "data" / "demo" / "2021-09-07-blinken-doha.md"
    assert main(["ingest", str(article), "--db", url]) != 0
    err = capsys.readouterr().err
    assert "0 already stored; 1 failed" in err, err
    assert "refused" in err
    with Store(url) as store:
        assert store.counts()["articles"] == 0


# --- the same on PostgreSQL, whose readers see other transactions' commits ---------------------------

PG_URL = os.environ.get("GEOSTORY_TEST_PG_URL", "")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A schema of its own in the test database (GEOSTORY_TEST_PG_URL), dropped afterwards."""
    if not PG_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("GEOSTORY_TEST_PG_URL is not set; CI runs the PostgreSQL tests")
        pytest.skip("GEOSTORY_TEST_PG_URL is not set")
    schema = f"store_test_{os.getpid()}_{threading.get_ident() % 10_000}"
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = sa.engine.make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        engine.dispose()


def _pg(url: str, sql: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(sql)
    finally:
        engine.dispose()


def test_postgresql_refusals_are_errors_and_duplicates_are_not(pg_url: str) -> None:
    article, events, actors = story()
    with Store(pg_url) as store:
        _pg(pg_url, "ALTER TABLE events ADD CONSTRAINT south_only CHECK (lat < 0)")
        with pytest.raises(StoreError, match=f"refused article {article.article_id}.*south_only"):
            store.add_article(article, events, actors)
        assert store.counts() == {"articles": 0, "events": 0, "actors": 0}
        # A trigger that claims the article's own key is taken: the article is not there, so an error.
        _pg(pg_url, "CREATE FUNCTION liar() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    "RAISE unique_violation USING CONSTRAINT = 'articles_pkey'; END $$; "
                    "CREATE TRIGGER liar BEFORE INSERT ON articles FOR EACH ROW EXECUTE FUNCTION liar()")
        with pytest.raises(StoreError, match="refused"):
            store.add_article(article, events, actors)
        _pg(pg_url, "DROP TRIGGER liar ON articles; ALTER TABLE events DROP CONSTRAINT south_only")
        assert store.add_article(article, events, actors) is True
        assert store.add_article(article, events, actors) is False


def test_postgresql_an_article_stored_meanwhile_is_already_stored(pg_url: str) -> None:
    """Another process commits the same article between the look and the insert: not an error."""
    article, events, actors = story()
    other = Store(pg_url)
    with Store(pg_url) as store:
        engine = store._engine
        raced: list[bool] = []

        def commit_it_first(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
            if statement.lstrip().upper().startswith("INSERT INTO ARTICLES") and not raced:
                raced.append(other.add_article(article, events, actors))

        sa.event.listen(engine, "before_cursor_execute", commit_it_first)
        try:
            assert store.add_article(article, events, actors) is False
        finally:
            sa.event.remove(engine, "before_cursor_execute", commit_it_first)
            other.close()
        assert raced == [True]
        assert store.counts() == {"articles": 1, "events": 2, "actors": 2}


def test_postgresql_version_2_is_migrated_to_3(pg_url: str) -> None:
    """PostgreSQL drops the NOT NULL of lat/lon and adds the event model's columns in place."""
    from geo.migrate import ADDED_IN, NULLABLE_IN

    with Store(pg_url) as store:
        store.add_article(*story())
        before = store.events()
    added = [(t, c) for (t, c), v in ADDED_IN.items() if v == 3]
    _pg(pg_url, "; ".join([*(f"ALTER TABLE events ALTER COLUMN {c} SET NOT NULL" for (_t, c) in NULLABLE_IN),
                           *(f"ALTER TABLE {t} DROP COLUMN {c}" for t, c in added),
                           "DROP TABLE curations",  # version 2 had no curation rules
                           "UPDATE meta SET value = '2' WHERE key = 'schema_version'"]))
    with Store(pg_url) as store:
        assert store.events() == before
        engine = store._engine
        columns = {c["name"]: c for c in sa.inspect(engine).get_columns("events")}
        assert columns["lat"]["nullable"] and columns["lon"]["nullable"]
        assert {c for t, c in added if t == "events"} <= set(columns)
        assert "story" in {c["name"] for c in sa.inspect(engine).get_columns("articles")}
        busiest = store.actors()[0][0].name
        assert store.curations() == [] and store.rename_actor(busiest, f"{busiest} (renamed)") >= 1
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'schema_version'").scalar() == "3"


@pytest.mark.gazetteer
def test_a_page_of_an_actors_events_is_the_same_slice_whichever_way_it_is_read(
        tmp_path: Path, real_gazetteer) -> None:
    """A busy actor's page walks the date index, a rare one's sorts its events: both give the
    same slice of the full list, for each page."""
    from bench import synth

    with Store(synth.store_url(synth.synth_store(800, 3, folder=tmp_path))) as store:
        ranked = store.actors()
        total = sum(1 for _ in store.events())
        busy, rare = ranked[0], ranked[-1]
        assert busy[1] * store_module.BUSY_SHARE >= total > rare[1] * store_module.BUSY_SHARE
        for actor, _n in (busy, rare):
            everything = store.events(actors=[actor.name], date_from=date(2000, 1, 1))
            for offset in (0, 7, len(everything) - 3):
                page = store.events(actors=[actor.name], date_from=date(2000, 1, 1), limit=10, offset=offset)
                assert [e.event_id for e in page] == [e.event_id for e in everything[offset:offset + 10]]
