"""Dates in context: spaCy DATE/TIME spans and sentences -> an ``EventDate`` anchored on the published date.

An entity's text is resolved by the rules in ``geo.date_rules`` (decades,
ranges, weekdays, relative dates, then dateparser; the dating conventions are
described there). This module supplies what only the parse knows: the tense of
the clause governing a date, which decides whether "Monday" or "September"
points back or ahead, and which of a sentence's dates an event takes.
"""

from __future__ import annotations

import calendar
from bisect import bisect_left
from collections.abc import Iterable
from datetime import date

from spacy.tokens import Doc, Span, Token

from geo.date_rules import MAX_YEARS_AHEAD, MIN_YEAR, Tense, as_date, impossible_day, resolve_text
from geo.modality import future_auxiliaries, is_intention
from geo.models import DATE_PRECISIONS, EventDate

# resolve_text, Tense and the year limits live in geo.date_rules; callers import them from here too.
__all__ = [
    "DATE_LABELS", "MAX_YEARS_AHEAD", "MIN_YEAR", "DocDates", "Tense", "clause_tense", "resolve_date",
    "resolve_text", "sentence_date",
]

DATE_LABELS = ("DATE", "TIME")
_PRECISION_RANK = {p: rank for rank, p in enumerate(DATE_PRECISIONS)}  # finer first; "article" last

# Which way an unqualified weekday or month points, per tense of its verb: the future auxiliaries
# and intention words ("plans to", "is due to") are data/modality.toml's, shared with geo.modality.
# The tense walk climbs at most this many heads: a finite verb is a few steps up in any real clause,
# while a run-on "A, and B, and C..." chains its conjuncts and would make each walk as long as the text.
_MAX_HEAD_STEPS = 40


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
    return DocDates(sent.doc, published, ents=sent.ents).pick(sent.start_char, sent.end_char, near)


class DocDates:
    """The date expressions of one doc, each resolved once, the first time an event asks.

    ``pick`` chooses among those inside a stretch of text (a sentence, or a window of a very
    long one) as :func:`sentence_date` does: so each expression's tense walk and rules run once
    per document, not once per place of its sentence.
    """

    def __init__(self, doc: Doc, published: date | None, *, ents: Iterable[Span] | None = None) -> None:
        self.published = as_date(published)
        self._doc = doc
        self._ents = [e for e in (doc.ents if ents is None else ents) if e.label_ in DATE_LABELS]
        self._starts = [e.start_char for e in self._ents]  # doc.ents come in text order
        self._resolved: dict[int, EventDate | None] = {}
        self._warnings: dict[str, str] = {}  # expression -> warning, once each

    @property
    def warnings(self) -> tuple[str, ...]:
        """What the user should know about the expressions resolved so far ("31 February")."""
        return tuple(self._warnings.values())

    def resolved(self, i: int) -> EventDate | None:
        if i not in self._resolved:
            found = resolve_date(self._ents[i], self.published)
            self._resolved[i] = found
            if found is not None and found.precision == "month":
                self._note_impossible(self._ents[i].text, found)
        return self._resolved[i]

    def _note_impossible(self, text: str, found: EventDate) -> None:
        day_month = impossible_day(text)
        if day_month is None or text in self._warnings:
            return
        day, month, _year = day_month
        name = calendar.month_name[month]
        self._warnings[text] = (f"{' '.join(text.split())!r} names a day {name} does not have (day {day}); "
                                f"dated to {name} {found.value.year}, month precision")

    def inside(self, start: int, end: int) -> list[tuple[Span, EventDate]]:
        """The resolved expressions lying wholly inside [start, end), in text order."""
        out = []
        for i in range(bisect_left(self._starts, start), bisect_left(self._starts, end)):
            ent = self._ents[i]
            resolved = self.resolved(i) if ent.end_char <= end else None
            if resolved is not None:
                out.append((ent, resolved))
        return out

    def pick(self, start: int, end: int, near: int | None = None) -> EventDate | None:
        """The date of an event in [start, end): with a place at ``near``, the expressions of the
        place's own clause first, then the others that reach it, nearest first; an expression
        inside a clause that describes a noun ("the people evacuated last month") is that noun's
        aside and never dates the place ("Blinken thanked Qatar for receiving the people evacuated
        from Kabul last month" is dated by the article). Without a place, the finest precision."""
        inside = self.inside(start, end)
        place = None if near is None or not inside else self._token_at(near)
        found = []
        for ent, resolved in inside:
            rank = 0 if place is None else _clause_rank(ent, place)
            if rank is None:
                continue
            distance = 0 if near is None else _distance(ent.start_char, ent.end_char, near)
            found.append((rank, distance, _PRECISION_RANK[resolved.precision], ent.start_char, resolved))
        if found:
            return min(found, key=lambda item: item[:4])[4]
        return None if self.published is None else EventDate(self.published, "article", "")

    def _token_at(self, offset: int) -> Token | None:
        span = self._doc.char_span(offset, offset + 1, alignment_mode="expand")  # a binary search
        return span[0] if span is not None and len(span) else None


def clause_tense(span: Span) -> Tense | None:
    """Tense of the clause that governs ``span``, read from spaCy's parse.

    Walks from the span's root up to the first finite verb; "will"/"'ll" or an
    intention verb ("plans to", "is due to", "is going to") makes it future.
    """
    intent = False
    token = span.root
    # Compare positions, not objects: spaCy makes a new Token on every access,
    # so "token.head is not token" never ends at the root.
    for _step in range(_MAX_HEAD_STEPS):
        if token.head.i == token.i:
            break
        child, token = token, token.head
        if span.start <= token.i < span.end:
            continue
        if is_intention(token, child):
            intent = True  # "plans to visit", "is due on", "is going to"
        tense = _finite_tense(token)
        if tense is not None:
            # "plans to visit on Thursday", "has promised to visit on Thursday": the visit is ahead
            ahead = tense == "present" or (tense == "past" and _present_perfect(token))
            return "future" if intent and ahead else tense
    return "future" if intent else None


def _present_perfect(token: Token) -> bool:
    return token.tag_ == "VBN" and any(
        c.dep_ == "aux" and c.lower_ in ("has", "have", "'ve", "'s") for c in token.children)


def _finite_tense(token: Token) -> Tense | None:
    auxes = [c for c in token.children if c.dep_ in ("aux", "auxpass")]
    words = {a.lower_ for a in auxes}
    if words & future_auxiliaries():
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


def _clause_rank(ent: Span, place: Token) -> int | None:
    """0 when a date and a place hang on the same verb, 1 when their clauses meet some other way
    (one governs the other, or is its complement), None when either sits in a clause that
    describes a noun below the point where they meet (a relative or participle clause: "the
    people evacuated last month", "Afghans moving to the United States"): an aside, not the
    other's time. A clause that describes the date itself ("on Monday, when the plane left
    Kabul") is no aside to it."""
    date_root = ent.root
    place_path = _path_up(place)
    place_at = {t.i: n for n, t in enumerate(place_path)}
    date_path = _path_up(date_root)
    meet = next((n for n, t in enumerate(date_path) if t.i in place_at), None)
    if meet is None:
        return 1
    below = (*date_path[:meet], *place_path[: place_at[date_path[meet].i]])
    if any(t.dep_ in ("acl", "relcl") and not ent.start <= t.head.i < ent.end for t in below):
        return None
    return 0 if _verb_above(date_root) == _verb_above(place) else 1


def _path_up(token: Token) -> list[Token]:
    """``token`` and its heads up to the root (bounded)."""
    path = [token]
    for _step in range(_MAX_HEAD_STEPS):
        if token.head.i == token.i:
            break
        token = token.head
        path.append(token)
    return path


def _verb_above(token: Token) -> int | None:
    for _step in range(_MAX_HEAD_STEPS):
        if token.pos_ == "VERB" or (token.pos_ == "AUX" and token.dep_ not in ("aux", "auxpass")):
            return token.i
        if token.head.i == token.i:
            return None
        token = token.head
    return None


def _distance(start: int, end: int, offset: int) -> int:
    if start <= offset < end:
        return 0
    return start - offset if offset < start else offset - end + 1
