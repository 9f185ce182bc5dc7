"""Actor naming rules: how English news writes the names of people and bodies.

The small, table-free tests ``geo.actors`` applies when it collects and merges
mentions: name keys, acronyms and the initials a name spells, trimming "the",
an honorific and a possessive, the canonical form among several, and span tests
read from spaCy's tokens (part of a title, after a role noun, used as a place).
Split from ``geo.actors`` so each rule can be read on its own.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence

from spacy.tokens import Span

from geo.place_rules import admin_head_in_text

# Grammar words, not names: skipped when spelling initials ("Department of Defense").
_FUNCTION_WORDS = frozenset({"of", "the", "for", "and", "on", "in", "de", "du", "la", "to", "at", "&"})
_HONORIFICS = re.compile(r"^(?:Mr|Mrs|Ms|Miss|Dr|Sir|Dame)\.?\s+")
_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)
_POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$")
_RESIDENCE_TAIL = re.compile(r"(?<=\w)\s+of\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*$")
_ACRONYM = re.compile(r"^[A-Z][A-Za-z]{0,4}[A-Z]$")
# A facility or area word after an organisation's name makes it a place ("Al Udeid Air Base",
# "Andarab district").
_PLACE_AFTER_ORG = re.compile(
    r"\s+(?:Air Base|Airbase|Airport|Airfield|Air Field|Naval Base|district|province|valley|county|"
    r"region|governorate|prefecture|municipality)\b", re.IGNORECASE)
# A place after one of these prepositions is a place even if a person shares its name.
_SPATIAL_PREPS = frozenset(
    {"in", "at", "to", "from", "into", "near", "across", "through", "toward", "towards"}
)


# --- name forms ----------------------------------------------------------------------------------


def is_acronym(name: str) -> bool:
    """ "NRF", "UN", "U.N.", "DoD": short, capitalised at both ends, dots allowed."""
    return bool(_ACRONYM.match(name.replace(".", "")))


def name_key(name: str) -> str:
    """What two forms of a name are compared by: case and spacing ignored, an acronym's dots too."""
    if is_acronym(name):
        return name.replace(".", "").casefold()
    return " ".join(name.split()).casefold()


def initials(name: str) -> set[str]:
    """The acronyms a name can be written as, upper-cased: with and without its
    grammar words, and with hyphenated parts counted once or each."""
    out: set[str] = set()
    for parts in (name.split(), re.split(r"[\s-]+", name)):
        words = [w for w in parts if w and w[0].isalpha()]
        if len(words) < 2:
            continue
        out.add("".join(w[0] for w in words).upper())
        content = [w for w in words if w.casefold() not in _FUNCTION_WORDS]
        if len(content) >= 2:
            out.add("".join(w[0] for w in content).upper())
    return out


def trim(full: str, start: int, end: int, label: str) -> tuple[int, int]:
    """Offsets without a leading "the"/honorific and a trailing possessive."""
    text = full[start:end]
    for pattern in (_LEADING_THE, _HONORIFICS if label == "PERSON" else None):
        if pattern is not None and (m := pattern.match(text)):
            start += m.end()
            text = text[m.end() :]
    if label == "PERSON":
        # "Stepchildren: Dani Pipkins": a list's label before the name
        cut = max(text.rfind(":"), text.rfind("\n"))
        if cut >= 0 and text[cut + 1:].strip()[:1].isupper():
            skip = len(text[cut + 1:]) - len(text[cut + 1:].lstrip())
            start += cut + 1 + skip
            text = text[cut + 1 + skip:]
        # "Leonard of Ada": the residence the model took into the name is a place, not the name
        if m := _RESIDENCE_TAIL.search(text):
            end -= len(text) - m.start()
            text = text[: m.start()]
    if m := _POSSESSIVE.search(text):
        end -= len(m.group())
        text = text[: m.start()]
    stripped = text.rstrip(" ,;:")
    return start, start + len(stripped)


def is_demonym_word(word: str, is_demonym: Callable[[str], bool]) -> bool:
    # The gazetteer knows "Qatari"; the text says "Qataris".
    return is_demonym(word) or (word.endswith("s") and is_demonym(word[:-1]))


def canonical(forms: Sequence[str]) -> str:
    """The longest non-acronym form; then the most used, then the first seen."""
    counts = Counter(forms)
    order = {f: i for i, f in reversed(list(enumerate(forms)))}
    return max(counts, key=lambda f: (not is_acronym(f), len(f), counts[f], -order[f]))


def spellings(forms: Sequence[str]) -> tuple[set[str], set[str]]:
    """(the acronyms among ``forms``, the initials of the rest), upper-cased."""
    acronyms = {f.replace(".", "").upper() for f in forms if is_acronym(f)}
    return acronyms, set().union(*(initials(f) for f in forms if not is_acronym(f)))


# --- spans ---------------------------------------------------------------------------------------


def in_title(ent: Span) -> bool:
    """A one-word ORG that is part of someone's title, not an actor of its own:
    "Secretary of State", or before a title word and a name ("Defense Secretary Lloyd Austin")."""
    doc, i, j = ent.doc, ent.start, ent.end
    if len(ent) != 1:
        return False
    if i >= 2 and doc[i - 1].lower_ == "of" and doc[i - 2].is_title and not doc[i - 2].ent_type_:
        return True
    return (j + 1 < len(doc) and doc[j].is_title and not doc[j].ent_type_
            and doc[j + 1].ent_type_ == "PERSON" and doc[j + 1].ent_iob_ == "B")


def role_noun(ent: Span) -> str:
    """The lower-case common noun right before an entity ("spokesman"), or ""."""
    prev = ent.doc[ent.start - 1] if ent.start > 0 else None
    if prev is None or not (prev.is_alpha and prev.is_lower) or prev.is_stop:
        return ""
    if prev.doc.has_annotation("POS") and prev.pos_ != "NOUN":
        return ""
    return prev.lower_


def is_spatial(ent: Span) -> bool:
    """After "in", "to", "from"...: used as a place."""
    return ent.root.dep_ == "pobj" and ent.root.head.lower_ in _SPATIAL_PREPS


def place_word_after(full: str, end: int, label: str) -> bool:
    """The name ending at ``end`` is a place's: an organisation's followed by a facility or area word,
    or any name followed by a lowercase administrative head ("Al Haouz province" tagged PERSON)."""
    if label == "ORG" and _PLACE_AFTER_ORG.match(full, end):
        return True
    return admin_head_in_text(full, end) is not None


def looks_personal(ent: Span) -> bool:
    return 2 <= len(ent) <= 3 and all(t.is_alpha and t.is_title for t in ent)


def overlaps(start: int, end: int, spans: Collection[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


class SpanIndex:
    """Answers :func:`overlaps` for many queries against one set of spans in O(log n) each:
    the spans starting before ``end`` overlap [start, end) iff the furthest of their ends
    passes ``start``."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self._starts = [s for s, _e in ordered]
        self._reach = list(itertools.accumulate((e for _s, e in ordered), max))

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self._starts, end)
        return i > 0 and self._reach[i - 1] > start
