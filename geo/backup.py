"""Data safety: back up and restore a SQLite store, and import an events export into an empty store.

Backup uses SQLite's online backup API in a single step, which copies every
page inside one read transaction: the copy is a consistent snapshot even while
other processes write (WAL lets them go on meanwhile). The copy is written
beside the target, checked, and renamed into place, so a backup file is
either complete or absent.

Restore checks its input first (a SQLite file, ``integrity_check`` ok, the
Geostory tables and a schema version this code knows), refuses to replace a
store that holds data unless forced, and then copies the backup *into* the
target with the same backup API. That copy is one write transaction of the
target's own, so a crash leaves the old store or the new one, never a mix,
and readers that are open meanwhile keep their snapshot.

Import reads an export (``geo.frames.read_events``). An export carries each
event's contract fields and its article's id, source and URL, but not the
article's text, title or date, so import creates one placeholder article per
article id (no text, title or published date; origin ``import:<file>``).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from geo.errors import ConfigError, InputError, StoreError
from geo.models import DATE_PRECISIONS, EVENT_FIELDS, PLACE_PRECISIONS, Actor, Event
from geo.redact import redact_text, redact_url, url_secrets
from geo.schema import SCHEMA_VERSION, metadata

logger = logging.getLogger(__name__)

KNOWN_VERSIONS: tuple[int, ...] = tuple(range(1, SCHEMA_VERSION + 1))  # geo.schema migrates older ones
# Columns that later versions added: a store of an older version may lack them.
_ADDED_IN: dict[tuple[str, str], int] = {("events", "locative"): 2}
_SQLITE_MAGIC = b"SQLite format 3\x00"
IMPORTED_ACTOR_KIND = "group"  # the export does not say whether an actor is a person or a group


@dataclass(frozen=True)
class StoreFile:
    """What a checked store file holds."""

    path: Path
    schema_version: int
    counts: dict[str, int]  # rows per Geostory table
    size: int  # bytes

    def summary(self) -> str:
        c = self.counts
        return (f"{c['articles']} article(s), {c['events']} event(s), {c['actors']} actor(s), "
                f"{c['overrides']} correction(s); schema version {self.schema_version}")


@dataclass(frozen=True)
class ImportResult:
    articles: int
    events: int
    actors: int


# --- paths and connections -----------------------------------------------------------------------


def sqlite_path(db_url: str) -> Path:
    """The file behind a SQLite URL; other databases have their own tools (pg_dump)."""
    shown = redact_url(db_url)  # never the password, in any message
    try:
        url = sa.engine.make_url(db_url)
    except (sa.exc.ArgumentError, ValueError) as err:  # ValueError: a port that is not a number
        raise ConfigError(f"database URL {shown!r} is not usable: "
                          f"{redact_text(str(err), url_secrets(db_url))}") from err
    if url.get_backend_name() != "sqlite":
        raise ConfigError(f"backup and restore work on SQLite stores; for {url.get_backend_name()} "
                          "use its own tools (pg_dump and pg_restore for PostgreSQL)")
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        raise ConfigError(f"{shown!r} names no database file")
    return Path(database).expanduser()


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    # immutable=1: read a file that must not change, creating no -wal/-shm beside it.
    target = f"file:{path.resolve()}?immutable=1" if read_only else str(path)
    conn = sqlite3.connect(target, uri=read_only, timeout=30, isolation_level=None)
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def _tables(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return {r[0] for r in rows}


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {t.name: int(conn.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0])
            for t in metadata.sorted_tables if t.name != "meta"}


# --- checking a store file -----------------------------------------------------------------------


def check_store(conn: sqlite3.Connection, name: str) -> tuple[int, dict[str, int]]:
    """The schema version and row counts of a Geostory store; ``InputError`` naming ``name`` if not one."""
    try:
        integrity = "; ".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
        if integrity != "ok":
            raise InputError(f"the database is damaged (integrity_check: {integrity[:200]})", source=name)
        tables = _tables(conn)
        if "meta" not in tables:
            raise InputError("not a Geostory store: it has no meta table", source=name)
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        version = int(row[0]) if row is not None and str(row[0]).isdigit() else None
        if version not in KNOWN_VERSIONS:
            known = ", ".join(map(str, KNOWN_VERSIONS))
            raise InputError(f"schema version {row[0] if row else 'missing'}; this Geostory knows {known}",
                             source=name)
        for table in metadata.sorted_tables:
            if table.name not in tables:
                raise InputError(f"not a Geostory store: table {table.name!r} is missing", source=name)
            have = {r[1] for r in conn.execute(f'PRAGMA table_info("{table.name}")')}
            missing = [c.name for c in table.columns
                       if c.name not in have and _ADDED_IN.get((table.name, c.name), 0) <= version]
            if missing:
                raise InputError(f"table {table.name!r} lacks column(s) {', '.join(missing)}", source=name)
        if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
            raise InputError("the database has rows whose parent row is missing", source=name)
        return version, _counts(conn)
    except sqlite3.DatabaseError as err:  # "file is not a database", "database disk image is malformed"
        raise InputError(f"not a usable SQLite database: {err}", source=name) from err


def inspect_file(path: Path) -> StoreFile:
    """Check a backup (or any store file) without changing it."""
    name = str(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(len(_SQLITE_MAGIC))
    except FileNotFoundError as err:
        raise InputError("no such file", source=name) from err
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror or err}", source=name) from err
    if head != _SQLITE_MAGIC:
        raise InputError("not a SQLite database (no SQLite header)", source=name)
    if Path(f"{path}-wal").exists():
        # Committed data may sit in that log, which a read-only check cannot see.
        raise InputError("a write-ahead log lies beside it: this is a live store, not a backup; "
                         "make a backup of it with `python -m geo backup`", source=name)
    conn = _connect(path, read_only=True)
    try:
        version, counts = check_store(conn, name)
    finally:
        conn.close()
    return StoreFile(path, version, counts, size)


# --- backup --------------------------------------------------------------------------------------


def _temp_beside(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.partial")


def _remove(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def backup(db_url: str, out: Path, *, force: bool = False) -> StoreFile:
    """Copy the store to ``out`` as one consistent snapshot; returns the checked copy."""
    source = sqlite_path(db_url)
    out = Path(out)
    if not source.is_file():
        raise StoreError(f"no store at {source}")
    if out.exists() and not force:
        raise StoreError(f"{out} exists; use --force to replace it")
    if out.exists() and out.resolve() == source.resolve():
        raise StoreError(f"{out} is the store itself")
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_beside(out)
    _remove(temp)
    start = time.monotonic()
    src = _connect(source)
    try:
        check_store(src, str(source))  # a store this code understands, before copying it
        dst = sqlite3.connect(temp, isolation_level=None)
        try:
            # pages=-1: every page in one step, inside one read transaction of the source.
            src.backup(dst, pages=-1)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        finally:
            dst.close()
        copy = inspect_file(temp)
        os.replace(temp, out)  # readers of ``out`` see the whole copy or the previous file
    except (sqlite3.Error, OSError) as err:
        raise StoreError(f"backup of {source} failed: {err}") from err
    finally:
        src.close()
        _remove(temp)
    logger.info("backup of %s to %s in %.2f s", source, out, time.monotonic() - start)
    return StoreFile(out, copy.schema_version, copy.counts, out.stat().st_size)


# --- restore -------------------------------------------------------------------------------------


def _holds_data(conn: sqlite3.Connection) -> bool:
    """Any row in any table but ``meta`` (a freshly opened store has only its schema version)."""
    return any(conn.execute(f'SELECT 1 FROM "{name}" LIMIT 1').fetchone() is not None
               for name in _tables(conn) - {"meta"})


def restore(backup_file: Path, db_url: str, *, force: bool = False) -> StoreFile:
    """Replace the store's contents with a checked backup, in one transaction of the store's own."""
    backup_file = Path(backup_file)
    checked = inspect_file(backup_file)  # before anything of the target is touched
    target = sqlite_path(db_url)
    if target.exists() and target.resolve() == backup_file.resolve():
        raise StoreError(f"{backup_file} is the store itself")
    if target.exists():
        with target.open("rb") as handle:
            head = handle.read(len(_SQLITE_MAGIC))
        if head and head != _SQLITE_MAGIC:
            raise StoreError(f"{target} is not a SQLite database; it is left alone (move it away first)")
    target.parent.mkdir(parents=True, exist_ok=True)
    src = _connect(backup_file, read_only=True)
    dst = _connect(target)
    try:
        if _holds_data(dst) and not force:
            raise StoreError(f"the store {target} holds data; restoring would replace it (use --force)")
        if dst.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
            # SQLite cannot change the page size of a WAL database while copying into it.
            ours, theirs = (c.execute("PRAGMA page_size").fetchone()[0] for c in (dst, src))
            if ours != theirs and _tables(dst):
                raise StoreError(f"page sizes differ ({theirs} in the backup, {ours} in the store); "
                                 "move the store away and restore into a new file")
        src.backup(dst, pages=-1)  # one write transaction: the whole backup or nothing
        version, counts = check_store(dst, str(target))
    except sqlite3.Error as err:
        raise StoreError(f"restore into {target} failed; the store is unchanged: {err}") from err
    finally:
        src.close()
        dst.close()
    if counts != checked.counts:
        raise StoreError(f"restore into {target}: the store holds {counts}, the backup {checked.counts}")
    from geo.store import Store

    with Store(f"sqlite:///{target}") as store:  # migrates an older schema version, as any opening does
        store.counts()
    logger.info("restored %s into %s", backup_file, target)
    return StoreFile(target, version, counts, target.stat().st_size)


# --- import --------------------------------------------------------------------------------------


def _missing(value: Any) -> bool:
    import pandas as pd

    return value is None or bool(pd.isna(value))


def _text(value: Any) -> str:
    return "" if _missing(value) else str(value)


def frame_events(frame: Any, name: str) -> list[Event]:
    """Events from an export frame (``geo.frames`` layout), each value checked."""
    events: list[Event] = []
    seen: set[str] = set()
    for number, row in enumerate(frame[list(EVENT_FIELDS)].itertuples(index=False), start=1):
        values = dict(zip(EVENT_FIELDS, row, strict=True))
        where = f"row {number}"
        event_id, article_id = _text(values["event_id"]), _text(values["article_id"])
        if not (0 < len(event_id) <= 64 and 0 < len(article_id) <= 64):
            raise InputError(f"{where}: event_id and article_id must be 1-64 characters", source=name)
        if event_id in seen:
            raise InputError(f"{where}: event {event_id} appears twice", source=name)
        seen.add(event_id)
        lat, lon = float(values["lat"]), float(values["lon"])
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            raise InputError(f"{where}: coordinates out of range ({lat}, {lon})", source=name)
        precisions = (values["date_precision"], values["place_precision"])
        if precisions[0] not in DATE_PRECISIONS or precisions[1] not in PLACE_PRECISIONS:
            raise InputError(f"{where}: unknown date or place precision {precisions}", source=name)
        try:
            day = date.fromisoformat(_text(values["date"]))
        except ValueError as err:
            raise InputError(f"{where}: bad date {values['date']!r}", source=name) from err
        geonameid = values["geonameid"]
        actors = _text(values["actors"])
        quote, place = _text(values["quote"]), _text(values["place_name"])
        sentence_start = int(values["sentence_start"])
        # The export has no offsets of the mention; its first place in the quote orders the
        # events of one sentence as the original did in nearly every case.
        offset = quote.find(place) if place else -1
        place_start = sentence_start + offset if offset >= 0 else sentence_start
        events.append(Event(
            event_id=event_id, article_id=article_id, date=day,
            date_precision=values["date_precision"], place_name=place, lat=lat, lon=lon,
            place_precision=values["place_precision"],
            geonameid=None if _missing(geonameid) else int(geonameid),
            country_code=_text(values["country_code"]),
            actors=tuple(a for a in actors.split("; ") if a) if actors else (),
            quote=quote, sentence_start=sentence_start, sentence_end=int(values["sentence_end"]),
            confidence=float(values["confidence"]), source=_text(values["source"]),
            url=_text(values["url"]), place_start=place_start, place_end=place_start + len(place),
        ))
    return events


def _article_rows(events: Sequence[Event], origin: str, name: str) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    now = datetime.now(UTC)
    for event in events:
        row = rows.setdefault(event.article_id, {
            "article_id": event.article_id, "title": "", "published": None, "source": event.source,
            "url": event.url, "origin": origin, "text": "", "ingested_at": now,
        })
        if (row["source"], row["url"]) != (event.source, event.url):
            raise InputError(f"article {event.article_id}: its events give different sources or URLs",
                             source=name)
    return list(rows.values())


def import_events(path: Path, db_url: str) -> ImportResult:
    """Load an events export into an empty store, all in one transaction."""
    from geo.frames import read_events
    from geo.schema import actors_table, articles, event_actors, event_row, events
    from geo.store import Store

    path = Path(path)
    name = str(path)
    events_ = frame_events(read_events(path), name)
    article_rows = _article_rows(events_, f"import:{path.name}", name)
    actor_names = sorted({a for e in events_ for a in e.actors})

    def work(conn: sa.Connection) -> None:
        # Checked inside the write transaction, so nothing can land between the check and the writes.
        for table in (articles, events, actors_table):
            if conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one():
                raise StoreError("the store is not empty; import loads an export into an empty store only")
        if article_rows:
            conn.execute(articles.insert(), article_rows)
            conn.execute(events.insert(), [event_row(e) for e in events_])
        links = [{"event_id": e.event_id, "actor": a} for e in events_ for a in dict.fromkeys(e.actors)]
        if links:
            conn.execute(event_actors.insert(), links)
        if actor_names:
            conn.execute(actors_table.insert(), [
                {"name": a.name, "kind": a.kind, "aliases": "[]"}
                for a in (Actor(n, IMPORTED_ACTOR_KIND) for n in actor_names)])

    with Store(db_url) as store:
        run: Callable[..., None] = store._run  # the store's own transaction and lock handling
        run(work, write=True)
    logger.info("imported %d events of %d articles from %s", len(events_), len(article_rows), name)
    return ImportResult(len(article_rows), len(events_), len(actor_names))
