"""Readers for the concurrency test: threads (and child processes) that query the store in a loop.

Each reader checks what it sees against what a clean ingest stored: an article
is either absent or present with all its events, no event comes twice, and the
counts never go down (writers only add). Every exception is recorded, never
raised, so the test can count them; it expects none.

As a child process: ``python -m tests.reliability.readers --db URL --expected
FILE --threads N --stop FILE --max-seconds S --out FILE --seed N``.
"""

from __future__ import annotations

import argparse
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from geo.models import Event
from geo.store import Store

MAX_KEPT = 20  # messages kept per kind; the counts stay exact


@dataclass
class ReaderStats:
    reads: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    inconsistencies: int = 0
    messages: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def note(self, kind: str, message: str) -> None:
        if kind == "error":
            self.errors += 1
        else:
            self.inconsistencies += 1
        if len(self.messages) < MAX_KEPT:
            self.messages.append(f"{kind}: {message}")

    def merge(self, other: ReaderStats) -> None:
        self.reads.update(other.reads)
        self.errors += other.errors
        self.inconsistencies += other.inconsistencies
        self.messages += other.messages[: max(0, MAX_KEPT - len(self.messages))]
        self.seconds = max(self.seconds, other.seconds)

    def to_json(self) -> dict[str, object]:
        return {**asdict(self), "reads": dict(self.reads)}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> ReaderStats:
        stats = cls(**{**data, "reads": Counter(data["reads"])})  # type: ignore[arg-type]
        return stats


class Checker:
    """What one reader has seen so far, and the checks on each new answer."""

    def __init__(self, expected: Mapping[str, int], stats: ReaderStats) -> None:
        self.expected = expected  # article id -> number of events a clean ingest stores
        self.total_events = sum(expected.values())
        self.stats = stats
        self.last_counts = {"articles": 0, "events": 0}
        self.last_articles = 0

    def events(self, found: list[Event], label: str) -> None:
        ids = [e.event_id for e in found]
        if len(ids) != len(set(ids)):
            self.stats.note("inconsistent", f"{label}: {len(ids) - len(set(ids))} duplicated events")
        per_article = Counter(e.article_id for e in found)
        for article_id, n in per_article.items():
            want = self.expected.get(article_id)
            if want is None:
                self.stats.note("inconsistent", f"{label}: unknown article {article_id}")
            elif n != want:
                self.stats.note("inconsistent", f"{label}: article {article_id} has {n} of {want} events")

    def counts(self, counts: Mapping[str, int]) -> None:
        a, e = counts["articles"], counts["events"]
        if a > len(self.expected) or e > self.total_events:
            self.stats.note("inconsistent", f"counts() beyond the full set: {dict(counts)}")
        if e < a:
            self.stats.note("inconsistent", f"counts() has articles without events: {dict(counts)}")
        if a < self.last_counts["articles"] or e < self.last_counts["events"]:
            self.stats.note("inconsistent", f"counts() went down: {self.last_counts} -> {dict(counts)}")
        self.last_counts = {"articles": a, "events": e}

    def articles(self, ids: list[str]) -> None:
        if len(ids) != len(set(ids)):
            self.stats.note("inconsistent", "articles() repeats an article")
        unknown = set(ids) - set(self.expected)
        if unknown:
            self.stats.note("inconsistent", f"articles() has unknown articles {sorted(unknown)[:3]}")
        if len(ids) < self.last_articles:
            self.stats.note("inconsistent", f"articles() went down: {self.last_articles} -> {len(ids)}")
        self.last_articles = len(ids)


def read_loop(store_of: Callable[[], Store], expected: Mapping[str, int], stop: Callable[[], bool],
              seed: int) -> ReaderStats:
    """Query until ``stop()``: events, counts, articles, and events of a few articles."""
    rng = random.Random(seed)
    stats = ReaderStats()
    check = Checker(expected, stats)
    ids = sorted(expected)
    start = time.monotonic()
    store: Store | None = None
    while not stop():
        kind = rng.choice(("events", "counts", "articles", "events_of"))
        try:
            if store is None:
                store = store_of()  # opening races the writers' schema creation too
            if kind == "events":
                check.events(store.events(), "events()")
            elif kind == "counts":
                check.counts(store.counts())
            elif kind == "articles":
                check.articles([a for a, _article in store.articles()])
            else:
                chosen = rng.sample(ids, k=min(3, len(ids)))
                check.events(store.events(article_ids=chosen), "events(article_ids=...)")
            stats.reads[kind] += 1
        except Exception as err:  # the point: count whatever would reach a user
            stats.note("error", f"{kind}: {type(err).__name__}: {err}")
    stats.seconds = time.monotonic() - start
    return stats


def run_threads(store_of: Callable[[], Store], expected: Mapping[str, int], n: int,
                stop: threading.Event, seed: int) -> tuple[list[threading.Thread], list[ReaderStats]]:
    """Start ``n`` reader threads; each appends its stats to the returned list when it ends."""
    results: list[ReaderStats] = []
    lock = threading.Lock()

    def body(i: int) -> None:
        stats = read_loop(store_of, expected, stop.is_set, seed + i)
        with lock:
            results.append(stats)

    threads = [threading.Thread(target=body, args=(i,), daemon=True, name=f"reader-{i}") for i in range(n)]
    for t in threads:
        t.start()
    return threads, results


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("--db", "--expected", "--stop", "--out"):
        parser.add_argument(name, required=True)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--max-seconds", type=float, default=300.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    expected = json.loads(Path(args.expected).read_text(encoding="utf-8"))
    stop_file = Path(args.stop)
    deadline = time.monotonic() + args.max_seconds
    stop = threading.Event()
    shared: list[Store] = []
    opening = threading.Lock()

    def store_of() -> Store:
        # One Store per process, shared by its threads, as the dashboard shares its cached one.
        with opening:
            if not shared:
                shared.append(Store(args.db))
            return shared[0]

    threads, results = run_threads(store_of, expected, args.threads, stop, args.seed)
    while not stop_file.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    total = ReaderStats()
    for r in results:
        total.merge(r)
    alive = sum(t.is_alive() for t in threads)
    if alive:
        total.note("error", f"{alive} reader threads did not stop within 60 s")
    Path(args.out).write_text(json.dumps(total.to_json()), encoding="utf-8")
    if shared:
        shared[0].close()


if __name__ == "__main__":
    main()
