"""Engines for the store: SQLite's pragmas and transactions, messages without secrets, read-only disks.

Split from ``geo.store`` so that how a connection is made (and named in errors) is apart
from what is done with it. A SQLite file on a read-only disk gets ``geo.readonly``'s engine.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, OperationalError

from geo.errors import ConfigError, StoreError
from geo.readonly import on_read_only_disk, read_only_engine, sqlite_file
from geo.redact import redact_text, redact_url, url_secrets

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 30_000


def is_locked(err: OperationalError) -> bool:
    text = str(err.orig).lower()
    return "locked" in text or "busy" in text


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # busy_timeout first, so that switching to WAL waits for a concurrent opener.
    pragmas = (f"busy_timeout={BUSY_TIMEOUT_MS}", "journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL")
    for pragma in pragmas:
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()
    # The sqlite3 module would start no transaction for a SELECT, so a read of
    # several statements could straddle another process's commit. We issue
    # BEGIN ourselves (see _sqlite_begin): every read is one snapshot.
    dbapi_connection.isolation_level = None


def _sqlite_begin(conn: Connection) -> None:
    # A writer takes the write lock up front: upgrading a read transaction
    # later could fail at once instead of waiting out the busy timeout.
    write = conn.get_execution_options().get("geostory_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_engine(url: str) -> Engine:
    # Messages name the URL without its password, and mask it in the library's words too
    # (a port that is not a number may be half of a password with an unencoded '/').
    secrets = url_secrets(url)
    shown = redact_url(url)
    try:
        parsed = sa.engine.make_url(url)
        file = parsed.database or ""
        local = file not in ("", ":memory:") and not file.startswith("file:")
        if parsed.get_backend_name() == "sqlite" and local:
            Path(file).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(parsed)
    except (ArgumentError, ValueError) as err:  # malformed URL, bad port, unknown dialect
        raise ConfigError(f"database URL {shown!r} is not usable: {redact_text(str(err), secrets)}") from err
    except (ImportError, OSError) as err:  # a driver that is not installed; a folder that cannot be made
        raise StoreError(f"cannot open the database {shown!r}: {redact_text(str(err), secrets)}") from err
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
    return engine


def open_engine(url: str) -> tuple[Engine, bool]:
    """The engine for ``url``, and whether it can only read (a SQLite file on a read-only disk)."""
    engine = make_engine(url)
    file = sqlite_file(engine.url)
    if file is None or not on_read_only_disk(file):
        return engine, False
    engine.dispose()
    engine = read_only_engine(file)
    sa.event.listen(engine, "begin", _sqlite_begin)
    logger.warning("the store %s is on a read-only disk: it is opened for reading only", file)
    return engine, True
