"""Recovering the places NER missed, and dropping the names that are not places.

spaCy's small English model misses or mislabels many place names (in news it tags a province as
ORG, a surname as GPE). The passes here lean on the gazetteer: a span becomes a toponym only if
the gazetteer knows the name, and a mislabelled entity is reclaimed only when the gazetteer says
the name is a substantial place. :class:`Finder` holds one document's search; ``geo.extract``
runs the passes in order: names joined across short words, NER's entities, capitalised runs
outside them, then the names used for something else (``geo.place_rules``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from spacy.tokens import Doc, Span

from geo.models import Candidate, Toponym
from geo.names import (
    GENERIC_WORDS,
    PLACE_LABELS,
    cued,
    ends_run,
    is_dateline,
    trim_lower_head,
    wordlike,
)
from geo.place_rules import (
    admin_head_after,
    admin_heads,
    hyphen_partners,
    name_chains,
    only_towns,
    spans_across,
    thing_determiner,
)

log = logging.getLogger(__name__)

MAX_NAME_TOKENS = 8  # "Santa Cruz de la Sierra", "Stratford - upon - Avon"


class PlaceIndex(Protocol):
    """What extraction needs from the gazetteer."""

    def lookup(self, name: str) -> list[Candidate]: ...

    def contains(self, name: str) -> bool: ...

    def demonym(self, word: str) -> str | None: ...

    def lookup_primary(self, name: str) -> list[tuple[Candidate, bool]]: ...


@dataclass(frozen=True)
class RecoveryRules:
    """Thresholds for reclaiming places that NER missed; tuned on the dev corpora.

    A span the model did not call a place becomes one only if the gazetteer
    knows the name as a country or province, or as a city at least as large
    as the threshold for how the span was found. A spatial preposition just
    before it ("in Moorhead", "from Bicester") is strong evidence on its own.
    """

    reclaim_city_population: int = 100_000  # an ORG that is exactly a place name
    reclaim_person_population: int = 50_000  # a one-word PERSON that is no one's name here
    embedded_city_population: int = 20_000  # "Oxford Police Department" -> "Oxford"
    scan_city_population: int = 50_000  # a capitalised word outside any entity
    scan_multi_population: int = 5_000  # several capitalised words outside any entity
    cue_city_population: int = 1_000  # after "in", "at", "from", ...
    scan: bool = True
    datelines: bool = True


def substantial(cands: Iterable[Candidate], min_city_population: int, *, district: bool = False) -> bool:
    """Whether a candidate is an area, or a city at least this large; a district (admin2)
    counts only when the text calls the name one ("Al Haouz province")."""
    areas = ("continent", "region", "country", "admin1", "admin2") if district else (
        "continent", "region", "country", "admin1")
    for cand in cands:
        if cand.feature in areas:
            return True
        if cand.population >= min_city_population:
            return True
    return False


class Finder:
    """One document's toponym search: keeps which tokens are taken."""

    def __init__(self, doc: Doc, places: PlaceIndex, rules: RecoveryRules) -> None:
        self.doc, self.places, self.rules = doc, places, rules
        self.taken = [False] * len(doc)
        self.inside = [False] * len(doc)  # inside a non-place entity: scanned for embedded names
        self.entity_bounds: dict[int, tuple[int, int]] = {}  # token -> its entity's cleaned span
        self.found: dict[tuple[int, int], Toponym] = {}
        # Asked of every token by two passes: computed once.
        self.wordlike = [wordlike(tok) for tok in doc]

    def add(self, span: Span, label: str) -> None:
        key = (span.start_char, span.end_char)
        self.found[key] = Toponym(span.text, span.start_char, span.end_char, label)
        for i in range(span.start, span.end):
            self.taken[i] = True

    def known(self, span: Span, min_population: int) -> bool:
        """The gazetteer has this name for a place at least this large.

        A name that is only some place's alternate name ("Taliban" for a
        Turkish village, "Major" for a Romanian one) needs the scan's full
        threshold whatever the cue: alternate names are where words hide.
        """
        text = span.text
        if self.places.demonym(text) or not self.places.contains(text):
            return False
        # "Taroudant province": the head word says an area is meant, as strongly as a cue.
        headed = admin_head_after(self.doc, span.end) is not None
        if headed:
            min_population = min(min_population, self.rules.cue_city_population)
        alternate_floor = max(min_population, self.rules.scan_city_population)
        for cand, primary in self.places.lookup_primary(text):
            if substantial([cand], min_population if primary else alternate_floor, district=headed):
                return True
        return False

    def longest_known(self, start: int, end: int, min_population, *, from_start: bool = False) -> Span | None:
        """The longest span in [start, end) the gazetteer knows (starting at ``start`` if asked)."""
        for length in range(min(end - start, 6), 0, -1):
            for s in ([start] if from_start else range(start, end - length + 1)):
                span = self.doc[s : s + length]
                threshold = min_population(span) if callable(min_population) else min_population
                if self.known(span, threshold):
                    return span
        return None


def join_chains(f: Finder) -> None:
    """Names whose parts are joined by short lowercase words or hyphens ("Rio Grande do Sul",
    "Newcastle upon Tyne"), found whole before NER or the scan can take a part of them. A chain
    that NER calls one person stays a person ("Vasco da Gama")."""
    doc, rules = f.doc, f.rules
    persons = {(e.start, e.end) for e in doc.ents if e.label_ == "PERSON"}
    for starts, ends in name_chains(doc, f.wordlike):
        for span in spans_across(doc, starts, ends, MAX_NAME_TOKENS):
            if any(f.taken[i] for i in range(span.start, span.end)) or (span.start, span.end) in persons:
                continue
            if all(t.lower_ in GENERIC_WORDS for t in span if t.is_alpha and not t.is_lower):
                continue  # "North-Western": directions, not a name
            need = rules.cue_city_population if cued(doc, span.start) else rules.scan_multi_population
            if f.known(span, need):
                f.add(span, "joined")


def admin_named(f: Finder, span: Span) -> Span | None:
    """The name in an entity that a lowercase administrative head ends or follows ("Al Haouz
    province"), if the gazetteer knows it; NER's label for it does not matter."""
    last, doc = span[-1], f.doc
    if not (last.is_lower and last.lower_ in admin_heads()) and admin_head_after(doc, span.end) is None:
        return None  # the common case, answered without trimming or a lookup
    trimmed = trim_lower_head(span)
    if trimmed.end < span.end and admin_head_after(f.doc, trimmed.end) is None:
        return None  # trimmed of another kind-word ("air base")
    if all(t.lower_ in GENERIC_WORDS for t in trimmed if t.is_alpha):
        return None  # "the Northern province": a direction, not a name
    if f.known(trimmed, f.rules.cue_city_population) and admin_head_after(f.doc, trimmed.end):
        return trimmed
    return None


def scan_runs(f: Finder, person_parts: set[str]) -> None:
    """Capitalised runs outside entities that the gazetteer knows as places."""
    doc, rules = f.doc, f.rules
    i, n = 0, len(doc)
    while i < n:
        if f.taken[i] or not f.wordlike[i]:
            i += 1
            continue
        j = i
        # A run stops at a sentence start (asked of the token: Token.sent walks the whole sentence).
        while j < n and not f.taken[j] and f.wordlike[j] and (j == i or not doc[j].is_sent_start):
            j += 1
        if rules.datelines and is_dateline(doc, i, j) and f.known(doc[i:j], 0):
            f.add(doc[i:j], "dateline")
            i = j
            continue
        if rules.scan:
            k = i
            while k < j:
                def need(span: Span, run_end: int = j) -> int:
                    # A cue introduces the whole run: "of Red Cross" says nothing about "Red".
                    if cued(doc, span.start) and ends_run(doc, span.end, run_end):
                        return rules.cue_city_population
                    if all(f.inside[t.i] for t in span):
                        if f.entity_bounds.get(span.start) == (span.start, span.end):
                            return rules.reclaim_city_population  # the whole entity, not a part
                        return rules.embedded_city_population
                    if len(span) > 1:
                        return rules.scan_multi_population
                    return rules.scan_city_population
                span = f.longest_known(k, j, need)
                if span is None:
                    break
                single = len(span) == 1
                if single and (span[0].lower_ in GENERIC_WORDS or span.text in person_parts):
                    k = span.end
                    continue
                f.add(span, "scan")
                k = span.end
        i = j


def drop_things(f: Finder) -> None:
    """Names used for something a town's name does not stand for (see ``geo.place_rules``): a car
    or a planet ("a Mercedes", "his Toyota", "the Earth"), a part of a hyphenated name
    ("Mercedes-Benz")."""
    doc, places = f.doc, f.places
    for key, tp in list(f.found.items()):
        if tp.label == "dateline":
            continue
        span = doc.char_span(tp.start, tp.end)
        if span is None:
            continue
        determiner = thing_determiner(span)
        if determiner and only_towns(places.lookup_primary(tp.text), determiner, len(span)):
            log.debug("%r at %d is a thing (%s determiner), not a place", tp.text, tp.start, determiner)
            del f.found[key]
            continue
        if tp.label in PLACE_LABELS or tp.label == "joined":
            continue
        partners = hyphen_partners(doc, span.start, span.end)
        if partners and only_towns(places.lookup_primary(tp.text), "") and not all(
            (p.start_char, p.end_char) in f.found or f.known(p, f.rules.scan_city_population)
            for p in partners
        ):
            log.debug("%r at %d is part of a hyphenated name", tp.text, tp.start)
            del f.found[key]
