"""Ingest throughput: the full pipeline against bare spaCy, and ``ingest --jobs N``.

    python -m bench.ingest [--runs 3] [--jobs 1 2] [--limit N]

Texts: the demo story and the texts of the four dev corpora. The dev texts
carry no date, so each is given one nominal published date: without it most
sentences would make no event and the pipeline would skip work a dated
article does.

In-process, on one core: bare ``nlp.pipe`` and the full ``geo.pipeline.ingest``
(recognition, recovery, resolution, dates, actors, events and the store
writes into a fresh temporary SQLite file) alternate run by run on the same
loaded model, and the ratio is taken within each run. Each pipeline run opens
the gazetteer afresh, so its lookup cache starts cold as in a new process.

Then the command itself, ``python -m geo ingest --jobs N`` on the same texts
written to files, wall clock from start to exit, model loading included,
alternating the job counts run by run.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from spacy.language import Language

from bench.common import (
    PROJECT_ROOT,
    RESULTS,
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
from geo.actors import KnownActors
from geo.config import Settings
from geo.gazetteer import Gazetteer, gazetteer_path, load_gazetteer
from geo.models import Article
from geo.pipeline import Pipeline, ingest, rename_actors
from geo.readers import article_from_text, demo_articles
from geo.store import Store

log = logging.getLogger(__name__)

NOMINAL_PUBLISHED = date(2015, 6, 1)  # any past day; see the module docstring
BATCH_SIZE = 8  # geo.pipeline.ingest's default, used for both sides
TARGET_RATIO = 0.85
TARGET_SPEEDUP = 1.7


def bench_articles(limit: int = 0, *, with_dev: bool = True) -> list[Article]:
    """The demo story, then the dev texts (the first ``limit`` of each file if given)."""
    articles = demo_articles()
    if with_dev:
        for rec in dev_records(dev_paths(), limit):
            articles.append(article_from_text(
                rec["text"], title=rec.get("title") or "", published=NOMINAL_PUBLISHED,
                source=rec.get("dataset", ""), origin=rec.get("id", ""),
            ))
    return articles


# -- in process -----------------------------------------------------------------------


@dataclass
class InProcess:
    articles: int
    tokens: int
    spacy_s: list[float] = field(default_factory=list)
    pipeline_s: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    stored: int = 0
    events: int = 0
    rejected: int = 0  # articles with no place at all: analysed, then refused by ingest
    spacy_peak_mb: float = 0.0
    pipeline_peak_mb: float = 0.0
    stages_ms: dict[str, float] = field(default_factory=dict)  # per article


def bare_spacy(nlp: Language, texts: Sequence[str], batch_size: int = BATCH_SIZE) -> tuple[float, int]:
    with timed() as clock:
        tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=batch_size))
    return clock.seconds, tokens


def full_pipeline(nlp: Language, gaz_file: Path, articles: Sequence[Article], db_file: Path,
                  batch_size: int = BATCH_SIZE):  # -> (seconds, IngestSummary)
    with timed() as clock:
        pipeline = Pipeline(nlp, Gazetteer.open(gaz_file))
        with Store(f"sqlite:///{db_file}") as store:
            summary = ingest(articles, pipeline, store, batch_size=batch_size)
        pipeline.gazetteer.close()
    return clock.seconds, summary


def stage_times(
    nlp: Language, gaz_file: Path, articles: Sequence[Article], db_file: Path
) -> dict[str, float]:
    """Milliseconds per article in each stage, one pass, on docs parsed once."""
    n = len(articles)
    with timed() as t_nlp:
        docs = list(nlp.pipe((a.text for a in articles), batch_size=BATCH_SIZE))
    pipeline = Pipeline(nlp, Gazetteer.open(gaz_file))
    with timed() as t_geo:
        for doc in docs:
            pipeline.geoparse_doc(doc)
    pipeline = Pipeline(nlp, Gazetteer.open(gaz_file))  # cold lookup cache again
    with timed() as t_all:
        analyses = [pipeline.analyse_doc(a, d) for a, d in zip(articles, docs, strict=True)]
    # As ingest() does: each article's actors renamed against those stored before it, then stored.
    known = KnownActors()
    renaming = storing = 0.0
    with Store(f"sqlite:///{db_file}") as store:
        for a in analyses:
            if not a.events:
                continue
            with timed() as t_rename:
                a = rename_actors(a, known)
            with timed() as t_store:
                store.add_article(a.article, a.events, a.actors)
            known.add(a.actors)
            renaming += t_rename.seconds
            storing += t_store.seconds
    return {
        "spaCy (nlp.pipe)": 1000 * t_nlp.seconds / n,
        "toponyms + resolution (geoparse_doc)": 1000 * t_geo.seconds / n,
        "actors, dates, events (rest of analyse_doc)": 1000 * max(0.0, t_all.seconds - t_geo.seconds) / n,
        "actor names matched to the store's (rename_actors)": 1000 * renaming / n,
        "store writes": 1000 * storing / n,
    }


def measure_in_process(nlp: Language, articles: Sequence[Article], *, runs: int = 3,
                       gaz_file: Path | None = None, stages: bool = True) -> InProcess:
    gaz_file = gaz_file or gazetteer_path(Settings())
    texts = [a.text for a in articles]
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        warm = list(articles[:4])
        bare_spacy(nlp, [a.text for a in warm])
        full_pipeline(nlp, gaz_file, warm, Path(tmp) / "warm.sqlite")  # imports dateparser & co.
        result = InProcess(articles=len(articles), tokens=0)
        for run in range(runs):
            s_spacy, tokens = bare_spacy(nlp, texts)
            if run == 0:
                result.spacy_peak_mb = peak_rss_mb()  # before the pipeline's own memory is touched
            s_pipe, summary = full_pipeline(nlp, gaz_file, articles, Path(tmp) / f"run{run}.sqlite")
            log.info("run %d: spaCy %.1f s, pipeline %.1f s", run + 1, s_spacy, s_pipe)
            result.tokens = tokens
            result.spacy_s.append(s_spacy)
            result.pipeline_s.append(s_pipe)
            result.ratios.append(s_spacy / s_pipe)
            result.stored, result.events = len(summary.added), summary.events
            result.rejected = len(summary.failed)
        result.pipeline_peak_mb = peak_rss_mb()
        if stages:
            result.stages_ms = stage_times(nlp, gaz_file, articles, Path(tmp) / "stages.sqlite")
    return result


# -- the command, several processes ---------------------------------------------------------


@dataclass
class JobsRun:
    jobs: int
    seconds: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)  # the largest single process
    cpu_s: list[float] = field(default_factory=list)  # user + system, every process of the command
    load: list[float] = field(default_factory=list)  # 1-minute load average as the run started
    last_message: str = ""


def write_article_files(articles: Sequence[Article], folder: Path) -> None:
    """One .txt per article with a JSON sidecar holding its metadata, as a user would."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, a in enumerate(articles):
        stem = folder / f"{i:05d}"
        stem.with_suffix(".txt").write_text(a.text, encoding="utf-8")
        meta = {"title": a.title, "source": a.source}
        if a.published:
            meta["published"] = a.published.isoformat()
        stem.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")


def run_command(jobs: int, folder: Path, db_file: Path) -> tuple[float, float, float, str]:
    """(wall s, peak RSS MB of the largest process, CPU s of all its processes, summary line)."""
    cmd = [sys.executable, "-m", "geo", "ingest", str(folder), "--db", f"sqlite:///{db_file}",
           "--jobs", str(jobs)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    stderr = proc.stderr.read() if proc.stderr else ""
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):  # 1: some articles had no places, which is expected here
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{stderr}")
    summary = next((line for line in stderr.splitlines() if line.startswith("ingested")), "")
    # wait4's usage covers the command and the workers it reaped.
    return seconds, usage.ru_maxrss * 1024 / 1e6, usage.ru_utime + usage.ru_stime, summary


def measure_jobs(articles: Sequence[Article], jobs: Sequence[int], *, runs: int = 3) -> list[JobsRun]:
    results = [JobsRun(j) for j in jobs]
    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as tmp:
        folder = Path(tmp) / "articles"
        write_article_files(articles, folder)
        for run in range(runs):
            for res in results:  # alternate job counts within each round
                db_file = Path(tmp) / f"j{res.jobs}-{run}.sqlite"
                res.load.append(os.getloadavg()[0])
                seconds, peak, cpu, summary = run_command(res.jobs, folder, db_file)
                res.cpu_s.append(cpu)
                log.info("--jobs %d run %d: %.1f s (%s)", res.jobs, run + 1, seconds, summary)
                res.seconds.append(seconds)
                res.peak_mb.append(peak)
                res.last_message = summary
    return results


# -- the ceiling: spaCy alone in several processes at once --------------------------------


def _spacy_worker(model: str, texts: list[str], barrier: Any, out: Any) -> None:
    from geo.extract import load_nlp

    nlp = load_nlp(model)
    bare_spacy(nlp, texts[:4])  # warm up
    barrier.wait()  # all processes start parsing together
    start = time.perf_counter()  # CLOCK_MONOTONIC: comparable across processes
    bare_spacy(nlp, texts)
    out.put((start, time.perf_counter()))


def deal(texts: Sequence[str], parts: int) -> list[list[str]]:
    """Longest first, each to the part with the fewest characters so far: balanced shares."""
    shares: list[list[str]] = [[] for _ in range(parts)]
    sizes = [0] * parts
    for text in sorted(texts, key=len, reverse=True):
        i = sizes.index(min(sizes))
        shares[i].append(text)
        sizes[i] += len(text)
    return shares


def spacy_in_processes(model: str, texts: Sequence[str], processes: int) -> float:
    """Wall seconds for ``processes`` spawned processes to parse their shares of ``texts`` together."""
    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(processes), ctx.Queue()
    procs = [ctx.Process(target=_spacy_worker, args=(model, share, barrier, out))
             for share in deal(texts, processes)]
    for proc in procs:
        proc.start()
    spans = [out.get(timeout=3600) for _ in procs]
    for proc in procs:
        proc.join()
    return max(end for _s, end in spans) - min(start for start, _e in spans)


def measure_ceiling(
    model: str, texts: Sequence[str], jobs: Sequence[int], runs: int
) -> dict[int, list[float]]:
    """Seconds of bare spaCy in 1..N processes, alternating, to bound what --jobs can reach."""
    out: dict[int, list[float]] = {j: [] for j in jobs}
    for _ in range(runs):
        for j in jobs:
            out[j].append(spacy_in_processes(model, texts, j))
            log.info("spaCy alone in %d process(es): %.1f s", j, out[j][-1])
    return out


# -- the table ----------------------------------------------------------------------------


def _verdict(value: float, target: float) -> str:
    return "met" if value >= target else "**missed**"


def format_section(inproc: InProcess | None, jobs: Sequence[JobsRun], *, note: str = "",
                   ceiling: dict[int, list[float]] | None = None) -> str:
    parts = [environment_line(), ""]
    if note:
        parts += [note, ""]
    if inproc is not None:
        n, tok = inproc.articles, inproc.tokens
        runs = len(inproc.ratios)
        parts.append(
            f"{n} articles, {tok:,} tokens; {runs} alternating runs on one core, batch size {BATCH_SIZE}; "
            f"the pipeline stored {inproc.stored} articles with {inproc.events:,} events "
            f"and refused {inproc.rejected} with no place in them."
        )
        parts.append("")
        t_spacy, t_pipe = median(inproc.spacy_s), median(inproc.pipeline_s)
        rows = [
            ("bare spaCy `nlp.pipe`", f"{n / t_spacy:.2f}", f"{tok / t_spacy:,.0f}",
             spread(inproc.spacy_s, 1), f"{inproc.spacy_peak_mb:.0f}"),
            ("full pipeline + store", f"{n / t_pipe:.2f}", f"{tok / t_pipe:,.0f}",
             spread(inproc.pipeline_s, 1), f"{inproc.pipeline_peak_mb:.0f}"),
        ]
        header = ("run", "articles/s", "tokens/s", "seconds, median (range)", "peak RSS MB")
        parts.append(md_table(header, rows))
        ratio = median(inproc.ratios)
        parts += ["", f"Throughput ratio pipeline / spaCy, median of the per-run ratios: **{ratio:.2f}** "
                      f"(range {min(inproc.ratios):.2f}–{max(inproc.ratios):.2f}); "
                      f"target ≥ {TARGET_RATIO}: {_verdict(ratio, TARGET_RATIO)}."]
        if inproc.stages_ms:
            total = sum(inproc.stages_ms.values())
            rows = [(k, f"{v:.1f}", f"{100 * v / total:.0f}%") for k, v in inproc.stages_ms.items()]
            parts += ["", "Where the time goes (one pass, docs parsed once):", "",
                      md_table(("stage", "ms/article", "share"), rows)]
    if jobs:
        base = next((j for j in jobs if j.jobs == 1), None)
        rows = []
        for j in jobs:
            speedup = ""
            if base is not None and j is not base:
                paired = [a / b for a, b in zip(base.seconds, j.seconds, strict=False)]
                speedup = f"{median(paired):.2f}× (range {min(paired):.2f}–{max(paired):.2f})"
                speedup += f", target ≥ {TARGET_SPEEDUP}×: {_verdict(median(paired), TARGET_SPEEDUP)}"
            n = inproc.articles if inproc else 0
            rate = f"{n / median(j.seconds):.2f}" if n else "–"
            cpu = spread(j.cpu_s, 1) if j.cpu_s else "–"
            load = f"{median(j.load):.1f}" if j.load else "–"
            rows.append((f"`ingest --jobs {j.jobs}`", spread(j.seconds, 1), rate, speedup or "1.00×",
                         cpu, load, f"{median(j.peak_mb):.0f}"))
        parts += ["", "The command, start to exit (model loading included), same texts as files. CPU s "
                      "counts every process of the command; a load average above the core count means "
                      "other work was competing for the cores:", "",
                  md_table(("command", "wall s, median (range)", "articles/s", "speed-up vs --jobs 1",
                            "CPU s, median (range)", "load avg", "peak RSS MB (largest process)"), rows)]
        if jobs[-1].last_message:
            parts += ["", f"Last run said: `{jobs[-1].last_message}`."]
    if ceiling and 1 in ceiling and len(ceiling) > 1:
        rows = []
        for j, secs in sorted(ceiling.items()):
            paired = [a / b for a, b in zip(ceiling[1], secs, strict=False)]
            ratio = f"{median(paired):.2f}× (range {min(paired):.2f}–{max(paired):.2f})"
            rows.append((j, spread(secs, 1), ratio))
        parts += ["", "The ceiling: bare spaCy alone, the texts dealt out to N processes that start together "
                      "(model loading excluded):", "",
                  md_table(("processes", "wall s, median (range)", "speed-up vs 1"), rows)]
    return "\n".join(parts)


def run(nlp: Language, articles: Sequence[Article], *, runs: int = 3, jobs: Sequence[int] = (1, 2),
        output: Path = RESULTS, stages: bool = True, note: str = "", ceiling: bool = True) -> str:
    inproc = measure_in_process(nlp, articles, runs=runs, stages=stages)
    job_runs = measure_jobs(articles, jobs, runs=runs) if jobs else []
    bound = None
    if ceiling and len(jobs) > 1:
        # The model the pipeline loads, by its package name, in fresh processes.
        bound = measure_ceiling(Settings().spacy_model, [a.text for a in articles], jobs, runs)
    body = format_section(inproc, job_runs, note=note, ceiling=bound)
    write_section("ingest", body, output)
    return body


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, nargs="*", default=[1, 2], help="job counts for the command")
    parser.add_argument("--limit", type=int, default=0, help="first N articles of each dev file")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--note", default="", help="a sentence to print above the tables")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    for noisy in ("geo", "dateparser"):  # per-article warnings would drown the progress
        logging.getLogger(noisy).setLevel(logging.ERROR)
    from geo.extract import load_nlp

    settings = Settings()
    load_gazetteer(settings).close()  # built before anything is timed
    nlp = load_nlp(settings.spacy_model)
    articles = bench_articles(args.limit)
    note = f"Subset: first {args.limit} articles of each dev file. " if args.limit else ""
    note += args.note
    sys.stdout.write(run(nlp, articles, runs=args.runs, jobs=args.jobs, output=args.output, note=note) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
