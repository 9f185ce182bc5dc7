"""Data safety: back up a SQLite store, and import an events export into an empty store.

Backup uses SQLite's online backup API in a single step, which copies every
page inside one read transaction: the copy is a consistent snapshot even while
other processes write (WAL lets them go on meanwhile). The copy is written
beside the target, checked (``geo.storecheck``), and renamed into place, so a
backup file is either complete or absent. Restore is ``geo.restore``.

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
from geo.models import DATE_PRECISIONS, EVENT_FIELDS, MODALITIES, PLACE_PRECISIONS, ROLES, Actor, Event
from geo.redact import redact_text, redact_url, url_secrets
from geo.rowcheck import CONFIDENCE_RANGE
from geo.storecheck import KNOWN_VERSIONS, StoreFile, check_store, connect, inspect_file

logger = logging.getLogger(__name__)

__all__ = ["KNOWN_VERSIONS", "StoreFile", "backup", "check_store", "import_events", "inspect_file",
           "sqlite_path"]

IMPORTED_ACTOR_KIND = "group"  # the export does not say whether an actor is a person or a group


@dataclass(frozen=True)
class ImportResult:
    articles: int
    events: int
    actors: int


# --- paths ---------------------------------------------------------------------------------------


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


def remove_files(path: Path) -> None:
    """A SQLite file and whatever journal or log lies beside it."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# --- backup --------------------------------------------------------------------------------------


def _temp_beside(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.partial")


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
    remove_files(temp)
    start = time.monotonic()
    src = connect(source)
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
        remove_files(temp)
    logger.info("backup of %s to %s in %.2f s", source, out, time.monotonic() - start)
    return StoreFile(out, copy.schema_version, copy.counts, out.stat().st_size)


# --- import --------------------------------------------------------------------------------------


def _missing(value: Any) -> bool:
    import pandas as pd

    return value is None or bool(pd.isna(value))


def _text(value: Any) -> str:
    return "" if _missing(value) else str(value)


def _names(joined: str) -> tuple[str, ...]:
    return tuple(a for a in joined.split("; ") if a) if joined else ()


def _day(value: Any, where: str, name: str) -> date:
    try:
        return date.fromisoformat(_text(value))
    except ValueError as err:
        raise InputError(f"{where}: bad date {value!r}", source=name) from err


def _coordinates(values: dict[str, Any], where: str, name: str) -> tuple[float | None, float | None]:
    """(lat, lon) in range, or (None, None) for an event without a place."""
    if _missing(values["lat"]) and _missing(values["lon"]):
        return None, None
    lat, lon = float(values["lat"]), float(values["lon"])
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise InputError(f"{where}: coordinates out of range ({lat}, {lon})", source=name)
    return lat, lon


def frame_events(frame: Any, name: str) -> list[Event]:
    """Events from an export frame (``geo.frames`` layout), each value checked."""
    from geo.frames import parse_roles  # the frame is here, so geopandas is loaded already

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
        lat, lon = _coordinates(values, where, name)
        confidence = float(values["confidence"])
        if not CONFIDENCE_RANGE[0] <= confidence <= CONFIDENCE_RANGE[1]:  # a restore refuses others too
            raise InputError(f"{where}: confidence {confidence} is not from 0 to 1", source=name)
        precisions = (values["date_precision"], values["place_precision"])
        places = PLACE_PRECISIONS if lat is not None else ("",)  # no place, no place precision
        if precisions[0] not in DATE_PRECISIONS or precisions[1] not in places:
            raise InputError(f"{where}: unknown date or place precision {precisions}", source=name)
        day = _day(values["date"], where, name)
        modality = _text(values["modality"])
        if modality not in MODALITIES:
            raise InputError(f"{where}: unknown modality {modality!r}", source=name)
        roles = parse_roles(_text(values["actor_roles"]))
        if any(role not in ROLES for _a, role in roles):
            raise InputError(f"{where}: unknown actor role in {_text(values['actor_roles'])!r}", source=name)
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
            actors=_names(actors),
            quote=quote, sentence_start=sentence_start, sentence_end=int(values["sentence_end"]),
            confidence=confidence, source=_text(values["source"]),
            url=_text(values["url"]), place_start=place_start, place_end=place_start + len(place),
            mentioned_actors=_names(_text(values["mentioned_actors"])), actor_roles=roles,
            predicate=_text(values["predicate"]), event_type=_text(values["event_type"]) or "other",
            modality=modality, background=bool(values["background"]),  # type: ignore[arg-type]
            date_end=_day(values["date_end"], where, name) if _text(values["date_end"]) else None,
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
    actor_names = sorted({a for e in events_ for a in (*e.linked_actors, *e.mentioned_actors)})

    def work(conn: sa.Connection) -> None:
        # Checked inside the write transaction, so nothing can land between the check and the writes.
        for table in (articles, events, actors_table):
            if conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one():
                raise StoreError("the store is not empty; import loads an export into an empty store only")
        if article_rows:
            conn.execute(articles.insert(), article_rows)
            conn.execute(events.insert(), [event_row(e) for e in events_])
        links = [{"event_id": e.event_id, "actor": a}
                 for e in events_ for a in dict.fromkeys(e.linked_actors)]
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
