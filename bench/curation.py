"""Curation on a large synthetic store: the seconds one edit takes, and what rules cost ingest (issue 12).

    python -m bench.curation [EVENTS ...] [--repeat N] [--rules N]

Each round copies a synthetic store (``bench/synth.py``, cached under ``var/bench/``) and makes
each kind of rule once, on the store's own busiest place, busiest actor, one of its events and
one of its articles, timing the whole ``Store`` call (its one transaction). Then it stores new
synthetic articles one ``add_article`` each, as ingest does, on a copy without rules and on one
with ``--rules`` rules in force (half on single events, half "not a place" everywhere), and
reports milliseconds per article. Prints
Markdown; docs/curation.md quotes the result.
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import shutil
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.synth import BENCH_DIR, new_articles, synth_store
from geo.backup import remove_files
from geo.schema import place_key
from geo.store import Store

log = logging.getLogger(__name__)
NEW_ARTICLES = 200


def _copy(source: Path, name: str) -> Path:
    target = source.with_name(f"curation-{name}-{source.name}")
    remove_files(target)
    shutil.copyfile(source, target)
    return target


def _edits(store: Store) -> list[tuple[str, Callable[[], int]]]:
    """One edit of each kind, on subjects taken from the store's own data."""
    events = store.events()
    place = Counter(place_key(e.place_name) for e in events if e.place_name).most_common(1)[0][0]
    name = next(e.place_name for e in events if place_key(e.place_name) == place)
    actors = store.actors()
    busiest, second, third = (a.name for a, _n in actors[:3])
    article_id = events[len(events) // 2].article_id
    event = next(e for e in events if place_key(e.place_name) != place and e.article_id != article_id)
    split_in = next(e.article_id for e in events if third in e.actors and e.article_id != article_id)
    return [
        ("not a place (the busiest place, everywhere)", lambda: store.mark_not_place(name)),
        ("rename an actor (the busiest)", lambda: store.rename_actor(busiest, f"{busiest} (renamed)")),
        ("merge an actor into another", lambda: store.rename_actor(second, f"{busiest} (renamed)")),
        ("split an actor in one article", lambda: store.split_actor(third, "Someone else",
                                                                     article_ids=[split_in])),
        ("change an event's type", lambda: store.set_event_type(event.event_id, "protest")),
        ("delete an event", lambda: store.delete_event(event.event_id)),
        ("delete an article", lambda: store.remove_article(article_id)),
    ]


def _rules(store: Store, n: int) -> None:
    """``n`` rules in force: half of them event types (one event each), half "not a place" everywhere
    for the store's rarest places, which every stored article is checked against."""
    for event in store.events(limit=n - n // 2):
        store.set_event_type(event.event_id, "protest")
    counts = Counter(e.place_name for e in store.events() if e.place_name)
    for name, _n in sorted(counts.items(), key=lambda item: (item[1], item[0]))[: n // 2]:
        store.mark_not_place(name)


def run(n_events: int, repeat: int, n_rules: int, folder: Path = BENCH_DIR) -> list[str]:
    source = synth_store(n_events, folder=folder)
    edits: dict[str, list[float]] = {}
    changed: dict[str, int] = {}
    ingest: dict[str, list[float]] = {"no rules": [], f"{n_rules} rules": []}
    fresh = new_articles(NEW_ARTICLES, 1)
    copies: list[Path] = []
    try:
        for round_ in range(repeat):
            path = _copy(source, f"edits-{round_}")
            copies.append(path)
            with Store(f"sqlite:///{path}") as store:
                for what, edit in _edits(store):
                    start = time.perf_counter()
                    changed[what] = edit()
                    edits.setdefault(what, []).append(time.perf_counter() - start)
            for kind in ingest:
                path = _copy(source, f"ingest-{round_}")
                copies.append(path)
                with Store(f"sqlite:///{path}") as store:
                    if kind != "no rules":
                        _rules(store, n_rules)
                    start = time.perf_counter()
                    for article, events, actors in fresh:
                        store.add_article(article, events, actors)
                    ingest[kind].append((time.perf_counter() - start) * 1000 / len(fresh))
                remove_files(path)
    finally:
        for path in copies:
            remove_files(path)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    rows = [f"| {what} | {changed[what]:,} | {statistics.median(t):.2f} | {min(t):.2f}–{max(t):.2f} |"
            for what, t in edits.items()]
    rows_ingest = [f"| {kind} | {statistics.median(t):.2f} | {min(t):.2f}–{max(t):.2f} |"
                   for kind, t in ingest.items()]
    return [f"Curation on a store of {n_events:,} events ({source.stat().st_size / 1e6:,.0f} MB), {repeat} "
            f"round(s), load average {load}, peak RSS of this process {peak:,.0f} MB.", "",
            "| edit | events changed | median s | range s |", "|---|---|---|---|", *rows, "",
            f"Storing {len(fresh)} new articles one `add_article` each, as ingest does:", "",
            "| rules in force | ms per article | range |", "|---|---|---|", *rows_ingest]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("events", type=int, nargs="*", default=[100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rules", type=int, default=100)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for n in args.events:
        print("\n".join(run(n, args.repeat, args.rules)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
