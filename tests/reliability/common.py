"""Shared by the crash and concurrency tests: generated articles, CLI runs, store inspection.

Articles are the demo story with a unique first sentence each, so every one has
its own article id while the places, dates and actors stay realistic. The store
is inspected with the standard ``sqlite3`` module as well as through ``Store``,
so that a damaged file is seen as damaged and not hidden by our own code.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from geo.config import PROJECT_ROOT
from geo.readers import DEMO_DIR
from geo.store import Store


def demo_texts() -> list[str]:
    paths = sorted(p for p in DEMO_DIR.glob("*.md") if p.stem.lower() != "readme")
    if not paths:
        raise RuntimeError(f"no demo articles in {DEMO_DIR}")
    return [p.read_text(encoding="utf-8") for p in paths]


def article_text(number: int, texts: Sequence[str]) -> str:
    """Demo article ``number % len(texts)`` with a sentence that makes its text unique."""
    source = texts[number % len(texts)]
    marker = f"Reliability run article number {number}."
    if source.startswith("---\n"):
        header, sep, body = source[4:].partition("\n---\n")
        if sep:  # keep the front matter on top, so the published date still counts
            return f"---\n{header}\n---\n\n{marker}\n\n{body.lstrip()}"
    return f"{marker}\n\n{source}"


def write_articles(folder: Path, numbers: Sequence[int]) -> list[Path]:
    """Write the generated articles with these numbers into ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = demo_texts()
    paths = []
    for n in numbers:
        path = folder / f"article-{n:04d}.md"
        path.write_text(article_text(n, texts), encoding="utf-8")
        paths.append(path)
    return paths


def db_url(path: Path) -> str:
    return f"sqlite:///{path}"


def child_env() -> dict[str, str]:
    # Never the network from a test, and no inherited database setting.
    env = dict(os.environ, GEOSTORY_GEOCODER="offline", PYTHONUNBUFFERED="1")
    env.pop("GEOSTORY_DB_URL", None)
    return env


def ingest_command(paths: Sequence[Path], db: Path) -> list[str]:
    return [sys.executable, "-m", "geo", "ingest", *map(str, paths), "--db", db_url(db)]


@dataclass(frozen=True)
class Run:
    returncode: int
    stderr: str
    seconds: float


def run_ingest(paths: Sequence[Path], db: Path, *, timeout: float = 300) -> Run:
    """A complete CLI ingest, as a user runs it."""
    start = time.monotonic()
    done = subprocess.run(ingest_command(paths, db), cwd=PROJECT_ROOT, env=child_env(),
                          capture_output=True, text=True, timeout=timeout, check=False)
    return Run(done.returncode, done.stderr, time.monotonic() - start)


@dataclass
class DbState:
    """What a store file holds, read with plain sqlite3."""

    integrity: str
    foreign_key_violations: int
    events: dict[str, set[str]] = field(default_factory=dict)  # article id -> its event ids
    articles: set[str] = field(default_factory=set)
    orphan_events: int = 0  # events whose article is missing
    empty_articles: int = 0  # articles without a single event
    orphan_links: int = 0  # event_actors rows whose event is missing
    dangling_actors: int = 0  # event_actors rows naming an actor that has no row
    actors: int = 0

    @property
    def event_ids(self) -> set[str]:
        return {e for ids in self.events.values() for e in ids}

    def problems(self) -> list[str]:
        """Everything that makes the store inconsistent on its own terms."""
        found = []
        if self.integrity != "ok":
            found.append(f"integrity_check: {self.integrity}")
        checks = (
            ("foreign key violations", self.foreign_key_violations),
            ("events without their article", self.orphan_events),
            ("articles without events", self.empty_articles),
            ("event_actors rows without their event", self.orphan_links),
            ("event_actors rows naming no actor", self.dangling_actors),
        )
        found += [f"{n} {what}" for what, n in checks if n]
        return found

    def differences(self, reference: DbState) -> list[str]:
        """Articles whose events differ from the reference's (a partly stored article)."""
        found = []
        for article_id in sorted(self.articles):
            want = reference.events.get(article_id)
            have = self.events.get(article_id, set())
            if want is None:
                found.append(f"article {article_id} is not in the reference")
            elif have != want:
                found.append(f"article {article_id}: {len(have)} of {len(want)} events")
        return found


def inspect_db(path: Path) -> DbState:
    """Open the file the way any SQLite client would (recovering its WAL) and check it."""
    conn = sqlite3.connect(path, timeout=30)
    try:
        integrity = "; ".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
        state = DbState(integrity, len(conn.execute("PRAGMA foreign_key_check").fetchall()))
        if integrity != "ok":
            return state
        # One read transaction, so that the figures agree with each other.
        conn.execute("BEGIN")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            # Killed after SQLite made the file but before the schema's one transaction
            # committed: an empty store, which the next open creates the schema in.
            conn.rollback()
            return state
        missing = {"articles", "events", "event_actors", "actors"} - tables
        if missing:
            state.integrity = f"half a schema: {', '.join(sorted(missing))} missing"
            conn.rollback()
            return state
        state.articles = {r[0] for r in conn.execute("SELECT article_id FROM articles")}
        for article_id, event_id in conn.execute("SELECT article_id, event_id FROM events"):
            state.events.setdefault(article_id, set()).add(event_id)
        scalar = lambda sql: int(conn.execute(sql).fetchone()[0])  # noqa: E731
        state.orphan_events = scalar(
            "SELECT count(*) FROM events WHERE article_id NOT IN (SELECT article_id FROM articles)")
        state.empty_articles = scalar(
            "SELECT count(*) FROM articles WHERE article_id NOT IN (SELECT article_id FROM events)")
        state.orphan_links = scalar(
            "SELECT count(*) FROM event_actors WHERE event_id NOT IN (SELECT event_id FROM events)")
        state.dangling_actors = scalar(
            "SELECT count(*) FROM event_actors WHERE actor NOT IN (SELECT name FROM actors)")
        state.actors = scalar("SELECT count(*) FROM actors")
        conn.rollback()
        return state
    finally:
        conn.close()


def store_agrees(path: Path, state: DbState) -> list[str]:
    """The product's own view of the file: it opens, and counts what sqlite3 counted."""
    with Store(db_url(path)) as store:
        counts = store.counts()
        events = store.events()
    found = []
    if counts["articles"] != len(state.articles):
        found.append(f"Store.counts() says {counts['articles']} articles, sqlite3 {len(state.articles)}")
    if counts["events"] != len(state.event_ids):
        found.append(f"Store.counts() says {counts['events']} events, sqlite3 {len(state.event_ids)}")
    if {e.event_id for e in events} != state.event_ids:
        found.append("Store.events() returns other events than the table holds")
    return found


def remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
