"""Restore a SQLite store from a backup: every check first, then one transaction, or nothing at all.

A backup is a file anyone may have crafted, so nothing of its schema is trusted and nothing of the
store is touched until every check has passed:

1. The file itself (``geo.storecheck.inspect_file``): a SQLite file with no write-ahead log beside
   it, ``integrity_check`` ok, only the objects Geostory creates (no trigger, view, extra table,
   index or constraint), a schema version this code knows, that version's columns, foreign keys.
2. A staging file beside the store, built by our own code: the current tables (``geo.schema``),
   then the backup's rows copied in by column name, so no definition of the backup comes along.
   Its constraints (NOT NULL, primary keys) hold for every row, every value passes
   ``geo.rowcheck`` (the checks an import makes), an older version is migrated there, the
   indexes and statistics are made, and ``integrity_check`` and ``foreign_key_check`` pass.
3. Only then is the store replaced: copied into with SQLite's backup API, one write transaction of
   the store's own (a crash leaves the old store or the new one; open readers keep their
   snapshot), or, for a store that does not exist yet, the staging file linked into place.

The staging file is removed on every path; one a killed restore left behind is removed by the
next restore into the same store. A failed restore leaves the store byte-identical, and creates
neither the store nor its folder when they did not exist.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.schema import CreateTable

from geo.backup import remove_files, sqlite_path
from geo.errors import InputError, StoreError
from geo.rowcheck import check_rows, prepare
from geo.schema import SCHEMA_VERSION, create_schema, metadata
from geo.storecheck import (
    SQLITE_MAGIC,
    TABLES,
    StoreFile,
    connect,
    count_rows,
    file_uri,
    inspect_file,
    quoted,
    reference_shape,
    table_names,
)

logger = logging.getLogger(__name__)

STAGING_SUFFIX = ".restoring"


def _staging_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}{STAGING_SUFFIX}")


def _sweep_stale(target: Path) -> None:
    """Remove staging files that killed restores left beside ``target`` (their process is gone)."""
    for path in target.parent.glob(f".{target.name}.*{STAGING_SUFFIX}"):
        pid_text = path.name[len(target.name) + 2: -len(STAGING_SUFFIX)]
        if not pid_text.isascii() or not pid_text.isdigit() or int(pid_text) == os.getpid():
            continue
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            remove_files(path)
            logger.info("removed %s, left by a restore that did not finish", path)
        except (PermissionError, OverflowError):
            continue  # another user's process (alive), or not a process id


def _header(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(100)


def _page_size(target: Path) -> int | None:
    """The target's page size: SQLite cannot change the page size of a WAL database in a copy."""
    head = _header(target) if target.is_file() else b""
    if len(head) < 100 or not head.startswith(SQLITE_MAGIC):
        return None
    size = int.from_bytes(head[16:18], "big")
    return 65536 if size == 1 else size


def _holds_data(conn: sqlite3.Connection) -> bool:
    """Any row in any table but ``meta`` (a freshly opened store has only its schema version)."""
    return any(conn.execute(f"SELECT 1 FROM {quoted(name)} LIMIT 1").fetchone() is not None
               for name in table_names(conn) - {"meta"})


def _check_target(target: Path, backup_file: Path, force: bool) -> None:
    """Refuse early, reading the target only: itself, not a SQLite file, or data without force."""
    if not target.exists():
        return
    if target.resolve() == backup_file.resolve():
        raise StoreError(f"{backup_file} is the store itself")
    if not target.is_file():
        raise StoreError(f"{target} is not a file; it is left alone")
    head = _header(target)
    if head and not head.startswith(SQLITE_MAGIC):
        raise StoreError(f"{target} is not a SQLite database; it is left alone (move it away first)")
    if not head or force:
        return
    # mode=ro: a read-only connection never checkpoints the store's WAL, so it changes no byte.
    conn = sqlite3.connect(file_uri(target, mode="ro"), uri=True, timeout=30, isolation_level=None)
    try:
        full = _holds_data(conn)
    except sqlite3.Error as err:
        raise StoreError(f"the store {target} cannot be read: {err}") from err
    finally:
        conn.close()
    if full:
        raise StoreError(f"the store {target} holds data; restoring would replace it (use --force)")


def _make_parents(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; returns those created, outermost first."""
    missing = []
    for path in (folder, *folder.parents):
        if path.exists():
            break
        missing.append(path)
    folder.mkdir(parents=True, exist_ok=True)
    return missing[::-1]


# --- the staging file ------------------------------------------------------------------------------


def _copy_rows(conn: sqlite3.Connection, version: int, name: str) -> None:
    """The backup's rows into our own tables, by column name: parents first, as they reference."""
    columns, latest = reference_shape(version).columns, reference_shape(SCHEMA_VERSION).columns
    listed = conn.execute("SELECT name FROM backup.sqlite_master WHERE type = 'table'")
    present = {r[0].lower() for r in listed}
    for table in TABLES:
        if table not in present:
            continue  # a table the backup's version may lack (storecheck.may_lack); ours stays empty
        names = ", ".join(quoted(c) for c in columns.get(table, latest[table]))
        # The version was read and checked; the staging file has it already.
        skip = " WHERE key IS NOT 'schema_version'" if table == "meta" else ""
        try:
            conn.execute(f"INSERT INTO main.{quoted(table)} ({names}) "
                         f"SELECT {names} FROM backup.{quoted(table)}{skip}")
        except sqlite3.IntegrityError as err:  # a NULL or a repeated key the backup's own schema let in
            raise InputError(f"the rows of {table} break the Geostory schema: {err}", source=name) from err


def _build(staging: Path, backup_file: Path, version: int, page_size: int | None, name: str,
           lap: Callable[[str], None]) -> dict[str, int]:
    """Fill ``staging`` with the backup's rows, checked; returns the row counts before migration."""
    dialect = sqlite_dialect.dialect()
    conn = sqlite3.connect(file_uri(staging), uri=True, isolation_level=None)
    try:
        if page_size:
            conn.execute(f"PRAGMA page_size={page_size}")
        # A scratch file: if this process dies it is thrown away, so it needs no journal or fsync.
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("BEGIN")
        for table in metadata.sorted_tables:  # the indexes come after the rows: faster to build
            conn.execute(str(CreateTable(table).compile(dialect=dialect)))
        conn.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (str(version),))
        conn.execute("COMMIT")
        conn.execute("ATTACH DATABASE ? AS backup", (file_uri(backup_file, immutable="1"),))
        conn.execute("BEGIN")
        _copy_rows(conn, version, name)
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE backup")
        lap("copy the rows")
        prepare(conn)
        check_rows(conn, name)
        lap("check every row")
        return count_rows(conn)
    finally:
        conn.close()


def _finish(staging: Path, name: str) -> dict[str, int]:
    """Our own opening code on the staging file (indexes, migration of an older version,
    statistics), then SQLite's own checks of the result; returns its row counts."""
    engine = sa.create_engine("sqlite://", creator=lambda: sqlite3.connect(staging))
    try:
        with engine.begin() as conn:
            create_schema(conn)
    finally:
        engine.dispose()
    conn = sqlite3.connect(file_uri(staging), uri=True, isolation_level=None)
    try:
        # quick_check: every page and constraint (NOT NULL, the b-trees). What integrity_check adds,
        # that each index matches its table, was checked on the backup; these indexes SQLite has
        # just built from the rows above. At 1M events: 1.6 s instead of 25.6 s.
        integrity = "; ".join(str(r[0]) for r in conn.execute("PRAGMA quick_check(20)"))
        orphan = conn.execute("PRAGMA foreign_key_check").fetchone()
        counts = count_rows(conn)
    finally:
        conn.close()
    if integrity != "ok" or orphan is not None:  # the row checks above should have caught it first
        problem = (f"quick_check: {integrity[:200]}" if integrity != "ok"
                   else f"a row of {orphan[0]} without its parent")
        raise InputError(f"the restored copy fails SQLite's checks ({problem})", source=name)
    return counts


# --- replacing the store ---------------------------------------------------------------------------


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _link_into_place(staging: Path, target: Path) -> bool:
    """A store that does not exist yet: the staging file becomes it, whole, in one step.

    A hard link never replaces a file another process made meanwhile (then the copy below
    replaces its content as any store's). False if it could not link.
    """
    try:
        _sync(staging)
        os.link(staging, target)
    except FileExistsError:
        return False
    except OSError as err:  # a file system without hard links
        logger.info("cannot link %s into place (%s); copying it", staging, err)
        return False
    with contextlib.suppress(OSError):  # not every file system can sync a folder
        _sync(target.parent)
    return True


def _copy_into(staging: Path, target: Path, force: bool) -> None:
    """Replace the store's content with the staging file's, in one transaction of the store's own."""
    src = sqlite3.connect(file_uri(staging, mode="ro"), uri=True, isolation_level=None)
    dst = connect(target)
    try:
        if _holds_data(dst) and not force:  # again: data may have landed since the first look
            raise StoreError(f"the store {target} holds data; restoring would replace it (use --force)")
        if dst.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
            ours, theirs = (c.execute("PRAGMA page_size").fetchone()[0] for c in (dst, src))
            if ours != theirs and table_names(dst):
                raise StoreError(f"page sizes differ ({theirs} in the copy, {ours} in the store); "
                                 "move the store away and restore into a new file")
        src.backup(dst, pages=-1)  # one write transaction: the whole copy or nothing
    except sqlite3.Error as err:
        raise StoreError(f"restore into {target} failed; the store is unchanged: {err}") from err
    finally:
        src.close()
        dst.close()


def restore(backup_file: Path, db_url: str, *, force: bool = False,
            timings: dict[str, float] | None = None) -> StoreFile:
    """Replace the store's contents with a checked backup, in one transaction of the store's own.

    ``timings``, if given, receives the seconds each step took (bench/restore.py reports them).
    """
    steps = timings if timings is not None else {}
    start = clock = time.monotonic()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.monotonic()
        steps[step] = now - clock
        clock = now

    backup_file = Path(backup_file)
    checked = inspect_file(backup_file)  # before anything of the target is touched
    lap("check the backup file")
    name = str(backup_file)
    target = sqlite_path(db_url)
    _check_target(target, backup_file, force)
    existed = target.exists()
    try:
        created = _make_parents(target.parent)
    except OSError as err:
        raise StoreError(f"cannot make the folder of {target}: {err.strerror or err}") from err
    staging = _staging_path(target)
    published = False
    try:
        _sweep_stale(target)
        remove_files(staging)
        try:
            copied = _build(staging, backup_file, checked.schema_version, _page_size(target), name, lap)
            if copied != checked.counts:
                raise InputError(f"the copy holds {copied}, the backup {checked.counts}", source=name)
            counts = _finish(staging, name)
            lap("indexes, migration and SQLite's checks")
        except (sqlite3.Error, sa.exc.SQLAlchemyError) as err:  # a full disk, an unreadable file
            reason = getattr(err, "orig", None) or err
            raise StoreError(f"restore of {backup_file} failed; the store is unchanged: {reason}") from err
        linked = not existed and _link_into_place(staging, target)
        if not linked:
            made_here = not target.exists()  # no hard links here: the copy makes the file
            try:
                _copy_into(staging, target, force)
            except BaseException:
                if made_here:
                    remove_files(target)
                raise
        published = True
        lap("replace the store")
    finally:
        remove_files(staging)
        if not published and not existed:
            for folder in reversed(created):
                with contextlib.suppress(OSError):
                    folder.rmdir()
    logger.info("restored %s into %s in %.2f s (%s)", backup_file, target, time.monotonic() - start,
                ", ".join(f"{step} {seconds:.2f} s" for step, seconds in steps.items()))
    return StoreFile(target, SCHEMA_VERSION, counts, target.stat().st_size)
