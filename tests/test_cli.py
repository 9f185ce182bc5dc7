"""The command line, run as users and benchmarks run it: ``python -m geo ...`` in a subprocess.

Each test gets its own SQLite database through GEOSTORY_DB_URL; the gazetteer
cache stays where the settings put it, so the built index in var/ is reused.
Commands that load the model and gazetteer take one to three seconds each.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from geo.config import PROJECT_ROOT
from geo.evaluate import HEADER
from geo.frames import read_events
from geo.models import EVENT_FIELDS
from geo.store import Store

EVAL_DIR = Path(os.environ.get("GEOSTORY_SHARED_DIR", PROJECT_ROOT.parent / "shared")) / "eval"
TABLE_HEADER = "| " + " | ".join(HEADER) + " |"
TOPONYM_KEYS = {"start", "end", "name", "lat", "lon", "geonameid"}

FALL = """---
title: Kabul changes hands
published: 2021-08-16
---
Taliban fighters entered Kabul on Sunday. By evening they had reached Charikar, north of the capital.
"""
TALKS = """---
title: Talks in Doha
published: 2021-09-07
---
Antony Blinken arrived in Doha, Qatar, on Monday. He will fly to Ramstein in Germany on Wednesday.
"""


def run(*args: str, db: Path | None = None, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, GEOSTORY_GEOCODER="offline")  # never the network from a test
    if db is not None:
        env["GEOSTORY_DB_URL"] = f"sqlite:///{db}"
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def stories(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("stories")
    (folder / "fall.txt").write_text(FALL, encoding="utf-8")
    (folder / "talks.md").write_text(TALKS, encoding="utf-8")
    (folder / "broken.txt").write_bytes(b"Kabul \xff\xfe fell.\n")  # not UTF-8
    (folder / "empty.txt").write_bytes(b"")
    return folder


@pytest.fixture(scope="module")
def ingested(tmp_path_factory, stories, real_gazetteer):
    """The folder ingested once into a fresh database: (completed process, database path).

    ``real_gazetteer`` makes sure the index is built before any subprocess needs it.
    """
    db = tmp_path_factory.mktemp("db") / "x.sqlite"
    done = run("ingest", str(stories), str(stories / "missing.txt"), db=db)
    return done, db


# --- ingest -------------------------------------------------------------------------------


@pytest.mark.model
@pytest.mark.gazetteer
def test_ingest_names_bad_files_and_keeps_the_good_ones(ingested, stories):
    done, db = ingested
    assert done.returncode == 1, done.stderr
    assert "ingested 2 article(s)" in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 3
    assert any(str(stories / "broken.txt") in e and "UTF-8" in e for e in errors)
    assert any(str(stories / "empty.txt") in e and "empty" in e for e in errors)
    assert any(str(stories / "missing.txt") in e for e in errors)
    with Store(f"sqlite:///{db}") as store:
        stored = {a.title: a.published for _id, a in store.articles()}
        assert stored == {"Kabul changes hands": date(2021, 8, 16), "Talks in Doha": date(2021, 9, 7)}
        places = {e.place_name for e in store.events()}
    assert {"Kabul", "Charikar", "Doha", "Ramstein"} <= places


@pytest.mark.model
@pytest.mark.gazetteer
def test_reingest_adds_nothing(ingested, stories):
    _done, db = ingested
    with Store(f"sqlite:///{db}") as store:
        before = (store.counts(), sorted(e.event_id for e in store.events()))
    again = run("ingest", str(stories / "fall.txt"), str(stories / "talks.md"), db=db)
    assert again.returncode == 0, again.stderr
    assert "ingested 0 article(s)" in again.stderr and "2 already stored" in again.stderr
    with Store(f"sqlite:///{db}") as store:
        assert (store.counts(), sorted(e.event_id for e in store.events())) == before


def test_malformed_published_date_is_a_usage_error(tmp_path, stories):
    db = tmp_path / "x.sqlite"
    done = run("ingest", "--published", "2021-13-45", str(stories / "fall.txt"), db=db)
    assert done.returncode == 2
    assert "usage:" in done.stderr and "--published" in done.stderr and "2021-13-45" in done.stderr
    assert not db.exists()  # refused before anything was opened


def test_missing_command_is_a_usage_error():
    done = run()
    assert done.returncode == 2 and "usage:" in done.stderr


# --- events export ----------------------------------------------------------------------------


@pytest.mark.model
@pytest.mark.gazetteer
@pytest.mark.parametrize("fmt", ["geojson", "csv", "parquet"])
def test_events_export_reads_back(ingested, tmp_path, fmt):
    _done, db = ingested
    out = tmp_path / f"events.{fmt}"
    done = run("events", "--format", fmt, "-o", str(out), db=db)
    assert done.returncode == 0, done.stderr
    with Store(f"sqlite:///{db}") as store:
        stored = store.events()
    frame = read_events(out)
    assert len(frame) == len(stored) > 0
    assert list(frame.columns)[: len(EVENT_FIELDS)] == list(EVENT_FIELDS)
    assert sorted(frame["event_id"]) == sorted(e.event_id for e in stored)
    assert f"wrote {len(stored)} event(s)" in done.stderr


@pytest.mark.model
@pytest.mark.gazetteer
def test_events_filtered_by_actor_to_stdout(ingested, tmp_path):
    _done, db = ingested
    with Store(f"sqlite:///{db}") as store:
        wanted = store.events(actors=["Antony Blinken"])
        total = len(store.events())
    assert 0 < len(wanted) < total
    done = run("events", "--format", "csv", "--actor", "Antony Blinken", db=db)
    assert done.returncode == 0, done.stderr
    path = tmp_path / "blinken.csv"
    path.write_text(done.stdout, encoding="utf-8")
    frame = read_events(path)
    assert sorted(frame["event_id"]) == sorted(e.event_id for e in wanted)
    assert all("Antony Blinken" in actors for actors in frame["actors"])


@pytest.mark.model
@pytest.mark.gazetteer
def test_events_filtered_by_date(ingested, tmp_path):
    _done, db = ingested
    out = tmp_path / "late.geojson"
    done = run("events", "--format", "geojson", "--from", "2021-09-01", "-o", str(out), db=db)
    assert done.returncode == 0, done.stderr
    frame = read_events(out)
    assert len(frame) > 0 and all(day >= "2021-09-01" for day in frame["date"])


# --- geoparse ---------------------------------------------------------------------------------


@pytest.mark.model
@pytest.mark.gazetteer
def test_geoparse_writes_one_line_per_text(tmp_path, real_gazetteer):
    texts = [
        {"id": "a", "text": "Taliban fighters entered Kabul on Sunday.", "published": "2021-08-15"},
        {"id": 7, "text": "The committee met for three hours and agreed on nothing."},
        {"id": "c", "text": "Antony Blinken flew from Doha, Qatar, to Ramstein in Germany."},
    ]
    src, dst, db = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "x.sqlite"
    src.write_text("".join(json.dumps(t) + "\n" for t in texts), encoding="utf-8")
    done = run("geoparse", str(src), str(dst), db=db)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in dst.read_text(encoding="utf-8").splitlines()]
    assert [rec["id"] for rec in lines] == ["a", 7, "c"]
    for rec, given in zip(lines, texts, strict=True):
        assert set(rec) == {"id", "toponyms"}
        for top in rec["toponyms"]:
            assert set(top) == TOPONYM_KEYS
            assert given["text"][top["start"] : top["end"]] == top["name"]
    assert lines[1]["toponyms"] == []
    assert {t["name"] for t in lines[2]["toponyms"]} >= {"Doha", "Qatar", "Ramstein", "Germany"}
    kabul = next(t for t in lines[0]["toponyms"] if t["name"] == "Kabul")
    assert kabul["lat"] is not None and kabul["lon"] is not None and kabul["geonameid"] is not None
    assert not db.exists()  # geoparse never writes the store


def test_geoparse_names_a_malformed_input_line(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": 1, "text": "Kabul."}\n{not json\n', encoding="utf-8")
    done = run("geoparse", str(src), str(tmp_path / "out.jsonl"))
    assert done.returncode == 2
    assert str(src) in done.stderr and "line 2" in done.stderr
    assert not (tmp_path / "out.jsonl").exists()


# --- eval -------------------------------------------------------------------------------------


def _gold(real_gazetteer, text: str, name: str, feature: str) -> dict:
    """A gold toponym whose coordinates are the real gazetteer's own entry."""
    entry = next(c for c in real_gazetteer.lookup(name) if c.feature == feature)
    start = text.index(name)
    return {"start": start, "end": start + len(name), "name": name, "lat": entry.lat, "lon": entry.lon,
            "geonameid": entry.geonameid}


@pytest.mark.model
@pytest.mark.gazetteer
def test_eval_prints_a_markdown_table(tmp_path, real_gazetteer):
    first = "Taliban fighters entered Kabul on Sunday and moved on to Charikar."
    second = "Antony Blinken held talks in Doha with officials from Germany."
    records = [
        {"id": "mini-1", "dataset": "Mini", "text": first,
         "toponyms": [_gold(real_gazetteer, first, "Kabul", "city"),
                      _gold(real_gazetteer, first, "Charikar", "city")]},
        {"id": "mini-2", "dataset": "Mini", "text": second,
         "toponyms": [_gold(real_gazetteer, second, "Doha", "city"),
                      _gold(real_gazetteer, second, "Germany", "country")]},
    ]
    corpus = tmp_path / "mini.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    done = run("eval", str(corpus), str(corpus))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0] == TABLE_HEADER
    assert lines[1] == "|" + "---|" * len(HEADER)
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
    assert [row[:2] for row in rows] == [["Mini", "2"], ["Mini", "2"], ["macro average", "4"]]
    # Every gold place is found where the gazetteer puts it.
    recall, e2e = rows[0][HEADER.index("R")], rows[0][HEADER.index("e2e acc@161")]
    assert (recall, e2e) == ("1.000", "1.000")


@pytest.mark.model
@pytest.mark.gazetteer
def test_eval_on_the_trnews_dev_file():
    corpus = EVAL_DIR / "trnews-dev.jsonl"
    if not corpus.is_file():
        pytest.skip(f"the eval corpora are not here ({EVAL_DIR}); they live in ../shared beside the repo")
    done = run("eval", str(corpus), "--limit", "5")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0] == TABLE_HEADER and len(lines) == 3
    cells = [cell.strip() for cell in lines[2].strip("|").split("|")]
    assert cells[:2] == ["TR-News", "5"]
    assert all(0.0 <= float(cells[HEADER.index(k)]) <= 1.0 for k in ("P", "R", "F1", "e2e acc@161"))


# --- gazetteer --------------------------------------------------------------------------------


@pytest.mark.gazetteer
def test_gazetteer_check(real_gazetteer):
    done = run("gazetteer", "check")
    assert done.returncode == 0, done.stderr
    assert "gazetteer ready" in done.stderr
