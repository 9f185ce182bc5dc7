"""Concurrency (issue 5, item 6): 4 ingest processes and 24 readers on one SQLite store.

Four ``python -m geo ingest`` processes take article sets that are partly their
own and partly shared with another writer (two of them start on the same
articles, so they race on every one). Meanwhile 24 readers query the store in a
loop: 16 threads sharing one ``Store`` as the dashboard's sessions share its
cached one, and two child processes with 4 threads each. The run lasts until
the writers are done and at least the window has passed, under a hard limit.

Then: no writer failed or crashed, each article was added by exactly one
writer, no reader met an exception or an inconsistent answer (an article with
only some of its events, a duplicated event, counts going down), and the store
holds exactly what one clean single-process ingest of the union stores.

Quick by default; ``pytest -m slow`` runs a larger pool for at least 60 s.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from geo.config import PROJECT_ROOT
from geo.models import Article, Event, make_event_id
from geo.store import Store
from tests.reliability.common import (
    DbState,
    child_env,
    db_url,
    ingest_command,
    inspect_db,
    run_ingest,
    write_articles,
)
from tests.reliability.readers import ReaderStats, run_threads

WRITERS = 4
THREAD_READERS = 16
READER_PROCESSES = 2
THREADS_PER_PROCESS = 4
SEED = 6_0006  # issue 5, item 6
SUMMARY = re.compile(r"ingested (\d+) article\(s\) with (\d+) event\(s\); (\d+) already stored; (\d+) failed")


@dataclass(frozen=True)
class Pool:
    paths: list[Path]
    state: DbState  # one clean single-process ingest of all of them
    counts: dict[str, int]  # Store.counts() of that ingest


def make_pool(root: Path, size: int) -> Pool:
    paths = write_articles(root / "articles", range(size))
    db = root / "clean.sqlite"
    done = run_ingest([root / "articles"], db, timeout=600)
    assert done.returncode == 0, done.stderr
    state = inspect_db(db)
    assert state.problems() == []
    assert len(state.articles) == size
    with Store(db_url(db)) as store:
        counts = store.counts()
    return Pool(paths, state, counts)


def writer_sets(size: int) -> list[list[int]]:
    """Each writer: its own quarter plus half of the next quarter; the last wraps round to the first."""
    quarter = size // WRITERS
    return [[(k * quarter + j) % size for j in range(quarter + quarter // 2)] for k in range(WRITERS)]


@dataclass
class Outcome:
    seconds: float  # the whole run
    ingest_seconds: float  # until the last writer finished
    writers: list[tuple[int, str, float]]  # returncode, stderr, seconds
    readers: ReaderStats
    alive_threads: int


def run_load(pool: Pool, work: Path, window: float, limit: float) -> Outcome:
    db = work / "shared.sqlite"
    url = db_url(db)
    expected = {a: len(ids) for a, ids in pool.state.events.items()}
    (work / "expected.json").write_text(json.dumps(expected), encoding="utf-8")
    stop_file = work / "stop"
    start = time.monotonic()
    readers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.readers", "--db", url,
             "--expected", str(work / "expected.json"), "--threads", str(THREADS_PER_PROCESS),
             "--stop", str(stop_file), "--max-seconds", str(limit), "--out", str(work / f"readers-{i}.json"),
             "--seed", str(SEED + 1000 * (i + 1))],
            cwd=PROJECT_ROOT, env=child_env(), stdout=subprocess.DEVNULL,
            stderr=open(work / f"readers-{i}.log", "wb"),  # noqa: SIM115 - the child keeps it
        )
        for i in range(READER_PROCESSES)
    ]
    shared: list[Store] = []
    opening = threading.Lock()

    def store_of() -> Store:
        with opening:  # one Store for all threads, like the dashboard's cached resource
            if not shared:
                shared.append(Store(url))
            return shared[0]

    stop = threading.Event()
    threads, results = run_threads(store_of, expected, THREAD_READERS, stop, SEED)
    writers = []
    for k, numbers in enumerate(writer_sets(len(pool.paths))):
        err = open(work / f"writer-{k}.log", "w+b")  # noqa: SIM115 - closed after the run
        proc = subprocess.Popen(ingest_command([pool.paths[n] for n in numbers], db), cwd=PROJECT_ROOT,
                                env=child_env(), stdout=subprocess.DEVNULL, stderr=err)
        writers.append((proc, err, time.monotonic()))
    finished: dict[int, float] = {}
    while time.monotonic() - start < limit:
        for k, (proc, _err, began) in enumerate(writers):
            if k not in finished and proc.poll() is not None:
                finished[k] = time.monotonic() - began
        if len(finished) == WRITERS and time.monotonic() - start >= window:
            break
        time.sleep(0.1)
    ingest_seconds = time.monotonic() - start
    stop.set()
    stop_file.touch()
    for t in threads:
        t.join(timeout=60)
    outcome_writers = []
    for k, (proc, err, _began) in enumerate(writers):
        if proc.poll() is None:
            proc.kill()  # over the hard limit: reported as a failure below
        proc.wait(timeout=30)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
        outcome_writers.append((proc.returncode, text, finished.get(k, -1.0)))
        err.close()
    total = ReaderStats()
    for r in results:
        total.merge(r)
    for i, proc in enumerate(readers):
        try:
            proc.wait(timeout=90)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
        out = work / f"readers-{i}.json"
        if out.exists():
            total.merge(ReaderStats.from_json(json.loads(out.read_text(encoding="utf-8"))))
        else:
            log = (work / f"readers-{i}.log").read_text(encoding="utf-8", errors="replace")
            total.note("error", f"reader process {i} left no results: {log[-2000:]}")
    if shared:
        shared[0].close()
    return Outcome(time.monotonic() - start, ingest_seconds, outcome_writers, total,
                   sum(t.is_alive() for t in threads))


def check_and_report(pool: Pool, work: Path, outcome: Outcome, label: str) -> None:
    db = work / "shared.sqlite"
    added = 0
    retries = 0
    for k, (code, stderr, seconds) in enumerate(outcome.writers):
        assert code == 0, f"writer {k} ended with {code} after {seconds:.1f} s:\n{stderr[-3000:]}"
        assert "Traceback" not in stderr, stderr
        found = SUMMARY.search(stderr)
        assert found, stderr
        assert found.group(4) == "0", stderr
        added += int(found.group(1))
        retries += stderr.count("database locked, retry")
    assert outcome.alive_threads == 0, "reader threads did not stop"
    readers = outcome.readers
    assert readers.errors == 0, readers.messages
    assert readers.inconsistencies == 0, readers.messages
    assert all(readers.reads[k] > 0 for k in ("events", "counts", "articles", "events_of")), readers.reads
    # Each article added by exactly one writer: the overlap was skipped or refused, never doubled.
    assert added == len(pool.paths)
    final = inspect_db(db)
    assert final.problems() == []
    assert final.articles == pool.state.articles
    assert final.events == pool.state.events
    with Store(db_url(db)) as store:
        counts = store.counts()
        events = store.events()
    assert len(events) == len({e.event_id for e in events}) == pool.counts["events"]
    assert (counts["articles"], counts["events"]) == (pool.counts["articles"], pool.counts["events"])
    reads = sum(readers.reads.values())
    per_kind = ", ".join(f"{k} {v}" for k, v in sorted(readers.reads.items()))
    writer_times = ", ".join(f"{s:.1f}" for _c, _e, s in outcome.writers)
    print(
        f"\n{label}: {WRITERS} writers, {THREAD_READERS + READER_PROCESSES * THREADS_PER_PROCESS} readers, "
        f"{outcome.seconds:.1f} s; {len(pool.paths)} articles ({pool.counts['events']} events) in "
        f"{outcome.ingest_seconds:.1f} s = {len(pool.paths) / outcome.ingest_seconds:.2f} articles/s "
        f"(writers took {writer_times} s; {retries} lock retries); {reads} reads = "
        f"{reads / outcome.seconds:.0f} reads/s ({per_kind}); reader errors {readers.errors}, "
        f"inconsistent answers {readers.inconsistencies}; actors {counts['actors']} "
        f"(clean single process: {pool.counts['actors']}); rows lost 0, duplicated 0"
    )


@pytest.mark.model
@pytest.mark.gazetteer
@pytest.mark.timeout(200)
def test_four_writers_and_24_readers_quick(tmp_path: Path, real_gazetteer: object) -> None:
    pool = make_pool(tmp_path, 24)
    outcome = run_load(pool, tmp_path, window=10.0, limit=150.0)
    check_and_report(pool, tmp_path, outcome, "concurrency (quick)")


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.gazetteer
@pytest.mark.timeout(900)
def test_four_writers_and_24_readers_slow(tmp_path: Path, real_gazetteer: object) -> None:
    pool = make_pool(tmp_path, 240)
    outcome = run_load(pool, tmp_path, window=60.0, limit=600.0)
    check_and_report(pool, tmp_path, outcome, "concurrency (slow)")


# --- one read, one snapshot -----------------------------------------------------------------------


def _article(n: int) -> tuple[Article, list[Event]]:
    article = Article(text=f"Snapshot probe number {n} in Lisbon.", title=f"probe {n}",
                      published=date(2021, 9, 1), source="test", url="", origin=f"probe-{n}")
    start = article.text.index("Lisbon")
    event = Event(
        event_id=make_event_id(article.article_id, start, start + 6), article_id=article.article_id,
        date=date(2021, 9, 1), date_precision="day", place_name="Lisbon", lat=0.0, lon=0.0,
        place_precision="city", geonameid=None, country_code="", actors=(), quote=article.text,
        sentence_start=0, sentence_end=len(article.text), confidence=1.0, source="test", url="",
        place_start=start, place_end=start + 6,
    )
    return article, [event]


@pytest.mark.timeout(60)
def test_counts_is_one_snapshot(tmp_path: Path) -> None:
    """A commit landing between counts()'s statements must not show in only some of the figures."""
    url = db_url(tmp_path / "snap.sqlite")
    with Store(url) as writer, Store(url) as reader:
        writer.add_article(*_article(0))
        statements = 0
        late = _article(1)

        def between(*_args: object) -> None:
            nonlocal statements
            statements += 1
            if statements == 2:  # after counting articles, before counting events
                writer.add_article(*late)

        engine = reader._engine  # the reader's own engine only: the writer must not trigger it
        sa.event.listen(engine, "before_cursor_execute", between)
        try:
            counts = reader.counts()
        finally:
            sa.event.remove(engine, "before_cursor_execute", between)
        assert statements >= 3
        # One snapshot: either both articles with both events, or one with one.
        assert (counts["articles"], counts["events"]) in {(1, 1), (2, 2)}, counts
