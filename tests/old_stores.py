"""Store files as older versions of our code wrote them, made from a store of today's version.

The older shape is derived from today's definitions with ``geo.migrate``'s tables of what each
version added or made nullable, the way ``geo.storecheck`` derives it, so these files follow
the schema when it changes. Rows are copied by column name.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from geo.migrate import ADDED_IN
from geo.storecheck import TABLES, _reference_ddl


def write_as_version(source: Path, target: Path, version: int) -> Path:
    """``target``: the rows of ``source`` in a file of schema ``version`` (no statistics, DELETE journal)."""
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
            names = ", ".join(f'"{c}"' for c in have)
            conn.execute(f'INSERT INTO main."{table}" ({names}) SELECT {names} FROM src."{table}"')
        conn.execute("UPDATE main.meta SET value = ? WHERE key = 'schema_version'", (str(version),))
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE src")
    finally:
        conn.close()
    return target
