"""Data safety (issue 5, item 8): backup, restore and import of the store.

- A backup taken while another process writes is one consistent snapshot.
- Restore checks its input before touching the store, refuses to replace data
  without ``force``, and a ``kill -9`` during a restore leaves the old store or
  the new one, never a mix.
- An export imported into an empty store exports again as the same events.

Stores are filled with hand-made events (no model, no gazetteer), so this runs fast.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import geopandas as gpd
import pytest
from geopandas.testing import assert_geodataframe_equal

from geo.backup import backup, frame_events, import_events, inspect_file, sqlite_path
from geo.config import PROJECT_ROOT
from geo.errors import ConfigError, InputError, StoreError
from geo.frames import events_frame, export_bytes, read_events
from geo.models import Actor, Article, Event, make_event_id
from geo.restore import restore
from geo.schema import SCHEMA_VERSION
from geo.store import Store
from tests.dashboard_events import modelled, story
from tests.old_stores import write_as_version

WORDS = ("Alpha", "Beta", "Gamma", "Delta", "Northtown", "Easton", "Westville", "Southland", "met", "in")


def make_article(number: int, *, padding: int = 0) -> tuple[Article, list[Event], list[Actor]]:
    """Article ``number`` with ``number % 5 + 1`` events (the title says how many), all hand-made.

    Coordinates are arbitrary values derived from the number, not any real place's.
    """
    n_events = number % 5 + 1
    sentences = [f"Person {number % 7} met in Place{number}x{i}. " + "More words. " * padding
                 for i in range(n_events)]
    text = f"Generated article {number}. " + "".join(sentences)
    article = Article(text=text, title=f"article {number} with {n_events} events",
                      published=date(2021, 8, 1) + timedelta(days=number % 40), source=f"Wire {number % 3}",
                      url=f"https://example.org/{number}")
    events = []
    for i in range(n_events):
        place = f"Place{number}x{i}"
        start = text.index(place)
        sentence_start = text.rfind(". ", 0, start) + 2
        sentence_end = text.index(".", start) + 1
        events.append(Event(
            event_id=make_event_id(article.article_id, start, start + len(place)),
            article_id=article.article_id, date=date(2021, 8, 1) + timedelta(days=(number + i) % 50),
            date_precision="day", place_name=place, lat=(number * 7 + i) % 170 - 85.0 + 0.123456789,
            lon=(number * 13 + i) % 350 - 175.0 + 0.987654321, place_precision="city",
            geonameid=None if i % 2 else 1_000_000 + number * 10 + i, country_code="AA" if i % 3 else "",
            actors=(f"Person {number % 7}",) if i % 2 == 0 else (f"Person {number % 7}", "Beta Group"),
            quote=text[sentence_start:sentence_end], sentence_start=sentence_start,
            sentence_end=sentence_end, confidence=0.5 + (i % 5) / 10, source=article.source, url=article.url,
            place_start=start, place_end=start + len(place), resolved_name=place, locative=True,
        ))
    actors = [Actor(f"Person {number % 7}", "person", (f"P{number % 7}",)), Actor("Beta Group", "group")]
    return article, events, actors


def fill(url: str, numbers: range, *, padding: int = 0) -> None:
    with Store(url) as store:
        for number in numbers:
            store.add_article(*make_article(number, padding=padding))


def snapshot(url: str) -> tuple[object, ...]:
    """Everything a store holds, as the product reads it."""
    with Store(url) as store:
        return (store.counts(), store.articles(), store.events(), store.actors(),
                sorted(store.overrides().items()))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "absent"


def url_of(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    """A store with 40 articles and one correction."""
    path = tmp_path / "store.sqlite"
    fill(url_of(path), range(40))
    with Store(url_of(path)) as store:
        store.set_override("Place3x0", lat=1.5, lon=2.5, note="checked by hand")
    return path


# --- backup --------------------------------------------------------------------------------------


def test_backup_and_restore_round_trip(filled: Path, tmp_path: Path) -> None:
    copy = backup(url_of(filled), tmp_path / "backup.sqlite")
    assert copy.counts["articles"] == 40 and copy.counts["overrides"] == 1
    assert copy.schema_version == SCHEMA_VERSION
    assert not Path(f"{copy.path}-wal").exists()  # one self-contained file
    target = tmp_path / "restored" / "store.sqlite"
    done = restore(copy.path, url_of(target))
    assert done.counts == copy.counts
    assert snapshot(url_of(target)) == snapshot(url_of(filled))


def test_backup_refuses_to_overwrite_and_checks_its_source(filled: Path, tmp_path: Path) -> None:
    out = tmp_path / "backup.sqlite"
    out.write_bytes(b"an earlier backup")
    with pytest.raises(StoreError, match="exists; use --force"):
        backup(url_of(filled), out)
    assert out.read_bytes() == b"an earlier backup"
    assert backup(url_of(filled), out, force=True).counts["articles"] == 40
    with pytest.raises(StoreError, match="no store"):
        backup(url_of(tmp_path / "missing.sqlite"), tmp_path / "b2.sqlite")
    with pytest.raises(ConfigError, match="pg_dump"):
        backup("postgresql://user@localhost/geostory", tmp_path / "b3.sqlite")
    assert sqlite_path("sqlite:///relative/x.sqlite") == Path("relative/x.sqlite")
    assert not list(tmp_path.glob(".*partial*"))  # no temporary file left behind


def test_backup_refuses_a_store_that_is_not_geostorys(filled: Path, tmp_path: Path) -> None:
    """The same object check as restore's (issue 10, item 6): a trigger is named, nothing is written."""
    conn = sqlite3.connect(filled, isolation_level=None)
    conn.execute("CREATE TRIGGER eat AFTER INSERT ON events BEGIN DELETE FROM events; END")
    conn.close()
    out = tmp_path / "backup.sqlite"
    with pytest.raises(InputError, match="trigger 'eat'"):
        backup(url_of(filled), out)
    assert not out.exists() and not list(tmp_path.glob(".*partial*"))


WRITER = """
import sys, time
from pathlib import Path
from tests.test_backup import make_article
from geo.store import Store
url, stop, start = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
with Store(url) as store:
    number = start
    while not stop.exists():
        store.add_article(*make_article(number, padding=20))
        number += 1
print(number - start)
"""


def check_snapshot(path: Path) -> set[str]:
    """A backup holds whole articles only: each with exactly the events its title announces."""
    info = inspect_file(path)  # integrity_check, foreign keys, schema
    conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        titles = dict(conn.execute("SELECT article_id, title FROM articles"))
        counts = dict(conn.execute("SELECT article_id, count(*) FROM events GROUP BY article_id"))
        links = conn.execute("SELECT count(*) FROM event_actors WHERE event_id NOT IN "
                             "(SELECT event_id FROM events)").fetchone()[0]
    finally:
        conn.close()
    assert links == 0 and set(counts) <= set(titles)
    for article_id, title in titles.items():
        announced = int(title.split(" with ")[1].split()[0])
        assert counts.get(article_id) == announced, (article_id, title, counts.get(article_id))
    assert info.counts["articles"] == len(titles)
    return set(titles)


def test_backups_taken_while_another_process_writes_are_consistent(tmp_path: Path) -> None:
    url = url_of(tmp_path / "live.sqlite")
    fill(url, range(20))
    stop = tmp_path / "stop"
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, url, str(stop), str(start)], cwd=PROJECT_ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for start in (1_000, 100_000)]
    seen: list[set[str]] = []
    try:
        wait_until = time.monotonic() + 60
        while _article_count(url) <= 25 and time.monotonic() < wait_until:
            time.sleep(0.1)  # the writers are importing and opening the store
        deadline = time.monotonic() + 6.0
        while time.monotonic() < deadline or len(seen) < 10:
            out = tmp_path / f"backup-{len(seen)}.sqlite"
            backup(url, out)
            seen.append(check_snapshot(out))
            out.unlink()
    finally:
        stop.touch()
        results = [w.communicate(timeout=60) for w in writers]
    for writer, (stdout, stderr) in zip(writers, results, strict=True):
        assert writer.returncode == 0, stderr
        assert int(stdout) > 0
    # Each backup holds every article of the one before it: snapshots move forward only.
    assert all(a <= b for a, b in itertools.pairwise(seen))
    assert len(seen[-1]) > len(seen[0]) > 20  # the writers were adding while the backups ran
    total = _article_count(url)
    assert total >= len(seen[-1])
    print(f"{len(seen)} backups during writes, {len(seen[0])}-{len(seen[-1])} articles each; "
          f"{total} articles at the end")


def _article_count(url: str) -> int:
    with Store(url) as store:
        return store.counts()["articles"]


# --- restore: what it refuses --------------------------------------------------------------------


def _bad_backups(good: Path, folder: Path) -> dict[str, tuple[Path, str]]:
    """Files that must never replace a store, each with a word of the expected message."""
    data = good.read_bytes()
    made: dict[str, tuple[bytes | None, str]] = {
        "empty": (b"", "no SQLite header"),
        "text": (b"article_id,title\n1,hello\n", "no SQLite header"),
        "random": (random.Random(8).randbytes(64 * 1024), "no SQLite header"),
        "truncated": (data[: len(data) // 2], "SQLite"),
        "damaged": (data[:8192] + bytes(len(data) - 16384) + data[-8192:], "damaged"),
    }
    files = {}
    for name, (content, word) in made.items():
        path = folder / f"{name}.sqlite"
        path.write_bytes(content or b"")
        files[name] = (path, word)
    other = folder / "other-app.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.execute("INSERT INTO notes (body) VALUES ('not ours')")
    conn.close()
    files["other-app"] = (other, "no meta table")
    for name, sql, word in (
        ("future-schema", "UPDATE meta SET value = '99' WHERE key = 'schema_version'", "schema version 99"),
        ("no-version", "DELETE FROM meta", "schema version is missing"),
        ("no-events-table", "DROP TABLE event_actors; DROP TABLE events", "is missing"),
        ("orphans", "PRAGMA foreign_keys=OFF; DELETE FROM articles WHERE rowid IN "
                    "(SELECT rowid FROM articles LIMIT 1)", "parent row is missing"),
    ):
        path = folder / f"{name}.sqlite"
        path.write_bytes(data)
        conn = sqlite3.connect(path, isolation_level=None)
        conn.executescript(sql)
        conn.close()
        files[name] = (path, word)
    live = folder / "live.sqlite"
    live.write_bytes(data)
    Path(f"{live}-wal").write_bytes(b"")
    files["live"] = (live, "write-ahead log")
    return files


def test_restore_refuses_bad_files_before_touching_the_store(filled: Path, tmp_path: Path) -> None:
    good = backup(url_of(filled), tmp_path / "good.sqlite").path
    folder = tmp_path / "bad"
    folder.mkdir()
    target = tmp_path / "target.sqlite"
    fill(url_of(target), range(100, 103))
    before, target_bytes = snapshot(url_of(target)), digest(target)
    fresh = tmp_path / "fresh" / "never-created.sqlite"
    for name, (path, word) in _bad_backups(good, folder).items():
        for force in (False, True):
            with pytest.raises(InputError, match=word) as info:
                restore(path, url_of(target), force=force)
            assert str(path) in str(info.value), name
            assert digest(target) == target_bytes, name
        with pytest.raises(InputError):
            restore(path, url_of(fresh))
        assert not fresh.exists() and not fresh.parent.exists(), name
    assert snapshot(url_of(target)) == before


def test_restore_needs_force_to_replace_data(filled: Path, tmp_path: Path) -> None:
    copy = backup(url_of(filled), tmp_path / "backup.sqlite").path
    target = tmp_path / "target.sqlite"
    fill(url_of(target), range(200, 205))
    before = snapshot(url_of(target))
    with pytest.raises(StoreError, match=r"holds data.*--force"):
        restore(copy, url_of(target))
    assert snapshot(url_of(target)) == before
    restore(copy, url_of(target), force=True)
    assert snapshot(url_of(target)) == snapshot(url_of(filled))
    # A store that is open but empty (the dashboard created it) needs no force.
    empty = tmp_path / "empty.sqlite"
    Store(url_of(empty)).close()
    restore(copy, url_of(empty))
    assert snapshot(url_of(empty)) == snapshot(url_of(filled))


def test_restore_leaves_a_file_that_is_not_a_database_alone(filled: Path, tmp_path: Path) -> None:
    copy = backup(url_of(filled), tmp_path / "backup.sqlite").path
    precious = tmp_path / "thesis.sqlite"
    precious.write_text("years of work", encoding="utf-8")
    with pytest.raises(StoreError, match="not a SQLite database"):
        restore(copy, url_of(precious), force=True)
    assert precious.read_text(encoding="utf-8") == "years of work"


def test_restore_while_a_reader_holds_a_snapshot(filled: Path, tmp_path: Path) -> None:
    """The dashboard's open store keeps its view until its next read, then sees the restore."""
    target = tmp_path / "target.sqlite"
    fill(url_of(target), range(300, 310))
    copy = backup(url_of(filled), tmp_path / "backup.sqlite").path
    with Store(url_of(target)) as reader:
        assert reader.counts()["articles"] == 10
        conn = sqlite3.connect(target)
        conn.execute("BEGIN")
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 10
        restore(copy, url_of(target), force=True)
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 10  # its snapshot
        conn.rollback()
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 40
        conn.close()
        assert reader.counts()["articles"] == 40


def test_restore_of_an_older_schema_version_is_migrated(filled: Path, tmp_path: Path) -> None:
    old = write_as_version(backup(url_of(filled), tmp_path / "backup.sqlite").path, tmp_path / "v1.sqlite", 1)
    assert inspect_file(old).schema_version == 1
    target = tmp_path / "target.sqlite"
    restore(old, url_of(target))
    with Store(url_of(target)) as store:
        assert store.counts()["events"] == snapshot(url_of(filled))[0]["events"]  # type: ignore[index]
    again = backup(url_of(target), tmp_path / "again.sqlite").path
    assert inspect_file(again).schema_version == SCHEMA_VERSION


RESTORE = [sys.executable, "-m", "geo", "restore"]


class KillRig:
    """An old store, a large backup, and a target that is reset to the old store before each kill."""

    def __init__(self, root: Path) -> None:
        big = root / "big.sqlite"
        fill(url_of(big), range(600), padding=400)  # ~10 MB: the copy itself takes a measurable time
        self.copy = backup(url_of(big), root / "big-backup.sqlite").path
        self.old = root / "old.sqlite"
        fill(url_of(self.old), range(5000, 5010))
        self.old_state, self.new_state = snapshot(url_of(self.old)), snapshot(url_of(big))
        self.target = root / "target.sqlite"
        self.env = dict(os.environ, GEOSTORY_GEOCODER="offline")

    def reset(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.target}{suffix}").unlink(missing_ok=True)
        self.target.write_bytes(self.old.read_bytes())

    def start(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen([*RESTORE, str(self.copy), "--db", url_of(self.target), "--force"],
                                cwd=PROJECT_ROOT, env=self.env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)

    def outcome(self) -> str:
        """"old" or "new": the target after recovery must be one of the two, whole."""
        conn = sqlite3.connect(self.target)  # recovers the journal or WAL of a killed transaction
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            conn.close()
        state = snapshot(url_of(self.target))
        assert state in (self.old_state, self.new_state)
        return "old" if state == self.old_state else "new"


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> KillRig:
    return KillRig(tmp_path_factory.mktemp("restore-kills"))


def test_kill_at_random_moments_of_a_restore(rig: KillRig) -> None:
    """``kill -9`` at random moments of ``python -m geo restore``: the store is wholly old or wholly new."""
    rig.reset()
    start = time.monotonic()
    proc = rig.start()
    assert proc.wait(timeout=120) == 0
    clean = time.monotonic() - start
    assert rig.outcome() == "new"
    rng = random.Random(5_0008)
    outcomes = {"old": 0, "new": 0}
    for _round in range(6):
        rig.reset()
        proc = rig.start()
        time.sleep(rng.uniform(0.4, 1.0) * clean)  # start-up takes most of a run
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        outcomes[rig.outcome()] += 1
    print(f"random kills of restore: {outcomes}; a clean restore takes {clean:.2f} s")


def test_kill_inside_the_restore_transaction(rig: KillRig) -> None:
    """The worst moment: part of the copy written to the store's WAL, not yet committed. Then a kill.

    The copy itself takes tens of milliseconds, which a random delay rarely hits, so the test
    watches the WAL grow and kills the restore once it holds a random share of the backup.
    """
    rng = random.Random(5_0018)
    size = rig.copy.stat().st_size
    outcomes = {"old": 0, "new": 0}
    shares = []
    for _round in range(8):
        rig.reset()
        wal = Path(f"{rig.target}-wal")
        share = rng.uniform(0.05, 0.8)
        proc = rig.start()
        deadline = time.monotonic() + 60
        seen = 0
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                seen = wal.stat().st_size
            except FileNotFoundError:
                continue
            if seen > share * size:
                os.kill(proc.pid, signal.SIGKILL)
                break
        proc.wait(timeout=30)
        outcomes[rig.outcome()] += 1
        shares.append(seen / size)
    # Most kills must land inside the transaction; a few may come just after its commit.
    assert outcomes["old"] >= 4, outcomes
    print(f"kills inside the restore: {outcomes}; WAL held {min(shares):.0%}-{max(shares):.0%} of the backup")


# --- import --------------------------------------------------------------------------------------


def _exported(url: str, fmt: str, path: Path) -> gpd.GeoDataFrame:
    with Store(url) as store:
        path.write_bytes(export_bytes(events_frame(store.events()), fmt))  # type: ignore[arg-type]
    return read_events(path)


def _by_id(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    # Imported articles have no published date, which orders same-day events of different articles.
    return frame.sort_values("event_id").reset_index(drop=True)


@pytest.mark.parametrize("fmt", ["csv", "geojson", "parquet"])
def test_export_import_export_gives_the_same_events(tmp_path: Path, fmt: str) -> None:
    source = url_of(tmp_path / "source.sqlite")
    fill(source, range(30))
    with Store(source) as store:
        for article, events, actors in story():  # markup, a javascript: URL, events without geonameid
            store.add_article(article, events, actors)
        store.add_article(*modelled())  # roles, a predicate, a date range, an event without a place
    first = _exported(source, fmt, tmp_path / f"first.{fmt}")
    assert first["lat"].isna().sum() == 1 and set(first["modality"]) == {"reported", "planned"}
    target = url_of(tmp_path / "target.sqlite")
    result = import_events(tmp_path / f"first.{fmt}", target)
    assert (result.articles, result.events) == (34, len(first))
    second = _exported(target, fmt, tmp_path / f"second.{fmt}")
    assert_geodataframe_equal(_by_id(first), _by_id(second), check_like=False)
    with Store(target) as store:
        articles = dict(store.articles())
        assert all(a.text == "" and a.origin == f"import:first.{fmt}" for a in articles.values())
        # Filters work on the imported store as on the original.
        assert {e.event_id for e in store.events(actors=["Beta Group"])} == set(
            first.loc[first["actors"].str.contains("Beta Group"), "event_id"])


def test_import_refuses_a_store_with_data_and_bad_exports(tmp_path: Path) -> None:
    source = url_of(tmp_path / "source.sqlite")
    fill(source, range(5))
    exported = tmp_path / "events.csv"
    frame = _exported(source, "csv", exported)
    with pytest.raises(StoreError, match="not empty"):
        import_events(exported, source)
    target = url_of(tmp_path / "target.sqlite")
    bad = {
        "twice.csv": export_bytes(gpd.GeoDataFrame(gpd.pd.concat([frame, frame.iloc[:1]])), "csv"),
        "columns.csv": b"event_id,article_id\nabc,def\n",
        "latitude.csv": exported.read_text(encoding="utf-8").replace(
            f",{frame['lat'].iat[0]},", ",123.5,", 1).encode(),
        "date.csv": exported.read_text(encoding="utf-8").replace(
            f",{frame['date'].iat[0]},", ",soon,", 1).encode(),
    }
    for name, data in bad.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(InputError) as info:
            import_events(tmp_path / name, target)
        assert str(tmp_path / name) in str(info.value)
        with Store(target) as store:
            assert store.counts() == {"articles": 0, "events": 0, "actors": 0}


def test_frame_events_reads_back_the_contract_fields() -> None:
    _article, events, _actors = make_article(7)
    again = frame_events(events_frame(events), "test")
    keep = ("event_id", "article_id", "date", "date_precision", "place_name", "lat", "lon", "place_precision",
            "geonameid", "country_code", "actors", "quote", "sentence_start", "sentence_end", "confidence",
            "source", "url", "place_start", "place_end")
    assert [tuple(getattr(e, k) for k in keep) for e in again] == [
        tuple(getattr(e, k) for k in keep) for e in events]


def test_import_of_a_csv_with_a_wkt_geometry_column(tmp_path: Path) -> None:
    frame = events_frame(make_article(3)[1])
    path = tmp_path / "with-geometry.csv"
    path.write_text(frame.to_csv(index=False), encoding="utf-8")
    result = import_events(path, url_of(tmp_path / "target.sqlite"))
    assert result.events == len(frame)
