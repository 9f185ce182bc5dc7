"""The offline gazetteer: build time, size on disk, load time, memory and lookups per second.

    python -m bench.gazetteer [--builds 3] [--runs 5] [--limit N]

Each build and each load runs in a fresh process, so that its time and its
peak RSS are its own. Lookup names are real: the gold toponyms of the dev
corpora (mostly hits) and capitalised words and word pairs of their texts
that the gazetteer does not know (misses: what the recovery scan probes).
``lookup`` keeps a per-instance cache, so "cold" passes use a freshly opened
index over distinct names, and "warm" passes repeat them.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from bench.common import (
    RESULTS,
    current_rss_mb,
    dev_paths,
    dev_records,
    environment_line,
    md_table,
    median,
    peak_rss_mb,
    spread,
    timed,
    write_section,
)
from geo.config import Settings
from geo.gazetteer import Gazetteer, build_gazetteer, gazetteer_path, load_gazetteer

log = logging.getLogger(__name__)

_CAPITALISED = re.compile(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)?\b")


def in_child(fn: Callable[..., Any], *args: Any) -> Any:
    """Run ``fn(*args)`` in a fresh process (spawned: nothing inherited) and return its result."""
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


# -- work done in the child processes -------------------------------------------------------


def _build(folder: str) -> tuple[float, float, int]:
    with timed() as clock:
        path = build_gazetteer(Path(folder))
    return clock.seconds, peak_rss_mb(), path.stat().st_size


def _load(path: str, names: Sequence[str]) -> dict[str, float]:
    """Open the index, then look every name up: times and RSS after each step."""
    before = current_rss_mb()
    with timed() as t_open:
        gaz = Gazetteer.open(Path(path))
    after_open = current_rss_mb()
    with timed() as t_first:
        for name in names:
            gaz.lookup(name)
    after_lookups = current_rss_mb()
    gaz.close()
    return {"open_s": t_open.seconds, "rss_before": before, "rss_open": after_open,
            "rss_lookups": after_lookups, "first_pass_s": t_first.seconds, "peak": peak_rss_mb()}


def _load_checked(cache_dir: str) -> float:
    """``load_gazetteer``: open plus the staleness check of its inputs, as the app does."""
    with timed() as clock:
        load_gazetteer(Settings(cache_dir=Path(cache_dir))).close()
    return clock.seconds


# -- names ---------------------------------------------------------------------------------


def corpus_names(records: Sequence[dict[str, Any]], gaz: Gazetteer, limit: int = 5000
                 ) -> tuple[list[str], list[str], list[str]]:
    """(hits, misses, every gold mention in text order) from the dev corpora."""
    gold = [t["name"] for r in records for t in r.get("toponyms", [])]
    hits = [n for n in dict.fromkeys(gold) if gaz.contains(n)][:limit]
    candidates = dict.fromkeys(m.group(0) for r in records for m in _CAPITALISED.finditer(r["text"]))
    misses = [n for n in candidates if not gaz.contains(n)][:limit]
    return hits, misses, gold[: limit * 2]


@dataclass
class LookupRates:
    kind: str
    names: int
    cold: list[float] = field(default_factory=list)  # lookups/s, fresh instance
    warm: list[float] = field(default_factory=list)  # lookups/s, same names again


def lookup_rates(path: Path, kind: str, names: Sequence[str], runs: int,
                 op: str = "lookup") -> LookupRates:
    rates = LookupRates(kind=f"`{op}`, {kind}", names=len(names))
    if not names:
        return rates
    for _ in range(runs):
        gaz = Gazetteer.open(path)
        call = gaz.lookup if op == "lookup" else gaz.contains
        for target in (rates.cold, rates.warm):
            with timed() as clock:
                for name in names:
                    call(name)
            target.append(len(names) / clock.seconds)
        gaz.close()
    return rates


# -- the benchmark --------------------------------------------------------------------------


@dataclass
class GazetteerResult:
    path: Path
    size_mb: float
    entries: str
    build_s: list[float] = field(default_factory=list)
    build_peak_mb: list[float] = field(default_factory=list)
    open_s: list[float] = field(default_factory=list)
    checked_s: list[float] = field(default_factory=list)
    loads: list[dict[str, float]] = field(default_factory=list)
    rates: list[LookupRates] = field(default_factory=list)


def measure(path: Path, hits: Sequence[str], misses: Sequence[str], mentions: Sequence[str], *,
            builds: int = 3, runs: int = 5, cache_dir: Path | None = None) -> GazetteerResult:
    gaz = Gazetteer.open(path)
    entries = gaz.meta.get("entries", "?")
    result = GazetteerResult(path=path, size_mb=path.stat().st_size / 1e6, entries=entries)
    gaz.close()
    for i in range(builds):
        with tempfile.TemporaryDirectory(prefix="bench-gaz-") as tmp:
            seconds, peak, size = in_child(_build, tmp)
        log.info("build %d: %.1f s, %.0f MB peak, %.1f MB", i + 1, seconds, peak, size / 1e6)
        result.build_s.append(seconds)
        result.build_peak_mb.append(peak)
    for _ in range(runs):
        load = in_child(_load, str(path), list(hits))
        result.loads.append(load)
        result.open_s.append(load["open_s"])
        if cache_dir is not None:
            result.checked_s.append(in_child(_load_checked, str(cache_dir)))
    result.rates = [
        lookup_rates(path, "gold toponyms (hits)", hits, runs),
        lookup_rates(path, "capitalised words it lacks (misses)", misses, runs),
        lookup_rates(path, "gold mentions as they occur", mentions, runs),
        lookup_rates(path, "misses", misses, runs, op="contains"),
    ]
    return result


def format_section(r: GazetteerResult, *, note: str = "") -> str:
    parts = [environment_line(), ""]
    if note:
        parts += [note, ""]
    parts.append(f"Index `{r.path.name}`: {r.entries} entries, {r.size_mb:.1f} MB on disk (one SQLite file).")
    parts.append("")
    rows = []
    if r.build_s:
        rows.append(("build (`python -m geo gazetteer build`), fresh process", spread(r.build_s, 1) + " s",
                     f"{median(r.build_peak_mb):.0f}"))
    if r.open_s:
        rows.append(("open the index (`Gazetteer.open`)", spread([1000 * s for s in r.open_s], 1) + " ms",
                     f"{median([x['peak'] for x in r.loads]):.0f}"))
    if r.checked_s:
        rows.append(("`load_gazetteer` (open + check its inputs are unchanged)",
                     spread([1000 * s for s in r.checked_s], 1) + " ms", ""))
    if r.loads:
        first = [x["first_pass_s"] for x in r.loads]
        rows.append((f"look up {r.rates[0].names if r.rates else 0} distinct hits right after opening",
                     spread(first, 2) + " s", ""))
    parts.append(md_table(("step", "time, median (range)", "peak RSS MB of that process"), rows))
    if r.loads:
        opened = median([x["rss_open"] - x["rss_before"] for x in r.loads])
        looked = median([x["rss_lookups"] - x["rss_open"] for x in r.loads])
        parts += ["", f"Memory: opening adds {opened:.1f} MB RSS (SQLite pages are read on demand); "
                      f"looking up the hits adds {looked:.1f} MB more (the per-instance lookup cache "
                      f"and SQLite's page cache)."]
    if r.rates:
        rows = [(x.kind, x.names, f"{median(x.cold):,.0f}", f"{median(x.warm):,.0f}") for x in r.rates]
        parts += ["", md_table(("lookups", "names", "per s, cold", "per s, warm (cached)"), rows)]
    return "\n".join(parts)


def run(records: Sequence[dict[str, Any]], *, builds: int = 3, runs: int = 5, limit: int = 5000,
        output: Path = RESULTS, settings: Settings | None = None, note: str = "") -> str:
    settings = settings or Settings()
    load_gazetteer(settings).close()  # the index under test, built if missing
    path = gazetteer_path(settings)
    gaz = Gazetteer.open(path)
    hits, misses, mentions = corpus_names(records, gaz, limit)
    gaz.close()
    result = measure(path, hits, misses, mentions, builds=builds, runs=runs,
                     cache_dir=Path(settings.cache_dir))
    body = format_section(result, note=note)
    write_section("gazetteer", body, output)
    return body


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.gazetteer", description=__doc__.splitlines()[0])
    parser.add_argument("--builds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--limit", type=int, default=5000, help="at most N names of each kind")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    logging.getLogger("geo").setLevel(logging.ERROR)
    body = run(dev_records(dev_paths()), builds=args.builds, runs=args.runs, limit=args.limit,
               output=args.output)
    sys.stdout.write(body + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
