"""The store's tables: SQLAlchemy Core definitions, the schema version, and rows <-> model values.

Split from ``geo.store`` so that the shape of the data (and how JSON columns
are read back, actor aliases included) is readable apart from the transactions
over it. Only portable types are used (JSON lists are kept as text), so the
same tables work on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateIndex, CreateTable
from sqlalchemy.sql import operators
from sqlalchemy.sql.expression import UnaryExpression

from geo.errors import StoreError
from geo.gazetteer import normalize_name
from geo.models import Actor, Article, Candidate, Event, Place, PlacePrecision

SCHEMA_VERSION = 3


def place_key(name: str) -> str:
    """The key overrides are stored under: the gazetteer's own name key, so that the
    store and the resolver agree that "U.S." and "US" are one name."""
    return normalize_name(name)


def _req(name: str, kind: Any, **kw: Any) -> sa.Column[Any]:
    return sa.Column(name, kind, nullable=False, **kw)


def _id(name: str, *args: Any, **kw: Any) -> sa.Column[Any]:
    return sa.Column(name, sa.String(64), *args, nullable=False, **kw)


_DOUBLE, _TEXT, _INT, _SHORT = sa.Double, sa.Text, sa.Integer, sa.String(16)
_STAMP = sa.DateTime(timezone=True)
metadata = sa.MetaData()
meta = sa.Table("meta", metadata, _req("key", sa.String(64), primary_key=True), _req("value", _TEXT))
articles = sa.Table(
    "articles", metadata, _id("article_id", primary_key=True),
    _req("title", _TEXT), sa.Column("published", sa.Date), _req("source", _TEXT), _req("url", _TEXT),
    _req("origin", _TEXT), _req("text", _TEXT), _req("ingested_at", _STAMP),
    # Version 3: the named story (a collection of articles) it belongs to; '' for none.
    _req("story", _TEXT, server_default=sa.text("''")),
)
# JSON lists are kept as text: actors (in the event's order), nationalities, candidates.
events = sa.Table(
    "events", metadata, _id("event_id", primary_key=True),
    _id("article_id", sa.ForeignKey("articles.article_id", ondelete="CASCADE"), index=True),
    _req("date", sa.Date, index=True), _req("date_precision", _SHORT), _req("place_name", _TEXT),
    # A place-less event ("Merkel called for dialogue") has no coordinates (version 3).
    _req("place_key", _TEXT, index=True), sa.Column("lat", _DOUBLE), sa.Column("lon", _DOUBLE),
    _req("place_precision", _SHORT), sa.Column("geonameid", sa.BigInteger),
    _req("country_code", sa.String(8), index=True), _req("actors", _TEXT), _req("quote", _TEXT),
    _req("sentence_start", _INT), _req("sentence_end", _INT), _req("confidence", _DOUBLE),
    _req("source", _TEXT), _req("url", _TEXT), _req("place_start", _INT), _req("place_end", _INT),
    _req("resolved_name", _TEXT), _req("date_text", _TEXT), _req("nationalities", _TEXT),
    _req("candidates", _TEXT), _req("locative", sa.Boolean, server_default=sa.false()),
    # Version 3, the event model: JSON lists of the other actors named and of (actor, role) pairs.
    _req("mentioned_actors", _TEXT, server_default=sa.text("'[]'")),
    _req("actor_roles", _TEXT, server_default=sa.text("'[]'")),
    _req("predicate", _TEXT, server_default=sa.text("''")),
    _req("event_type", sa.String(32), server_default=sa.text("'other'")),
    _req("modality", _SHORT, server_default=sa.text("'reported'")),
    _req("background", sa.Boolean, server_default=sa.false()),
    sa.Column("date_end", sa.Date),
)
event_actors = sa.Table(
    "event_actors", metadata,
    _id("event_id", sa.ForeignKey("events.event_id", ondelete="CASCADE"), primary_key=True),
    _req("actor", _TEXT, primary_key=True),
)
# Indexes the dashboard's counting queries read instead of the events table (bench/dashboard.py
# measured them: the slowest 1M-event filter change went from about 1 s to about 0.3 s).
# Places per filter: an unfiltered or per-source count reads this index alone.
sa.Index("ix_events_map", events.c.lat, events.c.lon, events.c.place_precision, events.c.date,
         events.c.country_code, events.c.source)
# An actor's events, looked up by id without touching the table (needs statistics: see analyse()).
sa.Index("ix_events_id_map", events.c.event_id, events.c.lat, events.c.lon, events.c.place_precision,
         events.c.date)
sa.Index("ix_event_actors_actor_event", event_actors.c.actor, event_actors.c.event_id)
# Schema version 2 had an index on the actor alone; the one above covers it.
_OBSOLETE_INDEXES = ("ix_event_actors_actor",)
actors_table = sa.Table(
    "actors", metadata, _req("name", _TEXT, primary_key=True), _req("kind", sa.String(32)),
    _req("aliases", _TEXT),
)
overrides_table = sa.Table(
    "overrides", metadata, _req("key", _TEXT, primary_key=True), _req("lat", _DOUBLE),
    _req("lon", _DOUBLE), _req("precision", _SHORT), sa.Column("geonameid", sa.BigInteger),
    _req("country_code", sa.String(8)), _req("resolved_name", _TEXT), _req("note", _TEXT),
    _req("created_at", _STAMP),
)

# Version 3 (issue 12): an editor's curation rules, applied to the stored events when made and to
# every later ingest and re-analysis (geo.curation). Stores made before it gain it when opened.
curations_table = sa.Table(
    "curations", metadata, _id("curation_id", primary_key=True), _req("seq", _INT),
    _req("kind", sa.String(32)), _req("article_id", _TEXT), _req("event_id", _TEXT), _req("subject", _TEXT),
    _req("value", _TEXT), _req("label", _TEXT), _req("editor", _TEXT), _req("created_at", _STAMP),
)


@dataclass(frozen=True)
class Override:
    """A user's correction of where a place name is, applied to every event and future ingest."""

    key: str  # place_key() of the name
    lat: float
    lon: float
    precision: PlacePrecision
    geonameid: int | None = None
    country_code: str = ""
    resolved_name: str = ""
    note: str = ""
    created_at: datetime | None = None

    def to_place(self, name: str) -> Place:
        """The resolution this override imposes on a mention written as ``name``."""
        return Place(
            name=name, lat=self.lat, lon=self.lon, precision=self.precision, confidence=1.0,
            resolved_name=self.resolved_name or name, geonameid=self.geonameid,
            country_code=self.country_code, feature=self.precision,  # precision names are features
            method="override",
        )


# The version is text in ``meta``: a few ASCII digits as str(int) writes them. isdigit() alone would
# take "²" (which int() refuses) and int() alone would take 5,000 digits only to fail at its limit.
_VERSION_TEXT = re.compile(r"0|[1-9][0-9]{0,8}")


def shown_value(value: object, limit: int = 24) -> str:
    """A stored value as a message may show it: repr, cut to ``limit`` characters, with its length."""
    text = repr(value)
    if len(text) <= limit:
        return text
    size = f"{len(value):,} bytes" if isinstance(value, bytes) else f"{len(text):,} characters"
    if isinstance(value, str):
        size = f"{len(value):,} characters"
    return f"{text[:limit]}… ({size})"


def parse_schema_version(found: object) -> int:
    """The schema version read from ``meta``; ``StoreError`` for anything but a plain version number.

    ``found`` is None when the row is missing. Every reader of the version goes through here
    (``create_schema``, ``Store``, the backup and restore checks), so none can fail with a traceback.
    """
    if found is None:
        raise StoreError(f"the database's schema version is missing; this code needs {SCHEMA_VERSION}")
    if not (isinstance(found, str) and _VERSION_TEXT.fullmatch(found)):
        raise StoreError(f"the database's schema version {shown_value(found)} is not a version number; "
                         f"this code needs {SCHEMA_VERSION}")
    return int(found)


def version_error(found: object) -> StoreError:
    shown = found if isinstance(found, int) else shown_value(found)
    return StoreError(f"the database has schema version {shown}; this code needs {SCHEMA_VERSION}")


def create_schema(conn: Connection) -> None:
    """Create whatever tables and indexes are missing, then check the schema version."""
    # create_all() checks, then creates: two processes opening a new file both try to
    # create. IF NOT EXISTS (SQLite and PostgreSQL alike) makes that race harmless.
    for table in metadata.sorted_tables:
        conn.execute(CreateTable(table, if_not_exists=True))
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            conn.execute(CreateIndex(index, if_not_exists=True))
    for name in _OBSOLETE_INDEXES:
        conn.execute(sa.text(f"DROP INDEX IF EXISTS {name}"))
    if conn.dialect.name == "sqlite" and not conn.execute(
            sa.text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
        refresh_statistics(conn)  # a new store, or one made before the indexes above
    found = conn.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    if found is None:
        conn.execute(meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
        return
    version = parse_schema_version(found)
    if version != SCHEMA_VERSION:
        from geo.migrate import migrate  # it builds on the tables defined here

        migrate(conn, version)


# Index entries SQLite samples per index when gathering statistics: a few milliseconds at a
# million events, and close enough for the planner to choose the covering indexes.
ANALYSIS_LIMIT = 1000


def refresh_statistics(conn: Connection) -> None:
    """Gather the row statistics the query planner uses to choose between indexes.

    Without them SQLite looks an actor's events up by the primary key instead of the
    covering ``ix_events_id_map``: more than twice as slow at 1M events
    (bench/dashboard.py). PostgreSQL's autovacuum keeps its own; this only helps sooner.
    """
    if conn.dialect.name == "sqlite":
        conn.execute(sa.text(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}"))
        conn.execute(sa.text("ANALYZE"))
    else:
        conn.execute(sa.text(f"ANALYZE {events.name}, {event_actors.name}"))


def unindexed(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """``column`` as SQLite's idiom for "use no index for this term" (a unary plus), when the
    planner's choice of index is known to be the slow one; other databases do not need it."""
    return UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)


def canonical_actor_names(conn: Connection, wanted: Sequence[str]) -> list[str]:
    """The stored actor names that ``wanted`` denotes, by name or alias, ignoring case."""
    folded = {w.casefold() for w in wanted}
    names = set(wanted)
    for name, aliases in conn.execute(sa.select(actors_table.c.name, actors_table.c.aliases)):
        if name.casefold() in folded or any(a.casefold() in folded for a in json.loads(aliases)):
            names.add(name)
    return sorted(names)


# -- rows <-> values ---------------------------------------------------------------
_JSON_LISTS = ("actors", "nationalities", "mentioned_actors")


_CANDIDATE_FIELDS = fields(Candidate)


def event_row(event: Event) -> dict[str, Any]:
    row = {f.name: getattr(event, f.name) for f in fields(Event)}
    row.update({name: json.dumps(list(getattr(event, name))) for name in _JSON_LISTS})
    row.update(
        place_key=place_key(event.place_name),
        actor_roles=json.dumps([list(pair) for pair in event.actor_roles]),
        # Candidates hold plain values: a shallow dict, not asdict's recursive deep copy.
        candidates=json.dumps([{f.name: getattr(c, f.name) for f in _CANDIDATE_FIELDS}
                               for c in event.candidates]),
    )
    return row


def row_event(row: Any) -> Event:
    values = {f.name: row[f.name] for f in fields(Event)}
    for name in _JSON_LISTS:
        values[name] = tuple(json.loads(values[name]))
    values["actor_roles"] = tuple((str(a), str(r)) for a, r in json.loads(values["actor_roles"]))
    values["candidates"] = tuple(Candidate(**c) for c in json.loads(values["candidates"]))
    return Event(**values)


def row_article(row: Any) -> Article:
    # Only the stored fields: an article's reading warnings (compare=False) are shown, never stored.
    return Article(**{f.name: row[f.name] for f in fields(Article) if f.compare})


def upsert_actors(conn: Connection, actors: Sequence[Actor]) -> None:
    """Insert new actors; for known ones, add the aliases not seen before (the first kind stays)."""
    merged: dict[str, Actor] = {}
    for actor in actors:  # the same actor twice in one call merges too
        seen = merged.get(actor.name)
        if seen is not None:
            actor = Actor(actor.name, seen.kind, seen.aliases + actor.aliases)
        merged[actor.name] = actor
    if not merged:
        return
    existing = {
        r["name"]: r for r in conn.execute(
            sa.select(actors_table).where(actors_table.c.name.in_(list(merged)))).mappings()
    }
    new_rows = []  # inserted in one statement: most of an article's actors are new to the store
    for name, actor in merged.items():
        old = existing.get(name)
        before = json.loads(old["aliases"]) if old is not None else []
        aliases = list(dict.fromkeys(a for a in [*before, *actor.aliases] if a and a != name))
        if old is None:
            new_rows.append({"name": name, "kind": actor.kind, "aliases": json.dumps(aliases)})
        elif aliases != before:
            conn.execute(actors_table.update().where(actors_table.c.name == name)
                         .values(aliases=json.dumps(aliases)))
    if new_rows:
        conn.execute(actors_table.insert(), new_rows)
