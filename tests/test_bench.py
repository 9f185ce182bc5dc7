"""The benchmarks run on tiny inputs and write their tables; no timing is asserted."""

from __future__ import annotations

import re

import pytest

from bench import analysis as bench_analysis
from bench import common
from bench import gazetteer as bench_gazetteer
from bench import ingest as bench_ingest
from bench import quality as bench_quality
from bench.__main__ import main as bench_main
from geo.config import Settings
from geo.gazetteer import gazetteer_path
from geo.pipeline import Pipeline
from geo.readers import demo_articles


def _section(text: str, name: str) -> str:
    found = re.search(rf"<!-- bench:{name}:begin -->\n(.*?)\n<!-- bench:{name}:end -->", text, re.S)
    assert found, f"no {name} section"
    return found.group(1)


def _table_rows(text: str, header_start: str) -> list[list[str]]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {header_start}"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip("|").split("|")])
    return rows


def test_sections_are_replaced_one_at_a_time(tmp_path):
    out = tmp_path / "b.md"
    common.write_section("quality", "first", out)
    text = out.read_text(encoding="utf-8")
    for name in common.SECTIONS:
        assert f"<!-- bench:{name}:begin -->" in text
    assert _section(text, "dashboard") == "_Not measured yet: run `python -m bench.dashboard`._"
    common.write_section("ingest", "ingest table", out)
    common.write_section("quality", "second", out)
    text = out.read_text(encoding="utf-8")
    assert _section(text, "quality") == "second"
    assert _section(text, "ingest") == "ingest table"
    assert "first" not in text
    with pytest.raises(ValueError):
        common.write_section("nonsense", "x", out)


def test_environment_names_machine_and_versions():
    line = common.environment_line()
    assert f"{common.cores()} cores" in line
    assert "Python 3." in line
    assert "spacy " in line
    check = re.search(r"CPU check (\d+\.\d\d) s", line)
    assert check and float(check.group(1)) == round(common.cpu_check_seconds(), 2) > 0


def test_ingest_bench_on_two_demo_articles(tmp_path, nlp):
    out = tmp_path / "b.md"
    body = bench_ingest.run(nlp, demo_articles()[:2], runs=1, jobs=(), output=out)
    assert _section(out.read_text(encoding="utf-8"), "ingest") == body
    rows = _table_rows(body, "run |")
    assert [r[0] for r in rows] == ["bare spaCy `nlp.pipe`", "full pipeline + store"]
    assert all(float(r[1]) > 0 for r in rows)
    assert "Throughput ratio pipeline / spaCy" in body
    stages = _table_rows(body, "stage")
    assert len(stages) == 5


def test_ingest_jobs_table_shape():
    inproc = bench_ingest.InProcess(articles=10, tokens=1000, spacy_s=[1.0], pipeline_s=[1.2], ratios=[0.83])
    jobs = [bench_ingest.JobsRun(1, [10.0, 11.0], [200.0, 210.0]),
            bench_ingest.JobsRun(2, [6.0, 6.5], [210.0, 220.0])]
    body = bench_ingest.format_section(inproc, jobs)
    rows = _table_rows(body, "command")
    assert [r[0] for r in rows] == ["`ingest --jobs 1`", "`ingest --jobs 2`"]
    assert rows[1][3].startswith("1.68×")  # median of the paired ratios 10/6 and 11/6.5
    assert "**missed**" in rows[1][3]


def test_quality_bench_on_a_tiny_corpus(tmp_path, nlp, real_gazetteer):
    text = "Flooding hit Paris on Monday. Officials in Lyon and Berlin sent help to the French capital."
    gold = []
    for name, lat, lon in (("Paris", 48.85, 2.35), ("Lyon", 45.76, 4.84), ("Berlin", 52.52, 13.40),
                           ("French", 46.0, 2.0)):
        start = text.index(name)
        gold.append({"name": name, "start": start, "end": start + len(name), "lat": lat, "lon": lon})
    records = [{"id": "t-1", "dataset": "LGL", "text": text, "toponyms": gold}] * 3
    out = tmp_path / "b.md"
    body = bench_quality.run(Pipeline(nlp, real_gazetteer), [("LGL", records), ("GeoVirus", records[:1])],
                             resamples=20, output=out)
    assert _section(out.read_text(encoding="utf-8"), "quality") == body
    e2e = _table_rows(body, "corpus | articles | F1")
    assert [r[0] for r in e2e] == ["LGL", "GeoVirus", "macro average"]
    assert e2e[0][6].startswith("0.41")  # the published figure beside ours
    resolution = _table_rows(body, "corpus | gold")
    assert [r[0] for r in resolution] == ["LGL", "GeoVirus", "macro average"]
    assert resolution[0][1] == "12"  # four gold toponyms in each of three articles
    assert 0.0 <= float(resolution[0][2].strip("*")) <= 1.0
    assert resolution[0][6] == "0.827"  # Mordecai 3 beside it


def test_gazetteer_bench_on_a_few_names(tmp_path, real_gazetteer):
    path = gazetteer_path(Settings())
    hits = ["Kabul", "Paris", "Springfield"]
    misses = ["Zzyzxq Qwv", "Notaplace"]
    result = bench_gazetteer.measure(path, hits, misses, hits + hits, builds=0, runs=1)
    body = bench_gazetteer.format_section(result)
    rows = _table_rows(body, "lookups")
    assert len(rows) == 4
    assert [int(r[1]) for r in rows] == [3, 2, 6, 2]
    steps = _table_rows(body, "step")
    assert steps[0][0].startswith("open the index")
    assert result.loads[0]["rss_open"] > 0


def test_corpus_names_split_hits_and_misses(real_gazetteer):
    records = [{"text": "Kabul and Qwxzville met Glorbnak Trees.", "toponyms": [
        {"name": "Kabul", "start": 0, "end": 5}, {"name": "Qwxzville", "start": 10, "end": 19}]}]
    hits, misses, mentions = bench_gazetteer.corpus_names(records, real_gazetteer)
    assert hits == ["Kabul"]
    assert "Qwxzville" in misses and "Kabul" not in misses
    assert mentions == ["Kabul", "Qwxzville"]


def test_analysis_bench_texts_have_the_size_asked():
    sentence = bench_analysis.long_sentence(5_000)
    assert len(sentence) >= 5_000 and sentence.count(".") == 1 and sentence.endswith(".")
    article = bench_analysis.long_article(30_000)
    assert len(article) >= 30_000 and article.startswith("Dispatch number 1 of the long file.")


def test_analysis_bench_on_small_texts(tmp_path, real_gazetteer):
    out = tmp_path / "b.md"
    body = bench_analysis.run([1], [0.01], runs=1, output=out)
    assert _section(out.read_text(encoding="utf-8"), "analysis") == body
    rows = _table_rows(body, "text |")
    assert [r[0] for r in rows] == ["one sentence of 1 KB", "an article of 0.01 MB"]
    for row in rows:
        assert row[-1] == ""  # no error
        assert float(row[2]) > 0 and int(row[5].replace(",", "")) > 0  # time taken, events found
        assert int(row[1].replace(",", "")) >= 1_000


def test_run_all_rejects_unknown_names(capsys):
    assert bench_main(["nonsense"]) == 2
    assert "unknown benchmark" in capsys.readouterr().err


# --- bench.attribution ----------------------------------------------------------------------


def test_attribution_co_mention_puts_every_named_actor_at_the_place(tmp_path):
    from bench import attribution as bench_attribution

    src = tmp_path / "events.csv"
    src.write_text("event_id,place_name,actors,mentioned_actors\n"
                   "a,Doha,Antony Blinken,Heiko Maas;Antony Blinken\n"
                   "b,,,Angela Merkel\n", encoding="utf-8")
    out = bench_attribution.co_mention(src, tmp_path / "co.csv")
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[1] == "a,Doha,Antony Blinken;Heiko Maas,Heiko Maas;Antony Blinken"
    assert rows[2] == "b,,,Angela Merkel"  # an event without a place puts no one anywhere


def test_attribution_scores_with_the_sets_own_scorer(tmp_path):
    """Two gold articles and a hand-made export: the scorer's counts come back, and the section
    names the target as met or missed from them."""
    from bench import attribution as bench_attribution

    if not bench_attribution.GOLD.is_file():
        pytest.skip("the attribution dev set lives in ../shared beside the repository")
    gold = [g for g in bench_attribution.gold_records() if g["id"] in ("geovirus-177", "trnews-1050001")]
    gold_path = tmp_path / "gold.jsonl"
    gold_path.write_text("".join(__import__("json").dumps(g) + "\n" for g in gold), encoding="utf-8")
    header = ",".join(["event_id", "article_id", "place_name", "actors", "mentioned_actors", "quote",
                       "sentence_start", "url"])
    first = next(g for g in gold if g["pairs"])
    actor, place = first["pairs"][0]  # names from the annotation, not typed here
    other = next(p for p in gold[0]["places"] + gold[1]["places"] if [actor, p] not in first["pairs"])
    url = f"https://gold.invalid/{first['id']}"
    lines = [header, f'e1,x,"{place}","{actor}",,q,0,{url}', f'e2,x,"{other}","{actor}",,q,0,{url}']
    events = tmp_path / "events.csv"
    events.write_text("\n".join(lines) + "\n", encoding="utf-8")
    texts_dir = bench_attribution.ATTRIBUTION_DIR.parent
    res = bench_attribution.score(gold_path, events, tmp_path, bootstrap=20, texts_dir=texts_dir, tag="t")
    ours = bench_attribution.as_score("x", res["geostory"])
    assert (ours.tp, ours.fp) == (1, 1)
    assert ours.fn == sum(len(g["pairs"]) for g in gold) - 1
    assert set(ours.ci) == {"precision", "recall", "f1"}
    body = bench_attribution.format_section(res, res, [("geovirus", 1, ours, ours)], failed=0, seconds=1.0,
                                            bootstrap=20)
    assert "precision ≥ 0.75 (missed)" in body and "| geovirus | 1 |" in body
    assert "0.500" in body  # precision 1 / 2
    # Misses by what was found: one actor and two places were, the other gold places were not.
    misses = bench_attribution.miss_kinds(gold, events)
    assert sum(misses.values()) == ours.fn
    assert misses["place not found"] + misses["neither found"] >= 1
