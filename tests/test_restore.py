"""Restore never loses a store (issue 10, items 2, 6, 7 and 10).

Every crafted backup of ``tests/reliability/crafted_backups.py`` is refused with a message naming
the file and the problem. The store it was meant to replace, a live one with a write-ahead log that
holds committed frames, stays byte-identical (file and log hashed before and after), and a store
that did not exist is not created, nor its folder. The same backup uncrafted restores.

Stores are filled with the hand-made articles of ``tests/test_backup.py`` (no model, no gazetteer).
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.backup import backup
from geo.cli import main
from geo.errors import InputError, StoreError
from geo.restore import STAGING_SUFFIX, restore
from geo.schema import SCHEMA_VERSION
from geo.store import Store
from tests.old_stores import write_as_version
from tests.reliability.crafted_backups import CASES, Crafted, craft
from tests.test_backup import digest, fill, snapshot, url_of


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A backup of 12 hand-made articles and one correction, as ``geo backup`` writes it."""
    root = tmp_path_factory.mktemp("good")
    source = root / "source.sqlite"
    fill(url_of(source), range(12))
    with Store(url_of(source)) as store:
        store.set_override("Place3x0", lat=1.5, lon=2.5, note="checked by hand")
    return backup(url_of(source), root / "good.sqlite").path


class LiveStore:
    """A store with data, open in another connection whose last commit still sits in the WAL."""

    def __init__(self, path: Path) -> None:
        self.path = path
        fill(url_of(path), range(100, 104))
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA wal_autocheckpoint=0")  # keep the frames in the log
        self.conn.execute("UPDATE articles SET title = title || ' (seen)' WHERE rowid = 1")
        self.wal = Path(f"{path}-wal")
        assert self.wal.stat().st_size > 0

    def digests(self) -> tuple[str, str]:
        return digest(self.path), digest(self.wal)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStore]:
    store = LiveStore(tmp_path_factory.mktemp("live") / "store.sqlite")
    yield store
    store.conn.close()


def test_the_uncrafted_backup_restores(good: Path, tmp_path: Path) -> None:
    """The cases below fail because of what was crafted, not because every backup fails."""
    target = tmp_path / "new" / "store.sqlite"
    done = restore(good, url_of(target))
    assert done.counts["articles"] == 12 and done.counts["overrides"] == 1
    assert snapshot(url_of(target)) == snapshot(url_of(good.parent / "source.sqlite"))
    assert not list(target.parent.glob(f".*{STAGING_SUFFIX}*"))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_crafted_backup_is_refused_and_changes_nothing(case: Crafted, good: Path, live: LiveStore,
                                                         tmp_path: Path) -> None:
    path = craft(good, case, tmp_path)
    assert digest(path) != digest(good)
    before = live.digests()
    with pytest.raises(InputError, match=re.escape(case.word)) as info:
        restore(path, url_of(live.path), force=True)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)
    assert live.digests() == before, "the store changed"
    fresh = tmp_path / "fresh" / "store.sqlite"
    with pytest.raises(InputError):
        restore(path, url_of(fresh))
    assert not fresh.parent.exists(), "a failed restore created the store's folder"
    assert not list(live.path.parent.glob(f".*{STAGING_SUFFIX}*")), "a staging file was left behind"


def test_the_live_store_still_reads_after_the_refusals(live: LiveStore, good: Path) -> None:
    with Store(url_of(live.path)) as store:
        assert store.counts()["articles"] == 4
    restore(good, url_of(live.path), force=True)  # and a good backup still replaces it
    assert snapshot(url_of(live.path)) == snapshot(url_of(good.parent / "source.sqlite"))


CLI_CASES = ("check-violated", "trigger-after-insert-delete", "lat-abc", "date-feb-31", "json-malformed",
             "version-superscript-2", "version-5000-digits", "version-x")


@pytest.mark.parametrize("name", CLI_CASES)
def test_the_cli_says_one_line_and_exits_2(name: str, good: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    case = next(c for c in CASES if c.name == name)
    path = craft(good, case, tmp_path)
    target = tmp_path / "store.sqlite"
    fill(url_of(target), range(3))
    before = digest(target)
    assert main(["restore", str(path), "--db", url_of(target), "--force"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: ") and err.count("\n") == 1, err
    assert case.word in err and "Traceback" not in err
    assert len(err) < 400
    assert digest(target) == before


def test_the_cli_in_a_process_of_its_own(good: Path, tmp_path: Path) -> None:
    path = craft(good, next(c for c in CASES if c.name == "version-superscript-2"), tmp_path)
    done = subprocess.run([sys.executable, "-m", "geo", "restore", str(path), "--db",
                           url_of(tmp_path / "store.sqlite")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "schema version '²' is not a version number" in done.stderr
    assert not (tmp_path / "store.sqlite").exists()


# --- the staging file and the target ---------------------------------------------------------------


def test_a_staging_file_a_killed_restore_left_is_removed(good: Path, tmp_path: Path) -> None:
    target = tmp_path / "store.sqlite"
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    dead = target.with_name(f".{target.name}.{int(gone.stdout)}{STAGING_SUFFIX}")
    alive = target.with_name(f".{target.name}.{os.getppid()}{STAGING_SUFFIX}")
    for path in (dead, alive):
        path.write_bytes(b"half a staging file")
    restore(good, url_of(target))
    assert not dead.exists()
    assert alive.exists()  # another restore may still be building it


def test_a_wal_store_with_another_page_size_is_restored(good: Path, tmp_path: Path) -> None:
    """The staging file takes the store's page size: before, such a store had to be moved away."""
    target = tmp_path / "store.sqlite"
    conn = sqlite3.connect(target, isolation_level=None)
    conn.executescript("PRAGMA page_size=8192; VACUUM;")
    conn.close()
    fill(url_of(target), range(50, 53))
    restore(good, url_of(target), force=True)
    assert snapshot(url_of(target)) == snapshot(url_of(good.parent / "source.sqlite"))
    conn = sqlite3.connect(target)
    assert conn.execute("PRAGMA page_size").fetchone()[0] == 8192
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_a_folder_where_the_store_should_be_is_left_alone(good: Path, tmp_path: Path) -> None:
    folder = tmp_path / "store.sqlite"
    folder.mkdir()
    with pytest.raises(StoreError, match="not a file"):
        restore(good, url_of(folder), force=True)
    assert list(tmp_path.iterdir()) == [folder] and not list(folder.iterdir())


def test_file_names_with_uri_characters(good: Path, tmp_path: Path) -> None:
    odd = tmp_path / "a?b#c%20d"
    odd.mkdir()
    copy = odd / "back?up.sqlite"
    copy.write_bytes(good.read_bytes())
    target = odd / "st#ore.sqlite"
    restore(copy, f"sqlite:///{target}")
    assert snapshot(f"sqlite:///{target}")[0] == snapshot(url_of(good))[0]


def test_a_store_that_appeared_meanwhile_needs_force(good: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Another process made the store between the first look and the end: it is not overwritten."""
    import geo.restore as restore_module

    target = tmp_path / "store.sqlite"
    real_finish = restore_module._finish

    def finish_then_someone_writes(staging: Path, name: str) -> dict[str, int]:
        counts = real_finish(staging, name)
        fill(url_of(target), range(400, 402))
        return counts

    monkeypatch.setattr(restore_module, "_finish", finish_then_someone_writes)
    with pytest.raises(StoreError, match="holds data"):
        restore(good, url_of(target))
    with Store(url_of(target)) as store:
        assert store.counts()["articles"] == 2
    assert not list(tmp_path.glob(f".*{STAGING_SUFFIX}*"))


# --- what restore must still take: every store our code has made -----------------------------------


def _as_version_1_made_it(path: Path) -> None:
    """The file version-1 code wrote: no locative column, its actor index, no map indexes, no statistics."""
    write_as_version(path, path.with_suffix(".v1"), 1).replace(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript("""
        DROP INDEX ix_events_map; DROP INDEX ix_events_id_map; DROP INDEX ix_event_actors_actor_event;
        CREATE INDEX ix_event_actors_actor ON event_actors (actor);
    """)
    conn.close()


def test_a_version_1_backup_and_one_migrated_since_both_restore(good: Path, tmp_path: Path) -> None:
    old = tmp_path / "v1.sqlite"
    old.write_bytes(good.read_bytes())
    _as_version_1_made_it(old)
    target = tmp_path / "from-v1.sqlite"
    assert restore(old, url_of(target)).schema_version == SCHEMA_VERSION
    with Store(url_of(target)) as store:
        assert {e.locative for e in store.events()} == {False}  # what the migration gives
        assert store.counts()["events"] == snapshot(url_of(good))[0]["events"]  # type: ignore[index]
    conn = sqlite3.connect(target)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    conn.close()
    assert "ix_event_actors_actor" not in names and "ix_events_map" in names
    # The version-1 store opened by today's code (ALTER TABLE added its column), then backed up.
    migrated = tmp_path / "migrated.sqlite"
    migrated.write_bytes(old.read_bytes())
    Store(url_of(migrated)).close()
    again = restore(backup(url_of(migrated), tmp_path / "b.sqlite").path, url_of(tmp_path / "again.sqlite"))
    assert again.counts == restore(good, url_of(tmp_path / "plain.sqlite")).counts


def test_other_meta_rows_are_kept(good: Path, tmp_path: Path) -> None:
    """bench/synth.py keeps its parameters in meta: a backup of such a store restores them."""
    copy = tmp_path / "with-meta.sqlite"
    copy.write_bytes(good.read_bytes())
    conn = sqlite3.connect(copy, isolation_level=None)
    conn.execute("INSERT INTO meta VALUES ('synth', '{\"events\": 10}')")
    conn.close()
    target = tmp_path / "store.sqlite"
    restore(copy, url_of(target))
    conn = sqlite3.connect(target)
    assert dict(conn.execute("SELECT key, value FROM meta")) == {"schema_version": str(SCHEMA_VERSION),
                                                                   "synth": '{"events": 10}'}
    conn.close()
