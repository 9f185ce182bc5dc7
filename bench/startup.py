"""Start-up: a fresh clone to the first rendered map, and a warm start.

    python -m bench.startup [--cold 3] [--warm 5] [--overlay FILE ...]

Cold: ``git clone`` of the repository's committed HEAD into a temporary
folder (no var/: no gazetteer, no store), then ``python -m streamlit run
app.py`` in it and ``/`` opened in Debian's Chromium (Playwright). The map
counts as rendered when the deck.gl canvas is on the page and the sidebar says
how many events it shows (more than none: the demo story is in). Warm: the
same server command again on the last clone (var/ filled), a fresh browser
context. Each start is timed from the server command's launch.

Stages come from two witnesses: the server's log lines (a ``sitecustomize``
put on the server's PYTHONPATH sends the ``geo`` and ``ui`` loggers, INFO and
up, to a file with time stamps; it changes nothing else) and the page, polled
every 0.2 s for the canvas, the caption and any progress bar or spinner.
Screenshots taken during the gazetteer build and the demo ingest go to
``test-output/bench-startup/``. Peak RSS: the largest sum of the RSS of the
server and its children, sampled at each poll, or the server's own
high-water mark if larger. CPU time (server; Chromium) is read from /proc: on
a shared machine it says more than the wall clock. Last, the parts of a warm
start's server time are timed one by one in fresh processes in the checkout
(imports, polygon reading, the page's first script run through AppTest).

``--overlay`` copies working-tree files into each clone, to measure changes
before they are committed; the section then says which.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.error import URLError

from bench.common import (
    PROJECT_ROOT,
    RESULTS,
    environment_line,
    load_average,
    md_table,
    median,
    spread,
    write_section,
)

log = logging.getLogger(__name__)

CHROMIUM = Path(os.environ.get("GEOSTORY_CHROMIUM", "/usr/bin/chromium"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OUT_DIR = PROJECT_ROOT / "test-output" / "bench-startup"
START_TIMEOUT = 60.0  # server process to health check
MAP_TIMEOUT = 300.0  # page opened to map
POLL = 0.2
COLD_TARGET, WARM_TARGET = 60.0, 3.0
SWITCH_TARGET = 0.3  # the server's share of a page switch on the demo, seconds

# Written next to a trace file and put first on the server's PYTHONPATH.
TRACE_HOOK = '''\
import logging, os
_h = logging.FileHandler(os.environ["GEOSTORY_BENCH_TRACE"], encoding="utf-8")
_h.setFormatter(logging.Formatter("%(created).3f\\t%(name)s\\t%(message)s"))
for _name in ("geo", "ui"):
    logging.getLogger(_name).setLevel(logging.INFO)
    logging.getLogger(_name).addHandler(_h)
'''

CANVAS = "[data-testid='stDeckGlJsonChart'] canvas"
# What the page shows, in one round trip.
PAGE_STATE_JS = """() => {
  const out = [];
  for (const el of document.querySelectorAll("[data-testid='stProgress']")) {
    const bar = el.querySelector("[aria-valuenow]");
    const value = bar ? Math.round(Number(bar.getAttribute("aria-valuenow"))) : "?";
    out.push(`progress bar ${value}%: ${el.innerText.trim()}`);
  }
  for (const el of document.querySelectorAll("[data-testid='stSpinner']")) {
    out.push(`spinner: ${el.innerText.trim()}`);
  }
  const side = document.querySelector("[data-testid='stSidebar']");
  const shown = side ? side.innerText.match(/(\\d+) events shown/) : null;
  const canvas = document.querySelector("CANVAS_SELECTOR");
  return {indicators: out, shown: shown ? Number(shown[1]) : null,
          canvas: Boolean(canvas && canvas.width > 0 && canvas.height > 0),
          app: Boolean(document.querySelector("[data-testid='stAppViewContainer']")),
          error: (document.querySelector("[data-testid='stException']") || {}).innerText || null};
}""".replace("CANVAS_SELECTOR", CANVAS)

# (label, first mark, last mark); a stage is left out of a run that lacks either mark.
COLD_STAGES = (
    ("git clone", "clone", "cloned"),
    ("server process → health check answers", "launch", "health"),
    ("page opened → app shell shown (HTML, JavaScript)", "opened", "app"),
    ("app shell → gazetteer build starts (script starts: imports, store)", "app", "gaz_start"),
    ("gazetteer build", "gaz_start", "gaz_done"),
    ("language model load + first demo article", "gaz_done", "first_article"),
    ("rest of the demo ingest", "first_article", "demo_loaded"),
    ("demo loaded → sidebar counts shown (queries)", "demo_loaded", "caption"),
    ("sidebar counts → map drawn (script: the page's deck; browser: deck.gl)", "caption", "map"),
)
WARM_STAGES = (
    ("server process → health check answers", "launch", "health"),
    ("page opened → app shell shown (HTML, JavaScript)", "opened", "app"),
    ("app shell → sidebar counts shown (script: imports, store queries)", "app", "caption"),
    ("sidebar counts → map drawn (script: the page's deck; browser: deck.gl)", "caption", "map"),
)
TOTALS = (("fresh clone → map", "clone", "map"), ("server start → map", "launch", "map"))


# -- pure parts: the trace, stages, indicators, the table -------------------------------------


_TRACE_MARKS = (  # (mark, logger name prefix, message pattern); the first matching line sets it
    ("gaz_start", "geo.gazetteer", re.compile(r"^(re)?building the gazetteer")),
    ("gaz_done", "geo.gazetteer_build", re.compile(r"^gazetteer build\s+100%")),
    ("first_article", "geo.store", re.compile(r"^stored article ")),
    ("demo_loaded", "ui", re.compile(r"^demo loaded")),
)
_BUILD_LINE = re.compile(r"^gazetteer build\s+(\d+)%: (.*)$")


def _trace_lines(text: str) -> Iterator[tuple[float, str, str]]:
    for line in text.splitlines():
        parts = line.split("\t", 2)
        if len(parts) != 3:
            continue
        try:
            yield float(parts[0]), parts[1], parts[2]
        except ValueError:
            continue


def parse_trace(text: str) -> dict[str, float]:
    """Marks (name -> epoch seconds) from the server's trace; the first line of each kind wins."""
    marks: dict[str, float] = {}
    for t, name, message in _trace_lines(text):
        for mark, prefix, pattern in _TRACE_MARKS:
            if mark not in marks and name.startswith(prefix) and pattern.search(message):
                marks[mark] = t
    return marks


def build_reports(text: str) -> list[tuple[float, int, str]]:
    """Every progress report of the gazetteer build: (time, percent, message)."""
    out = []
    for t, name, message in _trace_lines(text):
        found = _BUILD_LINE.match(message) if name.startswith("geo.gazetteer_build") else None
        if found:
            out.append((t, int(found.group(1)), found.group(2)))
    return out


def longest_gap(times: Sequence[float]) -> float:
    """The longest wait between consecutive moments (NaN for fewer than two)."""
    ordered = sorted(times)
    return max((b - a for a, b in itertools.pairwise(ordered)), default=float("nan"))


def stage_seconds(marks: Mapping[str, float],
                  stages: Sequence[tuple[str, str, str]]) -> dict[str, float]:
    return {label: marks[b] - marks[a] for label, a, b in stages if a in marks and b in marks}


def indicators_between(samples: Sequence[tuple[float, tuple[str, ...]]], start: float,
                       end: float) -> list[str]:
    """Distinct indicators on the page from ``start`` to ``end``, in order of appearance.

    ``samples`` are the changes, in time order: what the last one before
    ``start`` showed was still there at ``start``.
    """
    before: tuple[str, ...] = ()
    seen: dict[str, None] = {}
    for t, shown in samples:
        if t < start:
            before = shown
        elif t <= end:
            seen.update(dict.fromkeys(shown))
    return list(dict.fromkeys(before) | seen)


def canvas_colors(png: bytes) -> int:
    """Distinct colours in a PNG: 1 for a blank canvas, hundreds once deck.gl has drawn."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        return len(image.convert("RGB").getcolors(maxcolors=1 << 24) or ())


def progress_values(indicators: Sequence[str]) -> list[int]:
    """Distinct percentages the progress bars showed (a bar that never moves shows one)."""
    values = {int(m.group(1)) for s in indicators if (m := re.match(r"progress bar (\d+)%", s))}
    return sorted(values)


@dataclass
class StartRun:
    """One server start, timed from its launch."""

    kind: str  # "cold", "warm" or "returning"
    marks: dict[str, float]
    peak_rss_mb: float
    load: str
    cpu_s: float = 0.0  # the server's CPU time up to the map
    cpu_up_s: float = 0.0  # ... up to its health check's first answer
    browser_cpu_s: float = 0.0  # Chromium's CPU time from opening the page to the map
    canvas_colors: int = 0  # distinct colours in the map canvas when it was first seen
    shown: int | None = None
    indicators: list[tuple[float, tuple[str, ...]]] = field(default_factory=list)
    build_reports: list[tuple[float, int, str]] = field(default_factory=list)
    screenshots: list[str] = field(default_factory=list)

    def seconds(self, first: str, last: str) -> float | None:
        if first in self.marks and last in self.marks:
            return self.marks[last] - self.marks[first]
        return None


def _cell(values: Sequence[float], digits: int = 1) -> str:
    return spread(values, digits) if values else "–"


def _collect(runs: Sequence[StartRun],
             stages: Sequence[tuple[str, str, str]]) -> list[tuple[str, list[float]]]:
    rows = []
    for label, first, last in stages:
        values = [s for r in runs if (s := r.seconds(first, last)) is not None]
        if values:
            rows.append((label, values))
    return rows


def _verdict(values: Sequence[float], target: float) -> str:
    return "met" if values and median(values) <= target else "**missed**"


def build_indicator_note(run: StartRun) -> str:
    """What the page showed while the gazetteer was being built."""
    if "gaz_start" not in run.marks or "gaz_done" not in run.marks:
        return "no gazetteer build was seen in the server's log"
    start, end = run.marks["gaz_start"], run.marks["gaz_done"]
    shown = indicators_between(run.indicators, start, end)
    seconds = end - start
    if not shown:
        return f"nothing but the page itself during the {seconds:.1f} s build"
    moving = progress_values(shown)
    head = (f"a progress bar that moved {len(moving) - 1} times, {moving[0]}% to {moving[-1]}%,"
            if len(moving) > 1 else "no progress bar that moved")
    texts = list(dict.fromkeys(re.sub(r"^progress bar \d+%: ", "progress bar: ", s) for s in shown))
    if len(texts) > 3:
        texts = [texts[0], f"… {len(texts) - 2} more …", texts[-1]]
    return f"{head} during the {seconds:.1f} s build; shown: " + "; ".join(f"“{t}”" for t in texts)


def _relative(path: str) -> str:
    try:
        return str(Path(path).relative_to(PROJECT_ROOT))
    except ValueError:
        return path


def format_section(cold: Sequence[StartRun], warm: Sequence[StartRun],
                   pieces: Sequence[tuple[str, list[float], list[float]]] = (), *, note: str = "",
                   returning: Sequence[StartRun] = ()) -> str:
    parts = [environment_line(), ""]
    if note:
        parts += [note, ""]
    rows = []
    for label, runs, (first, last), target, digits in (
            ("cold: fresh clone → map", cold, ("clone", "map"), COLD_TARGET, 1),
            ("warm: server start → map", warm, ("launch", "map"), WARM_TARGET, 2),
            ("warm, returning visitor: server start → map", returning, ("launch", "map"), WARM_TARGET, 2)):
        if not runs:
            continue
        totals = [s for r in runs if (s := r.seconds(first, last)) is not None]
        up, page = median([r.cpu_up_s for r in runs]), median([r.cpu_s - r.cpu_up_s for r in runs])
        rows.append((label, len(runs), _cell(totals, digits), f"≤ {target:.0f} s: {_verdict(totals, target)}",
                     f"{up:.2f} + {page:.2f}",
                     f"{median([r.browser_cpu_s for r in runs]):.2f}",
                     f"{median([r.peak_rss_mb for r in runs]):.0f}", ", ".join(r.load for r in runs)))
    parts.append(md_table(("start", "runs", "seconds, median (range)", "target",
                           "server CPU s: start-up + page", "browser CPU s", "peak RSS MB (server)",
                           "load avg at each start"), rows))
    parts += ["", "CPU s (medians) are user + system time: the server's up to its first health-check answer, "
                  "then from there to the map; Chromium's (all its processes) from opening the page to the "
                  "map. Unlike the wall clock they hardly move when other work competes for the two cores. "
                  "Warm opens the page in a fresh browser context (an empty cache, a first visit); a "
                  "returning visitor's context is kept between restarts, so Streamlit's JavaScript comes "
                  "from its cache (the visit that fills it is not counted)."]
    for title, runs, stages in (
            ("Cold start, stage by stage", cold, COLD_STAGES + TOTALS[1:]),
            ("Warm start, stage by stage", warm, WARM_STAGES),
            ("Warm start of a returning visitor, stage by stage", returning, WARM_STAGES)):
        collected = _collect(runs, stages)
        if collected:
            parts += ["", f"{title} (seconds, median (range)):", "",
                      md_table(("stage", "seconds"), [(label, _cell(v, 2)) for label, v in collected])]
    if cold:
        reports = [r.build_reports for r in cold if len(r.build_reports) > 1]
        if reports:
            gaps = [longest_gap([t for t, _p, _m in b]) for b in reports]
            count = median([len(b) for b in reports])
            parts += ["", f"Progress during the build: {count:.0f} reports from the build; the longest "
                          f"wait between two: {_cell(gaps)} s."]
        parts += ["", f"On the page during the build (first cold run): {build_indicator_note(cold[0])}."]
        shots = [_relative(s) for r in cold[:1] for s in r.screenshots]
        if shots:
            parts += ["", "Screenshots (not committed): " + ", ".join(f"`{s}`" for s in shots) + "."]
    if pieces:
        parts += ["", "Where a warm start's server time goes: each part alone, in a fresh process in the "
                      "checkout, in this order (what an earlier step imported is not paid for again):", "",
                  md_table(("part", "CPU s, median (range)", "wall s, median"),
                           [(name, _cell(cpu, 2), f"{median(wall):.2f}") for name, wall, cpu in pieces])]
        parts += switch_verdicts(pieces)
    shown = sorted({r.shown for r in [*cold, *warm] if r.shown is not None})
    if shown:
        colors = [r.canvas_colors for r in [*cold, *warm] if r.canvas_colors]
        drawn = (f"; when first seen, the canvas had already been drawn ({min(colors)} to {max(colors)} "
                 "distinct colours in it; a blank one has 1)" if colors else "")
        parts += ["", f"Events on the first map: {', '.join(map(str, shown))}{drawn}."]
    return "\n".join(parts)


def switch_verdicts(pieces: Sequence[tuple[str, list[float], list[float]]]) -> list[str]:
    """The page switches' lines: the slowest median wall time, first visits and later ones apart."""
    switches = [(name, median(wall)) for name, wall, _cpu in pieces if name.startswith(SWITCH)]
    if not switches:
        return []
    lines = [""]
    for title, wanted in (("first visits in a process", True), ("later visits", False)):
        chosen = [(n, s) for n, s in switches if n.endswith("first visit in this process") == wanted]
        if chosen:
            name, slowest = max(chosen, key=lambda c: c[1])
            page = name[len(SWITCH):].split(":")[0]
            lines.append(f"- Page switch on the demo, {title}: slowest {slowest * 1000:.0f} ms ({page}); "
                         f"target ≤ {SWITCH_TARGET * 1000:.0f} ms: {_verdict([slowest], SWITCH_TARGET)}.")
    return lines


# -- the server, its memory, the browser --------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (Linux /proc)."""
    parent_of: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parent_of[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    out, frontier = [], [pid]
    while frontier:
        found = [p for p, parent in parent_of.items() if parent in frontier]
        out += found
        frontier = found
    return out


def _status_kb(pid: int, field_name: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and of its children it has waited for (/proc/<pid>/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def browser_cpu_seconds() -> float:
    """CPU time of the live Chromium processes this benchmark started (all its descendants)."""
    total = 0.0
    for pid in _children(os.getpid()):
        try:
            name = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
        if name.startswith(("chromium", "chrome")):
            total += _cpu_seconds(pid)
    return total


class TreeProbe:
    """A process and its descendants: peak RSS (samples and the kernel's high-water mark) and CPU time."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_kb, self.cpu_s = pid, 0, 0.0

    def sample(self) -> None:
        tree = [self.pid, *_children(self.pid)]
        self.peak_kb = max(self.peak_kb, sum(_status_kb(p, "VmRSS") for p in tree),
                           _status_kb(self.pid, "VmHWM"))
        self.cpu_s = max(self.cpu_s, sum(_cpu_seconds(p) for p in tree))

    @property
    def peak_mb(self) -> float:
        return self.peak_kb * 1024 / 1e6


def server_command(port: int) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
            "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]


def server_env(hook_dir: Path, trace: Path) -> dict[str, str]:
    """This environment minus GEOSTORY_* settings (a fresh clone runs on defaults), plus the trace hook."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOSTORY_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(hook_dir), env.get("PYTHONPATH", "")) if p)
    env["GEOSTORY_BENCH_TRACE"] = str(trace)
    return env


def clone(dest: Path, overlay: Sequence[str] = ()) -> None:
    """The committed HEAD into ``dest``; then the working tree's copy of each ``overlay`` file."""
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(PROJECT_ROOT), str(dest)],
                   check=True, stdout=subprocess.DEVNULL)
    for rel in overlay:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PROJECT_ROOT / rel, target)


def _health(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
            return answer.status == 200
    except (URLError, OSError):
        return False


def start(kind: str, checkout: Path, browser: Any, work: Path, marks: dict[str, float],
          shots: str = "", *, visitor: Any = None, port: int | None = None) -> StartRun:
    """Launch the server in ``checkout``, open ``/`` and watch until the map is drawn.

    ``visitor``: a browser context to open the page in, kept afterwards (its HTTP cache is a
    returning visitor's: the same ``port`` is needed, as the cache is per origin); else a fresh one.
    """
    trace = work / f"trace-{kind}-{time.time_ns()}.log"
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    load = load_average()
    server_log = (work / f"streamlit-{kind}.log").open("a", encoding="utf-8")
    marks["launch"] = time.time()
    proc = subprocess.Popen(server_command(port), cwd=checkout, env=server_env(work, trace),
                            stdout=server_log, stderr=subprocess.STDOUT)
    memory = TreeProbe(proc.pid)
    context = page = None
    run = StartRun(kind, marks, 0.0, load)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _health(base):
            memory.sample()
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start; see {server_log.name}")
            time.sleep(POLL / 2)
        marks["health"] = time.time()
        memory.sample()
        run.cpu_up_s = memory.cpu_s
        context = visitor or browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        browser_before = browser_cpu_seconds()
        marks["opened"] = time.time()
        page.goto(base + "/", wait_until="commit")
        _watch(page, run, memory, trace, shots, browser_before)
    finally:
        if page is not None:
            page.close()
        if context is not None and context is not visitor:
            context.close()
        proc.terminate()  # our own server, by its handle
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        server_log.close()
    text = trace.read_text(encoding="utf-8") if trace.exists() else ""
    marks.update({k: v for k, v in parse_trace(text).items() if k not in marks})
    run.build_reports = build_reports(text)
    run.peak_rss_mb = memory.peak_mb
    run.cpu_s = memory.cpu_s
    return run


def _watch(page: Any, run: StartRun, memory: TreeProbe, trace: Path, shots: str,
           browser_before: float) -> None:
    deadline = time.monotonic() + MAP_TIMEOUT
    last: tuple[str, ...] | None = None
    while time.monotonic() < deadline:
        state = page.evaluate(PAGE_STATE_JS)
        now = time.time()
        for mark, seen in (("app", state["app"]), ("caption", state["shown"] is not None)):
            if seen and mark not in run.marks:
                run.marks[mark] = now
        shown = tuple(state["indicators"])
        if shown != last:
            run.indicators.append((now, shown))
            last = shown
        if state["error"]:
            raise RuntimeError(f"the page shows an exception: {state['error'][:500]}")
        if state["canvas"] and state["shown"]:
            run.marks["map"] = now
            run.shown = int(state["shown"])
            memory.sample()
            run.browser_cpu_s = browser_cpu_seconds() - browser_before
            # Evidence that "canvas present" means "drawn": its colours right then.
            png = page.locator(CANVAS).first.screenshot()
            run.canvas_colors = canvas_colors(png)
            if shots:
                OUT_DIR.mkdir(parents=True, exist_ok=True)
                (OUT_DIR / f"{shots}-map.png").write_bytes(png)
                run.screenshots.append(str(OUT_DIR / f"{shots}-map.png"))
            return
        memory.sample()
        if shots:
            _maybe_screenshot(page, run, trace, shots, now)
        time.sleep(POLL)
    raise RuntimeError(f"no map after {MAP_TIMEOUT:.0f} s; last indicators {last}")


def _maybe_screenshot(page: Any, run: StartRun, trace: Path, shots: str, now: float) -> None:
    """One screenshot a few seconds into the build, one during the demo ingest."""
    marks = parse_trace(trace.read_text(encoding="utf-8")) if trace.exists() else {}
    wanted = []
    if "gaz_start" in marks and "gaz_done" not in marks and now - marks["gaz_start"] > 5:
        wanted.append("building")
    if "first_article" in marks and "demo_loaded" not in marks:
        wanted.append("ingesting")
    for what in wanted:
        path = OUT_DIR / f"{shots}-{what}.png"
        if str(path) not in run.screenshots:
            OUT_DIR.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(path))
            run.screenshots.append(str(path))


# The warm path's parts, timed alone in a fresh process in the checkout, in this order (a
# module imported by an earlier step is not paid for again).
PIECES_SCRIPT = """\
import json, sys, time
sys.path.insert(0, ".")
out = []
def step(name, fn):
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    out.append((name, time.perf_counter() - wall, time.process_time() - cpu))
step("import streamlit", lambda: __import__("streamlit"))
step("import sqlalchemy (geo.store)", lambda: __import__("sqlalchemy"))
step("import geopandas and pyogrio (geo.boundaries)", lambda: __import__("pyogrio.geopandas"))
from geo import boundaries
step("read the country and province polygons", lambda: list(map(boundaries._read, boundaries.KINDS)))
step("index the provinces (STRtree)", lambda: boundaries._tree("provinces"))
from streamlit.testing.v1 import AppTest
app = AppTest.from_file(sys.argv[1], default_timeout=120)
step("the map page's first script run, all of the above loaded (AppTest)", app.run)
fresh = AppTest.from_file(sys.argv[1], default_timeout=120)
step("a second session's first run (everything cached)", fresh.run)
# The server's share of a page switch on the demo: the page's script run (AppTest), from the map
# to each page in turn and back; the first round pays each page's own imports once per process.
for label in ("first visit in this process", "again", "a third time"):
    for page in ("timeline", "actors", "sources", "review", "add", "map"):
        step(f"page switch to {page}: {label}", lambda page=page: fresh.switch_page(f"pages/{page}.py").run())
print(json.dumps(out))
"""
SWITCH = "page switch to "


def warm_pieces(checkout: Path, runs: int = 3) -> list[tuple[str, list[float], list[float]]]:
    """(step, wall seconds per run, CPU seconds per run) of PIECES_SCRIPT in fresh processes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOSTORY_")}
    results: list[list[Any]] = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", PIECES_SCRIPT, str(checkout / "app.py")], cwd=checkout,
                              env=env, capture_output=True, text=True, check=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return [(steps[0][0], [s[1] for s in steps], [s[2] for s in steps])
            for steps in zip(*results, strict=True)]


# -- the benchmark ----------------------------------------------------------------------------


Pieces = list[tuple[str, list[float], list[float]]]


def measure(cold_runs: int, warm_runs: int, overlay: Sequence[str] = (),
            piece_runs: int = 3) -> tuple[list[StartRun], list[StartRun], list[StartRun], Pieces]:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM} (Debian package `chromium`)")
    cold: list[StartRun] = []
    warm: list[StartRun] = []
    returning: list[StartRun] = []
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp, sync_playwright() as pw:
        work = Path(tmp)
        (work / "sitecustomize.py").write_text(TRACE_HOOK, encoding="utf-8")
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            checkout = work / "clone-0"
            for i in range(cold_runs):
                checkout = work / f"clone-{i + 1}"
                marks = {"clone": time.time()}
                clone(checkout, overlay)
                marks["cloned"] = time.time()
                run = start("cold", checkout, browser, work, marks, shots=f"cold-{i + 1}")
                log.info("cold %d: %.1f s to the map, %d events", i + 1, run.seconds("clone", "map") or -1,
                         run.shown or 0)
                cold.append(run)
            if not cold:  # warm runs alone need one filled checkout
                clone(checkout, overlay)
                start("cold", checkout, browser, work, {"clone": time.time()})
            for i in range(warm_runs):
                run = start("warm", checkout, browser, work, {})
                log.info("warm %d: %.2f s to the map", i + 1, run.seconds("launch", "map") or -1)
                warm.append(run)
            # A returning visitor: one browser context throughout, so Streamlit's JavaScript comes from
            # its cache; the first visit only fills the cache and is not counted.
            visitor, port = browser.new_context(viewport={"width": 1400, "height": 900}), free_port()
            for i in range(warm_runs + 1 if warm_runs else 0):
                run = start("returning", checkout, browser, work, {}, visitor=visitor, port=port)
                log.info("returning %d: %.2f s to the map", i, run.seconds("launch", "map") or -1)
                if i:
                    returning.append(run)
            visitor.close()
            pieces = warm_pieces(checkout, piece_runs) if piece_runs else []
        finally:
            browser.close()
    return cold, warm, returning, pieces


def run(cold_runs: int = 3, warm_runs: int = 5, *, overlay: Sequence[str] = (), output: Path = RESULTS,
        note: str = "") -> str:
    cold, warm, returning, pieces = measure(cold_runs, warm_runs, overlay)
    if overlay:
        files = ", ".join(f"`{f}`" for f in overlay)
        note = (note + " " if note else "") + (
            f"Each clone is the committed HEAD with these files copied in from the working tree: {files}.")
    body = format_section(cold, warm, pieces, note=note, returning=returning)
    write_section("startup", body, output)
    return body


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__.splitlines()[0])
    parser.add_argument("--cold", type=int, default=3, help="fresh clones to start")
    parser.add_argument("--warm", type=int, default=5, help="restarts on the last clone")
    parser.add_argument("--overlay", nargs="*", default=[], metavar="FILE",
                        help="working-tree files (relative paths) to copy into each clone")
    parser.add_argument("--note", default="", help="a sentence to put under the machine line")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    body = run(args.cold, args.warm, overlay=args.overlay, output=args.output, note=args.note)
    sys.stdout.write(body + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
