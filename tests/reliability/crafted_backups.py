"""Crafted backups (issue 10, items 2, 6, 7 and 10): a good backup changed the ways a red team did.

Each case is a name, the SQL that changes a copy of a good backup (made by ``geo backup`` from a
store of hand-made articles, with at least one correction), and a word the refusal must contain.
Only sqlite3 is used, so the same cases run against older code too (docs/reliability.md gives
what the code before issue 10 did with each).
"""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

FIRST_EVENT = "(SELECT min(rowid) FROM events)"
REOPEN = "-- reopen\n"  # a schema edited in place is read again by the next connection
FIRST_ARTICLE = "(SELECT min(rowid) FROM articles)"


def _schema_edit(table: str, old: str, new: str) -> str:
    """Change a table's CREATE statement in place, leaving its rows as they are (a forged file)."""
    return (f"PRAGMA writable_schema=ON; UPDATE sqlite_master SET sql = replace(sql, '{old}', '{new}') "
            f"WHERE name = '{table}'; PRAGMA writable_schema=OFF;")


def _rebuild_actors(constraints: str, *, twice: bool = False) -> str:
    """The actors table made again with other constraints (``twice``: its first row twice)."""
    again = "INSERT INTO actors SELECT * FROM actors_old LIMIT 1; " if twice else ""
    return ("PRAGMA foreign_keys=OFF; PRAGMA legacy_alter_table=ON; ALTER TABLE actors RENAME TO actors_old; "
            "CREATE TABLE actors (name TEXT NOT NULL, kind VARCHAR(32) NOT NULL, aliases TEXT NOT NULL"
            f"{', ' + constraints if constraints else ''}); INSERT INTO actors SELECT * FROM actors_old; "
            f"{again}DROP TABLE actors_old;")


def _event(assignment: str) -> str:
    return f"UPDATE events SET {assignment} WHERE rowid = {FIRST_EVENT};"


def _candidate(json_object: str) -> str:
    return _event(f"candidates = '[{json_object}]'")


_CANDIDATE = '"name": "Ville", "lat": 1.5, "lon": 2.5, "feature": "city"'


@dataclass(frozen=True)
class Crafted:
    name: str
    item: int  # the issue-10 item it belongs to
    sql: str
    word: str  # the refusal names this


CASES: tuple[Crafted, ...] = (
    # Item 2: constraints the backup's own schema declares, and rows that break them.
    Crafted("check-violated", 2, _schema_edit("articles", "PRIMARY KEY (article_id)",
                                              "PRIMARY KEY (article_id), CHECK (length(title) < 5)"),
            "defined with 'CHECK'"),
    Crafted("check-kept", 2, _schema_edit("articles", "PRIMARY KEY (article_id)",
                                          "PRIMARY KEY (article_id), CHECK (length(title) > 0)"), "CHECK"),
    Crafted("null-in-not-null", 2, "PRAGMA writable_schema=ON; UPDATE sqlite_master SET sql = "
            "replace(sql, 'title TEXT NOT NULL', 'title TEXT') WHERE name = 'articles'; "
            f"PRAGMA writable_schema=OFF; {REOPEN} "
            f"UPDATE articles SET title = NULL WHERE rowid = {FIRST_ARTICLE};"
            f"{REOPEN}" + _schema_edit("articles", "title TEXT,", "title TEXT NOT NULL,"), "damaged"),
    Crafted("duplicate-keys", 2, _rebuild_actors("", twice=True), "primary key"),
    Crafted("orphan-event", 2, "PRAGMA foreign_keys=OFF; DELETE FROM articles WHERE rowid = "
            "(SELECT a.rowid FROM articles a JOIN events e USING (article_id) LIMIT 1);", "parent row"),
    # Item 6: objects that are not Geostory's.
    Crafted("trigger-after-insert-delete", 6, "CREATE TRIGGER eat AFTER INSERT ON events "
            "BEGIN DELETE FROM events WHERE event_id = new.event_id; END;", "trigger"),
    Crafted("trigger-before-insert-abort", 6, "CREATE TRIGGER no BEFORE INSERT ON articles "
            "BEGIN SELECT RAISE(ABORT, 'UNIQUE constraint failed: articles.article_id'); END;", "trigger"),
    Crafted("trigger-on-update", 6, "CREATE TRIGGER moved AFTER UPDATE ON events "
            "BEGIN UPDATE events SET lat = 0 WHERE event_id = new.event_id; END;", "trigger"),
    Crafted("trigger-on-delete", 6, "CREATE TRIGGER keep BEFORE DELETE ON articles "
            "BEGIN SELECT RAISE(IGNORE); END;", "trigger"),
    Crafted("trigger-instead-of-view", 6, "CREATE VIEW recent AS SELECT * FROM events; "
            "CREATE TRIGGER via INSTEAD OF INSERT ON recent BEGIN DELETE FROM articles; END;", "view"),
    Crafted("view", 6, "CREATE VIEW everything AS SELECT * FROM articles;", "view"),
    Crafted("extra-table", 6, "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('not ours');",
            "notes"),
    Crafted("virtual-table", 6, "CREATE VIRTUAL TABLE search USING fts5(body);", "search"),
    Crafted("extra-index", 6, "CREATE INDEX ix_evil ON events (quote);", "ix_evil"),
    Crafted("index-redefined", 6, "DROP INDEX ix_events_date; CREATE INDEX ix_events_date ON events (date) "
            "WHERE lat > 0;", "ix_events_date"),
    Crafted("index-table-forged", 6, "PRAGMA writable_schema=ON; UPDATE sqlite_master "
            "SET tbl_name = 'articles' WHERE name = 'ix_events_date'; PRAGMA writable_schema=OFF;",
            "malformed"),
    Crafted("unique-constraint", 6, _rebuild_actors("PRIMARY KEY (name), UNIQUE (name, kind)"), "UNIQUE"),
    Crafted("column-missing", 6, "ALTER TABLE events DROP COLUMN quote;", "lacks column"),
    Crafted("column-extra", 6, "ALTER TABLE events ADD COLUMN payload TEXT;", "has column(s) 'payload'"),
    Crafted("column-generated", 6, "ALTER TABLE events ADD COLUMN twice AS (lat * 2);",
            "has column(s) 'twice'"),
    Crafted("wrong-affinity", 6, "PRAGMA legacy_alter_table=ON; ALTER TABLE overrides RENAME TO old; "
            'CREATE TABLE overrides ("key" TEXT NOT NULL, lat TEXT NOT NULL, lon DOUBLE NOT NULL, '
            "precision VARCHAR(16) NOT NULL, geonameid BIGINT, country_code VARCHAR(8) NOT NULL, "
            "resolved_name TEXT NOT NULL, note TEXT NOT NULL, created_at DATETIME NOT NULL, "
            'PRIMARY KEY ("key")); INSERT INTO overrides SELECT * FROM old; DROP TABLE old;',
            "overrides.lat"),
    Crafted("wrong-affinity-forged", 6, _schema_edit("events", "lat DOUBLE,", "lat TEXT,"),
            "damaged"),
    Crafted("collate", 6, _schema_edit("articles", "title TEXT NOT NULL",
                                       "title TEXT NOT NULL COLLATE NOCASE"), "COLLATE"),
    Crafted("meta-blob", 7, "INSERT INTO meta VALUES ('plugin', X'00');", "meta row 'plugin'"),
    # Item 7: row contents.
    Crafted("json-malformed", 7, _event("actors = '[\"Alpha\", '"), "actors"),
    Crafted("json-not-a-list", 7, _event("actors = '{\"name\": \"Alpha\"}'"), "actors"),
    Crafted("json-numbers", 7, _event("nationalities = '[1, 2]'"), "nationalities"),
    Crafted("json-nul", 7, _event("actors = '[\"Alpha\"]' || char(0) || 'x'"), "actors"),
    Crafted("json-lone-surrogate", 7, _event("actors = '[\"\\ud800\"]'"), "surrogate"),
    Crafted("candidate-missing-lat", 7, _candidate('{"name": "Ville", "lon": 2.5, "feature": "city"}'),
            "candidates"),
    Crafted("candidate-text-lat", 7,
            _candidate('{"name": "Ville", "lat": "abc", "lon": 2.5, "feature": "city"}'), "candidates"),
    Crafted("candidate-unknown-key", 7, _candidate("{" + _CANDIDATE + ', "evil": 1}'), "candidates"),
    Crafted("candidate-repeated-key", 7, _candidate("{" + _CANDIDATE + ', "lat": "abc"}'), "candidates"),
    Crafted("aliases-malformed", 7, "UPDATE actors SET aliases = 'P0' WHERE rowid = 1;", "aliases"),
    Crafted("lat-abc", 7, _event("lat = 'abc'"), "lat 'abc'"),
    Crafted("lat-out-of-range", 7, _event("lat = 123.5"), "lat 123.5"),
    Crafted("lon-infinite", 7, _event("lon = 1e999"), "lon inf"),
    Crafted("override-lat-abc", 7, "UPDATE overrides SET lat = 'abc';", "overrides row"),
    Crafted("date-feb-31", 7, _event("date = '2021-02-31'"), "2021-02-31"),
    Crafted("date-not-iso", 7, _event("date = '2021-8-1'"), "2021-8-1"),
    Crafted("date-year-0", 7, _event("date = '0000-01-01'"), "0000-01-01"),
    Crafted("published-soon", 7, f"UPDATE articles SET published = 'soon' WHERE rowid = {FIRST_ARTICLE};",
            "published 'soon'"),
    Crafted("ingested-at-bad", 7, f"UPDATE articles SET ingested_at = '2021-13-01 00:00:00' "
            f"WHERE rowid = {FIRST_ARTICLE};", "ingested_at"),
    Crafted("created-at-bad", 7, "UPDATE overrides SET created_at = 'yesterday';", "created_at"),
    Crafted("date-precision-unknown", 7, _event("date_precision = 'millennium'"), "millennium"),
    Crafted("place-precision-unknown", 7, _event("place_precision = 'galaxy'"), "galaxy"),
    Crafted("override-precision-unknown", 7, "UPDATE overrides SET precision = 'street';", "street"),
    Crafted("actor-kind-unknown", 7, "UPDATE actors SET kind = 'alien' WHERE rowid = 1;", "alien"),
    Crafted("geonameid-text", 7, _event("geonameid = 'abc'"), "geonameid"),
    Crafted("offset-text", 7, _event("sentence_start = 'x'"), "sentence_start"),
    Crafted("confidence-above-1", 7, _event("confidence = 7"), "confidence"),
    Crafted("locative-2", 7, _event("locative = 2"), "locative"),
    Crafted("event-id-empty", 7, "PRAGMA foreign_keys=OFF; UPDATE event_actors SET event_id = '' "
            f"WHERE event_id = (SELECT event_id FROM events WHERE rowid = {FIRST_EVENT}); "
            + _event("event_id = ''"),
            "event_id ''"),
    Crafted("event-id-too-long", 7, "PRAGMA foreign_keys=OFF; UPDATE event_actors SET event_id = "
            f"'{'e' * 65}' WHERE event_id = (SELECT event_id FROM events WHERE rowid = {FIRST_EVENT}); "
            + _event(f"event_id = '{'e' * 65}'"), "event_id"),
    Crafted("title-not-utf8", 7, f"UPDATE articles SET title = CAST(X'41C328' AS TEXT) WHERE rowid = "
            f"{FIRST_ARTICLE};", "UTF-8"),
    Crafted("title-blob", 7, f"UPDATE articles SET title = X'6869' WHERE rowid = {FIRST_ARTICLE};", "title"),
    Crafted("actor-link-orphan", 7,
            "DELETE FROM actors WHERE name = (SELECT actor FROM event_actors LIMIT 1);", "actors"),
    # Item 10: the schema version.
    *(Crafted(f"version-{label}", 10, f"UPDATE meta SET value = {value} WHERE key = 'schema_version';",
              "schema version")
      for label, value in (("x", "'x'"), ("superscript-2", "'²'"), ("5000-digits", f"'{'9' * 5000}'"),
                           ("empty", "''"), ("negative", "'-1'"), ("blob", "X'32'"), ("real", "2.0"),
                           ("spaces", "' 2'"), ("99", "'99'"), ("0", "'0'"))),
    Crafted("version-missing", 10, "DELETE FROM meta;", "schema version"),
)


def craft(good: Path, case: Crafted, folder: Path) -> Path:
    """A copy of ``good`` changed by ``case`` (a file with no journal or log beside it)."""
    path = folder / f"{case.name}.sqlite"
    shutil.copyfile(good, path)
    for script in case.sql.split(REOPEN):
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.executescript(script)
        finally:
            conn.close()
    return path
