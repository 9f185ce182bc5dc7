"""Opening a SQLite store that sits on a read-only disk (a read-only mount, a published snapshot).

A store in WAL mode needs its ``-shm`` file to be read; on a read-only mount nobody can
create it, so an ordinary open fails with "unable to open database file" before any row is
read. Such a store is opened for reading only: with ``mode=ro`` when the ``-wal`` and
``-shm`` files are there (a writer elsewhere keeps them, and we must see its commits), else
as ``immutable=1`` (nothing on that disk can change, so SQLite may skip locking).
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.engine import Engine

logger = logging.getLogger(__name__)


def sqlite_file(url: sa.engine.URL) -> Path | None:
    """The file behind a SQLite URL (None for other databases, memory and URI filenames)."""
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def on_read_only_disk(path: Path) -> bool:
    """Whether an existing store file cannot be written where it lies.

    ``os.access`` answers for the file system too (EROFS), so this holds for root on a
    read-only mount, where permission bits alone would not stop a write.
    """
    if not path.is_file():
        return False
    return not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def _uri(path: Path, flags: str) -> str:
    return f"file:{quote(str(path.resolve()))}?{flags}"


def _opens(uri: str) -> bool:
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error:
        return False
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def read_only_engine(path: Path) -> Engine:
    """An engine that reads ``path`` and can never write it."""
    uri = _uri(path, "mode=ro")
    if not _opens(uri):
        uri = _uri(path, "immutable=1")
        logger.info("store %s is on a read-only disk without its WAL index; reading it as immutable", path)

    def creator() -> sqlite3.Connection:
        conn = sqlite3.connect(uri, uri=True, timeout=30, check_same_thread=False)
        conn.execute("PRAGMA query_only=1")  # a second guard: no statement may write
        conn.isolation_level = None  # transactions are begun by geo.store, as for a writable store
        return conn

    return sa.create_engine("sqlite://", creator=creator)
