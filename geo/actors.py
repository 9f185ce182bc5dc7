"""Actors: PERSON, ORG and NORP entities merged into canonical actors.

Only rules about how English news names people and bodies (initials, an
acronym in parentheses, a surname after a full name, a leading "the", a
possessive); no table of particular organisations or people.

1. Mentions, trimmed of "the", an honorific and a possessive. Dropped: spans the
   toponym stage took (``exclude``), demonyms (``is_demonym``, from the
   gazetteer), NORP used as an adjective ("Soviet forces"), "anti-"/"pro-"
   attributives, and a one-word ORG only ever seen inside a title ("Secretary
   of State", "Defense Secretary Lloyd Austin").
2. Label repairs: a one-word GPE/LOC/ORG equal to the surname of the article's
   PERSON, and never used as a place, is that person ("Blinken" tagged GPE); a
   short title-case ORG after a role noun that introduces a PERSON elsewhere in
   the article ("spokesman Fahim Dashty" / "spokesman Stephane Dujarric").
3. Merges: same text; a surname joins the one full name ending with it. When
   several do ("Ahmad Massoud", "Ahmad Shah Massoud") it joins, among those seen
   before it (news introduces someone in full, then by surname), the one referred
   to most so far, ties to the most recent; with none before, it stays apart
   rather than risk merging two people. An acronym joins the name it follows in
   parentheses, else the one name whose initials it spells.
4. Canonical name: the longest non-acronym form; the others become aliases.

The name and span rules used here are in ``geo.actor_rules``; this module
collects the mentions and merges them; ``geo.actor_index`` answers who is named where.
"""

from __future__ import annotations

import functools
import logging
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from spacy.tokens import Doc

from geo.actor_index import ActorIndex, ActorMention, SubjectInfo
from geo.actor_rules import (
    SpanIndex,
    canonical,
    in_title,
    initials,
    is_acronym,
    is_demonym_word,
    is_spatial,
    looks_personal,
    name_key,
    place_word_after,
    role_noun,
    spellings,
    trim,
)
from geo.models import Actor, ActorKind
from geo.wordlists import load_words

logger = logging.getLogger(__name__)

# ActorIndex, ActorMention and SubjectInfo live in geo.actor_index; callers import them from here too.
__all__ = ["ActorIndex", "ActorMention", "KnownActors", "SubjectInfo", "extract_actors", "merge_known"]

_KIND: dict[str, ActorKind] = {"PERSON": "person", "ORG": "organization", "NORP": "group"}
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_ATTRIBUTIVE = re.compile(r"^(?:anti|pro|non)-", re.IGNORECASE)
# An "organisation" named for a facility is a place the story happens at, not an actor.
_FACILITY = re.compile(r"\b(?:Air Base|Airbase|Airport|Airfield|Air Field|Naval Base)$", re.IGNORECASE)
_PAREN_ACRONYM = re.compile(r"\s*\(\s*([A-Za-z.]{2,12})\s*\)")
_SUBJECT_PRONOUNS = frozenset({"he", "she", "they"})
# "The two spoke from Ramstein", "Both said...": a plural subject that points back like "they".
_COLLECTIVE_SUBJECTS = frozenset({"two", "both", "pair", "three", "trio"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
_LIST_MARKS = frozenset({",", ";", ":", "and", "&"})


@dataclass
class _Mention:
    start: int
    end: int
    text: str  # the trimmed surface form, == doc.text[start:end]
    label: str  # PERSON / ORG / NORP after repairs
    title_tail: bool = False  # a one-word ORG inside a title ("Secretary of State")


def _collect(
    doc: Doc, full: str, exclude: Collection[tuple[int, int]], is_demonym: Callable[[str], bool]
) -> tuple[list[_Mention], list[tuple[int, int]]]:
    ents = [e for e in doc.ents if e.label_ in _KIND or e.label_ in _PLACE_LABELS]
    excluded = SpanIndex(exclude)
    persons = [e for e in ents if e.label_ == "PERSON" and not excluded.overlaps(e.start_char, e.end_char)]
    surnames = {e[-1].text.casefold() for e in persons if e[-1].is_alpha}
    family = {e[-1].text.casefold() for e in persons if len(e) > 1 and e[-1].is_alpha}  # of a full name
    roles = {r for e in persons if (r := role_noun(e))}
    # A word the text uses as a place somewhere ("flew to Jordan") stays a place everywhere.
    place_words = {e.text.casefold() for e in ents if e.label_ in _PLACE_LABELS and is_spatial(e)}
    mentions: list[_Mention] = []
    reclaimed: list[tuple[int, int]] = []
    for ent in ents:
        label = ent.label_
        start, end = trim(full, ent.start_char, ent.end_char, label)
        text = full[start:end]
        if not text:
            continue
        one_word = " " not in text and text.isalpha()
        if label in _PLACE_LABELS:
            # Reclaimed even when the toponym stage took it: a place-tagged word that
            # is the surname of the article's person and never used as a place.
            if one_word and ((text.casefold() in surnames and text.casefold() not in place_words)
                             or _after_kin(doc, ent.start)):
                mentions.append(_Mention(start, end, text, "PERSON"))
                reclaimed.append((ent.start_char, ent.end_char))
                logger.debug("place-tagged %r at %d is a person's surname", text, start)
            continue
        if excluded.overlaps(ent.start_char, ent.end_char) or _ATTRIBUTIVE.match(text):
            continue
        if (label == "ORG" and _FACILITY.search(text)) or place_word_after(full, end, label):
            continue
        if (one_word or label == "NORP") and is_demonym_word(text, is_demonym):  # ORG too: "Emirati"
            continue
        if label == "NORP":
            if ent.root.dep_ == "amod":
                continue
        elif label == "ORG":
            if one_word and text.casefold() in surnames:
                label = "PERSON"
            elif looks_personal(ent) and role_noun(ent) in roles:
                label = "PERSON"
                logger.debug("ORG %r after role noun %r taken as a person", text, role_noun(ent))
        if label == "PERSON" and one_word and text.casefold() in family:
            start = _first_name(doc, ent.start, start, excluded)  # "Tojquah Battle" tagged "Battle"
            text = full[start:end]
        mentions.append(_Mention(start, end, text, label, label == "ORG" and in_title(ent)))
    # A title tail is dropped only if the word is never an actor in its own right.
    free = {name_key(m.text) for m in mentions if not m.title_tail}
    mentions = [m for m in mentions if not m.title_tail or name_key(m.text) in free]
    mentions.sort(key=lambda m: m.start)
    return mentions, reclaimed


def _untagged(
    doc: Doc, full: str, mentions: list[_Mention], exclude: Collection[tuple[int, int]]
) -> list[_Mention]:
    """Further occurrences of accepted multi-word names and acronyms that NER missed, and a
    person's surname alone where the parser reads it as a proper noun outside any entity
    ("Saleh, from Linz," after "Walid Saleh"): a reference back to that person.

    Other one-word names are left alone: "Said" or "Rich" would hit ordinary words.
    """
    taken = SpanIndex([(e.start_char, e.end_char) for e in doc.ents] + list(exclude))
    seen = {(m.start, m.end) for m in mentions}
    forms = {m.text: m.label for m in mentions if " " in m.text or is_acronym(m.text)}
    extra: list[_Mention] = []
    for form, label in forms.items():
        # str.find, not a regex per name: hundreds of one-off patterns thrash re's cache.
        at = full.find(form)
        while at >= 0:
            span = (at, at + len(form))
            if _word_char_at(full, at - 1) or _word_char_at(full, span[1]):
                at = full.find(form, at + 1)
                continue
            at = full.find(form, span[1])
            if span not in seen and not taken.overlaps(*span):
                extra.append(_Mention(*span, form, label))
                seen.add(span)
    surnames = {m.text.rsplit(" ", 1)[-1] for m in mentions if m.label == "PERSON" and " " in m.text}
    surnames = {w for w in surnames if len(w) > 2 and w.isalpha() and w[0].isupper()}
    for tok in doc:
        if tok.text in surnames and tok.pos_ == "PROPN" and not tok.ent_type_:
            span = (tok.idx, tok.idx + len(tok.text))
            if span not in seen and not taken.overlaps(*span):
                span = (_first_name(doc, tok.i, span[0], taken), span[1])
                extra.append(_Mention(*span, full[span[0]:span[1]], "PERSON"))
                seen.add(span)
    extra.extend(_kin_names(doc, full, taken, seen))
    return extra


@functools.lru_cache(maxsize=1)
def _kin_words() -> frozenset[str]:
    """"wife", "son", "brother": words for a person's relative (in both word lists)."""
    words = load_words()
    return words.person_nouns & frozenset(words.genders)


@functools.lru_cache(maxsize=1)
def _kin_comma() -> re.Pattern[str]:
    """A word for a relative followed by a comma, anywhere in a text: most articles have none,
    and a search of the text is far cheaper than a walk over every token."""
    words = "|".join(sorted((re.escape(w) for w in _kin_words()), key=len, reverse=True))
    return re.compile(rf"\b(?:{words})\s*,", re.IGNORECASE)


def _after_kin(doc: Doc, i: int) -> bool:
    """Whether token ``i`` follows a word for a relative and a comma: "and wife, Tonya"."""
    return i >= 2 and doc[i - 1].text == "," and doc[i - 2].lower_ in _kin_words()


def _kin_names(doc: Doc, full: str, taken: SpanIndex, seen: set[tuple[int, int]]) -> list[_Mention]:
    """A name the model left untagged right after a word for a relative: "and wife, Gwen of
    Detroit", "his son, Tobias": the word says the name is a person's."""
    if not _kin_comma().search(full):
        return []
    kin = _kin_words()
    out: list[_Mention] = []
    for tok in doc[:-2]:
        if tok.lower_ not in kin or doc[tok.i + 1].text != ",":
            continue
        run = []
        for t in doc[tok.i + 2:tok.i + 6]:
            if t.pos_ != "PROPN" or not t.text[:1].isupper() or t.ent_type_:
                break
            run.append(t)
        if not run:
            continue
        span = (run[0].idx, run[-1].idx + len(run[-1].text))
        if span not in seen and not taken.overlaps(*span):
            out.append(_Mention(*span, full[span[0]:span[1]], "PERSON"))
            seen.add(span)
    return out


def _first_name(doc: Doc, i: int, start: int, taken: SpanIndex) -> int:
    """Where a surname alone at token ``i`` really starts: at a capitalised proper noun before it
    that the parser hangs on it and no entity holds, in a list ("..., Treva Battle, Tojquah Battle
    and Kelvin Battle"): each member of a family has a first name of their own. Not after a
    word of the sentence ("said Officer Battle"). ``start`` if there is none."""
    if i < 2 or doc[i - 2].text not in _LIST_MARKS:
        return start
    t = doc[i - 1]
    if t.dep_ == "compound" and t.head.i == i and t.pos_ == "PROPN" and t.text[:1].isupper() \
            and not t.ent_type_ and not taken.overlaps(t.idx, t.idx + len(t.text)) \
            and any(c.isalpha() for c in t.text):
        return t.idx
    return start


def _word_char_at(text: str, i: int) -> bool:
    """Whether text[i] exists and is a word character (what the regex ``\\w`` matches)."""
    return 0 <= i < len(text) and (text[i].isalnum() or text[i] == "_")


class _Clusters:
    """Union-find over mention keys; ``pinned`` sends single mentions elsewhere."""

    def __init__(self, mentions: Sequence[_Mention]) -> None:
        self.parent: dict[str, str] = {}
        for m in mentions:
            self.parent.setdefault(name_key(m.text), name_key(m.text))
        self.pinned: dict[int, str] = {}  # mention index -> key
        self.aliases: dict[str, set[str]] = {}  # key -> forms seen only in parentheses

    def find(self, key: str) -> str:
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, into: str, other: str) -> None:
        a, b = self.find(into), self.find(other)
        if a != b:
            self.parent[b] = a


def _kinds(mentions: Sequence[_Mention]) -> dict[str, ActorKind]:
    """Majority label per key; a tie goes to the earliest mention's label."""
    votes: dict[str, Counter[str]] = {}
    for m in mentions:
        votes.setdefault(name_key(m.text), Counter())[m.label] += 1
    return {k: _KIND[c.most_common(1)[0][0]] for k, c in votes.items()}


def _join_surnames(mentions: Sequence[_Mention], kinds: dict[str, ActorKind], cl: _Clusters) -> None:
    """Pin each bare-surname mention to a full name (see the module notes).

    Among several full names seen before it, the one referred to most so far
    wins, ties going to the most recent: a story calls its subject "Massoud" and
    gives a relative's full name each time ("whose father Ahmad Shah Massoud").
    """
    by_surname: dict[str, list[str]] = {}  # last word -> the full names ending with it, in order
    for k, kind in kinds.items():
        if kind == "person" and " " in k:
            by_surname.setdefault(k.rsplit(" ", 1)[-1], []).append(k)
    seen: dict[str, tuple[int, int]] = {}  # full-name key -> (references so far, last position)
    for i, m in enumerate(mentions):
        key = name_key(m.text)
        if kinds[key] != "person":
            continue
        owner = key
        if " " not in key:
            owners = by_surname.get(key, [])
            before = [k for k in owners if k in seen]
            if len(owners) == 1:
                owner = owners[0]
            elif before:
                owner = max(before, key=lambda k: seen[k])
            if owner == key:
                continue
            cl.pinned[i] = owner
        seen[owner] = (seen.get(owner, (0, 0))[0] + 1, m.start)


def _join_acronyms(
    full: str, mentions: Sequence[_Mention], kinds: dict[str, ActorKind], cl: _Clusters
) -> None:
    groups = [k for k, kind in kinds.items() if kind != "person"]
    acronyms = {name_key(m.text) for m in mentions
                if is_acronym(m.text) and kinds[name_key(m.text)] != "person"}
    for m in mentions:
        key = name_key(m.text)
        if kinds[key] == "person" or is_acronym(m.text):
            continue
        found = _PAREN_ACRONYM.match(full, m.end)
        if found and is_acronym(found.group(1)):
            acro = name_key(found.group(1))
            if kinds.get(acro, "person") != "person":
                cl.union(key, acro)
            cl.aliases.setdefault(key, set()).add(found.group(1))
    for acro in sorted(acronyms):
        if cl.find(acro) != acro:
            continue  # already placed by a parenthesis
        spelled = {cl.find(k) for k in groups if " " in k and acro.upper() in initials(k)}
        if len(spelled) == 1:
            cl.union(spelled.pop(), acro)


def extract_actors(
    doc: Doc,
    *,
    exclude: Collection[tuple[int, int]] = (),
    is_demonym: Callable[[str], bool] = lambda w: False,
    text: str | None = None,
) -> ActorIndex:
    """The article's canonical actors and every mention of them, with char offsets.

    ``text`` is ``doc.text`` when the caller has it already (spaCy rebuilds it on each access).
    """
    full = doc.text if text is None else text
    mentions, reclaimed = _collect(doc, full, exclude, is_demonym)
    mentions = sorted(mentions + _untagged(doc, full, mentions, exclude), key=lambda m: m.start)
    kinds = _kinds(mentions)
    cl = _Clusters(mentions)
    _join_surnames(mentions, kinds, cl)
    _join_acronyms(full, mentions, kinds, cl)

    def root_of(i: int) -> str:
        return cl.find(cl.pinned.get(i, name_key(mentions[i].text)))

    members: dict[str, list[int]] = {}
    for i in range(len(mentions)):
        members.setdefault(root_of(i), []).append(i)
    extra_forms: dict[str, list[str]] = {}  # root -> forms seen only in parentheses
    for key, extra in cl.aliases.items():
        extra_forms.setdefault(cl.find(key), []).extend(sorted(extra))
    names: dict[str, str] = {}
    actors: list[Actor] = []
    for root, idx in members.items():  # insertion order == first mention order
        forms = [mentions[i].text for i in idx] + extra_forms.get(root, [])
        name = canonical(forms)
        names[root] = name
        votes = Counter(kinds[name_key(mentions[i].text)] for i in idx)
        kind = "person" if "person" in votes else votes.most_common(1)[0][0]
        aliases: dict[str, str] = {}  # one alias per key, the first form seen
        for form in forms:
            if name_key(form) != name_key(name):
                aliases.setdefault(name_key(form), form)
        actors.append(Actor(name=name, kind=kind, aliases=tuple(aliases.values())))
    out = tuple(
        ActorMention(actor=names[root_of(i)], start=m.start, end=m.end, text=m.text)
        for i, m in enumerate(mentions)
    )
    logger.debug("%d actors from %d mentions", len(actors), len(out))
    return ActorIndex(tuple(actors), out, _subjects(doc, out), tuple(reclaimed))


def _subjects(doc: Doc, mentions: Sequence[ActorMention]) -> tuple[SubjectInfo, ...]:
    """Per sentence: its subject as a pronoun, or the actors the subject phrase names."""
    if not doc.has_annotation("DEP"):
        return ()
    starts = [m.start for m in mentions]  # the mentions come sorted by start
    out: list[SubjectInfo] = []
    for sent in doc.sents:
        subj = next((t for t in sent.root.children if t.dep_ in _SUBJECT_DEPS), None)
        if subj is None:
            subj = next((t for t in sent if t.dep_ in _SUBJECT_DEPS), None)
        pronoun, names = "", ()
        if subj is not None:
            if subj.lower_ in _SUBJECT_PRONOUNS:
                pronoun = subj.lower_
            elif subj.lower_ in _COLLECTIVE_SUBJECTS and subj.left_edge.i >= subj.i - 1:
                pronoun = "they"
            lo = subj.left_edge.idx
            hi = subj.right_edge.idx + len(subj.right_edge)
            names = tuple(dict.fromkeys(
                mentions[k].actor for k in range(bisect_left(starts, lo), bisect_left(starts, hi))
                if mentions[k].end <= hi))
        out.append(SubjectInfo(sent.start_char, sent.end_char, pronoun, names))
    return tuple(out)


class KnownActors:
    """The store's actors, indexed once for matching an article's names against them.

    An ingest builds one and adds each stored article's actors to it, so
    matching costs the same for the thousandth article as for the first.
    """

    def __init__(self, known: Sequence[Actor] = ()) -> None:
        self._by_form: dict[tuple[bool, str], set[str]] = {}
        self._by_surname: dict[str, set[str]] = {}  # last word of a full person name -> names
        # An organisation's acronyms and initials, inverted (spelling -> names), so that matching
        # is a lookup, not a scan of every stored organisation.
        self._by_acronym: dict[str, set[str]] = {}
        self._by_initials: dict[str, set[str]] = {}
        self.add(known)

    def add(self, actors: Sequence[Actor]) -> None:
        for k in actors:
            person = k.kind == "person"
            for form in (k.name, *k.aliases):
                self._by_form.setdefault((person, name_key(form)), set()).add(k.name)
            if person and " " in k.name.strip():
                self._by_surname.setdefault(name_key(k.name).rsplit(" ", 1)[-1], set()).add(k.name)
            if not person:
                acr, ini = spellings((k.name, *k.aliases))
                for spelling in acr:
                    self._by_acronym.setdefault(spelling, set()).add(k.name)
                for spelling in ini:
                    self._by_initials.setdefault(spelling, set()).add(k.name)

    def mapping(self, actors: Sequence[Actor]) -> dict[str, str]:
        """Map this article's canonical names onto known actors (see ``merge_known``)."""
        out: dict[str, str] = {}
        for actor in actors:
            person = actor.kind == "person"
            forms = (actor.name, *actor.aliases)
            hits = set().union(*(self._by_form.get((person, name_key(f)), set()) for f in forms))
            if not hits and person:  # a bare surname meets the one stored full name ending with it
                hits = set(self._by_surname.get(name_key(actor.name), set()))
            if not hits and not person:
                mine_acr, mine_init = spellings(forms)
                hits = set().union(*(self._by_initials.get(a, set()) for a in mine_acr),
                                   *(self._by_acronym.get(i, set()) for i in mine_init))
            out[actor.name] = hits.pop() if len(hits) == 1 else actor.name
        return out


def merge_known(actors: Sequence[Actor], known: Sequence[Actor]) -> dict[str, str]:
    """Map this article's canonical names onto actors already in the store.

    Another article's "Antony Blinken" absorbs this one's "Blinken"; "NRF" meets
    "National Resistance Front"; "UN" meets "United Nations". Persons only meet
    persons. Every article name is a key: unmatched or ambiguous names map to
    themselves. A full name is never mapped onto a stored bare surname, since
    "Ahmad Shah Massoud" must not become another article's "Massoud".
    """
    return KnownActors(known).mapping(actors)
