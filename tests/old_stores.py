"""Store files as older versions of our code wrote them, made from a store of today's version.

The older shape is derived from today's definitions with ``geo.migrate``'s tables of what each
version added or made nullable, the way ``geo.storecheck`` derives it, so these files follow
the schema when it changes. Rows are copied by column name.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from geo.migrate import ADDED_IN, NULLABLE_IN
from geo.storecheck import TABLES, _reference_ddl


def write_as_version(source: Path, target: Path, version: int) -> Path:
    """``target``: the rows of ``source`` that ``version`` could hold, in a file of that schema."""
    target.unlink(missing_ok=True)
    conn = sqlite3.connect(target, isolation_level=None)
    try:
        for statement in _reference_ddl(version):
            conn.execute(statement)
        for (table, column), added in ADDED_IN.items():
            if added > version:
                conn.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
        conn.execute("ATTACH DATABASE ? AS src", (str(source),))
        conn.execute("BEGIN")
        for table in TABLES:
            have = [r[1] for r in conn.execute(f'PRAGMA main.table_info("{table}")')]
            if not have:  # a table that version did not have
                continue
            names = ", ".join(f'"{c}"' for c in have)
            # Rows that version could not hold (an event without a place before 3) are left out,
            # with their links: an old store never had them.
            where = [f'"{c}" IS NOT NULL' for (t, c), since in NULLABLE_IN.items()
                     if t == table and since > version]
            if table == "event_actors":
                where.append("event_id IN (SELECT event_id FROM main.events)")
            clause = f" WHERE {' AND '.join(where)}" if where else ""
            conn.execute(f'INSERT INTO main."{table}" ({names}) SELECT {names} FROM src."{table}"{clause}')
        conn.execute("UPDATE main.meta SET value = ? WHERE key = 'schema_version'", (str(version),))
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE src")
    finally:
        conn.close()
    return target
