"""Child process: the CLI ingest, frozen just before its Nth commit so the parent can kill it there.

Usage: ``python -m tests.reliability.paused_ingest N ARGS...`` where ARGS are
those of ``python -m geo`` (e.g. ``ingest folder --db URL``). SQLAlchemy's
``commit`` event runs after a transaction's statements and before the COMMIT
reaches SQLite, so at the pause the Nth write transaction is fully written but
not committed: the worst moment for a crash. The child prints ``PAUSED`` and
sleeps; if nobody kills it, it gives up after a bounded time.
"""

from __future__ import annotations

import sys
import time

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from geo.cli import main

PAUSE_SECONDS = 120.0  # the parent kills well before; this only bounds a forgotten child


def install_pause(at_commit: int) -> None:
    seen = 0

    def on_commit(_conn: Connection) -> None:
        nonlocal seen
        seen += 1
        if seen == at_commit:
            sys.stdout.write("PAUSED\n")
            sys.stdout.flush()
            time.sleep(PAUSE_SECONDS)

    sa.event.listen(Engine, "commit", on_commit)


if __name__ == "__main__":
    install_pause(int(sys.argv[1]))
    sys.exit(main(sys.argv[2:]))
