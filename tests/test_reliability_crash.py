"""Crash safety (issue 5, item 5): ``kill -9`` an ingest at random moments, then check the store.

Each round ingests a folder of generated articles with the real command line
into a fresh SQLite file and kills it with SIGKILL after a random delay drawn
(from a seeded generator) over the whole length of a clean run, model loading
included. The re-run that follows is killed at random too, then a last re-run
must complete. After every kill the file must pass ``PRAGMA integrity_check``,
hold no event without its article, no article without events (the pipeline
refuses articles with no places), no orphan ``event_actors`` row, and each
stored article must have exactly the events a clean run gives it. The last
re-run must end with exactly the clean run's article and event ids.

A second kind of round freezes the ingest just before its Nth COMMIT (all the
transaction's rows written, none committed) and kills it there, the moment a
random delay rarely hits.

Quick rounds run by default; ``pytest -m slow`` runs the long version (more
than 20 kills of each kind). The figures are printed; docs/reliability.md
records them.
"""

from __future__ import annotations

import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from geo.config import PROJECT_ROOT
from geo.store import Store
from tests.reliability.common import (
    DbState,
    child_env,
    db_url,
    ingest_command,
    inspect_db,
    remove_db,
    run_ingest,
    store_agrees,
    write_articles,
)

pytestmark = [pytest.mark.model, pytest.mark.gazetteer]

N_ARTICLES = 30
SEED = 5_0005  # issue 5, item 5
SUMMARY = re.compile(r"ingested (\d+) article\(s\) with (\d+) event\(s\); (\d+) already stored; (\d+) failed")


@dataclass(frozen=True)
class Reference:
    folder: Path
    state: DbState
    seconds: float  # how long a clean run takes: random kill delays are drawn over this span


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, real_gazetteer: object) -> Reference:
    """The generated folder and one clean, uninterrupted ingest of it."""
    root = tmp_path_factory.mktemp("crash")
    folder = root / "articles"
    write_articles(folder, range(N_ARTICLES))
    db = root / "clean.sqlite"
    done = run_ingest([folder], db)
    assert done.returncode == 0, done.stderr
    state = inspect_db(db)
    assert state.problems() == []
    assert len(state.articles) == N_ARTICLES, "every generated article has places, so each is stored"
    return Reference(folder, state, done.seconds)


@dataclass
class Tally:
    kills: int = 0  # SIGKILL delivered to a running ingest
    missed: int = 0  # the ingest had finished before its delay ran out
    moments: Counter[str] = field(default_factory=Counter)
    reruns: int = 0  # re-runs that completed and ended with the full set
    delays: list[float] = field(default_factory=list)

    def line(self, kind: str) -> str:
        spread = f"{min(self.delays):.2f}-{max(self.delays):.2f} s" if self.delays else "-"
        moments = ", ".join(f"{k}: {v}" for k, v in sorted(self.moments.items()))
        return (f"{kind}: {self.kills} kills survived ({moments}); {self.missed} finished before the kill; "
                f"{self.reruns} re-runs completed with the full set; delays {spread}")


def _start(cmd: list[str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as err:  # the child keeps its own handle
        return subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=child_env(), stdout=subprocess.PIPE, stderr=err)


def _kill(proc: subprocess.Popen[bytes]) -> bool:
    """SIGKILL; False if the child had exited on its own just before (it is reaped only by wait)."""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    if proc.stdout is not None:
        proc.stdout.close()
    return proc.returncode == -signal.SIGKILL


def kill_after(cmd: list[str], delay: float, log: Path) -> bool:
    """Run ``cmd`` and SIGKILL it after ``delay`` seconds; False if it had finished by then."""
    proc = _start(cmd, log)
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        return _kill(proc)
    if proc.stdout is not None:
        proc.stdout.close()
    return False


def kill_at_commit(folder: Path, db: Path, commit: int, log: Path) -> None:
    """Run the ingest frozen before its ``commit``-th COMMIT, and SIGKILL it there."""
    cmd = [sys.executable, "-m", "tests.reliability.paused_ingest", str(commit),
           "ingest", str(folder), "--db", db_url(db)]
    proc = _start(cmd, log)
    assert proc.stdout is not None
    try:
        # A bounded wait for the pause; os.read would block forever on a hung child.
        deadline = time.monotonic() + 120
        seen = b""
        os.set_blocking(proc.stdout.fileno(), False)
        while b"PAUSED" not in seen and time.monotonic() < deadline and proc.poll() is None:
            chunk = proc.stdout.read()
            seen += chunk or b""
            time.sleep(0.02)
        assert b"PAUSED" in seen, f"the ingest never reached commit {commit}: {log.read_text()[-2000:]}"
    finally:
        if proc.poll() is None:
            assert _kill(proc), "the paused ingest exited before the kill"


def check_after_kill(db: Path, ref: Reference) -> DbState | None:
    """The store after a kill: consistent on its own, and every stored article whole."""
    if not db.exists():
        return None  # killed before the store was created: nothing to check, nothing lost
    state = inspect_db(db)
    assert state.problems() == [], f"{db.name}: {state.problems()}"
    assert state.differences(ref.state) == [], f"{db.name}: partly stored articles"
    assert store_agrees(db, state) == []
    return state


def moment(before: int, state: DbState | None, total: int) -> str:
    if state is None:
        return "before the store existed"
    after = len(state.articles)
    if before == total:
        return "in a re-run with nothing left to add"
    if after == before:
        return "before the run's first commit"
    return "after the last commit" if after == total else "between commits"


def rerun_to_completion(db: Path, ref: Reference) -> None:
    stored = len(inspect_db(db).articles) if db.exists() else 0
    done = run_ingest([ref.folder], db)
    assert done.returncode == 0, done.stderr
    found = SUMMARY.search(done.stderr)
    assert found, done.stderr
    added, _events, skipped, failed = map(int, found.groups())
    # Exactly the articles the kills kept out are added; none twice, none failed.
    assert (added, skipped, failed) == (N_ARTICLES - stored, stored, 0)
    final = inspect_db(db)
    assert final.problems() == []
    assert final.articles == ref.state.articles
    assert final.event_ids == ref.state.event_ids
    assert final.events == ref.state.events


def random_kills(ref: Reference, work: Path, wanted: int, seed: int) -> Tally:
    """Rounds of: kill a fresh ingest, kill its re-run, then re-run to completion."""
    rng = random.Random(seed)
    tally = Tally()
    horizon = ref.seconds
    for round_ in range(3 * wanted):  # bounded: a round delivers 0-2 kills
        if tally.kills >= wanted:
            break
        db = work / f"random-{round_}.sqlite"
        remove_db(db)
        log = work / f"random-{round_}.log"
        for _attempt in range(2):
            before = len(inspect_db(db).articles) if db.exists() else 0
            delay = rng.uniform(0.0, horizon)
            if kill_after(ingest_command([ref.folder], db), delay, log):
                tally.kills += 1
                tally.delays.append(delay)
                tally.moments[moment(before, check_after_kill(db, ref), N_ARTICLES)] += 1
            else:
                tally.missed += 1
                check_after_kill(db, ref)
        rerun_to_completion(db, ref)
        tally.reruns += 1
    return tally


def commit_kills(ref: Reference, work: Path, wanted: int, seed: int) -> Tally:
    """Kill inside an open write transaction: the article being committed must vanish whole."""
    rng = random.Random(seed)
    tally = Tally()
    for round_ in range(wanted):
        db = work / f"commit-{round_}.sqlite"
        remove_db(db)
        # Commit 1 creates the schema; commit k + 1 stores the kth article.
        commit = rng.randint(2, N_ARTICLES + 1)
        kill_at_commit(ref.folder, db, commit, work / f"commit-{round_}.log")
        tally.kills += 1
        state = check_after_kill(db, ref)
        assert state is not None
        assert len(state.articles) == commit - 2, "committed articles kept, the open one rolled back"
        tally.moments["inside a write transaction"] += 1
        rerun_to_completion(db, ref)
        tally.reruns += 1
    return tally


@pytest.mark.timeout(150)
def test_random_kills_quick(reference: Reference, tmp_path: Path) -> None:
    tally = random_kills(reference, tmp_path, wanted=2, seed=SEED)
    print(tally.line("random kills (quick)"))
    assert tally.kills >= 2


@pytest.mark.timeout(120)
def test_kill_inside_a_commit_quick(reference: Reference, tmp_path: Path) -> None:
    tally = commit_kills(reference, tmp_path, wanted=1, seed=SEED)
    print(tally.line("kills inside a commit (quick)"))
    assert tally.kills == 1


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_random_kills_slow(reference: Reference, tmp_path: Path) -> None:
    tally = random_kills(reference, tmp_path, wanted=24, seed=SEED + 1)
    print(tally.line("random kills (slow)"))
    assert tally.kills >= 24


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_kill_inside_a_commit_slow(reference: Reference, tmp_path: Path) -> None:
    tally = commit_kills(reference, tmp_path, wanted=10, seed=SEED + 1)
    print(tally.line("kills inside a commit (slow)"))
    assert tally.kills == 10


def test_a_kill_before_the_schema_commit_leaves_an_empty_store(tmp_path: Path) -> None:
    """SQLite makes the file before the schema's transaction commits: a kill there leaves no table.

    That is an empty store, not a damaged one; half a schema would be damage.
    """
    db = tmp_path / "killed-early.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    state = inspect_db(db)
    assert state.problems() == [] and state.articles == set()
    with Store(f"sqlite:///{db}") as store:  # the next open creates the schema
        assert store.counts()["articles"] == 0
    conn = sqlite3.connect(db)
    conn.execute("DROP TABLE event_actors")
    conn.commit()
    conn.close()
    assert any("half a schema" in p for p in inspect_db(db).problems())
