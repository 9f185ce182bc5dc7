"""When a capitalised word that a gazetteer knows is not the place: rules read from the sentence.

Each rule is about how English writes a place name, never about particular names:

- **A thing, not a place.** English puts no article or possessive before a town's name: "a
  Mercedes", "his Toyota", "the Earth" name a car or a planet, while "a Chicago native" or "the
  Kabul airport" use the name as a modifier of another noun. Countries and provinces do take
  articles ("a united Germany", "the Punjab"), and a few towns carry "The" in their own name
  ("The Hague"), so only a name the gazetteer knows solely as towns is ruled out
  (:func:`thing_determiner`).
- **One name, several words.** A hyphen binds capitalised words into one name ("Mercedes-Benz",
  "Rolls-Royce"): a part of it is a place only if every part is one ("Dallas-Fort Worth",
  "Kabul-Kandahar") (:func:`hyphen_partners`). Short lowercase words join the parts of many names
  ("Rio Grande do Sul", "Newcastle upon Tyne", "Santa Cruz de la Sierra"); the finder tries the
  whole name across them before its parts (:func:`name_chains`, :func:`spans_across`).
- **An administrative head after the name.** "Al Haouz province", "Kunduz district": the lowercase
  kind-word says an area is meant, whatever label NER gave the name before it
  (:func:`admin_head_after`, :func:`admin_head_in_text`).

The administrative head words are in ``data/place_words.csv``.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

from spacy.tokens import Doc, Span, Token

from geo.config import DATA_DIR
from geo.errors import ConfigError
from geo.models import Candidate

log = logging.getLogger(__name__)

PLACE_WORDS_CSV = DATA_DIR / "place_words.csv"
AREA_FEATURES = frozenset({"continent", "region", "country", "admin1", "admin2"})
# Lowercase words that may join the parts of one place name; longer runs of lowercase words are prose.
MAX_CONNECTOR_WORDS = 2
MAX_CONNECTOR_LENGTH = 5  # "do", "de la", "upon", "sur", "am", "y"


@lru_cache(maxsize=1)
def place_words() -> dict[str, frozenset[str]]:
    """The word lists of ``data/place_words.csv`` by kind (``admin_head``)."""
    kinds: dict[str, set[str]] = {}
    try:
        with open(PLACE_WORDS_CSV, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                kinds.setdefault(row["kind"].strip(), set()).add(row["word"].strip().lower())
    except (OSError, KeyError, csv.Error) as err:
        raise ConfigError(f"cannot read {PLACE_WORDS_CSV.name}: {err}") from err
    return {kind: frozenset(words) for kind, words in kinds.items()}


def admin_heads() -> frozenset[str]:
    return place_words().get("admin_head", frozenset())


@lru_cache(maxsize=1)
def _admin_head_pattern() -> re.Pattern[str]:
    words = sorted(admin_heads(), key=len, reverse=True)
    return re.compile(r"[ \t]+(" + "|".join(map(re.escape, words)) + r")\b")


# --- an administrative head after the name ---------------------------------------------------


def admin_head_after(doc: Doc, end: int) -> str | None:
    """The lowercase administrative head right after token ``end - 1`` ("province"), if the head
    ends its noun phrase: in "the Obama state dinner" the word "state" modifies "dinner"."""
    if end >= len(doc):
        return None
    tok = doc[end]
    if not tok.is_lower or tok.lower_ not in admin_heads():
        return None
    if doc.has_annotation("DEP") and tok.dep_ in ("compound", "amod") and tok.head.i > tok.i:
        return None
    return tok.lower_


def admin_head_in_text(text: str, end: int) -> str | None:
    """The same test on the raw text, for callers that hold offsets and not tokens."""
    m = _admin_head_pattern().match(text, end)
    if m is None:
        return None
    # "Kabul province governor" still names the province; "state dinner" does not name a state.
    if m.group(1) == "state" and re.match(r"[ \t]+[a-z]", text[m.end() : m.end() + 2]):
        return None
    return m.group(1)


# --- a thing, not a place -------------------------------------------------------------------


def _determiner_kind(tok: Token) -> str:
    if tok.dep_ == "poss" and tok.tag_ == "PRP$":
        return "possessive"  # "his Toyota"
    if tok.dep_ != "det":
        return ""
    definite = tok.morph.get("Definite")
    if "Ind" in definite:
        return "indefinite"  # "a Mercedes"
    if "Dem" in tok.morph.get("PronType"):
        return "demonstrative"  # "that Lincoln"
    if "Def" in definite:
        return "definite"  # "the Earth"
    return ""


def _modifies_what_follows(span: Span) -> bool:
    """The name stands before the noun its determiner belongs to, whatever the parse says ("the
    Leeds home", "a Boston firefighter", "the Toyota Camry"), is qualified by a place after a comma
    ("a Springfield, Ill., officer"), or is coordinated ("the Kent and Sussex coasts")."""
    doc, end = span.doc, span.end
    if end < len(doc):
        nxt = doc[end]
        if nxt.pos_ in ("NOUN", "PROPN") or (
            nxt.text == "," and end + 1 < len(doc) and doc[end + 1].text[:1].isupper()
        ):
            return True
    return any(child.dep_ in ("conj", "cc") for tok in span for child in tok.children)


def thing_determiner(span: Span) -> str:
    """How the name's own noun phrase is determined, when a place name would take no determiner.

    Returns "indefinite", "possessive", "demonstrative", "definite" or "" (no determiner, or the
    determiner belongs to another noun: "the Kabul airport", "a Chicago native").
    """
    doc = span.doc
    if not doc.has_annotation("DEP") or _modifies_what_follows(span):
        return ""
    for tok in span:
        for child in tok.children:
            if child.i < span.start:
                kind = _determiner_kind(child)
                if kind:
                    return kind
    return ""


def only_towns(found: Iterable[tuple[Candidate, bool]], determiner: str, words: int = 1) -> bool:
    """Whether a name the gazetteer knows only as these (candidate, own name) pairs cannot take this
    determiner as a place: no country or province, no town with "The" in its own name ("the
    Hague"), and, for a name of several words after "the", no town that bears it as its own name
    ("the Gold Coast" is a town's own name; "the White House" only translates Casablanca's)."""
    found = list(found)
    if not found or any(c.feature in AREA_FEATURES for c, _own in found):
        return False
    if determiner != "definite":
        return True
    if any(c.name.lower().startswith("the ") for c, _own in found):
        return False
    return words == 1 or not any(own for _c, own in found)


# --- one name, several words -------------------------------------------------------------


def _glued(left: Token, right: Token) -> bool:
    return not left.whitespace_ and left.i + 1 == right.i


def _hyphen(doc: Doc, k: int) -> bool:
    """doc[k] is a hyphen written between two words without spaces ("Mercedes-Benz")."""
    return (doc[k].text == "-" and 0 < k < len(doc) - 1
            and _glued(doc[k - 1], doc[k]) and _glued(doc[k], doc[k + 1]))


def _name_part(tok: Token) -> bool:
    """A capitalised word of two letters or more: "D-Charleston" is a party and a seat, not a name."""
    return tok.is_alpha and len(tok) > 1 and tok.text[:1].isupper()


def hyphen_partners(doc: Doc, start: int, end: int) -> list[Span]:
    """The other capitalised words hyphenated to doc[start:end] ("Benz" for "Mercedes" in
    "Mercedes-Benz"), each as its own span; [] when the name is not hyphenated to a name."""
    out: list[Span] = []
    i = start
    while i >= 2 and _hyphen(doc, i - 1):
        if not _name_part(doc[i - 2]):
            break
        out.append(doc[i - 2 : i - 1])
        i -= 2
    j = end
    while j + 1 < len(doc) and _hyphen(doc, j):
        if not _name_part(doc[j + 1]):
            break
        out.append(doc[j + 1 : j + 2])
        j += 2
    return out


def _connector(doc: Doc, k: int) -> int:
    """How many tokens from k join two parts of a name: a glued hyphen ("Baden-Baden"), or one or
    two short lowercase words ("do", "de la", "upon"), possibly hyphenated ("-upon-"); 0 if none."""
    n, at, words = len(doc), k, 0
    while at < n:
        tok = doc[at]
        if tok.is_sent_start:
            break
        if _hyphen(doc, at):
            at += 1
        elif words < MAX_CONNECTOR_WORDS and tok.is_lower and tok.is_alpha \
                and len(tok) <= MAX_CONNECTOR_LENGTH:
            at += 1
            words += 1
        else:
            break
    return at - k


def name_chains(doc: Doc, is_name: Sequence[bool]) -> Iterator[tuple[list[int], list[int]]]:
    """Runs of name words (``is_name``, one flag per token) joined by connectors: for each, the
    (starts, ends) of its name-word stretches, e.g. "Rio Grande do Sul" gives [0, 3] and [2, 4]."""
    i, n = 0, len(doc)
    while i < n:
        if not is_name[i]:
            i += 1
            continue
        starts, ends = [i], []
        j = i
        while True:
            while j < n and is_name[j] and (j == starts[-1] or not doc[j].is_sent_start):
                j += 1
            ends.append(j)
            gap = _connector(doc, j) if j < n and not is_name[j] else 0
            if gap and j + gap < n and is_name[j + gap] and not doc[j + gap].is_sent_start:
                j += gap
                starts.append(j)
                continue
            break
        if len(starts) > 1:
            yield starts, ends
        i = j


def spans_across(doc: Doc, starts: Sequence[int], ends: Sequence[int], limit: int) -> list[Span]:
    """The spans of a chain that cross at least one connector and begin and end on name words,
    longest first: a whole name is tried before its parts."""
    spans = [doc[s:e] for a, first in enumerate(starts) for s in range(first, ends[a])
             for b in range(a + 1, len(starts)) for e in range(starts[b] + 1, ends[b] + 1) if e - s <= limit]
    spans.sort(key=lambda sp: (-len(sp), sp.start))
    return spans
