"""``python -m geo ingest --jobs N``: the same events as one process, bad files reported."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from geo.config import DATA_DIR, PROJECT_ROOT
from geo.models import Article
from geo.parallel import chunk_size, split

DEMO = DATA_DIR / "demo"


def _ingest(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "geo", "ingest", *args],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, check=False,
    )


def _event_ids(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return sorted(r[0] for r in conn.execute("SELECT event_id FROM events"))


def _article_ids(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return sorted(r[0] for r in conn.execute("SELECT article_id FROM articles"))


@pytest.fixture(scope="module")
def one_job(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("jobs1") / "one.sqlite"
    done = _ingest(str(DEMO), "--db", f"sqlite:///{db}", "--jobs", "1")
    assert done.returncode == 0, done.stderr
    return db


def test_two_jobs_store_the_same_events_as_one(tmp_path, one_job):
    db = tmp_path / "two.sqlite"
    done = _ingest(str(DEMO), "--db", f"sqlite:///{db}", "--jobs", "2")
    assert done.returncode == 0, done.stderr
    assert "0 failed" in done.stderr
    assert _event_ids(db) == _event_ids(one_job)
    assert len(_event_ids(db)) > 0
    assert _article_ids(db) == _article_ids(one_job)
    # A second run finds everything stored and adds nothing.
    again = _ingest(str(DEMO), "--db", f"sqlite:///{db}", "--jobs", "2")
    assert again.returncode == 0, again.stderr
    assert "ingested 0 article(s)" in again.stderr
    assert _event_ids(db) == _event_ids(one_job)


def test_a_bad_file_fails_alone(tmp_path, one_job):
    folder = tmp_path / "articles"
    folder.mkdir()
    for path in sorted(DEMO.glob("*.md")):
        if path.name != "README.md":
            shutil.copy(path, folder / path.name)
    bad = folder / "0000-broken.md"
    bad.write_text("---\ntitle: never closed\n" + "x: y\n" * 100, encoding="utf-8")
    db = tmp_path / "bad.sqlite"
    done = _ingest(str(folder), "--db", f"sqlite:///{db}", "--jobs", "2")
    assert done.returncode == 1
    assert "1 failed" in done.stderr
    assert "0000-broken.md" in done.stderr
    assert _event_ids(db) == _event_ids(one_job)


def test_jobs_must_be_positive(tmp_path):
    done = _ingest(str(DEMO), "--db", f"sqlite:///{tmp_path / 'x.sqlite'}", "--jobs", "0")
    assert done.returncode == 2
    assert "--jobs" in done.stderr
    assert not (tmp_path / "x.sqlite").exists()


def test_chunks_cover_every_article_once():
    articles = [Article(text=f"text {i}") for i in range(37)]
    size = chunk_size(len(articles), 2)
    chunks = split(articles, size)
    assert 1 <= size <= 16
    assert [a for c in chunks for a in c] == articles
    assert len(chunks) >= 2  # both workers get work
    assert chunk_size(0, 2) == 1


# --- a long article among good ones (issue 10, item 3) ----------------------------------------------

DISPATCHES = (
    "Antony Blinken arrived in Doha, Qatar, on Monday. He will fly to Ramstein in Germany on Wednesday.",
    "Taliban fighters entered Kabul on Sunday. By evening they had reached Charikar, north of the capital.",
    "Heiko Maas met officials in Doha on Tuesday to discuss the evacuation from Kabul.",
)
HEADER = "---\ntitle: {title}\npublished: 2021-09-06\n---\n"


@pytest.fixture(scope="module")
def long_folder(tmp_path_factory) -> Path:
    """Three good dispatches and one of 1,000,001 characters: a dispatch, blank lines, another."""
    folder = tmp_path_factory.mktemp("long")
    for i, text in enumerate(DISPATCHES):
        (folder / f"good{i}.md").write_text(HEADER.format(title=f"Good {i}") + text + "\n", encoding="utf-8")
    head, tail = DISPATCHES[1] + "\n\n", "\n\n" + DISPATCHES[0]
    body = head + "\n" * (1_000_001 - len(head) - len(tail)) + tail
    (folder / "long.md").write_text(HEADER.format(title="Long") + body + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_file_over_spacys_limit_lands_with_the_others(tmp_path, long_folder, jobs):
    db = tmp_path / "long.sqlite"
    done = _ingest(str(long_folder), "--db", f"sqlite:///{db}", "--jobs", jobs)
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.returncode == 0, done.stderr
    assert "ingested 4 article(s)" in done.stderr and "0 failed" in done.stderr
    with sqlite3.connect(db) as conn:
        [(text,)] = conn.execute("SELECT text FROM articles WHERE title = 'Long'")
        rows = conn.execute(
            "SELECT place_name, place_start, place_end FROM events JOIN articles USING (article_id) "
            "WHERE title = 'Long'").fetchall()
    assert len(text) == 1_000_001
    assert {name for name, _s, _e in rows} >= {"Kabul", "Doha", "Ramstein"}
    assert any(start > 1_000_000 - len(DISPATCHES[0]) for _n, start, _e in rows)
    assert all(text[start:end] == name for name, start, end in rows)
