"""The event-type agreement bench: its sample, its annotation file, its statistics and its section."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from bench import event_types as bench
from bench.common import EVAL_DIR

needs_corpora = pytest.mark.skipif(not (EVAL_DIR / "lgl-dev.jsonl").is_file(),
                                   reason="the dev corpora live in ../shared/eval beside the repository")


@needs_corpora
def test_the_sample_is_seeded_and_balanced() -> None:
    first, second = bench.select_sample(), bench.select_sample()
    assert first == second
    assert len(first) == 4 * bench.PER_CORPUS + bench.DEMO_SENTENCES == 150
    per_source: dict[str, int] = {}
    for item in first:
        per_source[item.source] = per_source.get(item.source, 0) + 1
    assert sorted(per_source.values()) == [30] * 5
    assert {i.kind for i in first if i.source == "demo"} == {"sentence"}
    assert len({i.doc_id for i in first if i.source != "demo"}) == 120  # one anchor per article


@needs_corpora
def test_the_annotation_matches_the_sample_and_holds_no_text() -> None:
    items = bench.select_sample()
    texts = bench.texts_for(items)
    annotated = bench.load_annotations(items, texts)  # raises on any mismatch
    assert len(annotated) == 150
    keys = {"n", "source", "id", "start", "end", "anchor", "text_sha256", "event_type"}
    for line in bench.ANNOTATIONS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        assert set(row) == keys  # offsets and a hash, never the text
        assert len(row["id"]) < 60 and len(row["event_type"]) < 20


@needs_corpora
def test_a_changed_annotation_is_refused(tmp_path: Path) -> None:
    items = bench.select_sample()
    texts = bench.texts_for(items)
    rows = bench.ANNOTATIONS.read_text(encoding="utf-8").splitlines()
    moved = json.loads(rows[0])
    moved["start"] += 1
    bad = tmp_path / "a.jsonl"
    bad.write_text("\n".join([json.dumps(moved), *rows[1:]]), encoding="utf-8")
    with pytest.raises(SystemExit, match="is not the sample's"):
        bench.load_annotations(items, texts, bad)


def test_demo_sentences_split_on_punctuation_only() -> None:
    text = "The U.S. envoy arrived. He met the emir!  Then he left for Berlin."
    assert [text[s:e] for s, e in bench.demo_sentences(text)] == [
        "The U.S. envoy arrived.", "He met the emir!", "Then he left for Berlin."]


def test_kappa_and_accuracy() -> None:
    pairs = [("a", "a"), ("a", "b"), ("b", "b"), ("b", "b")]
    assert bench.accuracy(pairs) == 0.75
    assert bench.kappa(pairs) == pytest.approx(0.5)  # chance agreement (2*1 + 2*3) / 16
    assert math.isnan(bench.kappa([("a", "a"), ("a", "a")]))  # one label only: undefined
    assert bench.kappa([("a", "b"), ("b", "a")]) == pytest.approx(-1.0)
    assert bench.one_vs_rest([("a", "b"), ("b", "b")], "b") == [("False", "True"), ("True", "True")]


@needs_corpora
@pytest.mark.model
def test_the_bench_writes_its_section(tmp_path: Path, nlp) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "benchmarks.md"
    body = bench.run(resamples=20, seed=1, output=out, nlp=nlp, limit=12)
    text = out.read_text(encoding="utf-8")
    assert "<!-- bench:event_types:begin -->" in text and body in text
    assert re.search(r"\| accuracy \| \d\.\d\d \(\d\.\d\d–\d\.\d\d\) \| \d\.\d\d \|", body)
    assert "| travel/visit |" in body and "Subset: the first 12 items only." in body
