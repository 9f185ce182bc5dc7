"""The contents of a store's rows, checked before a restore trusts them.

An import checks every value of an export (``geo.backup.frame_events``); a backup is checked the
same way, row by row, so that nothing the pages or the exports read can fail on a stored value:
ids of 1-64 characters, text that is valid UTF-8, coordinates that are numbers in range,
precisions from the allowed sets, calendar dates (SQLite's ``date()`` would take 2021-02-31),
JSON columns that parse to the shapes ``geo.schema.row_event`` builds, booleans, and every row
with its parent (article, event, actor).

Most rules are SQL, so a table is read once however large it is (a million events in 12-24 s:
bench/restore.py). JSON and UTF-8 are checked by Python functions that the scan calls, so JSON is
read by ``json.loads`` itself, as the store's reader reads it; the same JSON value is parsed once.
Dates are checked in Python too, once per distinct value.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from dataclasses import MISSING, dataclass, fields
from datetime import date, datetime
from functools import lru_cache
from typing import Any, get_args

from geo.curation import KINDS as CURATION_KINDS
from geo.errors import InputError
from geo.metadata import MAX_STORY_CHARS
from geo.models import DATE_PRECISIONS, MODALITIES, PLACE_PRECISIONS, ROLES, ActorKind, Candidate
from geo.schema import shown_value

ID_LENGTH = 64  # the schema's String(64) ids; an import refuses longer ones too
CONFIDENCE_RANGE = (0.0, 1.0)
UTF8 = "geostory_utf8"  # the SQL functions ``prepare`` registers: is this blob valid UTF-8?
JSON = "geostory_json"  # ...and does it parse to the JSON shape named?
JSON_SHAPES = {"strings": "a JSON list of strings", "candidates": "a JSON list of place candidates",
               "roles": "a JSON list of [actor, role] pairs"}
CANDIDATE_FIELDS = {f.name: f for f in fields(Candidate)}
REQUIRED_FIELDS = frozenset(name for name, f in CANDIDATE_FIELDS.items() if f.default is MISSING)


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


def coordinate(column: str, low: float, high: float) -> Rule:
    """A latitude or longitude; both empty (with no place precision) for a place-less event."""
    c = _q(column)
    return Rule(column, f"a number from {low:g} to {high:g}, or empty with lat, lon and place_precision",
                f"NOT ((typeof({c}) IN ('real', 'integer') AND {c} BETWEEN {low} AND {high} "
                "AND lat IS NOT NULL AND lon IS NOT NULL AND place_precision != '') "
                "OR (lat IS NULL AND lon IS NULL AND place_precision = ''))")


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


def json_list(column: str, shape: str) -> Rule:
    """A JSON column, parsed by Python's own ``json.loads`` as the store's reader parses it."""
    c = _q(column)
    return Rule(column, JSON_SHAPES[shape],
                f"typeof({c}) != 'text' OR NOT {JSON}('{shape}', CAST({c} AS BLOB))")


def parent(column: str, table: str, key: str, child: str) -> Rule:
    return Rule(column, f"the {key} of a row of {table}",
                f"NOT EXISTS (SELECT 1 FROM {_q(table)} AS p WHERE p.{_q(key)} = {_q(child)}.{_q(column)})")


def _kinds() -> tuple[str, ...]:
    return tuple(get_args(ActorKind))


# Each table's rules, in the order of its columns; tests/test_rowcheck.py checks that every column
# of geo.schema has one. Parents come before children, as in the copy.
RULES: dict[str, tuple[Rule, ...]] = {
    "meta": (text("key", 64), text("value")),  # beside the version, bench/synth.py keeps its parameters
    "articles": (
        ident("article_id"), text("title"), calendar("published", nullable=True), text("source"), text("url"),
        text("origin"), text("text"), calendar("ingested_at"), text("story", MAX_STORY_CHARS),
    ),
    "events": (
        ident("event_id"), ident("article_id"), parent("article_id", "articles", "article_id", "events"),
        calendar("date"), one_of("date_precision", DATE_PRECISIONS), text("place_name"), text("place_key"),
        coordinate("lat", -90, 90), coordinate("lon", -180, 180),
        one_of("place_precision", (*PLACE_PRECISIONS, "")),
        integer("geonameid", nullable=True), text("country_code", 8), json_list("actors", "strings"),
        text("quote"), integer("sentence_start"), integer("sentence_end"),
        number("confidence", *CONFIDENCE_RANGE), text("source"), text("url"), integer("place_start"),
        integer("place_end"), text("resolved_name"), text("date_text"), json_list("nationalities", "strings"),
        json_list("candidates", "candidates"), boolean("locative"), json_list("mentioned_actors", "strings"),
        json_list("actor_roles", "roles"), text("predicate"), text("event_type", 32),
        one_of("modality", MODALITIES), boolean("background"), calendar("date_end", nullable=True),
    ),
    "actors": (text("name"), one_of("kind", _kinds()), json_list("aliases", "strings")),
    "event_actors": (
        ident("event_id"), parent("event_id", "events", "event_id", "event_actors"), text("actor"),
        parent("actor", "actors", "name", "event_actors"),
    ),
    "overrides": (
        text("key"), number("lat", -90, 90), number("lon", -180, 180), one_of("precision", PLACE_PRECISIONS),
        integer("geonameid", nullable=True), text("country_code", 8), text("resolved_name"), text("note"),
        calendar("created_at"),
    ),
    "curations": (
        ident("curation_id"), integer("seq"), one_of("kind", CURATION_KINDS), text("article_id"),
        text("event_id"), text("subject"), text("value"), text("label"), text("editor"),
        calendar("created_at"),
    ),
}
KEYS: dict[str, str] = {"meta": "key", "articles": "article_id", "events": "event_id", "actors": "name",
                        "event_actors": "event_id", "overrides": "key", "curations": "curation_id"}
# (table, column, kind): the values ``check_dates`` reads as the store's reader does.
DATES: tuple[tuple[str, str, str], ...] = (
    ("articles", "published", "date"), ("articles", "ingested_at", "datetime"), ("events", "date", "date"),
    ("events", "date_end", "date"),
    ("overrides", "created_at", "datetime"), ("curations", "created_at", "datetime"),
)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# What SQLAlchemy writes (microseconds) and what sqlite3's adapter writes (with the UTC offset).
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}"
                       r"(\.[0-9]{1,6})?([+-][0-9]{2}:[0-9]{2})?")


def _one_of_each(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):  # json.loads would keep the last of two equal keys, unseen
        raise ValueError("a key appears twice")
    return found


def _number(value: object, low: float = -math.inf, high: float = math.inf) -> bool:
    # bool is an int to Python, but true is no latitude.
    return type(value) in (int, float) and math.isfinite(value) and low <= value <= high  # type: ignore[arg-type]


def _candidate_ok(item: object) -> bool:
    """What ``Candidate(**item)`` takes, with values the card and the review page can print."""
    if not isinstance(item, dict) or not REQUIRED_FIELDS <= item.keys() <= CANDIDATE_FIELDS.keys():
        return False
    texts = ("name", "feature", "country_code", "admin1_code")
    return (all(isinstance(item.get(k, ""), str) for k in texts)
            and _number(item["lat"], -90, 90) and _number(item["lon"], -180, 180)
            and type(item.get("population", 0)) is int
            and (item.get("geonameid") is None or type(item["geonameid"]) is int)
            and _number(item.get("score", 0.0)))


def _encodable(value: object) -> bool:
    """No lone surrogate ("\\ud800"): json.loads takes one, but no page or export could write it."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, list):
        return all(_encodable(v) for v in value)
    if isinstance(value, dict):
        return all(_encodable(k) and _encodable(v) for k, v in value.items())
    return True


# A JSON escape of a UTF-16 surrogate: only text holding one can decode to a lone surrogate.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")


CACHED_JSON = 4096  # bytes: longer values are checked each time, so the cache stays small


def json_ok(shape: str, raw: bytes | None) -> int:
    """The SQL function ``JSON``: 1 if ``raw`` is UTF-8 JSON of ``shape`` (see ``JSON_SHAPES``)."""
    if raw is None:
        return 0
    return _json_ok_cached(shape, raw) if len(raw) <= CACHED_JSON else _json_ok(shape, raw)


@lru_cache(maxsize=1 << 14)  # the same actors and candidates recur across events: each parsed once
def _json_ok_cached(shape: str, raw: bytes) -> int:
    return _json_ok(shape, raw)


def _json_ok(shape: str, raw: bytes) -> int:
    try:
        value = json.loads(raw.decode("utf-8"), object_pairs_hook=_one_of_each)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return 0
    if not isinstance(value, list):
        return 0
    if shape == "strings":
        ok = all(isinstance(v, str) for v in value)
    elif shape == "roles":
        ok = all(isinstance(v, list) and len(v) == 2 and isinstance(v[0], str) and v[1] in ROLES
                 for v in value)
    else:
        ok = all(_candidate_ok(v) for v in value)
    return int(ok and (_SURROGATE_ESCAPE.search(raw) is None or _encodable(value)))


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
    conn.create_function(JSON, 2, json_ok, deterministic=True)
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


def check_rows(conn: sqlite3.Connection, name: str) -> None:
    """Every row of every Geostory table, parents first. ``prepare(conn)`` must have run."""
    try:
        for table in RULES:
            check_table(conn, table, name)
        check_dates(conn, name)
    finally:
        _json_ok_cached.cache_clear()  # up to 64 MB of one backup's JSON: not kept for the next
