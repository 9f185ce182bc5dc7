"""Checking a SQLite file before it is trusted as a Geostory store: its objects, columns and version.

A backup is a file anyone can craft. Restore never copies its schema (``geo.restore`` builds the
store's tables with our own code and copies rows only), but it still refuses a file whose schema is
not exactly one Geostory writes: a trigger, a view, an extra table or index, a CHECK constraint or a
column of another type is a sign the file was made or changed by something else, and each is named.

What "exactly" means is taken from our own code, not from a list typed here: the reference is an
in-memory database made from ``geo.schema``'s definitions (and, for version 1, with that version's
columns), so the check follows the schema when it changes.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.schema import CreateIndex, CreateTable

from geo.errors import InputError, StoreError
from geo.migrate import ADDED_IN, NULLABLE_IN, TABLES_ADDED_IN, migrate
from geo.schema import (
    _OBSOLETE_INDEXES,
    SCHEMA_VERSION,
    metadata,
    parse_schema_version,
    shown_value,
)

logger = logging.getLogger(__name__)

KNOWN_VERSIONS: tuple[int, ...] = tuple(range(1, SCHEMA_VERSION + 1))  # geo.schema migrates older ones
SQLITE_MAGIC = b"SQLite format 3\x00"
# SQLite's own tables: statistics (ANALYZE) and AUTOINCREMENT counters. Never copied.
INTERNAL_TABLES = frozenset({"sqlite_stat1", "sqlite_stat2", "sqlite_stat3", "sqlite_stat4",
                             "sqlite_sequence"})
TABLES: tuple[str, ...] = tuple(t.name for t in metadata.sorted_tables)  # parents before children


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
                f"{c['overrides']} correction(s), {c['curations']} curation rule(s); "
                f"schema version {self.schema_version}")


# --- connections -----------------------------------------------------------------------------------


def file_uri(path: Path, **params: str) -> str:
    """A SQLite URI for ``path``; quoted, so a name with ``?``, ``#`` or ``%`` names that file."""
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"file:{quote(str(Path(path).resolve()))}" + (f"?{query}" if query else "")


def connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    # immutable=1: read a file that must not change, creating no -wal/-shm beside it.
    target = file_uri(path, immutable="1") if read_only else file_uri(path)
    conn = sqlite3.connect(target, uri=True, timeout=30, isolation_level=None)
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_names(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return {r[0] for r in rows}


def count_rows(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows per Geostory table; 0 for a table a store of its version may lack (``TABLES_ADDED_IN``)."""
    present = {n.lower() for n in table_names(conn)}
    return {name: int(conn.execute(f"SELECT count(*) FROM {quoted(name)}").fetchone()[0])
            if name in present else 0 for name in TABLES if name != "meta"}


def may_lack(table: str, version: int) -> bool:
    """Whether a store of ``version`` may lack ``table``: one added in that version or later."""
    return TABLES_ADDED_IN.get(table, 0) >= version


# --- the reference: what our own code creates ---------------------------------------------------------

_TOKEN = re.compile(r"""
      (?P<skip>\s+|--[^\n]*|/\*.*?(?:\*/|\Z))
    | (?P<string>'(?:[^']|'')*'?)
    | (?P<ident>"(?:[^"]|"")*"?|`(?:[^`]|``)*`?|\[[^\]]*\]?)
    | (?P<word>[A-Za-z_\x80-\U0010ffff][A-Za-z0-9_$\x80-\U0010ffff]*)
    | (?P<number>[0-9.][0-9A-Za-z_.]*)
    | (?P<other>.)
""", re.VERBOSE | re.DOTALL)


def _spelled_tokens(sql: str) -> list[tuple[str, str]]:
    """(token, as written) for each token of a CREATE statement; comments and spaces dropped."""
    tokens = []
    for match in _TOKEN.finditer(sql):
        kind, text = match.lastgroup, match.group()
        if kind == "skip":
            continue
        token = text[1:-1] if kind == "ident" and len(text) > 1 else text
        tokens.append((token.upper() if kind in ("word", "ident") else token, text))
    return tokens


def sql_tokens(sql: str) -> list[str]:
    """The tokens of a CREATE statement: words and identifiers in upper case, unquoted; no comments."""
    return [token for token, _text in _spelled_tokens(sql)]


@dataclass(frozen=True)
class Column:
    declared: str  # the declared type, upper case: it decides the column's affinity
    not_null: bool
    pk: int  # position in the primary key, 0 if not in it
    hidden: int  # 0 for an ordinary column; generated columns are 2 or 3


@dataclass(frozen=True)
class IndexShape:
    table: str
    unique: bool
    partial: bool
    columns: tuple[tuple[str | None, int, str], ...]  # (column or None for an expression, desc, collation)


@dataclass(frozen=True)
class Shape:
    """The objects a store of one schema version has, as SQLite describes them."""

    columns: dict[str, dict[str, Column]]
    foreign_keys: dict[str, frozenset[tuple[str, str, str, str, str]]]
    indexes: dict[str, IndexShape | None]
    tokens: frozenset[str]  # every token our CREATE statements use (migrations' included)


def _columns(conn: sqlite3.Connection, table: str) -> dict[str, Column]:
    rows = conn.execute(f"PRAGMA table_xinfo({quoted(table)})").fetchall()
    return {r[1].lower(): Column(" ".join(str(r[2]).upper().split()), bool(r[3]), int(r[5]), int(r[6]))
            for r in rows}


def _foreign_keys(conn: sqlite3.Connection, table: str) -> frozenset[tuple[str, str, str, str, str]]:
    rows = conn.execute(f"PRAGMA foreign_key_list({quoted(table)})").fetchall()
    return frozenset((str(r[2]).lower(), str(r[3]).lower(), str(r[4]).lower(), r[5], r[6]) for r in rows)


def _index(conn: sqlite3.Connection, table: str, name: str) -> IndexShape | None:
    """The index as SQLite describes it; None if its table does not list it (a forged schema)."""
    listed = {str(r[1]).lower(): r for r in conn.execute(f"PRAGMA index_list({quoted(table)})")}
    row = listed.get(name.lower())
    if row is None:
        return None
    keys = tuple((None if r[2] is None else str(r[2]).lower(), int(r[3]), str(r[4]).upper())
                 for r in conn.execute(f"PRAGMA index_xinfo({quoted(name)})") if r[5])
    return IndexShape(table.lower(), bool(row[2]), bool(row[4]), keys)


def _reference_ddl(version: int = SCHEMA_VERSION) -> list[str]:
    """Today's CREATE statements, with the columns a later version made nullable NOT NULL again."""
    dialect = sqlite_dialect.dialect()
    older = sa.MetaData()
    tables = [table.to_metadata(older) for table in metadata.sorted_tables]
    for (table, column), since in NULLABLE_IN.items():
        if since > version:
            older.tables[table].c[column].nullable = False
    ddl = []
    for table in tables:
        if TABLES_ADDED_IN.get(table.name, 0) > version:
            continue
        ddl.append(str(CreateTable(table).compile(dialect=dialect)))
        ddl.extend(str(CreateIndex(i).compile(dialect=dialect)) for i in table.indexes)
    return ddl


def _all_tokens(raw: sqlite3.Connection) -> set[str]:
    return {tok for (sql,) in raw.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")
            for tok in sql_tokens(sql)}


@lru_cache(maxsize=len(KNOWN_VERSIONS))
def reference_shape(version: int) -> Shape:
    """The shape of a store of ``version`` as our code makes it (without the columns later versions
    added, with the columns they made nullable still NOT NULL), in a throwaway in-memory database."""
    engine = sa.create_engine("sqlite://")
    try:
        with engine.connect() as conn:
            for statement in _reference_ddl(version):
                conn.exec_driver_sql(statement)
            for (table, column), added in ADDED_IN.items():
                if added > version:
                    conn.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")
            raw = conn.connection.driver_connection
            assert isinstance(raw, sqlite3.Connection)
            made = {n.lower() for n in table_names(raw)}
            columns = {t: _columns(raw, t) for t in TABLES if t in made}
            foreign_keys = {t: _foreign_keys(raw, t) for t in TABLES if t in made}
            indexes = {name.lower(): _index(raw, table, name) for name, table in raw.execute(
                "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
            tokens = _all_tokens(raw)
            if version < SCHEMA_VERSION:
                # A store migrated from here keeps the column definitions the migration adds.
                conn.exec_driver_sql("INSERT INTO meta VALUES ('schema_version', ?)", (str(version),))
                migrate(conn, version)
                tokens |= _all_tokens(raw)
    finally:
        engine.dispose()
    return Shape(columns, foreign_keys, indexes, frozenset(tokens))


@lru_cache(maxsize=1)
def allowed_tokens() -> frozenset[str]:
    """Every token of every CREATE statement our code (any known version, migrations too) writes."""
    tokens = {tok for name in _OBSOLETE_INDEXES for tok in sql_tokens(f"CREATE INDEX {name} ON")}
    for version in KNOWN_VERSIONS:
        tokens |= reference_shape(version).tokens
    return frozenset(tokens)


# --- checking a file -------------------------------------------------------------------------------


def _refuse(message: str, name: str) -> InputError:
    return InputError(f"not the Geostory schema: {message}", source=name)


def _strange_tokens(sql: str | None, allowed: frozenset[str]) -> list[str]:
    """The words of ``sql`` (as written) that no CREATE statement of ours has: CHECK, COLLATE..."""
    return [text for token, text in _spelled_tokens(sql or "") if token not in allowed]


def check_objects(conn: sqlite3.Connection, name: str) -> None:
    """Refuse any object our code does not create: a trigger, a view, a table, an index, a UNIQUE."""
    latest, allowed = reference_shape(SCHEMA_VERSION), allowed_tokens()
    obsolete = {i.lower() for i in _OBSOLETE_INDEXES}
    objects = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid").fetchall()
    for kind, object_name, table, sql in objects:
        key, table_key = str(object_name).lower(), str(table).lower()
        what = f"{kind} {shown_value(object_name, 40)}"
        if kind == "table" and key in INTERNAL_TABLES:
            continue
        if kind == "table" and key in latest.columns:
            continue  # its columns and clauses are checked once the version is known
        if kind == "index" and table_key in latest.columns:
            if sql is None and key.startswith("sqlite_autoindex_"):
                origins = {r[1].lower(): r[3] for r in conn.execute(f"PRAGMA index_list({quoted(table)})")}
                if origins.get(key) == "pk":  # the index SQLite keeps for a primary key
                    continue
                raise _refuse(f"{what} enforces a UNIQUE constraint Geostory does not have", name)
            if key in latest.indexes or key in obsolete:
                _check_clauses(what, sql, allowed, name)
                _check_index(conn, latest, str(table), str(object_name), key in obsolete, what, name)
                continue
        raise _refuse(f"it has {what}" + (f" on {shown_value(table, 40)}" if table != object_name else ""),
                      name)


def _check_clauses(what: str, sql: str | None, allowed: frozenset[str], name: str) -> None:
    strange = _strange_tokens(sql, allowed)
    if strange:
        raise _refuse(f"{what} is defined with {shown_value(strange[0], 40)}, which Geostory's schema "
                      "never uses", name)


def check_clauses(conn: sqlite3.Connection, name: str) -> None:
    """No clause in a table's definition beyond what our code writes: CHECK, UNIQUE, COLLATE,
    GENERATED, WITHOUT ROWID... (a read-only ``integrity_check`` does not even test CHECK)."""
    allowed = allowed_tokens()
    for table, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"):
        if str(table).lower() in TABLES:
            _check_clauses(f"table {shown_value(table, 40)}", sql, allowed, name)


def _check_index(conn: sqlite3.Connection, latest: Shape, table: str, index: str, obsolete: bool,
                 what: str, name: str) -> None:
    have = _index(conn, table, index)
    if have is None:
        expected_ok = False
    elif obsolete:  # an index older code made on one plain column; dropped when the store is opened
        expected_ok = not have.unique and not have.partial and all(c[0] for c in have.columns)
    else:
        expected_ok = have == latest.indexes[index.lower()]
    if not expected_ok:
        raise _refuse(f"{what} is not the index Geostory defines", name)


def check_columns(conn: sqlite3.Connection, version: int, name: str) -> None:
    """Every Geostory table with exactly the columns of ``version``, of the declared types."""
    shape, latest = reference_shape(version), reference_shape(SCHEMA_VERSION)
    present = {n.lower() for n in table_names(conn)}
    for table in TABLES:
        if table not in present:
            if may_lack(table, version):
                continue  # opening the store creates it
            raise InputError(f"not a Geostory store: table {table!r} is missing", source=name)
        if table not in shape.columns:  # a table of a later version: it must be that version's
            shape = latest
        have, want = _columns(conn, table), shape.columns[table]
        missing = [c for c in want if c not in have]
        if missing:
            raise InputError(f"table {table!r} lacks column(s) {', '.join(missing)}", source=name)
        extra = [c for c in have if c not in want]
        if extra:
            raise _refuse(f"table {table!r} has column(s) {shown_value(', '.join(extra), 60)}, "
                          "which Geostory's does not have", name)
        for column, expected in want.items():
            if have[column] != expected:
                raise _refuse(f"column {table}.{column} is {_describe(have[column])}; "
                              f"Geostory's is {_describe(expected)}", name)
        if _foreign_keys(conn, table) != shape.foreign_keys[table]:
            raise _refuse(f"the foreign keys of table {table!r} are not Geostory's", name)


def _describe(column: Column) -> str:
    parts = [shown_value(column.declared, 30) if column.declared else "declared without a type"]
    parts.append("NOT NULL" if column.not_null else "nullable")
    if column.pk:
        parts.append("in the primary key")
    if column.hidden:
        parts.append("generated")
    return ", ".join(parts)


def read_version(conn: sqlite3.Connection, name: str) -> int:
    """The schema version in ``meta``, parsed strictly and known to this code."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    try:
        version = parse_schema_version(None if row is None else row[0])
    except StoreError as err:
        raise InputError(str(err), source=name) from err
    if version not in KNOWN_VERSIONS:
        known = ", ".join(map(str, KNOWN_VERSIONS))
        raise InputError(f"schema version {version}; this Geostory knows {known}", source=name)
    return version


def check_store(conn: sqlite3.Connection, name: str) -> tuple[int, dict[str, int]]:
    """The schema version and row counts of a Geostory store; ``InputError`` naming ``name`` if not one.

    Checks the file's pages (``integrity_check``), that every object is one Geostory creates, the
    schema version, the columns of that version and the foreign keys. The rows' contents are
    checked by restore (``geo.rowcheck``), on the copy it builds.
    """
    try:
        integrity = "; ".join(str(r[0]) for r in conn.execute("PRAGMA integrity_check(20)"))
        if integrity != "ok":
            raise InputError(f"the database is damaged (integrity_check: {shown_value(integrity, 200)})",
                             source=name)
        if "meta" not in {n.lower() for n in table_names(conn)}:
            raise InputError("not a Geostory store: it has no meta table", source=name)
        check_objects(conn, name)
        version = _checked_meta_version(conn, name)
        check_columns(conn, version, name)
        check_clauses(conn, name)
        if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
            raise InputError("the database has rows whose parent row is missing", source=name)
        return version, count_rows(conn)
    except sqlite3.DatabaseError as err:  # "file is not a database", "database disk image is malformed"
        raise InputError(f"not a usable SQLite database: {err}", source=name) from err


def _checked_meta_version(conn: sqlite3.Connection, name: str) -> int:
    meta_columns = _columns(conn, "meta")
    if meta_columns != reference_shape(SCHEMA_VERSION).columns["meta"]:
        raise _refuse("table 'meta' is not Geostory's", name)
    return read_version(conn, name)


def inspect_file(path: Path) -> StoreFile:
    """Check a backup (or any store file) without changing it."""
    name = str(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except FileNotFoundError as err:
        raise InputError("no such file", source=name) from err
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror or err}", source=name) from err
    if head != SQLITE_MAGIC:
        raise InputError("not a SQLite database (no SQLite header)", source=name)
    if Path(f"{path}-wal").exists():
        # Committed data may sit in that log, which a read-only check cannot see.
        raise InputError("a write-ahead log lies beside it: this is a live store, not a backup; "
                         "make a backup of it with `python -m geo backup`", source=name)
    conn = connect(path, read_only=True)
    try:
        version, counts = check_store(conn, name)
    finally:
        conn.close()
    return StoreFile(path, version, counts, size)
