"""Analysis time against text size: one long sentence, and a long article.

    python -m bench.analysis [--sentence-kb 10 20 40 80] [--article-mb 1 2] [--runs 1]

A sentence far longer than any real one (an 80 KB paste with one full stop)
is the worst case for the per-sentence steps: every place in it takes the
sentence's dates, actors and quote. The sentence is built from four clauses of
our own, each with places, a date and an actor, joined with ", and " and
repeated to the size asked; spaCy reads it as one sentence.

The long article is the demo story repeated, each copy opening with a
sentence of its own (as in the crash test), to 1 and 2 MB: ordinary sentences,
but more text than spaCy's ``max_length`` (1,000,000 characters) allows in
one doc.

Every case runs in a fresh process (spawned), which loads the pipeline and
then times ``Pipeline.analyse`` on the article: its time, the process's peak
RSS at its end, and spaCy's share (the same text through ``Pipeline.parse``
alone, timed after: spaCy, in pieces for a long text). A case that raises is
reported with its error, not dropped. Seconds per KB that stay flat as the
size doubles mean the work is linear in the text; "quote characters" (every
event's quote together) is what the store grows by.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from multiprocessing import get_context
from pathlib import Path

from bench.common import RESULTS, environment_line, md_table, median, peak_rss_mb, timed, write_section

log = logging.getLogger(__name__)

PUBLISHED = date(2021, 9, 6)
# Four clauses of our own: places, a date and an actor in each, as in a dispatch.
CLAUSES = (
    "troops moved from Kabul to Doha on 5 September",
    "Antony Blinken flew to Berlin on Monday",
    "the Taliban held Herat and Kandahar in August",
    "aid reached Islamabad and Tehran last week",
)


def long_sentence(size: int) -> str:
    """One sentence of at least ``size`` characters (the clauses repeated, one full stop)."""
    parts: list[str] = []
    length = 0
    while length < size:
        clause = CLAUSES[len(parts) % len(CLAUSES)]
        parts.append(clause)
        length += len(clause) + len(", and ")
    return "On Monday, " + ", and ".join(parts) + "."


def long_article(size: int) -> str:
    """The demo story repeated to at least ``size`` characters, each copy with an opening of its own."""
    from geo.readers import demo_articles

    texts = [a.text for a in demo_articles()]
    parts: list[str] = []
    length = 0
    while length < size:
        n = len(parts)
        part = f"Dispatch number {n + 1} of the long file.\n\n{texts[n % len(texts)]}"
        parts.append(part)
        length += len(part) + 2
    return "\n\n".join(parts)


@dataclass(frozen=True)
class Case:
    kind: str  # "sentence" or "article"
    size: int  # characters asked for
    chars: int = 0  # characters of the text built
    seconds: tuple[float, ...] = ()
    spacy_seconds: float = float("nan")
    events: int = 0
    quote_chars: int = 0  # characters of every event's quote together: what storage grows with
    peak_mb: float = float("nan")
    error: str = ""

    @property
    def label(self) -> str:
        if self.kind == "sentence":
            return f"one sentence of {self.size // 1000} KB"
        return f"an article of {self.size / 1e6:g} MB"


def _measure(kind: str, size: int, runs: int) -> Case:
    """In a child process: load the pipeline, analyse the text ``runs`` times, then spaCy alone."""
    from geo.config import load_settings
    from geo.models import Article
    from geo.pipeline import Pipeline

    text = long_sentence(size) if kind == "sentence" else long_article(size)
    pipeline = Pipeline.from_settings(load_settings())
    article = Article(text=text, title="bench", published=PUBLISHED, origin=f"bench-{kind}-{size}")
    seconds: list[float] = []
    try:
        for _ in range(runs):
            with timed() as clock:
                analysis = pipeline.analyse(article)
            seconds.append(clock.seconds)
    except Exception as err:  # a benchmark reports whatever the case raised, unexpected or not
        return Case(kind, size, len(text), error=f"{type(err).__name__}: {str(err)[:120]}",
                    peak_mb=peak_rss_mb())
    peak = peak_rss_mb()  # before the spaCy-only pass, which would add its own
    parse = getattr(pipeline, "parse", pipeline.nlp)  # the code before issue 10 had no Pipeline.parse
    spacy_s = float("nan")
    if hasattr(pipeline, "parse") or len(text) <= pipeline.nlp.max_length:
        with timed() as clock:
            parse(text)
        spacy_s = clock.seconds
    return Case(kind, size, len(text), tuple(seconds), spacy_s, len(analysis.events),
                sum(len(e.quote) for e in analysis.events), peak)


def measure(kind: str, size: int, runs: int = 1) -> Case:
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(_measure, kind, size, runs).result()


def format_section(cases: Sequence[Case], *, runs: int, note: str = "") -> str:
    rows = []
    for c in cases:
        if c.error:
            rows.append([c.label, f"{c.chars:,}", "failed", "–", "–", "–", "–", f"{c.peak_mb:.0f}", c.error])
            continue
        s = median(c.seconds)
        spacy = "–" if c.spacy_seconds != c.spacy_seconds else f"{c.spacy_seconds:.2f}"
        rows.append([c.label, f"{c.chars:,}", f"{s:.2f}", f"{1000 * s / c.chars:.4f}", spacy,
                     f"{c.events:,}", f"{c.quote_chars:,}", f"{c.peak_mb:.0f}", ""])
    table = md_table(["text", "characters", "analysis s", "s per KB", "spaCy alone s", "events",
                      "quote characters", "peak RSS MB", "error"], rows)
    parts = [environment_line(), ""]
    if note:
        parts += [note, ""]
    parts += [f"`Pipeline.analyse` on one text per fresh process, median of {runs} run(s); "
              "spaCy alone is `Pipeline.parse(text)` on the same text afterwards. Peak RSS is the whole "
              "process's at the end of the analysis, model and gazetteer included.",
              "", table]
    return "\n".join(parts)


def run(sentence_kb: Sequence[int], article_mb: Sequence[float], *, runs: int = 1,
        output: Path = RESULTS, note: str = "") -> str:
    cases = [measure("sentence", kb * 1000, runs) for kb in sentence_kb]
    cases += [measure("article", int(mb * 1e6), runs) for mb in article_mb]
    for c in cases:
        log.info("%s: %s", c.label, c.error or f"{median(c.seconds):.2f} s")
    body = format_section(cases, runs=runs, note=note)
    write_section("analysis", body, output)
    return body


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.analysis", description=__doc__.splitlines()[0])
    parser.add_argument("--sentence-kb", type=int, nargs="*", default=[10, 20, 40, 80])
    parser.add_argument("--article-mb", type=float, nargs="*", default=[1, 2])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--note", default="", help="a sentence to print above the table")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    body = run(args.sentence_kb, args.article_mb, runs=args.runs, output=args.output, note=args.note)
    sys.stdout.write(body + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
