"""The row rules restore applies (issue 10, item 7); the crafted backups are in tests/test_restore.py."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.schema import CreateTable

from geo.errors import InputError
from geo.models import Candidate
from geo.rowcheck import KEYS, RULES, check_rows, json_ok, prepare
from geo.schema import metadata
from geo.storecheck import TABLES


def test_every_column_of_the_schema_has_a_rule() -> None:
    """A column added to geo.schema without a rule here would be restored unchecked."""
    assert set(RULES) == set(TABLES) == set(KEYS)
    for table in metadata.sorted_tables:
        ruled = {r.column for r in RULES[table.name]}
        assert ruled == {c.name for c in table.columns}, table.name
        assert KEYS[table.name] in ruled


def _check(shape: str, value: object) -> int:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return json_ok(shape, raw)


def test_json_shapes_as_the_reader_builds_them() -> None:
    full = asdict(Candidate("Ville", 1.5, -2.5, "city", "AA", "01", 1000, 7, 0.25))
    assert _check("candidates", [full, {"name": "B", "lat": 0, "lon": 0, "feature": "country"}])
    assert _check("strings", []) and _check("strings", ["Alpha", "Beta Group", "é", "\U0001f600"])
    for bad in ([{**full, "lat": True}], [{**full, "population": 1.5}], [{**full, "geonameid": "7"}],
                [{**full, "score": None}], [{**full, "lon": 180.5}], [full, "x"], {"0": full}):
        assert not _check("candidates", bad), bad
    for raw in (b'[{"name": "B", "lat": NaN, "lon": 0, "feature": "city"}]', b'[1e999]', b"\xff\xfe[]"):
        assert not _check("candidates", raw)
    for bad in ([1], [["a"]], [None], "a", {"a": "b"}):
        assert not _check("strings", bad), bad
    assert not _check("strings", b'["\\udfff"]') and _check("strings", b'["\\ud83d\\ude00"]')


def _store_with(value: str) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    for table in metadata.sorted_tables:
        conn.execute(str(CreateTable(table).compile(dialect=sqlite_dialect.dialect())))
    conn.execute("INSERT INTO meta VALUES ('schema_version', '2')")
    conn.execute("INSERT INTO articles VALUES ('a1', 't', '2021-08-01', 's', 'u', 'o', 'text', ?, '')",
                 (value,))
    prepare(conn)
    return conn


@pytest.mark.parametrize("stamp", [
    str(datetime(2021, 8, 1, 10, 0, 0, 123456)),  # SQLAlchemy's form
    datetime(2021, 8, 1, 10, 0, 0, 123456, tzinfo=UTC).isoformat(" "),  # sqlite3's adapter (bench/synth.py)
    "2021-08-01 10:00:00",
])
def test_the_stamps_our_writers_make_pass(stamp: str) -> None:
    check_rows(_store_with(stamp), "test")


@pytest.mark.parametrize("stamp", ["2021-08-01T10:00:00", "2021-08-01 24:00:00", "2021-02-29 10:00:00",
                                   "2021-08-01 10:00:00+25:00", str(date(2021, 8, 1)), "1628000000"])
def test_other_stamps_are_refused(stamp: str) -> None:
    with pytest.raises(InputError, match="ingested_at"):
        check_rows(_store_with(stamp), "test")
