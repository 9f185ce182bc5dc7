"""How English news writes place names: the keys a mention is looked up by, and the words around it.

Shared by the toponym finder (``geo.extract``, ``geo.recovery``) and the resolver: the labels NER
gives places, the kind-words after a name ("Panjshir Valley"), the prepositions before one ("in
Kabul"), the capitalised words that are no names ("Police", "Monday"), and the small token tests
built on them.
"""

from __future__ import annotations

import calendar
import re

from spacy.tokens import Doc, Span, Token

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
ACTOR_LABELS = frozenset({"PERSON", "ORG", "NORP"})

# Generic heads that name a kind of place rather than the place itself:
# "Panjshir Valley" is found in the gazetteer as "Panjshir".
GENERIC_HEADS = (
    "valley", "province", "provinces", "county", "city", "district", "region", "state",
    "governorate", "prefecture", "municipality", "township", "parish", "borough",
    "metropolitan area", "area", "island", "islands", "river", "mountains", "airport",
    "air base", "base",
)
LEADING = re.compile(r"^(?:the|The|THE)\s+")
ABBREVIATION = re.compile(r"(?:[A-Z]\.){2,}")  # "U.S.", "D.C."
TRAILING = re.compile(r"(?:'s|’s|'|’)$")


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
    text = TRAILING.sub("", LEADING.sub("", text.strip()))
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


def person_name_parts(doc: Doc) -> set[str]:
    parts: set[str] = set()
    for ent in doc.ents:
        if ent.label_ == "PERSON" and len(ent) > 1:
            parts.update(tok.text for tok in ent if tok.is_alpha and tok.is_title)
    return parts


def cued(doc: Doc, start: int) -> bool:
    i = start - 1
    while i >= 0 and doc[i].lower_ in ("the",):
        i -= 1
    return i >= 0 and doc[i].lower_ in SPATIAL_CUES


def wordlike(tok: Token) -> bool:
    """A capitalised word that could start or continue a name."""
    if not (tok.is_alpha or ABBREVIATION.fullmatch(tok.text)):
        return False
    if tok.is_stop and not tok.is_upper:
        return False
    if tok.is_sent_start and tok.pos_ and tok.pos_ != "PROPN" and not tok.is_upper:
        return False  # "Reading the report...", "Nice work": capitalised only by position
    return tok.text[:1].isupper()


def trim_lower_head(span: Span) -> Span:
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


def ends_run(doc: Doc, end: int, run_end: int) -> bool:
    """Whether only kind-words follow in the run: "Tarnby County", "Tarnby Police"."""
    return all(tok.lower_ in GENERIC_WORDS or tok.lower_ in GENERIC_HEADS for tok in doc[end:run_end])


def is_dateline(doc: Doc, start: int, end: int) -> bool:
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
