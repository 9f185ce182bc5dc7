"""Event-type agreement: the product's ``event_type`` against a sample we annotated by hand.

    python -m bench.event_types [--resamples 1000] [--seed 0]

The sample (``select_sample``) is drawn by a seeded procedure and is the same on every run:

- from each of the four dev corpora, 30 articles in a shuffled order (``random.Random`` seeded
  with ``SEED`` and the corpus name, over the ids sorted), and in each one gold toponym with
  coordinates, chosen by the same generator: the anchor is that place mention;
- from the demo story, 30 sentences (the body split after ".", "!" or "?" before a capital
  or a quote), shuffled by the same kind of generator: the anchor is the whole sentence, as for
  an event without a place.

``bench/annotations/event_types.jsonl`` holds one line per item: where it is (corpus file, id,
character offsets; never the text) and the type we gave it under the guidelines in
docs/event_types.md. It was written before the product's type was computed for any item. The bench
parses each text with the pipeline's spaCy model, asks ``geo.clauses.describe`` about the anchor's
span, and reports accuracy, Cohen's kappa overall and per type (one type against the rest), with
95% percentile-bootstrap intervals over items.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from bench.common import DEV_FILES, EVAL_DIR, RESULTS, environment_line, md_table, write_section
from geo.config import PROJECT_ROOT, Settings
from geo.evaluate import bootstrap_values, percentile_interval

SEED = "geostory-issue11-event-types"
PER_CORPUS = 30
DEMO_SENTENCES = 30
ANNOTATIONS = PROJECT_ROOT / "bench" / "annotations" / "event_types.jsonl"
DEMO_DIR = PROJECT_ROOT / "data" / "demo"
# After ".", "!" or "?" (not an initialism such as "U.S."), before a capital or an opening quote.
_SENTENCE_END = re.compile(r"(?<=[.!?])(?<![A-Z]\.[A-Z]\.)[\"”’)]?\s+(?=[\"“‘(]?[A-Z])")

Kind = Literal["place", "sentence"]


@dataclass(frozen=True)
class Item:
    """One anchor of the sample: a place mention in a dev article, or a demo sentence."""

    source: str  # a dev file's name ("lgl-dev.jsonl") or "demo"
    doc_id: str  # the record's id, or the demo file's name
    start: int
    end: int
    kind: Kind

    @property
    def key(self) -> tuple[str, str, int, int]:
        return (self.source, self.doc_id, self.start, self.end)


def _dev_texts(eval_dir: Path) -> dict[str, list[dict[str, Any]]]:
    out = {}
    for name in DEV_FILES:
        path = eval_dir / name
        if not path.is_file():
            raise SystemExit(f"the dev corpora are not here: {path} (they live in ../shared/eval)")
        with open(path, encoding="utf-8") as fh:
            out[name] = [json.loads(line) for line in fh if line.strip()]
    return out


def demo_texts(demo_dir: Path = DEMO_DIR) -> dict[str, str]:
    """The demo articles' texts as the reader gives them (front matter removed), by file name."""
    from geo.readers import read_article

    return {p.name: read_article(p).text for p in sorted(demo_dir.glob("*.md")) if p.name != "README.md"}


def demo_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a demo text, by punctuation: no model involved."""
    out, start = [], 0
    for m in [*_SENTENCE_END.finditer(text), None]:
        end = len(text) if m is None else m.start() + len(m.group(0).rstrip())
        end = len(text.rstrip()) if m is None else end
        piece = text[start:end]
        lead = len(piece) - len(piece.lstrip())
        stripped = piece.strip()
        if stripped:
            out.append((start + lead, start + lead + len(stripped)))
        if m is not None:
            start = m.end()
    return out


def select_sample(eval_dir: Path = EVAL_DIR, demo_dir: Path = DEMO_DIR) -> list[Item]:
    """The sample, in a fixed order: corpus by corpus, then the demo."""
    items: list[Item] = []
    for name, records in _dev_texts(eval_dir).items():
        rng = random.Random(f"{SEED}:{name}")
        ordered = sorted(records, key=lambda r: r["id"])
        rng.shuffle(ordered)
        taken = 0
        for rec in ordered:
            placed = [t for t in rec["toponyms"] if t.get("lat") is not None]
            if not placed:
                continue
            top = rng.choice(placed)
            items.append(Item(name, rec["id"], top["start"], top["end"], "place"))
            taken += 1
            if taken == PER_CORPUS:
                break
    rng = random.Random(f"{SEED}:demo")
    sentences = [(fname, s, e) for fname, text in demo_texts(demo_dir).items()
                 for s, e in demo_sentences(text)]
    rng.shuffle(sentences)
    items += [Item("demo", f, s, e, "sentence") for f, s, e in sorted(sentences[:DEMO_SENTENCES])]
    return items


def texts_for(items: Sequence[Item], eval_dir: Path = EVAL_DIR,
              demo_dir: Path = DEMO_DIR) -> dict[tuple[str, str], str]:
    """Every text the items point into, by (source, doc_id)."""
    wanted = {(i.source, i.doc_id) for i in items}
    out: dict[tuple[str, str], str] = {}
    for name, records in _dev_texts(eval_dir).items():
        for rec in records:
            if (name, rec["id"]) in wanted:
                out[(name, rec["id"])] = rec["text"]
    for fname, text in demo_texts(demo_dir).items():
        if ("demo", fname) in wanted:
            out[("demo", fname)] = text
    return out


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- the annotation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Annotated:
    item: Item
    gold: str
    predicted: str = ""


def load_annotations(items: Sequence[Item], texts: dict[tuple[str, str], str],
                     path: Path = ANNOTATIONS) -> list[Annotated]:
    """The annotation, checked against the sample (same anchors, in order) and the texts (hashes)."""
    from geo.lexicon import load_taxonomy

    known = set(load_taxonomy().ids)
    with open(path, encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    if len(rows) != len(items):
        raise SystemExit(f"{path}: {len(rows)} annotations for a sample of {len(items)}")
    out = []
    for row, item in zip(rows, items, strict=True):
        if (row["source"], row["id"], row["start"], row["end"], row["anchor"]) != (*item.key, item.kind):
            raise SystemExit(f"{path}: item {row.get('n')} is not the sample's {item}")
        if row["text_sha256"] != sha256(texts[(item.source, item.doc_id)]):
            raise SystemExit(f"{path}: the text of {item.doc_id} changed since it was annotated")
        if row["event_type"] not in known:
            raise SystemExit(f"{path}: item {row.get('n')} has unknown type {row['event_type']!r}")
        out.append(Annotated(item, row["event_type"]))
    return out


def predict(annotated: Sequence[Annotated], texts: dict[tuple[str, str], str], nlp: Any) -> list[Annotated]:
    """The product's type for each anchor: ``geo.clauses.describe`` on its span, as ingest asks it."""
    from geo.clauses import describe

    keys = list(dict.fromkeys((a.item.source, a.item.doc_id) for a in annotated))
    docs = dict(zip(keys, nlp.pipe(texts[k] for k in keys), strict=True))
    out = []
    for a in annotated:
        doc = docs[(a.item.source, a.item.doc_id)]
        span = doc.char_span(a.item.start, a.item.end, alignment_mode="expand")
        out.append(Annotated(a.item, a.gold, "other" if span is None else describe(span).event_type))
    return out


# -- agreement ------------------------------------------------------------------------------


def accuracy(pairs: Sequence[tuple[str, str]]) -> float:
    return sum(g == p for g, p in pairs) / len(pairs) if pairs else float("nan")


def kappa(pairs: Sequence[tuple[str, str]]) -> float:
    """Cohen's kappa of two labellings; NaN when chance agreement is total (one label only)."""
    if not pairs:
        return float("nan")
    n = len(pairs)
    gold, pred = Counter(g for g, _ in pairs), Counter(p for _, p in pairs)
    expected = sum(gold[k] * pred[k] for k in gold) / (n * n)
    if expected >= 1:
        return float("nan")
    return (accuracy(pairs) - expected) / (1 - expected)


def one_vs_rest(pairs: Sequence[tuple[str, str]], label: str) -> list[tuple[str, str]]:
    return [(str(g == label), str(p == label)) for g, p in pairs]


def _fmt(value: float) -> str:
    return "–" if math.isnan(value) else f"{value + 0.0:.2f}".replace("-0.00", "0.00")


def _with_ci(pairs: Sequence[tuple[str, str]], stat: Any, resamples: int, seed: int) -> str:
    low, high = percentile_interval(bootstrap_values(pairs, stat, resamples=resamples, seed=seed))
    value = stat(pairs)
    return f"{_fmt(value)} ({_fmt(low)}–{_fmt(high)})" if not math.isnan(value) else "–"


def format_section(scored: Sequence[Annotated], *, resamples: int, seed: int) -> str:
    from geo.lexicon import load_taxonomy

    tax = load_taxonomy()
    pairs = [(a.gold, a.predicted) for a in scored]
    majority = Counter(g for g, _ in pairs).most_common(1)[0][0]
    baseline = [(g, majority) for g, _ in pairs]
    lines = [environment_line(), ""]
    lines.append(
        f"{len(scored)} anchors annotated by hand ({PER_CORPUS} gold toponyms from each of the four dev "
        f"corpora, {DEMO_SENTENCES} demo sentences; drawn by `bench.event_types.select_sample`, seed "
        f"`{SEED}`), under the guidelines in docs/event_types.md. The annotation "
        "(bench/annotations/event_types.jsonl: offsets and text hashes only) was written and committed "
        "before the classifier existed and before the product's type was computed for any item; one "
        "annotator. The product's type is `geo.clauses.describe` on the anchor's span. 95% intervals: "
        f"percentile bootstrap over items, {resamples} resamples, seed {seed}.")
    lines.append("")
    lines.append(md_table(
        ["measure", "product", f"always \"{majority}\""],
        [["accuracy", _with_ci(pairs, accuracy, resamples, seed), _fmt(accuracy(baseline))],
         ["Cohen's kappa", _with_ci(pairs, kappa, resamples, seed), _fmt(kappa(baseline))]]))
    lines += ["", "Per type, one against the rest (kappa undefined where neither side uses the type):", ""]
    rows = []
    for t in tax.types:
        binary = one_vs_rest(pairs, t.id)
        n_gold = sum(g == t.id for g, _ in pairs)
        n_pred = sum(p == t.id for _, p in pairs)
        hits = sum(g == p == t.id for g, p in pairs)
        rows.append([t.label, n_gold, n_pred, hits, _with_ci(binary, accuracy, resamples, seed),
                     _with_ci(binary, kappa, resamples, seed)])
    lines.append(md_table(["type", "annotated", "product", "both", "accuracy", "kappa"], rows))
    lines += ["", "Confusion (rows: annotation, columns: product; types used by either side):", ""]
    used = [t.id for t in tax.types if any(t.id in pair for pair in pairs)]
    counts = Counter(pairs)
    lines.append(md_table(["annotated \\ product", *used],
                          [[g, *(counts[(g, p)] or "" for p in used)] for g in used]))
    by_source = Counter(a.item.source for a in scored)
    right = Counter(a.item.source for a in scored if a.gold == a.predicted)
    per_source = [f"{src.replace('-dev.jsonl', '')} {right[src] / n:.2f} ({right[src]}/{n})"
                  for src, n in by_source.items()]
    lines += ["", "Accuracy per source: " + ", ".join(per_source) + "."]
    return "\n".join(lines)


def run(*, resamples: int = 1000, seed: int = 0, output: Path = RESULTS, nlp: Any = None,
        limit: int = 0) -> str:
    items = select_sample()
    texts = texts_for(items)
    annotated = load_annotations(items, texts)
    if limit:
        annotated = annotated[:limit]
    if nlp is None:
        from geo.extract import load_nlp

        nlp = load_nlp(Settings().spacy_model)
    scored = predict(annotated, texts, nlp)
    body = format_section(scored, resamples=resamples, seed=seed)
    if limit:
        body += f"\n\nSubset: the first {limit} items only."
    write_section("event_types", body, output)
    return body


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.event_types", description=__doc__.splitlines()[0])
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=0, help="score the first N items only")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    body = run(resamples=args.resamples, seed=args.seed, output=args.output, limit=args.limit)
    sys.stdout.write(body + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
