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
import random
import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from bench.common import EVAL_DIR, RESULTS, DEV_FILES, environment_line, md_table, write_section
from geo.config import PROJECT_ROOT

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
    sentences = [(fname, s, e) for fname, text in demo_texts(demo_dir).items() for s, e in demo_sentences(text)]
    rng.shuffle(sentences)
    items += [Item("demo", f, s, e, "sentence") for f, s, e in sorted(sentences[:DEMO_SENTENCES])]
    return items


def texts_for(items: Sequence[Item], eval_dir: Path = EVAL_DIR, demo_dir: Path = DEMO_DIR) -> dict[tuple[str, str], str]:
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
