"""Dashboard at scale: from a filter change to a built deck, on synthetic stores of 10k, 100k and 1M events.

    python -m bench.dashboard [--sizes 10000 100000 1000000] [--runs 5] [--seed 0]

For each store (``bench.synth``) and filter changes taken from its own data: the lean path
(``geo.density.map_overview`` + ``overview_deck`` + ``deck.to_json()``, what Streamlit sends) on
the store as the schema makes it and on copies with the indexes it lacks, interleaved, medians
after a warm-up run; the naive path (every event a point: ``Store.events`` + ``mapview.build_deck``,
on a labelled sample above ``--naive-sample`` events); and the page itself under AppTest. Each part
runs in its own spawned process, so its peak RSS is its own and a time limit can stop it.
"""

from __future__ import annotations

import argparse
import gc
import logging
import multiprocessing
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.schema import CreateIndex

from bench.common import (
    PROJECT_ROOT,
    RESULTS,
    environment_line,
    load_average,
    md_table,
    median,
    peak_rss_mb,
    write_section,
)
from bench.synth import BENCH_DIR, SIZES, new_articles, store_url, synth_store
from geo.density import PLACE_LIMIT, map_overview, overview_deck
from geo.overview import MapFilters, count_events
from geo.schema import event_actors, events
from geo.store import Store

log = logging.getLogger(__name__)


def _create_sql(index: sa.Index) -> str:
    return str(CreateIndex(index).compile(dialect=sqlite_dialect.dialect()))


# The schema's indexes for the map's counting queries, and the one they replaced.
_MAP_INDEX_NAMES = ("ix_events_map", "ix_events_id_map", "ix_event_actors_actor_event")
_BY_NAME = {str(ix.name): ix for table in (events, event_actors) for ix in table.indexes}
MAP_INDEXES = [_BY_NAME[name] for name in _MAP_INDEX_NAMES]
OLD_ACTOR_INDEX_SQL = "CREATE INDEX ix_event_actors_actor ON event_actors (actor)"
NO_STATISTICS = "DROP TABLE sqlite_stat1"
# Variant name -> statements run on a copy of the store, which is then opened as it is
# (Store(as_is=True)), so that nothing puts the indexes or statistics back.
VARIANTS: dict[str, tuple[str, ...]] = {
    "before the map indexes": (*[f"DROP INDEX {ix.name}" for ix in MAP_INDEXES], OLD_ACTOR_INDEX_SQL,
                               NO_STATISTICS),
    "no statistics": (NO_STATISTICS,),
    "schema today": (),
}
TODAY, BEFORE = "schema today", "before the map indexes"
TARGETS = {100_000: (0.3, 3.0), 1_000_000: (1.0, 3.0)}  # seconds, MB


@dataclass(frozen=True)
class Scenario:
    name: str
    filters: MapFilters


def scenarios(store: Store) -> list[Scenario]:
    """Filter changes a user makes, from the store's own data (no names typed in)."""
    out = [Scenario("no filter", MapFilters())]
    actors = store.actors()
    if actors:
        out.append(Scenario("busiest actor", MapFilters.of(actors=[actors[0][0].name])))
    bounds, published = store.date_range(), store.first_published()
    if bounds:
        # Three months in the middle of the news (background mentions reach years further back).
        start = max(bounds[0], published) if published else bounds[0]
        middle = start + (bounds[1] - start) / 2
        window = MapFilters.of(date_from=middle - timedelta(days=89), date_to=middle)
        out.append(Scenario("90-day window", window))
    countries = store.countries()
    if countries:
        busiest = max(countries, key=lambda c: c[1])[0]
        out.append(Scenario("busiest country", MapFilters.of(countries=[busiest])))
    return out


def variant_copy(path: Path, name: str) -> Path:
    """The store itself for today's schema, else a copy with the variant's statements run (kept beside it)."""
    statements = VARIANTS[name]
    if not statements:
        return path
    target = path.with_name(f"{path.stem}-{name.replace(' ', '').replace('+', '-').lower()}.sqlite")
    if target.is_file() and target.stat().st_mtime >= path.stat().st_mtime:
        return target
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    with sqlite3.connect(path) as src, sqlite3.connect(tmp) as dst:
        src.backup(dst)
        for statement in statements:
            dst.execute(statement)
    src.close()
    dst.close()
    os.replace(tmp, target)
    return target


# -- work done in child processes --------------------------------------------------------------


def _lean_once(store: Store, filters: MapFilters) -> dict[str, Any]:
    start = time.perf_counter()
    built = overview_deck(map_overview(store, filters))
    spec = built.deck.to_json()
    return {"s": time.perf_counter() - start, "mb": len(spec) / 1e6, "mode": built.mode,
            "places": built.places, "cells": built.cells, "total": built.total}


def _hexagon_mb(store: Store, filters: MapFilters) -> float:
    """Deck size of the alternative: every place sent for pydeck's HexagonLayer to bin in the browser."""
    import pydeck as pdk

    from geo.density import base_layer, fit_bounds
    from geo.overview import place_counts

    ov = place_counts(store, filters, describe=lambda _ov: [])
    rows = [{"p": [round(float(x), 5), round(float(y), 5)], "n": int(n)}
            for x, y, n in zip(ov.lon, ov.lat, ov.count, strict=True)]
    layer = pdk.Layer("HexagonLayer", id="hexagons", data=rows, get_position="p", get_color_weight="n",
                      get_elevation_weight="n", color_aggregation='"SUM"', radius=50_000, pickable=True)
    deck = pdk.Deck(layers=[base_layer(), layer], initial_view_state=fit_bounds(ov.lat, ov.lon),
                    map_provider=None)
    return len(deck.to_json()) / 1e6


def _plan(store: Store, filters: MapFilters) -> str:
    """SQLite's plan for the counting query: what it reads, and whether it sorts."""
    from geo.overview import _place_query, conditions, store_engine

    with store_engine(store).connect() as conn:
        query = _place_query(conditions(conn, filters))
        sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        return "; ".join(str(row[3]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))


def lean_child(paths: dict[str, str], runs: int) -> dict[str, Any]:
    """Interleaved runs of the lean path on each store variant; sidebar option queries too."""
    from geo.mapview import base_map

    base_map()  # the app computes it once per process
    stores = {name: Store(store_url(Path(p)), as_is=True) for name, p in paths.items()}
    cases = scenarios(next(iter(stores.values())))
    found: dict[str, dict[str, list[dict[str, Any]]]] = {c.name: {v: [] for v in stores} for c in cases}
    loads = []
    for run in range(runs + 1):  # run 0 warms the connection and caches
        for case in cases:
            for variant, store in stores.items():
                gc.collect()  # else a collection of earlier runs' garbage lands in a random run (+60 ms)
                result = _lean_once(store, case.filters)
                if run:
                    found[case.name][variant].append(result)
        loads.append(load_average())
    options = {}
    for variant, store in stores.items():
        queries = (store.actors, store.countries, store.sources, store.date_range, store.first_published)
        options[variant] = median([sum(_seconds(q) for q in queries) for _ in range(3)])
    hexagons = {c.name: _hexagon_mb(stores[TODAY], c.filters) for c in cases}
    plans = {c.name: {v: _plan(store, c.filters) for v, store in stores.items()} for c in cases}
    return {"cases": [c.name for c in cases], "runs": found, "options": options, "hexagons": hexagons,
            "plans": plans, "loads": loads, "peak_mb": peak_rss_mb()}


def write_child(paths: dict[str, str], seed: int, n_articles: int) -> dict[str, Any]:
    """What the indexes cost ingest: articles added one transaction each (as ``ingest`` does) to
    scratch copies of the store before and after the map indexes, interleaved; then the statistics."""
    import tempfile

    items = new_articles(n_articles, seed)
    out: dict[str, Any] = {"articles": len(items), "events": sum(len(evs) for _a, evs, _c in items)}
    with tempfile.TemporaryDirectory(dir=BENCH_DIR) as scratch:
        stores = {}
        for name, path in paths.items():
            copy = Path(scratch) / f"{len(stores)}.sqlite"
            with sqlite3.connect(path) as src, sqlite3.connect(copy) as dst:
                src.backup(dst)
            src.close()
            dst.close()
            stores[name] = Store(store_url(copy), as_is=True)
        spent = dict.fromkeys(stores, 0.0)
        for item in items:
            for name, store in stores.items():
                start = time.perf_counter()
                store.add_article(*item)
                spent[name] += time.perf_counter() - start
        out["s"] = spent
        out["statistics_s"] = _seconds(stores[TODAY].refresh_statistics)
        for store in stores.values():
            store.close()
    return out


def _seconds(work: Callable[[], Any]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def naive_child(path: str, sample: int, runs: int) -> dict[str, Any]:
    """Every event as a point: Store.events + mapview.build_deck + to_json."""
    from geo.mapview import base_map, build_deck

    base_map()
    store = Store(store_url(Path(path)))
    out: dict[str, Any] = {}
    for case in scenarios(store):
        f = case.filters
        matched = count_events(store, f)
        limit = sample if matched > sample else None
        timings: list[dict[str, float]] = []
        for _ in range(runs if matched <= 20_000 else 1):
            t0 = time.perf_counter()
            evs = store.events(actors=f.actors or None, date_from=f.date_from, date_to=f.date_to,
                               countries=f.countries or None, sources=f.sources or None, limit=limit)
            t1 = time.perf_counter()
            spec = build_deck(evs, color_by="actor").to_json()
            t2 = time.perf_counter()
            timings.append({"query_s": t1 - t0, "deck_s": t2 - t1, "mb": len(spec) / 1e6})
        scale = matched / max(len(evs), 1)
        row = {"matched": matched, "used": len(evs), "scale": scale,
               "s": median([(t["query_s"] + t["deck_s"]) * scale for t in timings]),
               "query_s": median([t["query_s"] * scale for t in timings]), "mb": timings[0]["mb"] * scale}
        row["by_date_s"] = scale * _seconds(lambda evs=evs: build_deck(evs, color_by="date").to_json())
        out[case.name] = row
    out["_peak_mb"] = peak_rss_mb()
    return out


OTHER_PAGES = ("timeline", "actors", "sources")


def app_rerun(path: str, timeout: float) -> dict[str, Any]:
    """The page under AppTest: first run, then the actor filter set and cleared in the sidebar."""
    from streamlit.testing.v1 import AppTest

    os.environ["GEOSTORY_DB_URL"] = store_url(Path(path))
    os.environ["GEOSTORY_DEMO"] = "false"
    sys.path.insert(0, str(PROJECT_ROOT))  # pages import ui from the project root
    store = Store(store_url(Path(path)))
    actor = store.actors()[0][0].name
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=timeout)
    out: dict[str, Any] = {"first_s": _seconds(at.run)}

    def deck_mb() -> float:
        charts = at.get("deck_gl_json_chart")
        return len(charts[0].proto.json) / 1e6 if charts else float("nan")

    out["first_mb"] = deck_mb()
    out["actor_s"] = _seconds(lambda: at.multiselect(key="w_actors").set_value([actor]).run())
    out["actor_mb"] = deck_mb()
    out["clear_s"] = _seconds(lambda: at.multiselect(key="w_actors").set_value([]).run())
    out["exceptions"] = [str(e.value)[:200] for e in at.exception]
    for page in OTHER_PAGES:  # the whole store in view: counted in SQL above ui.MAX_DETAIL_EVENTS
        out[page] = _seconds(lambda page=page: at.switch_page(f"pages/{page}.py").run())
        out["exceptions"] += [f"{page}: {str(e.value)[:200]}" for e in at.exception]
    out["peak_mb"] = peak_rss_mb()
    return out


def _entry(fn: Callable[..., Any], args: tuple[Any, ...], queue: Any) -> None:
    try:
        queue.put(("ok", fn(*args)))
    except Exception as err:  # reported in the table, not raised: one failing part must not hide the rest
        queue.put(("error", f"{type(err).__name__}: {err}"))


def in_child(fn: Callable[..., Any], *args: Any, timeout: float | None = None) -> tuple[str, Any]:
    """``fn(*args)`` in a fresh spawned process: ("ok", result), ("error", message) or ("timeout", s)."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_entry, args=(fn, args, queue))
    proc.start()
    try:
        return queue.get(timeout=timeout)
    except Exception:  # queue.Empty: the time limit passed
        return ("timeout", timeout)
    finally:
        proc.join(5)
        if proc.is_alive():
            proc.kill()
            proc.join()


# -- the report -------------------------------------------------------------------------------------


def store_facts(path: Path) -> dict[str, Any]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        facts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                 for t in ("articles", "events", "actors")}
        facts["places"] = conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM events GROUP BY lat, lon, place_precision)").fetchone()[0]
    conn.close()
    facts["mb"] = path.stat().st_size / 1e6
    return facts


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}"


def _ok(part: tuple[str, Any]) -> Any:
    return part[1] if part[0] == "ok" else None


def _speed_rows(n: int, r: dict[str, Any]) -> tuple[list[list[str]], list[str]]:
    """Rows of the main table for one store, and its verdicts against the targets."""
    lean, naive = _ok(r["lean"]), _ok(r["naive"]) or {}
    if lean is None:
        return [[f"{n:,}", f"lean path {r['lean'][0]}: {r['lean'][1]}", *["–"] * (len(SPEED_HEADER) - 2)]], []
    rows, worst, worst_mb = [], dict.fromkeys(VARIANTS, 0.0), 0.0
    for case in lean["cases"]:
        runs = lean["runs"][case]
        med = {v: median([x["s"] for x in runs[v]]) for v in runs}
        first = runs[TODAY][0]
        worst = {v: max(worst[v], med[v]) for v in med}
        worst_mb = max(worst_mb, first["mb"])
        shown = (f"{first['places']:,} points" if first["mode"] == "places"
                 else f"{first['cells']:,} cells ({first['places']:,} places)")
        nv = naive.get(case, {})
        scaled = f" ×{nv['scale']:.1f}" if nv.get("scale", 1.0) > 1.001 else ""
        rows.append([f"{n:,}", case, f"{first['total']:,}", shown, *[_ms(med[v]) for v in VARIANTS],
                     f"{first['mb']:.2f}", f"{nv['s']:,.1f}{scaled}" if nv else r["naive"][0],
                     f"{nv['mb']:,.1f}{scaled}" if nv else "–",
                     f"{nv['by_date_s']:,.1f}{scaled}" if "by_date_s" in nv else "–"])
    verdicts = []
    if n in TARGETS:
        limit_s, limit_mb = TARGETS[n]
        for variant in VARIANTS:
            ok = worst[variant] <= limit_s and worst_mb <= limit_mb
            verdicts.append(
                f"{n:,} events, {variant}: slowest filter change {_ms(worst[variant])} ms, largest "
                f"deck {worst_mb:.2f} MB; target ≤ {_ms(limit_s)} ms and ≤ {limit_mb:g} MB: "
                f"**{'met' if ok else 'missed'}**.")
    return rows, verdicts


def _memory_row(n: int, r: dict[str, Any]) -> list[str]:
    lean, naive = _ok(r["lean"]), _ok(r["naive"])
    options = " / ".join(f"{v} {_ms(s)} ms" for v, s in lean["options"].items()) if lean else "–"
    return [f"{n:,}", f"{lean['peak_mb']:,.0f}" if lean else r["lean"][0],
            f"{naive['_peak_mb']:,.0f}" if naive else r["naive"][0], options,
            ", ".join(lean["loads"]) if lean else "–"]


def _app_row(n: int, r: dict[str, Any]) -> list[str]:
    status, got = r.get("app", ("not run", None))
    if status != "ok":
        said = f"timeout ({got:.0f} s limit)" if status == "timeout" else status
        return [f"{n:,}", said if status in ("timeout", "not run") else f"{status}: {got}",
                *["–"] * (6 + len(OTHER_PAGES))]
    return [f"{n:,}", f"{got['first_s']:.1f}", f"{got['first_mb']:.2f}", f"{got['actor_s']:.2f}",
            f"{got['actor_mb']:.2f}", f"{got['clear_s']:.2f}",
            *[f"{got[page]:.2f}" if page in got else "–" for page in OTHER_PAGES], f"{got['peak_mb']:,.0f}",
            "; ".join(got["exceptions"]) or "none"]


SPEED_HEADER = ["events", "filter", "matching events", "map shows", *[f"lean ms, {v}" for v in VARIANTS],
                "deck JSON MB", "naive s (colour by actor)", "naive deck JSON MB",
                "naive s, colour by date (the default)"]


def _write_row(n: int, r: dict[str, Any]) -> list[str]:
    status, got = r.get("writes", ("not run", None))
    if status != "ok":
        return [f"{n:,}", f"{status}: {got}", "–", "–", "–", "–"]
    before, today = got["s"][BEFORE], got["s"][TODAY]
    per = lambda s: f"{s / got['articles'] * 1000:.1f}"  # noqa: E731
    return [f"{n:,}", f"{got['articles']:,} ({got['events']:,})", per(before), per(today),
            f"{round((today / before - 1) * 100):+d}%", f"{got['statistics_s'] * 1000:,.0f}"]


def format_section(results: dict[int, dict[str, Any]], *, runs: int, sample: int, write_articles: int) -> str:
    facts = [[f"{n:,}", f"{r['facts']['articles']:,}", f"{r['facts']['actors']:,}",
              f"{r['facts']['places']:,}", f"{r['facts']['mb']:,.0f}"] for n, r in results.items()]
    speed, verdicts = [], []
    for n, r in results.items():
        rows, said = _speed_rows(n, r)
        speed += rows
        verdicts += said
    hexes = [[f"{n:,}", case, f"{lean['runs'][case][TODAY][0]['mb']:.2f}", f"{mb:.2f}"]
             for n, r in results.items() if (lean := _ok(r["lean"])) for case, mb in lean["hexagons"].items()]
    largest = max(results)
    biggest = _ok(results[largest]["lean"])
    plans = [[case, *[f"`{biggest['plans'][case][v]}`" for v in VARIANTS]] for case in biggest["cases"]] \
        if biggest else []
    parts = [
        environment_line(), "",
        "Synthetic stores from `python -m bench.synth` (seeded; real gazetteer places with Zipf-like "
        "popularity, a few hundred made-up actors, three years of articles with several events each):", "",
        md_table(["events", "articles", "actors", "places", "store MB"], facts), "",
        f"Lean = `geo.density.map_overview` + `overview_deck` + `deck.to_json()`: counts per place in SQL, "
        f"one point per place up to {PLACE_LIMIT:,} places, density cells above. Median of {runs} runs "
        f"after a warm-up, each after a full garbage collection (outside the timing), interleaved on "
        f"three copies of each store, each opened as it is: "
        f"\"schema today\" is the store as `geo.schema` makes it and ingest leaves it (the map indexes, "
        f"and statistics from `ANALYZE`); \"no statistics\" drops `sqlite_stat1`; \"before the map "
        f"indexes\" also drops {', '.join(f'`{_create_sql(ix)}`' for ix in MAP_INDEXES)} and restores "
        f"`{OLD_ACTOR_INDEX_SQL}`, as the schema was before. Filter change to a built deck, in-process:", "",
        md_table(SPEED_HEADER, speed), "",
        f"Naive = `Store.events` + `geo.mapview.build_deck` + `to_json`, every event a point, one run above "
        f"20,000 matching events. \"×k\": more than {sample:,} events matched, so it ran on the first "
        f"{sample:,} in story order and time and size are scaled by k (both grow linearly there).", "",
        *[f"- {v}" for v in verdicts], "",
        f"What limits the lean path: the counting query (one row per place), as SQLite plans it on the "
        f"{largest:,}-event store. Without an index holding the place columns it reads every row of the "
        f"events table (`SCAN events`) or looks each matching event up in it. With the map indexes the "
        f"unfiltered and per-source counts read an index alone, and an actor's events are looked up in "
        f"the covering id index, but only when statistics tell SQLite that it is cheaper than the "
        f"primary key:", "",
        md_table(["filter", *VARIANTS], plans), "",
        md_table(["events", "peak RSS MB, lean (all variants)", "peak RSS MB, naive",
                  "sidebar option queries (the page caches them 60 s)", "load average per round"],
                 [_memory_row(n, r) for n, r in results.items()]), "",
        f"What the map indexes cost ingest: {write_articles:,} more synthetic articles added to scratch "
        f"copies of each store one transaction each, as `ingest` stores them, interleaved between the "
        f"schema before and after the indexes (ms per article, the whole `Store.add_article`); then "
        f"`Store.refresh_statistics()`, which ingest runs once per batch:", "",
        md_table(["events in the store", "articles added (events)", "ms per article, before the map indexes",
                  "ms per article, schema today", "difference", "statistics ms"],
                 [_write_row(n, r) for n, r in results.items()]), "",
        "Server-side cells against sending every place to pydeck's HexagonLayer to bin in the browser "
        "(same base map):", "",
        md_table(["events", "filter", "deck MB, server cells or points",
                  "deck MB, HexagonLayer of every place"], hexes), "",
        "Through AppTest, the page (`app.py`: event by event up to `ui.MAX_DETAIL_EVENTS`, the lean path "
        "above, on the schema of today): first run, then the busiest actor set in the sidebar, then "
        "cleared; then the whole store on the other pages that count a large view in SQL, each page's "
        "first run. The first run includes the sidebar's option queries over the whole store (cached "
        "60 s):", "",
        md_table(["events", "first run s", "deck MB", "actor set s", "deck MB", "actor cleared s",
                  *[f"{page.capitalize()} s" for page in OTHER_PAGES], "peak RSS MB", "exceptions"],
                 [_app_row(n, r) for n, r in results.items()]),
    ]
    return "\n".join(parts)


def run(sizes: Sequence[int], *, runs: int = 5, seed: int = 0, sample: int = 100_000,
        app_sizes: Sequence[int] = SIZES, app_timeout: float = 300.0, write_articles: int = 500,
        output: Path = RESULTS, folder: Path = BENCH_DIR) -> str:
    results: dict[int, dict[str, Any]] = {}
    for n in sizes:
        stock = synth_store(n, seed, folder=folder)
        copies = {name: str(variant_copy(stock, name)) for name in VARIANTS}
        log.info("%d events: lean path", n)
        result: dict[str, Any] = {"facts": store_facts(stock)}
        result["lean"] = in_child(lean_child, copies, runs)
        log.info("%d events: writes", n)
        both = {v: copies[v] for v in (BEFORE, TODAY)}
        result["writes"] = in_child(write_child, both, seed, write_articles)
        log.info("%d events: naive path", n)
        result["naive"] = in_child(naive_child, str(stock), sample, runs)
        if n in app_sizes:
            log.info("%d events: AppTest (limit %.0f s)", n, app_timeout)
            # AppTest's own limit does not stop a script stuck in one long call: the child's does.
            result["app"] = in_child(app_rerun, str(stock), app_timeout, timeout=app_timeout)
        results[n] = result
    body = format_section(results, runs=runs, sample=sample, write_articles=write_articles)
    write_section("dashboard", body, output)
    return body


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--naive-sample", type=int, default=100_000)
    parser.add_argument("--app-sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--app-timeout", type=float, default=300.0, help="seconds for the AppTest part")
    parser.add_argument("--write-articles", type=int, default=500, help="articles added to measure writes")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    body = run(args.sizes, runs=args.runs, seed=args.seed, sample=args.naive_sample, app_sizes=args.app_sizes,
               app_timeout=args.app_timeout, write_articles=args.write_articles, output=args.output)
    sys.stdout.write(body + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
