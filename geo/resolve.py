"""Toponym resolution: pick the candidate an article most likely means.

Ranking uses what the article itself says: the countries and provinces it
mentions (by unambiguous names and by nationality words), a "City, State"
qualifier right after a name, the kind of feature and its population. Every
resolution keeps its ranked candidates and a confidence.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from geo.models import Candidate, Place, Toponym, feature_precision
from geo.names import place_keys
from geo.place_rules import admin_head_in_text, admin_heads

log = logging.getLogger(__name__)

CandidateSource = Callable[[str], list[Candidate]]

# How much a recognition route is trusted that the span is a place at all.
LABEL_TRUST = {"GPE": 1.0, "LOC": 0.9, "FAC": 0.8, "ORG>place": 0.8, "PERSON>place": 0.6, "scan": 0.75,
               "joined": 0.85, "headed": 0.85}
AREA_FEATURES = ("continent", "region", "country")


@dataclass(frozen=True)
class RankWeights:
    """Score terms; tuned on the dev corpora only (see README, Evaluation)."""

    population: float = 1.0  # per decade of population
    country: float = 3.0
    continent: float = 3.0
    admin1: float = 1.5
    admin2: float = 0.5
    in_context_country: float = 2.5
    in_context_admin1: float = 2.0
    qualifier: float = 8.0
    # A province named after its main city ("Kabul"): the bare name means the city.
    admin1_named_after_city: float = -4.0
    # "Kabul province", "Panjshir Valley": the generic head says an area is meant.
    area_head: float = 4.0
    # "Taroudant province", "Kunduz district": an administrative head says an area is meant; a
    # province or district of the name, in the country the name points to or the article names,
    # outranks every town of it.
    admin_head: float = 10.0
    # A LOC-labelled name whose best candidate is a town smaller than this needs the article's
    # support (the town's province named otherwise): NER reads "Earth" as a location, not as
    # Earth, Texas.
    loc_town_population: int = 50_000
    alternate_name: float = -1.0
    max_candidates: int = 10


@dataclass(frozen=True)
class Context:
    """What the article says about where it is: countries and provinces, with counts."""

    countries: Mapping[str, int]
    admin1s: Mapping[tuple[str, str], int]


def _softmax_top(scores: Sequence[float]) -> float:
    if not scores:
        return 0.0
    top = max(scores)
    total = sum(math.exp(s - top) for s in scores)
    return 1.0 / total


class Resolver:
    """Resolves the toponyms of one article together, so each informs the others."""

    def __init__(
        self,
        candidates: CandidateSource,
        *,
        areas: CandidateSource | None = None,
        weights: RankWeights | None = None,
        is_primary: Callable[[str, Candidate], bool] | None = None,
        is_capital: Callable[[Candidate], bool] | None = None,
        overrides: Mapping[str, Place] | None = None,
        normalize: Callable[[str], str] = str.casefold,
    ) -> None:
        self._candidates = candidates
        self._areas = areas  # provinces and districts by a looser match, for "X province"
        self.weights = weights or RankWeights()
        self._is_primary = is_primary
        self._is_capital = is_capital
        self._overrides = overrides or {}
        self._normalize = normalize

    def lookup(self, text: str) -> tuple[str, list[Candidate]]:
        """Candidates for a mention, trying the generic-head-stripped forms next."""
        for key in place_keys(text):
            found = self._candidates(key)
            if found:
                return key, found
        return text, []

    @staticmethod
    def _area_head(text: str, key: str) -> bool:
        head = text[len(key):].strip().lower() if text.startswith(key) else ""
        return bool(head) and head not in ("city", "airport", "air base", "base")

    @staticmethod
    def _admin_head(tp: Toponym, key: str, text: str) -> bool:
        """"Kabul Province", or "Kabul" followed in the text by a lowercase "province"."""
        head = tp.text[len(key):].strip().lower() if tp.text.startswith(key) else ""
        return head in admin_heads() or bool(text and admin_head_in_text(text, tp.end))

    def _with_areas(self, key: str, cands: list[Candidate], home: Collection[str]) -> list[Candidate]:
        """The areas of the ``home`` countries named like ``key`` ("Taroudannt" for "Taroudant"),
        when none is named exactly."""
        if self._areas is None or any(c.feature in ("admin1", "admin2") for c in cands):
            return cands
        return cands + [a for a in self._areas(key) if a not in cands and a.country_code in home]

    def resolve(
        self,
        toponyms: Sequence[Toponym],
        *,
        text: str = "",
        nationalities: Iterable[str] = (),
    ) -> list[Place | None]:
        """One Place (or None when nothing matches) per toponym, in the same order."""
        looked = [self.lookup(t.text) for t in toponyms]
        context = self._context(looked, nationalities)
        w = self.weights
        qualifiers = self._qualifiers(toponyms, looked, text)
        places: list[Place | None] = []
        for i, (tp, (key, cands)) in enumerate(zip(toponyms, looked, strict=True)):
            override = self._overrides.get(self._normalize(tp.text))
            if override is not None:
                places.append(replace(override, name=tp.text))
                continue
            area_head = self._area_head(tp.text, key)
            home: set[str] = set()
            if self._admin_head(tp, place_keys(tp.text)[-1], text):
                # The head chooses between the area and the town of the name in the country the
                # name points to, or one the article names; it does not move the place abroad.
                key = key if cands else place_keys(tp.text)[-1]
                plain = self.rank(key, cands, context, qualifiers.get(i), area_head=area_head)
                home = set(context.countries) | {c.country_code for c in plain[:1]}
                cands = self._with_areas(key, cands, home)
            if not cands:
                places.append(None)
                continue
            ranked = self.rank(key, cands, context, qualifiers.get(i), area_head=area_head,
                               admin_countries=home)
            best = ranked[0]
            if best.feature == "city" and tp.label == "LOC" and best.population < w.loc_town_population \
                    and not self._supported(i, best, looked, qualifiers.get(i), province=True):
                # NER calls it a natural location (a sea, a planet: "Earth", "Mars"); a hamlet of
                # the name that the article gives no reason for is not it.
                log.debug("LOC %r: only an unsupported town %r", tp.text, best.name)
                places.append(None)
                continue
            if best.feature == "city" and home and not self._supported(
                    i, best, looked, qualifiers.get(i), province=False):
                # "X district" with no area of the name, and only a town of it in a country the
                # article does not otherwise name: not that town.
                log.debug("%r: an area is meant, and the only town %r is abroad", tp.text, best.name)
                places.append(None)
                continue
            places.append(self._place(tp, ranked))
        return places

    def rank(
        self,
        key: str,
        cands: Sequence[Candidate],
        context: Context,
        qualifier: Candidate | None = None,
        *,
        area_head: bool = False,
        admin_countries: Collection[str] = (),
    ) -> list[Candidate]:
        w = self.weights
        # Only a city whose own name holds the whole name ("New York City" for "New York"):
        # "Rio Grande do Sul" is an old name of the city of Rio Grande, and still means the state.
        folded = self._normalize(key)
        city_areas = {(c.country_code, c.admin1_code) for c in cands if c.feature == "city" and (
            folded in c.name.casefold() or folded in self._normalize(c.name))}  # the cheap test first
        # A national capital also outranks a province of its name in its own
        # country ("Washington": the capital, not the state).
        capital_of = {c.country_code for c in cands
                      if c.feature == "city" and self._is_capital is not None and self._is_capital(c)}
        scored: list[Candidate] = []
        for c in cands:
            s = w.population * math.log10(max(c.population, 1))
            s += {"country": w.country, "continent": w.continent, "region": w.country,
                  "admin1": w.admin1, "admin2": w.admin2}.get(c.feature, 0.0)
            if c.feature not in AREA_FEATURES and context.countries.get(c.country_code):
                s += w.in_context_country * min(1.0, 0.5 + 0.25 * context.countries[c.country_code])
            if c.feature in ("admin1", "admin2"):
                if c.country_code in admin_countries:
                    s += w.admin_head
                elif area_head:
                    s += w.area_head
                elif (c.country_code, c.admin1_code) in city_areas or c.country_code in capital_of:
                    s += w.admin1_named_after_city
            if c.feature == "city" and context.admin1s.get((c.country_code, c.admin1_code)):
                s += w.in_context_admin1
            if qualifier is not None and c.country_code == qualifier.country_code and (
                qualifier.feature in AREA_FEATURES or qualifier.admin1_code == c.admin1_code
            ):
                s += w.qualifier
            if self._is_primary is not None and not self._is_primary(key, c):
                s += w.alternate_name
            scored.append(replace(c, score=round(s, 4)))
        scored.sort(key=lambda c: (-c.score, -c.population, c.geonameid or 0, c.name))
        return scored[: w.max_candidates]

    def _place(self, tp: Toponym, ranked: list[Candidate]) -> Place:
        best = ranked[0]
        p_top = _softmax_top([c.score for c in ranked])
        confidence = round(p_top * LABEL_TRUST.get(tp.label, 0.7), 3)
        return Place(
            name=tp.text,
            lat=best.lat,
            lon=best.lon,
            precision=feature_precision(best.feature),
            confidence=confidence,
            resolved_name=best.name,
            geonameid=best.geonameid,
            country_code=best.country_code,
            admin1_code=best.admin1_code,
            feature=best.feature,
            candidates=tuple(ranked),
        )

    @staticmethod
    def _anchor(cands: Sequence[Candidate]) -> Candidate | None:
        """The place a name means without ambiguity (a lone country or province, or a candidate
        ten times larger than every other), or None."""
        if not cands:
            return None
        areas = [c for c in cands if c.feature in ("country", "admin1")]
        top = max(cands, key=lambda c: c.population)
        if areas and len(areas) == 1 and (areas[0].feature == "country" or len(cands) == 1):
            return areas[0]
        if len(cands) == 1 or all(c is top or c.population * 10 <= top.population for c in cands):
            return top
        return None

    def _context(
        self, looked: Sequence[tuple[str, list[Candidate]]], nationalities: Iterable[str]
    ) -> Context:
        """Countries and provinces the article names without ambiguity."""
        countries: Counter[str] = Counter(nationalities)
        admin1s: Counter[tuple[str, str]] = Counter()
        for _key, cands in looked:
            anchor = self._anchor(cands)
            if anchor is None:
                continue
            countries[anchor.country_code] += 1
            if anchor.feature == "admin1":
                admin1s[(anchor.country_code, anchor.admin1_code)] += 1
        return Context(countries=dict(countries), admin1s=dict(admin1s))

    def _supported(self, i: int, best: Candidate, looked: Sequence[tuple[str, list[Candidate]]],
                   qualifier: Candidate | None, *, province: bool) -> bool:
        """Whether something else in the article points to ``best``: a qualifier, or another
        name (not this one again) that means its country, or with ``province`` its province."""
        if qualifier is not None:
            return True
        own = self._normalize(looked[i][0])
        for j, (key, cands) in enumerate(looked):
            if j == i or self._normalize(key) == own:
                continue
            anchor = self._anchor(cands)
            if anchor is not None and anchor.country_code == best.country_code and (
                    not province or anchor.admin1_code == best.admin1_code):
                return True
        return False

    def _qualifiers(
        self,
        toponyms: Sequence[Toponym],
        looked: Sequence[tuple[str, list[Candidate]]],
        text: str,
    ) -> dict[int, Candidate]:
        """'Springfield, Illinois': the area named right after a place qualifies it."""
        out: dict[int, Candidate] = {}
        if not text:
            return out
        for i in range(len(toponyms) - 1):
            gap = text[toponyms[i].end : toponyms[i + 1].start]
            if gap.strip() != ",":
                continue
            areas = [c for c in looked[i + 1][1] if c.feature in ("country", "admin1")]
            if areas:
                out[i] = max(areas, key=lambda c: (c.feature == "admin1", c.population))
        return out
