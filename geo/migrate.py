"""Schema migrations: a store of an older version is brought up to ``SCHEMA_VERSION`` when opened.

Each step runs inside the opening transaction (``geo.schema.create_schema``), so a crash leaves
the old version or the new one. Each step is idempotent too: two processes may open one old store
at once, and a restore builds its staging file with today's tables before it migrates the rows
copied into them (``geo.restore``), so a step must recognise work already done.

- 1 → 2: ``events.locative``; places keyed by the gazetteer's name key.
- 2 → 3: the event model (issue 11): who the sentence puts at the place and who it only mentions,
  each actor's role, the predicate, its type and modality, background asides, the end of a date
  range, and events without a place (``lat``/``lon`` become nullable); and each article's story
  (issue 12: a named collection of articles), and the editors' curation rules (issue 12, table
  ``curations``, made by ``create_schema`` like any missing table). SQLite cannot drop a NOT
  NULL constraint, so there the events table is rebuilt, its links to actors kept aside meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateIndex, CreateTable

from geo.schema import (
    SCHEMA_VERSION,
    articles,
    event_actors,
    events,
    meta,
    overrides_table,
    place_key,
    version_error,
)

logger = logging.getLogger(__name__)

# Columns each version added: (table, column) -> version. A store of an older version lacks them;
# geo.storecheck derives the older schemas from today's definitions with these.
ADDED_IN: dict[tuple[str, str], int] = {
    ("events", "locative"): 2,
    ("articles", "story"): 3,
    **{("events", c): 3 for c in ("mentioned_actors", "actor_roles", "predicate", "event_type", "modality",
                                  "background", "date_end")},
}
# Tables a version added: table -> version. The curation rules came late in version 3 (the
# development version then), so a store of version 3 may lack them too; opening it creates them.
TABLES_ADDED_IN: dict[str, int] = {"curations": 3}
# Columns that were NOT NULL before a version made them nullable: (table, column) -> version.
NULLABLE_IN: dict[tuple[str, str], int] = {("events", "lat"): 3, ("events", "lon"): 3}


def _set_version(conn: Connection, version: int) -> None:
    conn.execute(meta.update().where(meta.c.key == "schema_version").values(value=str(version)))


def migrate_1_to_2(conn: Connection) -> None:
    """Version 2 adds ``events.locative`` and keys places by the gazetteer's name key."""
    columns = {c["name"] for c in sa.inspect(conn).get_columns("events")}
    if "locative" not in columns:  # another process may have got here first
        conn.execute(sa.text("ALTER TABLE events ADD COLUMN locative BOOLEAN NOT NULL DEFAULT FALSE"))
    for old_key, name in conn.execute(sa.select(events.c.place_key, events.c.place_name).distinct()).all():
        if place_key(name) != old_key:
            conn.execute(events.update()
                         .where(events.c.place_key == old_key, events.c.place_name == name)
                         .values(place_key=place_key(name)))
    rows = [dict(r._mapping) for r in conn.execute(
        sa.select(overrides_table).order_by(overrides_table.c.created_at, overrides_table.c.key))]
    renamed: dict[str, dict[str, Any]] = {}
    for row in rows:  # "u.s." and "us" were two corrections of one name: the first one stays
        renamed.setdefault(place_key(row["key"]), {**row, "key": place_key(row["key"])})
    if list(renamed) != [row["key"] for row in rows]:
        conn.execute(overrides_table.delete())
        if renamed:
            conn.execute(overrides_table.insert(), list(renamed.values()))
    _set_version(conn, 2)


def _rebuild_sqlite_events(conn: Connection, have: set[str]) -> None:
    """Today's events table in place of the old one, every row and actor link kept."""
    shared = [c.name for c in events.columns if c.name in have]
    names = ", ".join(f'"{c}"' for c in shared)
    scratch = sa.MetaData()
    articles.to_metadata(scratch)  # the table events refers to, for the foreign key's sake
    fresh = events.to_metadata(scratch, name="events_v3")
    for index in list(fresh.indexes):  # today's indexes are made once the table has its own name
        fresh.indexes.discard(index)
    conn.execute(CreateTable(fresh))
    conn.execute(sa.text(f"INSERT INTO events_v3 ({names}) SELECT {names} FROM events"))
    # event_actors refers to events: kept aside, so that no cascade can touch the links.
    conn.execute(sa.text("CREATE TEMP TABLE event_actors_kept AS SELECT event_id, actor FROM event_actors"))
    conn.execute(sa.text("DROP TABLE event_actors"))
    conn.execute(sa.text("DROP TABLE events"))
    conn.execute(sa.text("ALTER TABLE events_v3 RENAME TO events"))
    conn.execute(CreateTable(event_actors))
    conn.execute(sa.text("INSERT INTO event_actors (event_id, actor) "
                         "SELECT event_id, actor FROM event_actors_kept"))
    conn.execute(sa.text("DROP TABLE temp.event_actors_kept"))
    for table in (events, event_actors):
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            conn.execute(CreateIndex(index, if_not_exists=True))


def migrate_2_to_3(conn: Connection) -> None:
    """Version 3: the event model's new columns, and ``lat``/``lon`` nullable for place-less events.

    Stored events keep their analysis of version 2 (every actor of the sentence, reported, type
    "other") until ``python -m geo reanalyse`` reads their articles again.
    """
    if "story" not in {c["name"] for c in sa.inspect(conn).get_columns("articles")}:
        conn.execute(sa.text("ALTER TABLE articles ADD COLUMN story TEXT NOT NULL DEFAULT ''"))
    inspected = {c["name"]: c for c in sa.inspect(conn).get_columns("events")}
    done = all(inspected.get(c, {}).get("nullable") for (_t, c) in NULLABLE_IN)
    if conn.dialect.name == "sqlite":
        if not done:
            _rebuild_sqlite_events(conn, set(inspected))
    else:
        for (_t, column) in NULLABLE_IN:
            conn.execute(sa.text(f"ALTER TABLE events ALTER COLUMN {column} DROP NOT NULL"))
        for (table, column), version in ADDED_IN.items():
            if version == 3 and table == "events" and column not in inspected:
                col = events.c[column]
                kind = col.type.compile(dialect=conn.dialect)
                arg = None if col.server_default is None else col.server_default.arg  # type: ignore[attr-defined]
                default = "" if arg is None else f" DEFAULT {arg.compile(dialect=conn.dialect)}"
                null = "" if col.nullable else " NOT NULL"
                conn.execute(sa.text(f"ALTER TABLE events ADD COLUMN {column} {kind}{null}{default}"))
    _set_version(conn, 3)


STEPS: dict[int, Callable[[Connection], None]] = {1: migrate_1_to_2, 2: migrate_2_to_3}


def migrate(conn: Connection, version: int) -> None:
    """Bring a store of ``version`` up to ``SCHEMA_VERSION``, one step after another."""
    if version > SCHEMA_VERSION or version < 1:
        raise version_error(version)
    while version < SCHEMA_VERSION:
        logger.info("migrating the store from schema version %d to %d", version, version + 1)
        STEPS[version](conn)
        version += 1
