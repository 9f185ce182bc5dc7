"""Geoparsing evaluation in the EUPEG convention, on corpora in the ../shared/eval format.

Matching: a predicted toponym matches a gold one when the strings are equal
ignoring case and their span midpoints are less than 10 characters apart.
Gold for the distance scores is the toponyms with coordinates (GeoWebNews:
with a GeoNames id, as EUPEG scores it). End-to-end acc@161 divides the matched
toponyms resolved within 161 km by all such gold toponyms, so it cannot be
raised by answering only the easy ones.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geopy.distance import great_circle

from geo.errors import InputError

EARTH_HALF_CIRCUMFERENCE_KM = 20039.0
ACC_KM = 161.0
MIDPOINT_SLACK = 10


@dataclass(frozen=True)
class Scores:
    """Scores of one corpus (or a macro average of several)."""

    name: str
    articles: int
    gold: int
    predicted: int
    matched: int
    gold_coded: int  # gold toponyms that carry coordinates (the distance denominator)
    precision: float
    recall: float
    f1: float
    acc161: float  # over matched toponyms with coordinates on both sides
    e2e_acc161: float
    mean_km: float
    median_km: float
    auc: float


def read_corpus(path: Path) -> Iterator[dict[str, Any]]:
    """Records of a JSONL corpus file, with a clear error for a malformed line."""
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as err:
                raise InputError(f"line {n} is not JSON ({err.msg})", source=str(path)) from err
            if not isinstance(rec, dict) or "text" not in rec:
                raise InputError(f"line {n} has no 'text'", source=str(path))
            yield rec


def gold_has_coordinates(top: Mapping[str, Any], dataset: str) -> bool:
    if top.get("lat") is None or top.get("lon") is None:
        return False
    if dataset == "GeoWebNews":
        return top.get("geonameid") is not None
    return True


def match(gold: Sequence[Mapping[str, Any]], pred: Sequence[Mapping[str, Any]]) -> list[tuple[int, int]]:
    """One-to-one (gold index, prediction index) pairs, nearest midpoints first."""
    pairs: list[tuple[float, int, int]] = []
    for gi, g in enumerate(gold):
        gname = g["name"].casefold()
        gmid = (g["start"] + g["end"]) / 2
        for pi, p in enumerate(pred):
            if p["name"].casefold() != gname:
                continue
            dist = abs((p["start"] + p["end"]) / 2 - gmid)
            if dist < MIDPOINT_SLACK:
                pairs.append((dist, gi, pi))
    pairs.sort()
    used_g: set[int] = set()
    used_p: set[int] = set()
    out: list[tuple[int, int]] = []
    for _d, gi, pi in pairs:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        out.append((gi, pi))
    return out


def auc(errors_km: Sequence[float]) -> float:
    """Area under the curve of log errors, normalised to [0, 1]; lower is better."""
    if not errors_km:
        return float("nan")
    scaled = sorted(math.log1p(e) / math.log(EARTH_HALF_CIRCUMFERENCE_KM) for e in errors_km)
    if len(scaled) == 1:
        return scaled[0]
    area = sum((scaled[i] + scaled[i + 1]) / 2 for i in range(len(scaled) - 1))
    return area / (len(scaled) - 1)


@dataclass(frozen=True)
class ArticleTally:
    gold: int
    predicted: int
    matched: int
    gold_coded: int
    errors_km: tuple[float, ...]  # one per matched toponym with coordinates on both sides


def tally(record: Mapping[str, Any], predicted: Sequence[Mapping[str, Any]]) -> ArticleTally:
    gold = record.get("toponyms", [])
    dataset = record.get("dataset", "")
    pairs = match(gold, predicted)
    errors: list[float] = []
    for gi, pi in pairs:
        g, p = gold[gi], predicted[pi]
        if not gold_has_coordinates(g, dataset) or p.get("lat") is None:
            continue
        errors.append(great_circle((g["lat"], g["lon"]), (p["lat"], p["lon"])).km)
    coded = sum(1 for g in gold if gold_has_coordinates(g, dataset))
    return ArticleTally(len(gold), len(predicted), len(pairs), coded, tuple(errors))


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def score(name: str, tallies: Iterable[ArticleTally]) -> Scores:
    tallies = list(tallies)
    gold = sum(t.gold for t in tallies)
    pred = sum(t.predicted for t in tallies)
    matched = sum(t.matched for t in tallies)
    coded = sum(t.gold_coded for t in tallies)
    errors = [e for t in tallies for e in t.errors_km]
    within = sum(1 for e in errors if e < ACC_KM)
    p, r = _ratio(matched, pred), _ratio(matched, gold)
    return Scores(
        name=name,
        articles=len(tallies),
        gold=gold,
        predicted=pred,
        matched=matched,
        gold_coded=coded,
        precision=p,
        recall=r,
        f1=_ratio(2 * p * r, p + r),
        acc161=_ratio(within, len(errors)),
        e2e_acc161=_ratio(within, coded),
        mean_km=statistics.fmean(errors) if errors else float("nan"),
        median_km=statistics.median(errors) if errors else float("nan"),
        auc=auc(errors),
    )


def macro(scores: Sequence[Scores]) -> Scores:
    """Unweighted mean of each figure over corpora."""
    def mean(attr: str) -> float:
        vals = [getattr(s, attr) for s in scores if not math.isnan(getattr(s, attr))]
        return statistics.fmean(vals) if vals else float("nan")

    return Scores(
        name="macro average",
        articles=sum(s.articles for s in scores),
        gold=sum(s.gold for s in scores),
        predicted=sum(s.predicted for s in scores),
        matched=sum(s.matched for s in scores),
        gold_coded=sum(s.gold_coded for s in scores),
        precision=mean("precision"),
        recall=mean("recall"),
        f1=mean("f1"),
        acc161=mean("acc161"),
        e2e_acc161=mean("e2e_acc161"),
        mean_km=mean("mean_km"),
        median_km=mean("median_km"),
        auc=mean("auc"),
    )


HEADER = ("corpus", "articles", "P", "R", "F1", "acc@161", "e2e acc@161", "mean km", "median km", "AUC")


def format_table(rows: Sequence[Scores]) -> str:
    """A Markdown table, as the README quotes it."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for s in rows:
        cells = [
            s.name, str(s.articles), f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}",
            f"{s.acc161:.3f}", f"{s.e2e_acc161:.3f}", f"{s.mean_km:.0f}", f"{s.median_km:.0f}",
            f"{s.auc:.3f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
