"""Geoparsing quality on the four dev corpora, with intervals and the published baselines.

    python -m bench.quality [--resamples 1000] [--seed 0] [--limit N]

Two runs over the same spaCy docs (each corpus is parsed once):

- end to end, exactly what ``python -m geo eval`` scores: our recognition and
  resolution, EUPEG matching;
- resolution only: the gold spans are handed to the resolver (as
  ``Toponym(name, start, end, "GPE")``, with the article's nationality words
  as context, as the pipeline gives them), so only the choice of place is
  scored: acc@161 and exact GeoNames id, plus how often the right place is
  among the ranked candidates at all, and among every entry the name matched.

95% intervals: percentile bootstrap over articles, seeded.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import (
    RESULTS,
    dev_paths,
    dev_records,
    environment_line,
    md_table,
    peak_rss_mb,
    timed,
    write_section,
)
from geo.cli import toponym_records
from geo.evaluate import (
    ResolutionScores,
    ResolutionTally,
    Scores,
    bootstrap_values,
    format_table,
    gold_has_coordinates,
    macro,
    percentile_interval,
    resolution_score,
    resolution_tally,
    score,
    tally,
)
from geo.extract import find_demonyms
from geo.models import Candidate, Place, Toponym
from geo.pipeline import Pipeline

log = logging.getLogger(__name__)

# End-to-end acc@161 on these same dev articles, as the pipeline issue (#2) lists them:
# (best published, by whom), spaCy NER + largest population, our target.
PUBLISHED_E2E: dict[str, tuple[float, str, float, float]] = {
    "GeoWebNews": (0.48, "Edinburgh Geoparser", 0.31, 0.62),
    "LGL": (0.41, "DBpedia Spotlight", 0.22, 0.48),
    "TR-News": (0.52, "CamCoder", 0.33, 0.62),
    "GeoVirus": (0.61, "CamCoder", 0.26, 0.70),
}
# Mordecai 3's acc@161 given the gold spans (its paper, whole corpora, not this dev split).
MORDECAI3_RESOLUTION = {"GeoWebNews": 0.941, "LGL": 0.827, "TR-News": 0.873}
PARSE_BATCH = 16  # as geo.pipeline.Pipeline.geoparse


@dataclass
class CorpusResult:
    scores: Scores
    resolution: ResolutionScores
    seconds: float  # spaCy parse plus both runs
    boot: dict[str, list[float]] = field(default_factory=dict)  # metric -> bootstrap values


def resolve_gold(pipeline: Pipeline, record: Mapping[str, Any], doc: Any) -> ResolutionTally:
    """Resolve every gold span of one article together; score those with coordinates.

    A span that is a nationality word (GeoWebNews annotates "Russian") goes
    where the pipeline sends such words, to its country; the rest go to the
    resolver together, as one article's toponyms.
    """
    gazetteer = pipeline.gazetteer
    gold = record.get("toponyms", [])
    demonym = [gazetteer.demonym(g["name"]) is not None for g in gold]
    spans = [i for i, g in enumerate(gold) if not demonym[i]]
    nationalities = [code for _t, code in find_demonyms(doc, gazetteer) if len(code) == 2]
    resolved = pipeline.resolver.resolve(
        [Toponym(gold[i]["name"], gold[i]["start"], gold[i]["end"], label="GPE") for i in spans],
        text=record["text"], nationalities=nationalities,
    )
    places: dict[int, Place | None] = dict(zip(spans, resolved, strict=True))
    looked: dict[int, list[Candidate]] = {}
    for i, g in enumerate(gold):
        if demonym[i]:
            area = gazetteer.demonym_place(g["name"])
            places[i] = None if area is None else Place(
                name=g["name"], lat=area.lat, lon=area.lon, precision=area.precision, confidence=1.0,
                geonameid=area.geonameid, feature=area.feature, candidates=(area,))
            looked[i] = [] if area is None else [area]
    dataset = record.get("dataset", "")
    scored = [i for i, g in enumerate(gold) if gold_has_coordinates(g, dataset)]
    looked_up = [looked[i] if i in looked else pipeline.resolver.lookup(gold[i]["name"])[1] for i in scored]
    return resolution_tally([gold[i] for i in scored], [places[i] for i in scored], looked_up)


def evaluate_corpus(pipeline: Pipeline, records: Sequence[Mapping[str, Any]], name: str, *,
                    resamples: int = 1000, seed: int = 0) -> CorpusResult:
    with timed() as clock:
        docs = list(pipeline.nlp.pipe((r["text"] for r in records), batch_size=PARSE_BATCH))
        pairs = list(zip(records, docs, strict=True))
        tallies = [tally(r, toponym_records(pipeline.geoparse_doc(d))) for r, d in pairs]
        res_tallies = [resolve_gold(pipeline, r, d) for r, d in pairs]
    result = CorpusResult(score(name, tallies), resolution_score(name, res_tallies), clock.seconds)

    def e2e(ts: Sequence[Any]) -> float:
        return score(name, ts).e2e_acc161

    def f1(ts: Sequence[Any]) -> float:
        return score(name, ts).f1

    def res_acc(ts: Sequence[Any]) -> float:
        return resolution_score(name, ts).acc161

    def res_id(ts: Sequence[Any]) -> float:
        return resolution_score(name, ts).exact_id

    # The same seed for every metric: they all see the same resampled articles.
    for metric, fn, items in (("e2e", e2e, tallies), ("f1", f1, tallies),
                              ("res_acc", res_acc, res_tallies), ("res_id", res_id, res_tallies)):
        result.boot[metric] = bootstrap_values(items, fn, resamples=resamples, seed=seed)
    return result


def macro_boot(results: Sequence[CorpusResult], metric: str) -> list[float]:
    """Per-resample unweighted mean over corpora (each resampled on its own)."""
    columns = [r.boot[metric] for r in results if r.boot.get(metric)]
    usable = [c for c in columns if not all(v != v for v in c)]  # drop all-NaN metrics (no ids)
    if not usable:
        return []
    return [sum(vals) / len(vals) for vals in zip(*usable, strict=True)]


def _ci(values: Sequence[float]) -> str:
    lo, hi = percentile_interval(values) if values else (float("nan"), float("nan"))
    return "–" if lo != lo else f"{lo:.3f}–{hi:.3f}"


def _ref_mean(scores: Sequence[Scores], column: int) -> float:
    """Mean of a published column over the corpora scored here (NaN if any is missing)."""
    vals = [PUBLISHED_E2E[s.name][column] for s in scores if s.name in PUBLISHED_E2E]
    return sum(vals) / len(vals) if vals and len(vals) == len(scores) else float("nan")


def _num(value: float, digits: int = 3) -> str:
    return "–" if value != value else f"{value:.{digits}f}"


def format_section(results: Sequence[CorpusResult], *, resamples: int, seed: int, peak_mb: float,
                   note: str = "") -> str:
    parts = [environment_line(), ""]
    if note:
        parts += [note, ""]
    scores = [r.scores for r in results]
    m = macro(scores) if len(scores) > 1 else None
    parts += [
        f"End to end (`python -m geo eval`), {resamples} bootstrap resamples over articles, seed {seed}; "
        "the published figures are those the pipeline issue lists for these dev articles.", "",
    ]
    rows = []
    for r in results:
        s = r.scores
        nan = float("nan")
        best, who, spacy_pop, target = PUBLISHED_E2E.get(s.name, (nan, "", nan, nan))
        verdict = "" if target != target else (" met" if s.e2e_acc161 >= target else " **missed**")
        rows.append((s.name, s.articles, _num(s.f1), _ci(r.boot["f1"]), f"**{s.e2e_acc161:.3f}**",
                     _ci(r.boot["e2e"]), f"{_num(best, 2)} ({who})" if who else "–", _num(spacy_pop, 2),
                     f"≥ {_num(target, 2)}{verdict}"))
    if m is not None:
        rows.append((m.name, m.articles, _num(m.f1), _ci(macro_boot(results, "f1")),
                     f"**{m.e2e_acc161:.3f}**", _ci(macro_boot(results, "e2e")),
                     _num(_ref_mean(scores, 0), 2), _num(_ref_mean(scores, 2), 2), ""))
    parts.append(md_table(("corpus", "articles", "F1", "F1 95% CI", "e2e acc@161", "e2e 95% CI",
                           "best published", "spaCy + population", "target"), rows))
    parts += ["", "The full `eval` table:", "", format_table([*scores, m] if m else scores), ""]
    parts += ["Resolution only, on the gold spans (gold with coordinates; GeoWebNews: with a GeoNames "
              "id; nationality words such as \"Russian\" go to their country, as in the pipeline). "
              "Mordecai 3's figures are from its paper, on the whole corpora. *Candidates*: the right "
              "place (within 161 km, or the same GeoNames id) is among the resolver's ranked candidates; "
              "*gazetteer*: among every entry the name matched.", ""]
    rows = []
    res = [r.resolution for r in results]
    for r in results:
        s = r.resolution
        mord = MORDECAI3_RESOLUTION.get(s.name)
        rows.append((s.name, s.coded, f"**{_num(s.acc161)}**", _ci(r.boot["res_acc"]), _num(s.exact_id),
                     _ci(r.boot["res_id"]), "–" if mord is None else f"{mord:.3f}", _num(s.candidate_recall),
                     _num(s.lookup_recall)))
    if len(res) > 1:
        def mean(attr: str) -> float:
            vals = [getattr(s, attr) for s in res if getattr(s, attr) == getattr(s, attr)]
            return sum(vals) / len(vals) if vals else float("nan")

        rows.append(("macro average", sum(s.coded for s in res), f"**{_num(mean('acc161'))}**",
                     _ci(macro_boot(results, "res_acc")), _num(mean("exact_id")),
                     _ci(macro_boot(results, "res_id")), "", _num(mean("candidate_recall")),
                     _num(mean("lookup_recall"))))
    parts.append(md_table(("corpus", "gold", "acc@161", "95% CI", "exact id", "95% CI", "Mordecai 3 acc@161",
                           "candidates", "gazetteer"), rows))
    total = sum(r.seconds for r in results)
    n = sum(r.scores.articles for r in results)
    parts += ["", f"One pass: {total:.0f} s for {n} articles (spaCy parse, both runs), "
                  f"peak RSS {peak_mb:.0f} MB."]
    return "\n".join(parts)


def run(pipeline: Pipeline, corpora: Sequence[tuple[str, Sequence[Mapping[str, Any]]]], *,
        resamples: int = 1000, seed: int = 0, output: Path = RESULTS, note: str = "") -> str:
    results = []
    for i, (name, records) in enumerate(corpora):
        result = evaluate_corpus(pipeline, records, name, resamples=resamples, seed=seed + i)
        log.info("%s: e2e acc@161 %.3f, resolution acc@161 %.3f (%.0f s)", name,
                 result.scores.e2e_acc161, result.resolution.acc161, result.seconds)
        results.append(result)
    body = format_section(results, resamples=resamples, seed=seed, peak_mb=peak_rss_mb(), note=note)
    write_section("quality", body, output)
    return body


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.quality", description=__doc__.splitlines()[0])
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=0, help="first N articles of each dev file")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    logging.getLogger("geo").setLevel(logging.ERROR)
    pipeline = Pipeline.from_settings()
    corpora = []
    for path in dev_paths():
        records = dev_records([path], args.limit)
        corpora.append((records[0].get("dataset", path.stem) if records else path.stem, records))
    note = f"Subset: first {args.limit} articles of each dev file." if args.limit else ""
    body = run(pipeline, corpora, resamples=args.resamples, seed=args.seed, output=args.output, note=note)
    sys.stdout.write(body + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
