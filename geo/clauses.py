"""The "what" of an event: the clause governing a mention, its predicate, type and modality.

``describe`` is asked for a span (a place, or the sentence of an event without a place) and
answers with a ``Clause``:

- ``predicate``: the governing verb phrase, lemmatised: the verb, its particle ("pull out"), the
  event noun of a light verb ("hold talks"), the adjective of a copula ("be due"), and the
  preposition that links it to the place when that gives a direction ("fly to") or makes a
  listed phrase ("call for", "meet with");
- ``event_type``: from the taxonomy in ``data/event_types.toml`` (see docs/event_types.md): an
  event noun the place hangs on first ("the attack on Kabul"), then a listed phrase, a light
  verb's event noun, the verb (which an event noun of its clause may override when the verb
  depends on context: "killed in a crash"), else "other";
- ``modality``: reported, planned or negated (``geo.modality``).

Every word list is in ``data/`` (``geo.lexicon``); this module holds the rules only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from geo.lexicon import OTHER, Taxonomy, load_taxonomy, load_triggers
from geo.modality import clause_modality
from geo.models import Modality

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

# Up the tree from a place to its verb: a handful of steps in any real clause ("in the centre
# of the old town of X"); bounded so that a chain of appositions cannot make it long.
MAX_STEPS = 12
# Where a verb's event noun sits: its object, its subject, its attribute, its passive agent's object.
_NOUN_ARGUMENTS = ("dobj", "nsubj", "nsubjpass", "attr", "oprd")


@dataclass(frozen=True)
class Clause:
    predicate: str = ""
    event_type: str = OTHER
    modality: Modality = "reported"


def describe(span: Span) -> Clause:
    """The clause that governs ``span``: its predicate, event type and modality."""
    tax = load_taxonomy()
    verb, link, noun_type, noun_is_object = _governing(span, tax)
    if verb is None:  # a headline or caption without a verb: only an event noun can say what
        return Clause(predicate="", event_type=noun_type or OTHER)
    lemma = _lemma(verb)
    kids = list(verb.children)  # spaCy makes new tokens on every walk: walk once
    words = [lemma, *(c.lower_ for c in kids if c.dep_ == "prt")]
    noun = _event_noun(verb, kids, tax) if lemma in tax.light_verbs or lemma in tax.context_verbs else None
    if noun is not None and noun[2] and lemma in tax.light_verbs:
        words.append(noun[0])  # "hold talks", "stage protests"
    if lemma in load_triggers().copula:
        words += [c.lemma_.lower() for c in kids if c.dep_ == "acomp"][:1]
    base = " ".join(words)
    predicate = _with_preposition(base, kids, link, tax)
    event_type = noun_type or _type_of(predicate, base, lemma, noun, tax)
    return Clause(predicate=predicate, event_type=event_type,
                  modality=clause_modality(verb, via_event_noun=noun_is_object, children=kids))


def type_of_predicate(predicate: str) -> str:
    """The type a predicate has by the lists alone ("fly to" -> "travel"): the phrase, else its verb."""
    tax = load_taxonomy()
    words = predicate.lower().split()
    for n in range(len(words), 0, -1):
        found = tax.phrases.get(" ".join(words[:n])) if n > 1 else tax.verbs.get(words[0])
        if found:
            return found
    return OTHER


def _governing(span: Span, tax: Taxonomy) -> tuple[Token | None, str, str | None, bool]:
    """(governing verb, the preposition linking it to the span ("to", "out of", or ""), the type of
    an event noun on the way, whether that noun is the verb's object).

    Climbs from the span's root to the first verb (or copula heading its clause), noting the
    first event noun passed ("talks in Doha") and the preposition hanging on the verb."""
    token = span.root
    link: list[str] = []
    noun: Token | None = None
    noun_type: str | None = None
    child: Token | None = None
    for _step in range(MAX_STEPS):
        if _is_verb(token):
            below = noun is not None and _object_of(noun, token)
            return token, " ".join(link), noun_type, below
        # an event noun the place hangs on; not a name's word ("NOUN", not "PROPN"), nor a noun
        # it is merely listed beside ("counter-terrorism and the reopening of Kabul's airport")
        beside = child is not None and child.dep_ in ("conj", "appos")
        if noun_type is None and token.pos_ == "NOUN" and not beside:
            noun_type = _noun_type(token, tax)
            noun = token if noun_type is not None else None
        head = token.head
        if head.i == token.i:
            break
        # the preposition hanging on the verb ("out of" when one hangs on the other), or on its
        # adjective ("was due in Qatar")
        if token.dep_ == "prep":
            link = [token.lower_, *link] if child is not None and child.dep_ == "prep" else [token.lower_]
        elif token.dep_ not in ("pobj", "acomp"):
            link = []
        child, token = token, head
    return None, "", noun_type, False


def _object_of(noun: Token, verb: Token) -> bool:
    """Whether ``noun`` is ``verb``'s object, or its passive subject ("the trip was cancelled")."""
    return noun.head.i == verb.i and noun.dep_ in ("dobj", "nsubjpass")


def _is_verb(token: Token) -> bool:
    return token.pos_ == "VERB" or (token.pos_ == "AUX" and token.dep_ not in ("aux", "auxpass"))


def _lemma(token: Token) -> str:
    return token.lemma_.lower()


def _noun_type(token: Token, tax: Taxonomy) -> str | None:
    """The type of an event noun ("talks", "news conference"), or None for any other noun."""
    found = _noun_key(token, tax)
    return None if found is None else tax.nouns[found]


def _noun_key(token: Token, tax: Taxonomy) -> str | None:
    compounds = [c for c in token.children if c.dep_ in ("compound", "amod") and c.i == token.i - 1]
    keys = []
    for c in compounds:
        keys += [f"{c.lower_} {token.lower_}", f"{c.lower_} {_lemma(token)}"]
    keys += [token.lower_, _lemma(token)]
    return next((k for k in keys if k in tax.nouns), None)


def _event_noun(verb: Token, kids: list[Token], tax: Taxonomy) -> tuple[str, str, bool] | None:
    """(the noun as a predicate writes it, its type, whether it is the verb's object) of the first
    event noun among ``verb``'s arguments: object, subject, attribute, then the objects of its
    prepositions and of its passive agent ("killed in a crash", "hit by a storm")."""
    args = [c for c in kids if c.dep_ in _NOUN_ARGUMENTS]
    if verb.dep_ == "acl":  # "cases reported in Ohio", "people killed in the blast": the noun it describes
        args.append(verb.head)
    preps = [c for c in kids
             if c.dep_ == "agent" or (c.dep_ == "prep" and c.lower_ in tax.event_prepositions)]
    args += [g for c in preps for g in c.children if g.dep_ == "pobj"]
    for arg in args:
        if arg.pos_ != "NOUN":  # a common noun: "Fire" in "Rochester Fire Department" names no fire
            continue
        key = _noun_key(arg, tax)
        if key is not None:
            written = key if " " in key else arg.lower_
            return written, tax.nouns[key], arg.dep_ == "dobj"
    return None


def _with_preposition(base: str, kids: list[Token], link: str, tax: Taxonomy) -> str:
    """``base`` with the preposition that belongs to the phrase, if one does.

    A direction ("to", "from", "out of") on the way to the place always belongs. Another
    preposition belongs when it makes a listed phrase ("call for", "meet with") and the verb has
    no object of its own ("stopped its operations in X" is no "stop in"), nor is it a date's
    ("called on Sunday for talks" is no "call on")."""
    if link:
        particle = next((c.lower_ for c in kids if c.dep_ == "prt"), "")
        if link in tax.directional or f"{particle} {link}" in tax.directional:
            return f"{base} {link}"
    for child in kids:  # "tested positive", "caught fire"
        if child.dep_ in ("acomp", "dobj") and f"{base} {child.lower_}" in tax.phrases:
            return f"{base} {child.lower_}"
    words = base.split()
    if any(c.dep_ == "dobj" and c.lower_ not in words for c in kids):
        return base
    if link and f"{base} {link}" in tax.phrases:
        return f"{base} {link}"
    for child in kids:
        if child.dep_ == "prep" and f"{base} {child.lower_}" in tax.phrases and not _dated(child):
            return f"{base} {child.lower_}"
    return base


def _dated(prep: Token) -> bool:
    """A preposition whose object is a date or time ("on Sunday", "in March")."""
    return any(c.dep_ == "pobj" and c.ent_type_ in ("DATE", "TIME") for c in prep.children)


def _type_of(predicate: str, base: str, lemma: str, noun: tuple[str, str, bool] | None,
             tax: Taxonomy) -> str:
    for phrase in dict.fromkeys((predicate, base)):
        if phrase in tax.phrases:
            return tax.phrases[phrase]
    if noun is not None:  # a light or context verb with an event noun: "held talks", "killed in a crash"
        return noun[1]
    return tax.verbs.get(lemma, OTHER)
