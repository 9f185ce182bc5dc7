"""The contents of a store's rows, checked before a restore trusts them.

An import checks every value of an export (``geo.backup.frame_events``); a backup is checked the
same way, row by row, so that nothing the pages or the exports read can fail on a stored value:
ids of 1-64 characters, text that is valid UTF-8, coordinates that are numbers in range,
precisions from the allowed sets, calendar dates (SQLite's ``date()`` would take 2021-02-31),
JSON columns that parse to the shapes ``geo.schema.row_event`` builds, booleans, and every row
with its parent (article, event, actor).

Most rules are SQL, so a table is read once however large it is (a million events take seconds,
not minutes: bench/restore.py). Dates and JSON strings are checked in Python, on the few values
that need it: distinct dates, and JSON holding escapes that may be lone surrogates.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import get_args

from geo.errors import InputError
from geo.models import DATE_PRECISIONS, PLACE_PRECISIONS, ActorKind, Candidate
from geo.schema import shown_value

ID_LENGTH = 64  # the schema's String(64) ids; an import refuses longer ones too
CONFIDENCE_RANGE = (0.0, 1.0)
FINITE = 1e300  # a JSON number above this is infinite or close to it, never a score
UTF8 = "geostory_utf8"  # the SQL function restore registers: is this blob valid UTF-8?


@dataclass(frozen=True)
class Rule:
    """One column's rule: ``bad`` is SQL that is true, or NULL, for a row that breaks it."""

    column: str
    expected: str  # what the value must be, for the message
    bad: str
    utf8: bool = False  # a text column: its bytes are checked as UTF-8 too


def _q(name: str) -> str:
    return '"' + name + '"'


def _lit(values: tuple[str, ...]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def text(column: str, max_length: int | None = None) -> Rule:
    c = _q(column)
    bound = f" AND length({c}) <= {max_length}" if max_length else ""
    what = f"text of at most {max_length} characters" if max_length else "text"
    return Rule(column, what, f"NOT (typeof({c}) = 'text'{bound})", utf8=True)


def ident(column: str) -> Rule:
    c = _q(column)
    return Rule(column, f"an id of 1 to {ID_LENGTH} characters",
                f"NOT (typeof({c}) = 'text' AND length({c}) BETWEEN 1 AND {ID_LENGTH})", utf8=True)


def one_of(column: str, values: tuple[str, ...]) -> Rule:
    c = _q(column)
    return Rule(column, f"one of {', '.join(values)}",
                f"NOT (typeof({c}) = 'text' AND {c} IN ({_lit(values)}))")


def number(column: str, low: float, high: float) -> Rule:
    c = _q(column)
    return Rule(column, f"a number from {low:g} to {high:g}",
                f"NOT (typeof({c}) IN ('real', 'integer') AND {c} BETWEEN {low} AND {high})")


def integer(column: str, *, nullable: bool = False) -> Rule:
    c = _q(column)
    null = f"{c} IS NULL OR " if nullable else ""
    return Rule(column, "a whole number" + (" or empty" if nullable else ""),
                f"NOT ({null}typeof({c}) = 'integer')")


def boolean(column: str) -> Rule:
    c = _q(column)
    return Rule(column, "0 or 1", f"NOT (typeof({c}) = 'integer' AND {c} IN (0, 1))")


def calendar(column: str, *, nullable: bool = False) -> Rule:
    """Text here; whether it is a real date is checked in Python (``check_dates``)."""
    c = _q(column)
    null = f"{c} IS NULL OR " if nullable else ""
    return Rule(column, "a date as text" + (" or empty" if nullable else ""),
                f"NOT ({null}typeof({c}) = 'text')")


def _json_guard(c: str) -> str:
    # CASE keeps the order: json_type() on malformed JSON is an error, not a false.
    return (f"typeof({c}) != 'text' OR instr({c}, char(0)) > 0 OR NOT json_valid({c}) "
            f"OR json_type({c}) != 'array'")


def json_texts(column: str) -> Rule:
    c = _q(column)
    return Rule(column, "a JSON list of strings",
                f"CASE WHEN {_json_guard(c)} THEN 1 "
                f"WHEN EXISTS (SELECT 1 FROM json_each({c}) WHERE type != 'text') THEN 1 ELSE 0 END")


def _typed(value: str, key: str, types: tuple[str, ...], default: str | None = None) -> str:
    kind = f"json_type({value}, '$.{key}')"
    if default is not None:
        kind = f"coalesce({kind}, '{default}')"
    return f"coalesce({kind}, '') NOT IN ({_lit(types)})"


def _between(value: str, key: str, low: float, high: float) -> str:
    return f"coalesce(json_extract({value}, '$.{key}') NOT BETWEEN {low} AND {high}, 1)"


CANDIDATE_KEYS: tuple[str, ...] = tuple(f.name for f in fields(Candidate))


def json_candidates(column: str) -> Rule:
    """A JSON list of objects that ``Candidate(**c)`` takes and the card can print."""
    c, v = _q(column), "e.value"
    numeric = ("integer", "real")
    bad_element = " OR ".join((
        _typed(v, "name", ("text",)), _typed(v, "feature", ("text",)),
        _typed(v, "lat", numeric), _between(v, "lat", -90, 90),
        _typed(v, "lon", numeric), _between(v, "lon", -180, 180),
        _typed(v, "country_code", ("text",), "text"), _typed(v, "admin1_code", ("text",), "text"),
        _typed(v, "population", ("integer",), "integer"),
        _typed(v, "geonameid", ("null", "integer"), "null"),
        _typed(v, "score", numeric, "real"), f"abs(coalesce(json_extract({v}, '$.score'), 0)) > {FINITE}",
        f"EXISTS (SELECT 1 FROM json_each({v}) AS k WHERE k.key NOT IN ({_lit(CANDIDATE_KEYS)}))",
        # Python keeps the last of two equal keys, json_type() the first: refuse both.
        f"(SELECT count(*) FROM json_each({v})) != (SELECT count(DISTINCT key) FROM json_each({v}))",
    ))
    return Rule(column, "a JSON list of place candidates",
                f"CASE WHEN {_json_guard(c)} THEN 1 WHEN EXISTS (SELECT 1 FROM json_each({c}) AS e "
                f"WHERE CASE WHEN e.type != 'object' THEN 1 WHEN {bad_element} THEN 1 ELSE 0 END) "
                "THEN 1 ELSE 0 END")


def parent(column: str, table: str, key: str, child: str) -> Rule:
    return Rule(column, f"the {key} of a row of {table}",
                f"NOT EXISTS (SELECT 1 FROM {_q(table)} AS p WHERE p.{_q(key)} = {_q(child)}.{_q(column)})")


def _kinds() -> tuple[str, ...]:
    return tuple(get_args(ActorKind))


# Each table's rules, in the order of its columns; tests/test_rowcheck.py checks that every column
# of geo.schema has one. Parents come before children, as in the copy.
RULES: dict[str, tuple[Rule, ...]] = {
    "articles": (
        ident("article_id"), text("title"), calendar("published", nullable=True), text("source"), text("url"),
        text("origin"), text("text"), calendar("ingested_at"),
    ),
    "events": (
        ident("event_id"), ident("article_id"), parent("article_id", "articles", "article_id", "events"),
        calendar("date"), one_of("date_precision", DATE_PRECISIONS), text("place_name"), text("place_key"),
        number("lat", -90, 90), number("lon", -180, 180), one_of("place_precision", PLACE_PRECISIONS),
        integer("geonameid", nullable=True), text("country_code", 8), json_texts("actors"), text("quote"),
        integer("sentence_start"), integer("sentence_end"), number("confidence", *CONFIDENCE_RANGE),
        text("source"), text("url"), integer("place_start"), integer("place_end"), text("resolved_name"),
        text("date_text"), json_texts("nationalities"), json_candidates("candidates"), boolean("locative"),
    ),
    "actors": (text("name"), one_of("kind", _kinds()), json_texts("aliases")),
    "event_actors": (
        ident("event_id"), parent("event_id", "events", "event_id", "event_actors"), text("actor"),
        parent("actor", "actors", "name", "event_actors"),
    ),
    "overrides": (
        text("key"), number("lat", -90, 90), number("lon", -180, 180), one_of("precision", PLACE_PRECISIONS),
        integer("geonameid", nullable=True), text("country_code", 8), text("resolved_name"), text("note"),
        calendar("created_at"),
    ),
}
KEYS: dict[str, str] = {"articles": "article_id", "events": "event_id", "actors": "name",
                        "event_actors": "event_id", "overrides": "key"}
# (table, column, kind): the values ``check_dates`` reads as the store's reader does.
DATES: tuple[tuple[str, str, str], ...] = (
    ("articles", "published", "date"), ("articles", "ingested_at", "datetime"), ("events", "date", "date"),
    ("overrides", "created_at", "datetime"),
)
JSON_COLUMNS: tuple[tuple[str, str], ...] = (
    ("events", "actors"), ("events", "nationalities"), ("events", "candidates"), ("actors", "aliases"),
)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# What SQLAlchemy writes (microseconds) and what sqlite3's adapter writes (with the UTC offset).
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}"
                       r"(\.[0-9]{1,6})?([+-][0-9]{2}:[0-9]{2})?")


def utf8_ok(value: bytes | None) -> int:
    """The SQL function ``UTF8``: 1 if the bytes decode as UTF-8 (what reading the text needs)."""
    if value is None:
        return 1
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return 0
    return 1


def prepare(conn: sqlite3.Connection) -> None:
    """Register the UTF-8 test and read text leniently, so a message can show a bad value."""
    conn.create_function(UTF8, 1, utf8_ok, deterministic=True)
    conn.text_factory = lambda raw: raw.decode("utf-8", "replace")


def _utf8_bad(rules: tuple[Rule, ...]) -> str:
    joined = " || char(10) || ".join(f"coalesce({_q(r.column)}, '')" for r in rules if r.utf8)
    return f"NOT {UTF8}(CAST({joined} AS BLOB))"


def _row_problem(conn: sqlite3.Connection, table: str, rowid: int) -> str:
    """Which rule the row at ``rowid`` breaks, with its value."""
    for rule in RULES[table]:
        checks = [(rule.bad, rule.expected)]
        if rule.utf8:
            checks.append((f"NOT {UTF8}(CAST({_q(rule.column)} AS BLOB))", "valid UTF-8 text"))
        for bad, expected in checks:
            query = f"SELECT coalesce(({bad}), 1), {_q(rule.column)} FROM {_q(table)} WHERE rowid = ?"
            hit = conn.execute(query, (rowid,)).fetchone()
            if hit[0]:
                return f"{rule.column} {shown_value(hit[1], 40)} is not {expected}"
    return "a value breaks a rule"  # not reached: the row was found by the same rules


def _refuse(table: str, key: object, problem: str, name: str) -> InputError:
    return InputError(f"{table} row {shown_value(key, 40)}: {problem}", source=name)


def check_table(conn: sqlite3.Connection, table: str, name: str) -> None:
    """Refuse the first row of ``table`` that breaks a rule, naming its key, column and value."""
    rules = RULES[table]
    any_bad = " OR ".join([f"coalesce(({r.bad}), 1)" for r in rules] + [_utf8_bad(rules)])
    key = KEYS[table]
    hit = conn.execute(f"SELECT rowid, {_q(key)} FROM {_q(table)} WHERE {any_bad} LIMIT 1").fetchone()
    if hit is not None:
        raise _refuse(table, hit[1], _row_problem(conn, table, hit[0]), name)


def _valid_date(value: str, kind: str) -> bool:
    """As the store's reader parses it (``fromisoformat``), in the one form our code writes."""
    pattern, parse = (_DATE, date.fromisoformat) if kind == "date" else (_DATETIME, datetime.fromisoformat)
    if not pattern.fullmatch(value):
        return False
    try:
        parse(value)
    except ValueError:  # 2021-02-31, 0000-01-01, 25:00:00
        return False
    return True


def check_dates(conn: sqlite3.Connection, name: str) -> None:
    """Every date a real calendar date in the form our code writes (2021-02-31 is refused)."""
    for table, column, kind in DATES:
        c = _q(column)
        for (value,) in conn.execute(f"SELECT DISTINCT {c} FROM {_q(table)} WHERE {c} IS NOT NULL"):
            if not _valid_date(value, kind):
                key = conn.execute(f"SELECT {_q(KEYS[table])} FROM {_q(table)} WHERE {c} = ? LIMIT 1",
                                   (value,)).fetchone()[0]
                raise _refuse(table, key, f"{column} {shown_value(value, 40)} is not a valid {kind}", name)


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)


def check_json_strings(conn: sqlite3.Connection, name: str) -> None:
    """No JSON string with a lone surrogate (``"\\ud800"``): json.loads takes it, but no page or
    export could write it out. Only values holding such an escape are read into Python."""
    for table, column in JSON_COLUMNS:
        c = _q(column)
        query = f"SELECT {_q(KEYS[table])}, {c} FROM {_q(table)} WHERE instr(lower({c}), '\\ud') > 0"
        for key, value in conn.execute(query):
            try:
                for string in _strings(json.loads(value)):
                    string.encode("utf-8")
            except (UnicodeEncodeError, ValueError, RecursionError) as err:
                raise _refuse(table, key, f"{column} {shown_value(value, 40)} holds a lone surrogate "
                              "(not valid Unicode)", name) from err


def check_rows(conn: sqlite3.Connection, name: str) -> None:
    """Every row of every Geostory table, parents first. ``prepare(conn)`` must have run."""
    for table in RULES:
        check_table(conn, table, name)
    check_dates(conn, name)
    check_json_strings(conn, name)
