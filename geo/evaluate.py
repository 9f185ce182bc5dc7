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
import random
import statistics
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geopy.distance import great_circle

from geo.errors import InputError
from geo.models import Candidate, Place

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
            if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
                raise InputError(f"line {n} needs a string 'text'", source=str(path))
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


# -- confidence intervals -------------------------------------------------------


def bootstrap_values(
    items: Sequence[Any],
    statistic: Callable[[Sequence[Any]], float],
    *,
    resamples: int = 1000,
    seed: int = 0,
) -> list[float]:
    """``statistic`` of ``resamples`` resamples of ``items`` with replacement, in draw order.

    Resample articles, not toponyms: toponyms of one article are resolved
    together and succeed or fail together. Seeded, so a table is reproducible.
    """
    rng = random.Random(seed)
    n = len(items)
    if not n:
        return []
    return [statistic([items[rng.randrange(n)] for _ in range(n)]) for _ in range(resamples)]


def percentile_interval(values: Iterable[float], level: float = 0.95) -> tuple[float, float]:
    """The central ``level`` interval of ``values`` (NaNs left out), by linear interpolation."""
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, not {level}")
    kept = sorted(v for v in values if not math.isnan(v))
    if not kept:
        return (float("nan"), float("nan"))
    tail = (1 - level) / 2
    return (_quantile(kept, tail), _quantile(kept, 1 - tail))


def bootstrap_ci(
    items: Sequence[Any],
    statistic: Callable[[Sequence[Any]], float],
    *,
    resamples: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``statistic`` over ``items`` (see :func:`bootstrap_values`).

    Resamples whose statistic is NaN (no gold at all) are left out.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, not {level}")
    return percentile_interval(bootstrap_values(items, statistic, resamples=resamples, seed=seed), level)


def _quantile(sorted_values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks."""
    pos = q * (len(sorted_values) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


# -- resolution only: the gold spans given, only the place is chosen ------------


@dataclass(frozen=True)
class ResolutionTally:
    """One article's gold toponyms resolved from their gold spans."""

    coded: int  # gold toponyms with coordinates (the denominator of acc@161)
    within: int  # resolved within 161 km of the gold point
    with_id: int  # gold toponyms with a GeoNames id
    exact_id: int  # resolved to that very GeoNames id
    candidate_hits: int  # the right place among the ranked candidates at all
    looked_up_hits: int = 0  # the right place among every entry the name matched


def gold_for_resolution(record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The gold toponyms a resolution-only run scores: those with coordinates (EUPEG's rule)."""
    dataset = record.get("dataset", "")
    return [g for g in record.get("toponyms", []) if gold_has_coordinates(g, dataset)]


def is_right_place(gold: Mapping[str, Any], lat: float, lon: float, geonameid: int | None) -> bool:
    """Within 161 km of the gold point, or the same GeoNames entry."""
    if geonameid is not None and gold.get("geonameid") is not None and int(gold["geonameid"]) == geonameid:
        return True
    return great_circle((gold["lat"], gold["lon"]), (lat, lon)).km < ACC_KM


def resolution_tally(
    gold: Sequence[Mapping[str, Any]],
    places: Sequence[Place | None],
    looked_up: Sequence[Sequence[Candidate]] | None = None,
) -> ResolutionTally:
    """Score ``places[i]``, the resolution of ``gold[i]`` (None: no candidate at all).

    ``looked_up[i]``, if given, is every gazetteer entry the name matched
    before ranking cut the list, for the gazetteer's own recall.
    """
    if len(places) != len(gold) or (looked_up is not None and len(looked_up) != len(gold)):
        raise ValueError("one resolution (and one candidate list) per gold toponym")
    within = exact = hits = looked = with_id = 0
    for i, g in enumerate(gold):
        gid = g.get("geonameid")
        with_id += gid is not None
        place = places[i]
        if place is not None:
            within += great_circle((g["lat"], g["lon"]), (place.lat, place.lon)).km < ACC_KM
            exact += gid is not None and place.geonameid is not None and int(gid) == place.geonameid
            hits += any(is_right_place(g, c.lat, c.lon, c.geonameid) for c in place.candidates)
        if looked_up is not None:
            looked += any(is_right_place(g, c.lat, c.lon, c.geonameid) for c in looked_up[i])
    return ResolutionTally(len(gold), within, with_id, exact, hits, looked)


@dataclass(frozen=True)
class ResolutionScores:
    name: str
    articles: int
    coded: int
    with_id: int
    acc161: float
    exact_id: float  # NaN when the corpus has no GeoNames ids
    candidate_recall: float
    lookup_recall: float


def resolution_score(name: str, tallies: Iterable[ResolutionTally]) -> ResolutionScores:
    tallies = list(tallies)
    coded = sum(t.coded for t in tallies)
    with_id = sum(t.with_id for t in tallies)
    return ResolutionScores(
        name=name,
        articles=len(tallies),
        coded=coded,
        with_id=with_id,
        acc161=_ratio(sum(t.within for t in tallies), coded) if coded else float("nan"),
        exact_id=sum(t.exact_id for t in tallies) / with_id if with_id else float("nan"),
        candidate_recall=_ratio(sum(t.candidate_hits for t in tallies), coded) if coded else float("nan"),
        lookup_recall=_ratio(sum(t.looked_up_hits for t in tallies), coded) if coded else float("nan"),
    )
