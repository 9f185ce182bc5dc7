"""The command line, run as users and benchmarks run it: ``python -m geo ...`` in a subprocess.

Each test gets its own SQLite database through GEOSTORY_DB_URL; the gazetteer
cache stays where the settings put it, so the built index in var/ is reused.
Commands that load the model and gazetteer take one to three seconds each.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from geo.cli import export_command
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
def test_hostile_sidecars_fail_alone_and_warnings_are_printed(tmp_path, real_gazetteer):
    """Issue 10, items 4, 13 and 15: sidecars Python cannot load, a 1 MB title, 5,000 unknown keys,
    an impossible date. The run goes on; each problem is one line naming its file."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "digits.txt").write_text(FALL.split("---\n", 2)[2], encoding="utf-8")
    (folder / "digits.json").write_text('{"title": 1' + "0" * 59_999 + "}", encoding="utf-8")
    (folder / "nested.txt").write_text(FALL.split("---\n", 2)[2], encoding="utf-8")
    (folder / "nested.json").write_text('{"title": ' + "[" * 30_000 + "]" * 30_000 + "}", encoding="utf-8")
    (folder / "keys.txt").write_text(TALKS.split("---\n", 2)[2], encoding="utf-8")
    keys = {"title": "Keys", "published": "2021-09-07", **{f"k{i}": 0 for i in range(5_000)}}
    (folder / "keys.json").write_text(json.dumps(keys, separators=(",", ":")), encoding="utf-8")
    title = "Kabul changes hands " * 52_500  # 1,050,000 characters
    (folder / "title.md").write_text(FALL.replace("Kabul changes hands", title), encoding="utf-8")
    feb = "---\ntitle: Feb\npublished: 2021-09-06\n---\nTroops entered Kabul on 31 February.\n"
    (folder / "feb.md").write_text(feb, encoding="utf-8")
    done = run("ingest", str(folder), db=tmp_path / "x.sqlite")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr[-3000:]
    lines = done.stderr.splitlines()
    assert "ingested 3 article(s)" in lines[0] and "2 failed" in lines[0]
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 2
    assert any(f"{folder / 'digits.json'}: metadata sidecar cannot be read: it holds a number with too "
               "many digits" in e for e in errors)
    assert any(f"{folder / 'nested.json'}: metadata sidecar cannot be read: its JSON is nested too deeply"
               in e for e in errors)
    warnings = [line for line in lines if line.startswith("warning:")]
    assert f"warning: {folder / 'keys.txt'}: 5,000 unknown metadata key(s) ignored: 'k0', 'k1', 'k2', " \
           "'k3', 'k4' and 4,995 more" in warnings
    assert any(w.startswith(f"warning: {folder / 'title.md'}: title cut to ") for w in warnings)
    assert f"warning: {folder / 'feb.md'}: '31 February' names a day February does not have (day 31); " \
           "dated to February 2021, month precision" in warnings
    assert len(warnings) == 3 and max(len(line) for line in lines) < 400
    with Store(f"sqlite:///{tmp_path / 'x.sqlite'}") as store:
        titles = sorted(a.title for _id, a in store.articles())
    assert titles[0] == "Feb" and titles[2] == "Keys" and titles[1].startswith("Kabul changes hands")
    assert len(titles[1]) <= 300 and titles[1].endswith("…")


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


def test_the_sources_pages_export_command_exports_that_view(tmp_path):
    """The command the Sources page offers for a large view selects the view's events exactly."""
    from tests.dashboard_events import fill_story

    db = tmp_path / "s.sqlite"
    with Store(f"sqlite:///{db}") as store:
        fill_story(store)
        view = dict(actors=["alpha"], date_from=date(2021, 8, 15), date_to=date(2021, 9, 1), countries=["AA"],
                    sources=["Wire"])  # an alias in another case, as the sidebar's link may carry
        wanted = store.events(**view)
        assert 0 < len(wanted) < len(store.events())
    words = shlex.split(export_command(view["actors"], view["date_from"], view["date_to"], view["countries"],
                                       view["sources"], ["other"], fmt="csv"))
    assert words[words.index("--type") + 1] == "other"
    assert words[:4] == ["python", "-m", "geo", "events"]
    words[words.index("-o") + 1] = str(tmp_path / "view.csv")
    done = run(*words[3:], db=db)
    assert done.returncode == 0, done.stderr
    assert sorted(read_events(tmp_path / "view.csv")["event_id"]) == sorted(e.event_id for e in wanted)


def test_export_command_quotes_names_for_the_shell():
    names = ["O'Neil; rm -rf ~", "$(reboot)", "Alpha Person"]
    words = shlex.split(export_command(names, sources=["A `B`"], fmt="geojson"))
    assert [words[i + 1] for i, w in enumerate(words) if w == "--actor"] == names
    assert words[words.index("--source") + 1] == "A `B`" and words[words.index("--format") + 1] == "geojson"
    assert "--from" not in words and "--country" not in words


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


# --- bad input: a 200-file folder with broken files (issue 5, item 1) ------------------------------

N_GOOD = 185  # generated articles; with the variants, duplicates and broken files about 200 files
NO_PLACES = "---\npublished: 2021-09-01\n---\nThe committee met for three hours and agreed on nothing.\n"
UNDATED = "Officials met in Doha, Qatar, on Tuesday. Troops were seen in Kabul.\n"  # no date at all


def _as_html(text: str) -> str:
    """A generated .md article as a web page, with a script and a large inline image around it."""
    header, _sep, body = text[4:].partition("\n---\n")
    fields = dict(line.split(": ", 1) for line in header.splitlines() if ": " in line)
    paragraphs = "".join(f"<p>{p.strip()}</p>\n" for p in body.split("\n\n") if p.strip())
    image = "data:image/png;base64," + "iVBORw0KGgo" * 40_000  # ~440 kB of inline image
    return (f"<html><head><title>{fields.get('title', '')}</title>"
            f"<meta property=\"article:published_time\" content=\"{fields['published']}\">"
            "<script>document.title = 'hijacked'; fetch('http://198.51.100.1/')</script></head>"
            f"<body><article><img src=\"{image}\">\n{paragraphs}<script>alert(1)</script>"
            "</article></body></html>")


def _good_files() -> dict[bytes, bytes]:
    """The good articles, by (bytes) file name: generated ones plus format variants."""
    from tests.reliability.common import article_text, demo_texts

    texts = demo_texts()
    files = {f"article-{n:04d}.md".encode(): article_text(n, texts).encode("utf-8") for n in range(N_GOOD)}
    n = N_GOOD
    files[f"article-{n:04d}-utf16.txt".encode()] = article_text(n, texts).encode("utf-16")  # with a BOM
    files[f"article-{n + 1:04d}-crlf.md".encode()] = article_text(n + 1, texts).replace("\n", "\r\n").encode()
    files[f"article-{n + 2:04d}.html".encode()] = _as_html(article_text(n + 2, texts)).encode()
    # A file name that is not UTF-8 (Python keeps the byte as a lone surrogate).
    files[f"article-{n + 3:04d}-\xff".encode("latin-1") + b".md"] = article_text(n + 3, texts).encode()
    return files


def _write(folder: Path, files: dict[bytes, bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(os.fsencode(folder), name), "wb") as handle:
            handle.write(data)


def _broken_files(good: dict[bytes, bytes]) -> tuple[dict[bytes, bytes], dict[str, str]]:
    """Broken files (by name) and, for each one the user must hear about, a word of its message."""
    import random

    rng = random.Random(51)
    noise = bytes(b or 1 for b in rng.randbytes(8192))  # no NUL: it must fail as UTF-8, not as NUL
    sample = good[b"article-0007.md"]
    files = {
        b"broken-binary.txt": bytes(range(256)) * 16,
        b"broken-noise.md": noise,
        b"broken-corrupt.md": sample[:300] + b"\xc3\x28" + sample[300:],
        b"broken-empty.txt": b"",
        b"broken-blank.md": b"  \n\t\r\n \n",
        b"broken-sidecar.txt": b"Officials met in Doha, Qatar, on 7 September 2021.\n",
        b"broken-sidecar.json": b"{title: 'not JSON'",
        b"broken-huge.txt": b"Kabul. " * (3 * 1024 * 1024 // 7),
        b"broken-future.md": b"---\npublished: 2099-01-01\n---\nTroops reached Kabul on Monday.\n",
        b"broken-baddate.md": b"---\npublished: 2021-02-30\n---\nTroops reached Kabul on Monday.\n",
        b"broken-noplaces.txt": NO_PLACES.encode(),
        b"broken-undated.txt": UNDATED.encode(),
        # Duplicates: the same text again, once byte for byte and once re-wrapped.
        b"dup-exact.md": good[b"article-0003.md"],
        b"dup-rewrapped.md": good[b"article-0004.md"].replace(b". ", b".\n"),
    }
    problems = {
        "broken-binary.txt": "binary", "broken-noise.md": "invalid UTF-8",
        "broken-corrupt.md": "invalid UTF-8",
        "broken-empty.txt": "empty", "broken-blank.md": "empty", "broken-sidecar.json": "not valid JSON",
        "broken-huge.txt": "too large", "broken-future.md": "in the future",
        "broken-baddate.md": "not a valid date", "broken-noplaces.txt": "no places found",
        "broken-undated.txt": "none could be dated",
    }
    return files, problems


@pytest.fixture(scope="module")
def big_folder(tmp_path_factory, real_gazetteer):
    """A ~200-file folder ingested once, and a clean ingest of only its good files to compare with."""
    from tests.reliability.common import inspect_db

    root = tmp_path_factory.mktemp("bad-input")
    good = _good_files()
    broken, problems = _broken_files(good)
    mixed, clean = root / "mixed", root / "clean"
    _write(mixed, {**good, **broken})
    _write(clean, good)
    assert len(os.listdir(mixed)) >= 200
    db, reference = root / "mixed.sqlite", root / "clean.sqlite"
    done = run("ingest", str(mixed), db=db, timeout=600)
    clean_run = run("ingest", str(clean), db=reference, timeout=600)
    assert clean_run.returncode == 0, clean_run.stderr
    return {"folder": mixed, "db": db, "done": done, "reference": reference, "good": good,
            "problems": problems, "state": inspect_db(db), "clean_state": inspect_db(reference)}


def _store_view(db: Path) -> tuple[object, ...]:
    with Store(f"sqlite:///{db}") as store:
        articles = sorted((i, a.title, a.published, a.source, a.url) for i, a in store.articles())
        return articles, store.events(), store.actors(), store.counts()


@pytest.mark.model
@pytest.mark.gazetteer
def test_big_folder_names_each_broken_file_and_stores_every_good_one(big_folder):
    done = big_folder["done"]
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    n_good = len(big_folder["good"])
    problems = big_folder["problems"]
    assert (f"ingested {n_good} article(s)" in done.stderr
            and f"2 already stored; {len(problems)} failed" in done.stderr), done.stderr[-2000:]
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == len(problems), errors
    folder = big_folder["folder"]
    for name, word in problems.items():
        mine = [e for e in errors if f"{folder / name}:" in e]
        assert len(mine) == 1 and word in mine[0], (name, mine)
    # A name that is not UTF-8 is stored and shown with the byte escaped.
    with Store(f"sqlite:///{big_folder['db']}") as store:
        origins = [a.origin for _i, a in store.articles()]
    assert sum(1 for o in origins if "\\xff" in o) == 1


@pytest.mark.model
@pytest.mark.gazetteer
def test_big_folder_stores_exactly_what_the_good_files_alone_store(big_folder):
    state, clean = big_folder["state"], big_folder["clean_state"]
    assert state.problems() == [] and state.differences(clean) == []
    assert state.articles == clean.articles and state.events == clean.events
    assert len(state.articles) == len(big_folder["good"])
    assert _store_view(big_folder["db"]) == _store_view(big_folder["reference"])


@pytest.mark.model
@pytest.mark.gazetteer
def test_big_folder_again_adds_nothing(big_folder):
    db = big_folder["db"]
    before = _store_view(db)
    again = run("ingest", str(big_folder["folder"]), db=db, timeout=600)
    assert again.returncode == 1
    n_stored = len(big_folder["good"]) + 2  # the duplicates are skipped again
    assert f"ingested 0 article(s) with 0 event(s); {n_stored} already stored" in again.stderr
    assert _store_view(db) == before


# --- backup, restore, import (issue 5, item 8) --------------------------------------------------------


def test_backup_restore_and_import_through_the_cli(tmp_path):
    from geopandas.testing import assert_geodataframe_equal

    from tests.test_backup import fill, snapshot

    live, copy, restored = tmp_path / "live.sqlite", tmp_path / "backup.sqlite", tmp_path / "restored.sqlite"
    fill(f"sqlite:///{live}", range(12))
    done = run("backup", str(copy), "--db", f"sqlite:///{live}")
    assert done.returncode == 0, done.stderr
    assert "backed up 12 article(s)" in done.stderr and str(copy) in done.stderr
    again = run("backup", str(copy), "--db", f"sqlite:///{live}")
    assert again.returncode == 2 and "--force" in again.stderr
    assert run("restore", str(copy), "--db", f"sqlite:///{restored}").returncode == 0
    assert snapshot(f"sqlite:///{restored}") == snapshot(f"sqlite:///{live}")
    refused = run("restore", str(copy), "--db", f"sqlite:///{restored}")
    assert refused.returncode == 2 and "holds data" in refused.stderr and "--force" in refused.stderr
    assert run("restore", str(copy), "--db", f"sqlite:///{restored}", "--force").returncode == 0
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a backup", encoding="utf-8")
    bad = run("restore", str(bogus), "--db", f"sqlite:///{restored}", "--force")
    assert bad.returncode == 2 and f"error: {bogus}: not a SQLite database" in bad.stderr
    assert snapshot(f"sqlite:///{restored}") == snapshot(f"sqlite:///{live}")
    # Export, import into an empty store, export again: the same events.
    first, second = tmp_path / "first.geojson", tmp_path / "second.geojson"
    assert run("events", "--format", "geojson", "-o", str(first), "--db", f"sqlite:///{live}").returncode == 0
    imported = run("import", str(first), "--db", f"sqlite:///{tmp_path / 'imported.sqlite'}")
    assert imported.returncode == 0, imported.stderr
    assert "imported" in imported.stderr and "placeholder" in imported.stderr
    assert run("events", "--format", "geojson", "-o", str(second),
               "--db", f"sqlite:///{tmp_path / 'imported.sqlite'}").returncode == 0
    by_id = [read_events(p).sort_values("event_id").reset_index(drop=True) for p in (first, second)]
    assert_geodataframe_equal(*by_id)
    twice = run("import", str(first), "--db", f"sqlite:///{tmp_path / 'imported.sqlite'}")
    assert twice.returncode == 2 and "not empty" in twice.stderr


def test_backup_of_a_non_sqlite_store_says_what_to_use(tmp_path):
    done = run("backup", str(tmp_path / "b.sqlite"), "--db", "postgresql://nobody@127.0.0.1:1/none")
    assert done.returncode == 2 and "pg_dump" in done.stderr
    assert not (tmp_path / "b.sqlite").exists()


@pytest.mark.model
@pytest.mark.gazetteer
def test_messages_escape_control_characters_in_file_names(tmp_path, real_gazetteer):
    odd = tmp_path / "a\x1b[31mred\nline.txt"
    odd.write_bytes(b"")
    done = run("ingest", str(odd), db=tmp_path / "x.sqlite")
    assert done.returncode in (1, 2)
    assert "\x1b" not in done.stderr and "a\\x1b[31mred\\nline.txt: empty" in done.stderr


def test_a_parquet_export_refuses_to_write_binary_to_a_terminal(tmp_path):  # type: ignore[no-untyped-def]
    """Issue 12: without -o, Parquet goes nowhere near a terminal; CSV still may, and a pipe takes both."""
    import pty

    from tests.dashboard_events import fill_story

    db = tmp_path / "store.sqlite"
    with Store(f"sqlite:///{db}") as store:
        fill_story(store)
    command = [sys.executable, "-m", "geo", "events", "--db", f"sqlite:///{db}", "--format"]
    main_side, terminal = pty.openpty()
    try:
        done = subprocess.run([*command, "parquet"], stdout=terminal, stderr=subprocess.PIPE, text=True,
                              cwd=PROJECT_ROOT, timeout=120, check=False)
        os.set_blocking(main_side, False)
        try:
            written = os.read(main_side, 1 << 16)
        except BlockingIOError:
            written = b""
    finally:
        os.close(terminal)
        os.close(main_side)
    assert done.returncode == 2 and "binary" in done.stderr and "-o" in done.stderr
    assert b"PAR1" not in written
    piped = subprocess.run([*command, "parquet"], capture_output=True, cwd=PROJECT_ROOT, timeout=120,
                           check=False)
    assert piped.returncode == 0 and piped.stdout[:4] == b"PAR1"
