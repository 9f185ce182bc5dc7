"""Restore of a large synthetic store: the seconds of each step (issue 10, items 2, 6, 7).

    python -m bench.restore [EVENTS ...] [--repeat N]

Backs up a synthetic store (``bench/synth.py``, cached under ``var/bench/``) once, then restores
the backup ``--repeat`` times into a new file and over a store that holds data (``--force``),
alternating the two, and prints each step's seconds (the steps ``geo.restore.restore`` reports)
as a Markdown table with the machine's load. docs/reliability.md quotes the result.
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import statistics
import time
from collections.abc import Sequence
from pathlib import Path

from bench.synth import BENCH_DIR, synth_store
from geo.backup import backup, remove_files
from geo.restore import restore

log = logging.getLogger(__name__)


def backup_of(n_events: int, folder: Path = BENCH_DIR) -> Path:
    """A backup of the synthetic store of ``n_events``, made once and reused while the store is."""
    store = synth_store(n_events, folder=folder)
    out = folder / f"backup-of-{store.name}"
    if not out.is_file() or out.stat().st_mtime < store.stat().st_mtime:
        backup(f"sqlite:///{store}", out, force=True)
    return out


def run(n_events: int, repeat: int, folder: Path = BENCH_DIR) -> list[str]:
    """Markdown rows: one per step and kind of target, the median and range over ``repeat`` runs."""
    source = backup_of(n_events, folder)
    target = folder / f"restore-target-{n_events}.sqlite"
    times: dict[tuple[str, str], list[float]] = {}
    try:
        for _round in range(repeat):
            for kind, force in (("new file", False), ("store with data", True)):
                if not force:
                    remove_files(target)
                steps: dict[str, float] = {}
                start = time.monotonic()
                restore(source, f"sqlite:///{target}", force=force, timings=steps)
                steps["total"] = time.monotonic() - start
                for step, seconds in steps.items():
                    times.setdefault((kind, step), []).append(seconds)
    finally:
        remove_files(target)
    rows = [f"| {kind} | {step} | {statistics.median(values):.1f} | {min(values):.1f}–{max(values):.1f} |"
            for (kind, step), values in times.items()]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    return [f"Restore of {n_events:,} events ({source.stat().st_size / 1e6:,.0f} MB), {repeat} run(s) "
            f"each, load average {load}, peak RSS of this process {peak:,.0f} MB:", "",
            "| target | step | median s | range s |", "|---|---|---|---|", *rows]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("events", type=int, nargs="*", default=[1_000_000])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for n in args.events:
        print("\n".join(run(n, args.repeat)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
