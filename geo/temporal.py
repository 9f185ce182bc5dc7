"""Dates in context: spaCy DATE/TIME spans and sentences -> an ``EventDate`` anchored on the published date.

An entity's text is resolved by the rules in ``geo.date_rules`` (decades,
ranges, weekdays, relative dates, then dateparser; the dating conventions are
described there). This module supplies what only the parse knows: the tense of
the clause governing a date, which decides whether "Monday" or "September"
points back or ahead, and which of a sentence's dates an event takes.
"""

from __future__ import annotations

from datetime import date

from spacy.tokens import Span, Token

from geo.date_rules import MAX_YEARS_AHEAD, MIN_YEAR, Tense, as_date, resolve_text
from geo.models import EventDate

# resolve_text, Tense and the year limits live in geo.date_rules; callers import them from here too.
__all__ = [
    "DATE_LABELS", "MAX_YEARS_AHEAD", "MIN_YEAR", "Tense", "clause_tense", "resolve_date", "resolve_text",
    "sentence_date",
]

DATE_LABELS = ("DATE", "TIME")
_PRECISION_RANK = {"day": 0, "week": 1, "month": 2, "year": 3, "decade": 4, "article": 5}

# Which way an unqualified weekday or month points, per tense of its verb.
_FUTURE_AUX = {"will", "'ll", "ll", "shall", "wo", "would"}
_INTENT_LEMMAS = {"plan", "intend", "expect", "schedule", "set", "slate", "due", "go", "aim", "hope",
                  "prepare", "poise"}  # fmt: skip


def resolve_date(span: Span, published: date | None) -> EventDate | None:
    """One DATE entity (or any span of text) → a date with precision.

    None if it is a duration ("20 years") or cannot be resolved.
    """
    return resolve_text(span.text, published, tense=clause_tense(span))


def sentence_date(sent: Span, published: date | None, *, near: int | None = None) -> EventDate | None:
    """The date an event in this sentence takes.

    Every DATE (and TIME) entity is resolved; when several resolve, the one
    closest in characters to ``near`` wins and, among equally close ones, the
    finer precision. With nothing resolvable the article's date is returned
    with precision "article" (None when the published date is unknown).
    """
    published = as_date(published)
    found: list[tuple[int, int, int, EventDate]] = []
    for ent in sent.ents:
        if ent.label_ not in DATE_LABELS:
            continue
        resolved = resolve_date(ent, published)
        if resolved is None:
            continue
        distance = 0 if near is None else _distance(ent.start_char, ent.end_char, near)
        found.append((distance, _PRECISION_RANK[resolved.precision], ent.start_char, resolved))
    if found:
        return min(found, key=lambda item: item[:3])[3]
    return None if published is None else EventDate(published, "article", "")


def clause_tense(span: Span) -> Tense | None:
    """Tense of the clause that governs ``span``, read from spaCy's parse.

    Walks from the span's root up to the first finite verb; "will"/"'ll" or an
    intention verb ("plans to", "is due to", "is going to") makes it future.
    """
    intent = False
    token = span.root
    # Compare positions, not objects: spaCy makes a new Token on every access,
    # so "token.head is not token" never ends at the root.
    while token.head.i != token.i:
        child, token = token, token.head
        if span.start <= token.i < span.end:
            continue
        governs = child.dep_ in ("xcomp", "prep") or token.pos_ == "ADJ"
        if token.lemma_.lower() in _INTENT_LEMMAS and governs:
            intent = True  # "plans to visit", "is due on", "is going to"
        tense = _finite_tense(token)
        if tense is not None:
            return "future" if tense == "present" and intent else tense
    return "future" if intent else None


def _finite_tense(token: Token) -> Tense | None:
    auxes = [c for c in token.children if c.dep_ in ("aux", "auxpass")]
    words = {a.lower_ for a in auxes}
    if words & _FUTURE_AUX:
        return "future"
    for t in [*auxes, token]:
        if t.tag_ == "VBD" or ("Past" in t.morph.get("Tense") and "Fin" in t.morph.get("VerbForm")):
            return "past"
    if token.tag_ == "VBN" and words & {"has", "have", "'ve", "'s"}:
        return "past"  # present perfect: already happened
    for t in [*auxes, token]:
        if t.tag_ in ("VBZ", "VBP") or t.tag_ == "MD":
            return "present"
    return None


def _distance(start: int, end: int, offset: int) -> int:
    if start <= offset < end:
        return 0
    return start - offset if offset < start else offset - end + 1
