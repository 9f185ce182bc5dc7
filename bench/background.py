"""The background rule against a hand-judged sample of relative date expressions from the dev corpora.

    python -m bench.background

``bench/annotations/background.jsonl`` names 80 DATE expressions (corpus file, id, character
offsets, the text's hash; never the text) with our judgement: is the expression an aside to the
story ("Last month, the university had told students...") or the story's own time ("was arrested
Saturday")? docs/dates.md says how they were drawn and judged. The dev corpora carry no
publication dates, so the sample holds relative expressions only ("last month", "Saturday",
"three weeks ago"), whose distance from publication does not depend on the day; each is resolved
against ``PUBLISHED``. The table gives the agreement of ``EventDate.background`` (a period begun
``BACKGROUND_DAYS`` or more before publication and over by then) and of the same rule with other
thresholds.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from bench.common import EVAL_DIR, md_table
from geo.config import PROJECT_ROOT, Settings

ANNOTATIONS = PROJECT_ROOT / "bench" / "annotations" / "background.jsonl"
PUBLISHED = date(2010, 6, 15)  # a Tuesday, mid-month, as in the study
THRESHOLDS = (7, 14, 21, 28, 45, 60, 90)


def load(path: Path = ANNOTATIONS, eval_dir: Path = EVAL_DIR) -> list[tuple[str, int, int, bool]]:
    """(text, start, end, judged background) per item, each text checked against its hash."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts: dict[str, str] = {}
    for source in sorted({r["source"] for r in rows}):
        with open(eval_dir / source, encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                texts[rec["id"]] = rec["text"]
    out = []
    for r in rows:
        text = texts[r["id"]]
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != r["text_sha256"]:
            raise SystemExit(f"{path}: the text of {r['id']} changed since it was judged")
        out.append((text, r["start"], r["end"], bool(r["background"])))
    return out


def resolve_all(items: Sequence[tuple[str, int, int, bool]], nlp: Any) -> list[tuple[Any, bool]]:
    """(the product's EventDate or None, judged background) per item."""
    from geo.temporal import resolve_date

    texts = list(dict.fromkeys(t for t, *_ in items))
    docs = dict(zip(texts, nlp.pipe(texts), strict=True))
    out = []
    for text, start, end, judged in items:
        span = docs[text].char_span(start, end, alignment_mode="expand")
        out.append((None if span is None else resolve_date(span, PUBLISHED), judged))
    return out


def flag(found: Any, threshold: int) -> bool:
    from geo.date_rules import period_end

    if found is None:
        return False
    last = found.end or period_end(found.value, found.precision)
    return (PUBLISHED - found.value).days >= threshold and last < PUBLISHED


def table(resolved: Sequence[tuple[Any, bool]]) -> str:
    from geo.date_rules import BACKGROUND_DAYS

    rows = []
    for threshold in THRESHOLDS:
        pairs = [(flag(found, threshold), judged) for found, judged in resolved]
        tp = sum(p and j for p, j in pairs)
        fp = sum(p and not j for p, j in pairs)
        fn = sum(j and not p for p, j in pairs)
        agree = sum(p == j for p, j in pairs)
        mark = " (the rule)" if threshold == BACKGROUND_DAYS else ""
        share = f"{agree}/{len(pairs)} ({agree / len(pairs):.2f})"
        rows.append([f"{threshold} days{mark}", share, tp, fp, fn])
    shipped = sum((found is not None and found.background) == judged for found, judged in resolved)
    body = md_table(["threshold", "agreement", "asides caught", "false alarms", "asides missed"], rows)
    return body + f"\n\n`EventDate.background` as shipped agrees on {shipped}/{len(resolved)}."


def main(argv: Sequence[str] | None = None) -> int:
    from geo.extract import load_nlp

    items = load()
    resolved = resolve_all(items, load_nlp(Settings().spacy_model))
    judged = sum(j for _f, j in resolved)
    sys.stdout.write(f"{len(items)} expressions, {judged} judged asides; published {PUBLISHED}\n\n")
    sys.stdout.write(table(resolved) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
