"""bench.startup's pure parts: the server trace, stages, indicators and the table (no timing asserted)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import common
from bench import startup as su

T0 = 1_700_000_000.0

TRACE = "\n".join([
    f"{T0 + 3.0:.3f}\tgeo.gazetteer\tbuilding the gazetteer at /tmp/x/var/gazetteer-v1.sqlite (first use)",
    f"{T0 + 3.1:.3f}\tgeo.gazetteer_build\tgazetteer build   2%: reading GeoNames cities",
    f"{T0 + 5.0:.3f}\tgeo.gazetteer_build\tgazetteer build  15%: indexing city names (0 of 234,908)",
    f"{T0 + 12.0:.3f}\tgeo.gazetteer_build\tgazetteer build  80%: writing 240515 places",
    f"{T0 + 20.0:.3f}\tgeo.gazetteer_build\tgazetteer build 100%: done: 240515 places in 16.9 s",
    "a line some other handler wrote",
    "not-a-time\tgeo.store\tstored article x with 3 events",
    f"{T0 + 21.5:.3f}\tgeo.store\tstored article a1 with 12 events",
    f"{T0 + 21.9:.3f}\tgeo.store\tstored article a2 with 9 events",
    f"{T0 + 22.0:.3f}\tui\tdemo loaded: 6 articles, 69 events",
])


def _cold(offset: float = 0.0, **extra: float) -> su.StartRun:
    marks = {"clone": T0 - 1.5, "cloned": T0 - 1.2, "launch": T0 - 1.0, "health": T0, "opened": T0 + 0.1,
             "app": T0 + 1.0, "caption": T0 + 22.3, "map": T0 + 24.0 + offset,
             **su.parse_trace(TRACE), **extra}
    samples = [
        (T0 + 1.0, ()),
        (T0 + 2.0, ("progress bar 0%: First start: reading the demo story…",
                    "spinner: Loading the language model and the gazetteer…")),
        (T0 + 21.6, ("progress bar 16%: Reading 2021-08-15-kabul-falls.md",)),
        (T0 + 23.0, ()),
    ]
    return su.StartRun("cold", marks, peak_rss_mb=700.0, load="1.5", shown=69, cpu_s=25.0, cpu_up_s=1.0,
                       browser_cpu_s=2.0, indicators=samples, build_reports=su.build_reports(TRACE))


def _warm(total: float) -> su.StartRun:
    marks = {"launch": T0, "health": T0 + 0.5, "opened": T0 + 0.6, "app": T0 + 1.2, "caption": T0 + 2.0,
             "map": T0 + total}
    return su.StartRun("warm", marks, peak_rss_mb=300.0, load="0.8", shown=69, cpu_s=3.0, cpu_up_s=total / 4,
                       browser_cpu_s=1.5)


def test_parse_trace_takes_the_first_line_of_each_kind() -> None:
    marks = su.parse_trace(TRACE)
    assert marks == {"gaz_start": T0 + 3.0, "gaz_done": T0 + 20.0, "first_article": T0 + 21.5,
                     "demo_loaded": T0 + 22.0}
    assert su.parse_trace("") == {}
    # A rebuild of a stale index starts the build too; other loggers' look-alikes do not count.
    stale = f"{T0:.3f}\tgeo.gazetteer\trebuilding the gazetteer: x was built from other inputs\n" \
            f"{T0 + 1:.3f}\tgeo.pipeline\tdemo loaded"
    assert su.parse_trace(stale) == {"gaz_start": T0}


def test_build_reports_and_the_longest_wait() -> None:
    reports = su.build_reports(TRACE)
    assert [p for _t, p, _m in reports] == [2, 15, 80, 100]
    assert reports[1][2] == "indexing city names (0 of 234,908)"
    assert su.longest_gap([t for t, _p, _m in reports]) == pytest.approx(8.0, abs=1e-3)
    assert su.longest_gap([3.0, 1.0, 2.5]) == pytest.approx(1.5)
    assert su.longest_gap([1.0]) != su.longest_gap([1.0])  # NaN: no gap to speak of


def test_stages_need_both_marks() -> None:
    run = _cold()
    got = su.stage_seconds(run.marks, su.COLD_STAGES)
    assert got["gazetteer build"] == pytest.approx(17.0, abs=1e-3)
    assert got["rest of the demo ingest"] == pytest.approx(0.5, abs=1e-3)
    assert got["git clone"] == pytest.approx(0.3, abs=1e-6)
    assert su.stage_seconds({"launch": 1.0}, su.WARM_STAGES) == {}
    assert run.seconds("clone", "map") == pytest.approx(25.5, abs=1e-6)
    assert run.seconds("clone", "nowhere") is None


def test_indicators_during_the_build() -> None:
    run = _cold()
    during = su.indicators_between(run.indicators, run.marks["gaz_start"], run.marks["gaz_done"])
    assert during == ["progress bar 0%: First start: reading the demo story…",
                      "spinner: Loading the language model and the gazetteer…"]
    assert su.progress_values(during) == [0]
    note = su.build_indicator_note(run)
    assert note.startswith("no progress bar that moved during the 17.0 s build")
    assert "“progress bar: First start: reading the demo story…”" in note

    moving = [(T0 + 4.0 + i, (f"progress bar {5 * i}%: Building the place index: step {i}",))
              for i in range(6)]
    run.indicators = moving
    note = su.build_indicator_note(run)
    assert note.startswith("a progress bar that moved 5 times, 0% to 25%, during the 17.0 s build")
    assert note.endswith("“progress bar: Building the place index: step 0”; “… 4 more …”; "
                         "“progress bar: Building the place index: step 5”")
    del run.marks["gaz_done"]
    assert su.build_indicator_note(run) == "no gazetteer build was seen in the server's log"


def test_format_section_gives_the_table_stages_and_verdicts(tmp_path: Path) -> None:
    cold = [_cold(0.0), _cold(10.0), _cold(50.0)]  # 25.5, 35.5, 75.5 s: the median meets 60 s
    warm = [_warm(t) for t in (2.0, 4.0, 5.0)]
    body = su.format_section(cold, warm, note="A note.")
    assert "A note." in body
    lines = body.splitlines()
    cold_row = next(line for line in lines if line.startswith("| cold: fresh clone → map"))
    warm_row = next(line for line in lines if line.startswith("| warm: server start → map"))
    assert "| 3 | 35.5 (25.5–75.5) | ≤ 60 s: met | 1.00 + 24.00 | 2.00 | 700 | 1.5, 1.5, 1.5 |" in cold_row
    assert "| 3 | 4.00 (2.00–5.00) | ≤ 3 s: **missed** | 1.00 + 2.00 | 1.50 | 300 |" in warm_row
    assert "| gazetteer build | 17.00 (17.00–17.00) |" in body
    assert "| page opened → app shell shown (HTML, JavaScript) | 0.60 (0.60–0.60) |" in body
    assert "| sidebar counts → map drawn (script: the page's deck; browser: deck.gl) | 2.00 (0.00–3.00) |" \
        in body
    assert "4 reports from the build; the longest wait between two: 8.0 (8.0–8.0) s" in body
    assert "Events on the first map: 69." in body

    out = tmp_path / "benchmarks.md"
    common.write_section("startup", body, out)
    text = out.read_text(encoding="utf-8")
    assert "<!-- bench:startup:begin -->" in text and "| gazetteer build |" in text


def test_format_section_without_cold_runs() -> None:
    body = su.format_section([], [_warm(2.5)])
    assert "warm: server start → map | 1 | 2.50 (2.50–2.50) | ≤ 3 s: met" in body
    assert "cold: fresh clone" not in body and "during the build" not in body


def test_format_section_gives_a_returning_visitor_its_own_row_and_stages() -> None:
    body = su.format_section([], [_warm(4.0)], returning=[_warm(t) for t in (2.5, 3.5, 2.9)])
    assert "| warm: server start → map | 1 | 4.00 (4.00–4.00) | ≤ 3 s: **missed** |" in body
    assert "| warm, returning visitor: server start → map | 3 | 2.90 (2.50–3.50) | ≤ 3 s: met |" in body
    stages = body.split("Warm start of a returning visitor, stage by stage")[1]
    assert "| page opened → app shell shown (HTML, JavaScript) |" in stages


def test_the_server_runs_on_defaults_with_the_trace_hook(monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    monkeypatch.setenv("GEOSTORY_DB_URL", "sqlite:///elsewhere.sqlite")
    env = su.server_env(tmp_path, tmp_path / "trace.log")
    assert "GEOSTORY_DB_URL" not in env
    assert env["PYTHONPATH"].split(os.pathsep)[0] == str(tmp_path)
    cmd = su.server_command(8765)
    assert cmd[1:5] == ["-m", "streamlit", "run", "app.py"]
    for flag, value in (("--server.address", "127.0.0.1"), ("--server.port", "8765"),
                        ("--server.headless", "true"), ("--browser.gatherUsageStats", "false")):
        assert cmd[cmd.index(flag) + 1] == value


def test_the_trace_hook_writes_lines_parse_trace_reads(tmp_path: Path) -> None:
    (tmp_path / "sitecustomize.py").write_text(su.TRACE_HOOK, encoding="utf-8")
    trace = tmp_path / "trace.log"
    script = ("import logging\n"
              "logging.getLogger('geo.gazetteer').info('building the gazetteer at x (first use)')\n"
              "logging.getLogger('geo.gazetteer').debug('not at debug')\n"
              "logging.getLogger('ui').info('demo loaded: 6 articles, 69 events')\n"
              "logging.getLogger('other').warning('not ours')\n")
    subprocess.run([sys.executable, "-c", script], env=su.server_env(tmp_path, trace), check=True,
                   capture_output=True)
    text = trace.read_text(encoding="utf-8")
    assert len(text.splitlines()) == 2
    assert set(su.parse_trace(text)) == {"gaz_start", "demo_loaded"}


def test_tree_probe_reads_this_process() -> None:
    probe = su.TreeProbe(os.getpid())
    probe.sample()
    assert probe.peak_mb > 1 and probe.cpu_s > 0
    gone = su.TreeProbe(2**22 + 12345)  # above the kernel's pid limit: never a live process
    gone.sample()
    assert gone.peak_mb == 0 and gone.cpu_s == 0


def test_format_section_lists_the_warm_pieces() -> None:
    pieces = [("import spacy", [0.5, 0.6, 0.7], [0.4, 0.5, 0.6]), ("first run", [0.3], [0.3])]
    body = su.format_section([], [_warm(2.5)], pieces)
    assert "| import spacy | 0.50 (0.40–0.60) | 0.60 |" in body
    assert "| first run | 0.30 (0.30–0.30) | 0.30 |" in body


def test_warm_pieces_script_compiles() -> None:
    compile(su.PIECES_SCRIPT, "<pieces>", "exec")  # it runs in a checkout, in a fresh process


def test_canvas_colors_tells_a_blank_canvas_from_a_drawn_one() -> None:
    import io

    from PIL import Image, ImageDraw

    def png(draw: bool) -> bytes:
        image = Image.new("RGBA", (40, 30), (255, 255, 255, 0))
        if draw:
            pen = ImageDraw.Draw(image)
            pen.rectangle((5, 5, 20, 20), fill=(200, 30, 30, 255))
            pen.line((0, 29, 39, 0), fill=(30, 30, 200, 255))
        out = io.BytesIO()
        image.save(out, format="PNG")
        return out.getvalue()

    assert su.canvas_colors(png(False)) == 1
    assert su.canvas_colors(png(True)) == 3
    run = _warm(2.0)
    run.canvas_colors = 1725
    body = su.format_section([], [run])
    assert "the canvas had already been drawn (1725 to 1725 distinct colours in it" in body


def test_page_switches_are_judged_on_first_and_later_visits_apart() -> None:
    pieces = [("import streamlit", [0.2], [0.2]),
              ("page switch to timeline: first visit in this process", [0.9, 0.7, 0.8], [0.8]),
              ("page switch to actors: first visit in this process", [0.2, 0.2, 0.2], [0.2]),
              ("page switch to timeline: again", [0.25, 0.2, 0.22], [0.2]),
              ("page switch to sources: again", [0.35, 0.31, 0.4], [0.3])]
    lines = su.switch_verdicts(pieces)
    assert "- Page switch on the demo, first visits in a process: slowest 800 ms (timeline); " \
           "target ≤ 300 ms: **missed**." in lines
    assert ("- Page switch on the demo, later visits: slowest 350 ms (sources); "
            "target ≤ 300 ms: **missed**.") in lines
    assert su.switch_verdicts(pieces[:1]) == []
    met = su.switch_verdicts([("page switch to map: again", [0.1], [0.1])])
    assert met == ["", "- Page switch on the demo, later visits: slowest 100 ms (map); target ≤ 300 ms: met."]
