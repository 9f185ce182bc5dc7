"""Sentences, entities and toponyms: spaCy's NER plus gazetteer-backed recovery.

spaCy's small English model misses or mislabels many place names (in news it
tags a province as ORG, a surname as GPE). The recovery rules here lean on the
gazetteer: a span becomes a toponym only if the gazetteer knows the name, and
a mislabelled entity is reclaimed only when the gazetteer says the name is a
substantial place.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from geo.errors import ModelError
from geo.models import Candidate, Toponym

log = logging.getLogger(__name__)

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
ACTOR_LABELS = frozenset({"PERSON", "ORG", "NORP"})
# Components the pipeline never reads: skipping them is pure speed.
UNUSED_COMPONENTS = ("lemmatizer",)

# Generic heads that name a kind of place rather than the place itself:
# "Panjshir Valley" is found in the gazetteer as "Panjshir".
GENERIC_HEADS = (
    "valley", "province", "provinces", "county", "city", "district", "region", "state",
    "governorate", "prefecture", "municipality", "township", "parish", "borough",
    "metropolitan area", "area", "island", "islands", "river", "mountains", "airport",
    "air base", "base",
)
_LEADING = re.compile(r"^(?:the|The|THE)\s+")
_TRAILING = re.compile(r"(?:'s|’s|'|’)$")


class PlaceIndex(Protocol):
    """What extraction needs from the gazetteer."""

    def lookup(self, name: str) -> list[Candidate]: ...

    def contains(self, name: str) -> bool: ...

    def demonym(self, word: str) -> str | None: ...


@dataclass(frozen=True)
class RecoveryRules:
    """Thresholds for reclaiming places that NER missed; tuned on the dev corpora."""

    # An ORG/PERSON entity is a place if the gazetteer has it as a country or
    # province, or a city at least this large.
    reclaim_city_population: int = 100_000
    reclaim_person: bool = False
    # A capitalised run outside any entity is a place if it is a country or
    # province, or a city at least this large.
    scan_city_population: int = 200_000
    scan: bool = True
    strip_generic_heads: bool = True


def load_nlp(name: str) -> Language:
    """Load an installed spaCy pipeline by package name, without unused components."""
    try:
        nlp = spacy.load(name, exclude=list(UNUSED_COMPONENTS))
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


def _substantial(cands: Iterable[Candidate], min_city_population: int) -> bool:
    for cand in cands:
        if cand.feature in ("continent", "region", "country", "admin1"):
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


def _is_candidate_token(tok: Token) -> bool:
    return tok.pos_ == "PROPN" or (tok.is_title and tok.is_alpha and tok.i > tok.sent.start)


def find_toponyms(
    doc: Doc, places: PlaceIndex, rules: RecoveryRules | None = None
) -> list[Toponym]:
    """Every place mention in the document, sorted by position, without overlaps.

    Demonyms are not returned here (see ``find_demonyms``): a nationality is
    not where an event happened.
    """
    rules = rules or RecoveryRules()
    person_parts = _person_name_parts(doc)
    found: dict[tuple[int, int], Toponym] = {}
    taken = [False] * len(doc)

    def add(span: Span, label: str) -> None:
        found[(span.start_char, span.end_char)] = Toponym(
            span.text, span.start_char, span.end_char, label
        )
        for i in range(span.start, span.end):
            taken[i] = True

    for ent in doc.ents:
        span = clean_span(ent)
        if span is None:
            continue
        if ent.label_ in PLACE_LABELS:
            if len(span) == 1 and span.text in person_parts:
                continue  # "Blinken" tagged GPE next to "Antony Blinken"
            if places.demonym(span.text):
                continue
            add(span, ent.label_)
        elif ent.label_ in ("ORG", "PERSON") and (ent.label_ == "ORG" or rules.reclaim_person):
            if ent.label_ == "ORG" and places.demonym(span.text):
                continue
            if span.text in person_parts and ent.label_ != "ORG":
                continue
            keys = place_keys(span.text, strip_generic_heads=False)
            cands = [c for k in keys for c in places.lookup(k)]
            if cands and _substantial(cands, rules.reclaim_city_population):
                add(span, f"{ent.label_}>place")
        else:
            for i in range(ent.start, ent.end):
                taken[i] = True  # other entities (dates, people, groups) are not scanned

    if rules.scan:
        _scan_runs(doc, places, rules, taken, add)
    return sorted(found.values(), key=lambda t: t.start)


def _scan_runs(doc: Doc, places: PlaceIndex, rules: RecoveryRules, taken: list[bool], add) -> None:
    """Capitalised runs outside entities that the gazetteer knows as substantial places."""
    i = 0
    n = len(doc)
    while i < n:
        if taken[i] or not _is_candidate_token(doc[i]):
            i += 1
            continue
        j = i
        while j < n and not taken[j] and _is_candidate_token(doc[j]) and doc[j].sent == doc[i].sent:
            j += 1
        # Longest known sub-span first, left to right.
        k = i
        while k < j:
            matched = False
            for end in range(j, k, -1):
                span = doc[k:end]
                text = span.text
                if places.demonym(text):
                    continue
                if not places.contains(text):
                    continue
                if _substantial(places.lookup(text), rules.scan_city_population):
                    add(span, "scan")
                    k = end
                    matched = True
                    break
            if not matched:
                k += 1
        i = j


def find_demonyms(doc: Doc, places: PlaceIndex) -> list[tuple[Toponym, str]]:
    """Nationality words (NORP entities and adjectives) with the country they name."""
    out: list[tuple[Toponym, str]] = []
    for ent in doc.ents:
        if ent.label_ not in ("NORP", "GPE", "ORG"):
            continue
        span = clean_span(ent)
        if span is None:
            continue
        code = places.demonym(span.text)
        if code:
            out.append((Toponym(span.text, span.start_char, span.end_char, "demonym"), code))
    return out


def sentences_of(doc: Doc) -> Sequence[Span]:
    return list(doc.sents)
