"""The dashboard benchmark on a tiny synthetic store: it runs every part and writes its table.

No timing is asserted; the figures only have to be there.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from bench import dashboard
from bench.synth import store_url, synth_store
from geo.overview import count_events
from geo.store import Store

N_EVENTS = 300


def _section(text: str) -> str:
    found = re.search(r"<!-- bench:dashboard:begin -->\n(.*?)\n<!-- bench:dashboard:end -->", text, re.S)
    assert found, "no dashboard section"
    return found.group(1)


@pytest.mark.gazetteer
def test_scenarios_come_from_the_store_and_select_events(tmp_path: Path, real_gazetteer) -> None:
    with Store(store_url(synth_store(N_EVENTS, 2, folder=tmp_path))) as store:
        cases = dashboard.scenarios(store)
        assert [c.name for c in cases] == ["no filter", "busiest actor", "90-day window", "busiest country"]
        counts = [count_events(store, c.filters) for c in cases]
    assert counts[0] == N_EVENTS and all(0 < n < N_EVENTS for n in counts[1:])


@pytest.mark.gazetteer
def test_variant_copies_remove_indexes_and_leave_the_store_alone(tmp_path: Path, real_gazetteer) -> None:
    import sqlite3

    def indexes(path: Path) -> set[str]:
        with sqlite3.connect(path) as conn:
            rows = conn.execute("SELECT name FROM sqlite_master WHERE type IN ('index', 'table')")
            names = {r[0] for r in rows}
            assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == N_EVENTS
        conn.close()
        return names

    path = synth_store(N_EVENTS, 2, folder=tmp_path)
    assert dashboard.variant_copy(path, dashboard.TODAY) == path
    today = indexes(path)
    mapping = {"ix_events_map", "ix_events_id_map", "ix_event_actors_actor_event"}
    assert today >= mapping | {"sqlite_stat1"}  # the synthetic store is left as ingest leaves one
    copies = {name: dashboard.variant_copy(path, name) for name in dashboard.VARIANTS}
    for copy in copies.values():
        with Store(store_url(copy), as_is=True):  # the benchmark opens them so: nothing comes back
            pass
    assert today - indexes(copies["no statistics"]) == {"sqlite_stat1"}
    before = indexes(copies["before the map indexes"])
    assert today - before == mapping | {"sqlite_stat1"} and before - today == {"ix_event_actors_actor"}
    assert indexes(path) == today

    # What the statistics are for: SQLite then reads an actor's events from the covering index.
    def plan(copy: Path) -> str:
        with Store(store_url(copy), as_is=True) as store:
            actor = store.actors()[0][0].name
            return dashboard._plan(store, dashboard.MapFilters.of(actors=[actor]))

    assert "COVERING INDEX ix_events_id_map" in plan(path)
    # Since schema version 3 the map counts only events with a place (lat IS NOT NULL), a range the
    # index holds: SQLite may take it without statistics too, but never the table instead of it.
    assert "SCAN events" not in plan(copies["no statistics"])


def test_child_processes_report_errors_and_time_limits() -> None:
    assert dashboard.in_child(int, "12") == ("ok", 12)
    status, message = dashboard.in_child(int, "not a number")
    assert status == "error" and "ValueError" in message
    start = time.perf_counter()
    assert dashboard.in_child(time.sleep, 30, timeout=1.0) == ("timeout", 1.0)
    assert time.perf_counter() - start < 20


@pytest.mark.gazetteer
def test_bench_writes_every_table_on_a_tiny_store(tmp_path: Path, real_gazetteer) -> None:
    out = tmp_path / "benchmarks.md"
    body = dashboard.run([N_EVENTS], runs=1, seed=2, sample=100, app_sizes=[N_EVENTS], app_timeout=120,
                         output=out, folder=tmp_path)
    assert _section(out.read_text(encoding="utf-8")) == body.strip()
    assert all(dashboard._create_sql(ix) in body for ix in dashboard.MAP_INDEXES)
    speed = [line for line in body.splitlines() if line.startswith(f"| {N_EVENTS} |")]
    assert len(speed) >= 4 + 1 + 1  # four filter changes, memory, AppTest (and the store facts, hexagons)
    no_filter = next(line for line in speed if "| no filter |" in line and "points" in line)
    assert "×3.0" in no_filter  # 300 events matched, the naive path ran on 100 of them and says so
    app = speed[-1].split("|")
    assert re.fullmatch(r" \d+\.\d ", app[2]) and re.fullmatch(r" \d+\.\d\d ", app[3]), speed[-1]
    assert all(re.fullmatch(r" \d+\.\d\d ", cell) for cell in app[7:10]), speed[-1]  # the other pages
    assert app[-2].strip() == "none"  # today's page ran without an exception
