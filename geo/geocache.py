"""The persistent geocoder cache: online answers kept in one SQLite file.

Split from ``geo.geocode`` because storage is its own concern: the cache keys
a query by service, normalized text and parameters, keeps "no result" answers
too (so a miss is not asked again), and never lets a storage failure stop
resolution -- an unreadable entry means asking again, an unwritable one only
costs a repeated request later.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import time
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path
from typing import Any

from geo.errors import GeocoderError
from geo.models import normalize_text

logger = logging.getLogger(__name__)


class GeocodeCache:
    """Online answers, "no result" included, in one SQLite file that threads and processes share
    (a short-lived connection per operation, WAL, a busy timeout)."""

    def __init__(self, path: Path, *, max_age_seconds: float | None = None) -> None:
        self.path = Path(path)
        self.max_age_seconds = max_age_seconds
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(self._connect()) as db, db:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute(
                    "CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, service TEXT NOT NULL,"
                    " query TEXT NOT NULL, params TEXT NOT NULL, answer TEXT NOT NULL, created REAL NOT NULL)"
                )
        except (OSError, sqlite3.Error) as err:
            raise GeocoderError(f"cannot open the geocoder cache {self.path}: {err}") from err

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10.0)
        db.execute("PRAGMA busy_timeout=10000")
        return db

    @staticmethod
    def key(service: str, query: str, params: Mapping[str, Any]) -> str:
        blob = json.dumps([service, normalize_text(query).casefold(), params], sort_keys=True)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def get(self, key: str) -> list[dict[str, Any]] | None:
        """The stored answer (possibly []), or None when there is none or it is too old."""
        try:
            with closing(self._connect()) as db:
                row = db.execute("SELECT answer, created FROM answers WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as err:
            logger.warning("geocoder cache unreadable (%s): %s", type(err).__name__, err)
            return None
        if row is None or (self.max_age_seconds is not None and time.time() - row[1] > self.max_age_seconds):
            return None
        try:
            answer = json.loads(row[0])
        except ValueError as err:
            logger.warning("geocoder cache entry unreadable, asking again: %s", err)
            return None
        return answer if isinstance(answer, list) else None

    def put(self, key: str, service: str, query: str, params: Mapping[str, Any], answer: list[Any]) -> None:
        try:
            row = (key, service, query, json.dumps(params, sort_keys=True), json.dumps(answer), time.time())
            with closing(self._connect()) as db, db:
                db.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?)", row)
        except (sqlite3.Error, TypeError, ValueError) as err:
            # A cache that cannot be written only costs a repeated request later.
            logger.warning("geocoder cache not written (%s): %s", type(err).__name__, err)
