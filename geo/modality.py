"""Modality of a clause: whether the text reports an act, plans it or denies it.

``clause_modality`` starts at the clause's governing verb and climbs the chain of verbs (and the
adjectives and nouns) that govern it through a "to" infinitive: "is not expected to meet" is
denied by the "not" two steps up, "is due to travel" planned by "due". Negation wins over a plan,
a plan over a report. The trigger words are in ``data/modality.toml`` (``geo.lexicon``);
``geo.temporal`` reads the same intention words to decide which way a weekday points.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from geo.lexicon import Triggers, load_triggers
from geo.models import Modality

if TYPE_CHECKING:
    from spacy.tokens import Token

# The chain above a verb is short in any real clause ("is not expected to be able to travel");
# a bound keeps a pathological parse from walking a long run-on sentence.
MAX_CHAIN = 6
_SUBJECTS = ("nsubj", "nsubjpass", "csubj", "expl")
_ARGUMENTS = ("nsubj", "nsubjpass", "dobj", "attr")
_DATE_LABELS = ("DATE", "TIME")


def clause_modality(verb: Token, *, via_event_noun: bool = False,
                    children: list[Token] | None = None) -> Modality:
    """``negated``, ``planned`` or ``reported`` for the clause ``verb`` governs.

    ``via_event_noun``: the place hangs on an event noun that is ``verb``'s object ("cancelled a
    trip to Kabul"), so a denying verb denies the place's event itself. ``children``: ``verb``'s,
    if the caller has them already (spaCy makes new tokens on every walk).
    """
    trig = load_triggers()
    if via_event_noun and verb.lemma_.lower() in trig.negating:
        return "negated"
    planned = False
    token = verb
    kids = list(verb.children) if children is None else children
    for _step in range(MAX_CHAIN):
        if _denied_here(kids, trig):
            return "negated"
        planned = planned or _planned_here(token, kids, trig)
        head = token.head
        if head.i == token.i:
            break
        if token.dep_ in ("xcomp", "acl", "advcl") and _governs_infinitive(token, kids, head):
            lemma = head.lemma_.lower()
            if lemma in trig.negating:
                return "negated"
            if (lemma in trig.intention
                    or (lemma in trig.progressive_intention and head.tag_ == "VBG")
                    or (lemma in trig.copula and token.dep_ == "xcomp")):
                planned = True
        elif token.dep_ != "conj" or _own_clause(kids):
            break  # a conjunct without a subject shares the first verb's: "will fly to X and meet Y"
        token = head
        kids = list(token.children)
    return "planned" if planned else "reported"


def is_intention(token: Token, child: Token) -> bool:
    """Whether ``token`` makes its clause future for dating (``geo.temporal``): an intention word
    governing ``child`` through "to" or a preposition ("plans to visit", "is due on")."""
    trig = load_triggers()
    lemma = token.lemma_.lower()
    if lemma not in trig.intention and lemma not in trig.progressive_intention:
        return False
    return child.dep_ in ("xcomp", "prep") or token.pos_ == "ADJ"


def future_auxiliaries() -> frozenset[str]:
    return load_triggers().future_auxiliaries


def _governs_infinitive(token: Token, kids: list[Token], head: Token) -> bool:
    """``token`` is an infinitive or gerund that ``head`` governs ("plans to visit", "denied
    visiting"), or an infinitive clause of a noun ("no plans to meet")."""
    if token.dep_ == "xcomp":
        return True
    has_to = any(c.dep_ == "aux" and c.lower_ == "to" for c in kids)
    if token.dep_ == "acl":
        return has_to and head.pos_ == "NOUN"
    return has_to and token.dep_ == "advcl" and head.pos_ == "ADJ"


def _own_clause(kids: list[Token]) -> bool:
    """A conjunct with a subject or an auxiliary of its own is a clause of its own."""
    return any(c.dep_ in _SUBJECTS or c.dep_ in ("aux", "auxpass") for c in kids)


def _denied_here(kids: list[Token], trig: Triggers) -> bool:
    for child in kids:
        if child.dep_ == "neg" and child.lower_ in trig.negations:
            return True
        if child.dep_ == "det" and child.lower_ in trig.negative_determiners:
            return True  # "no plans to meet"
        if child.dep_ in _ARGUMENTS and _negative_argument(child, trig):
            return True
    return False


def _negative_argument(arg: Token, trig: Triggers) -> bool:
    """"nobody", "nothing", "no one", "no injuries", "none of the passengers"."""
    if arg.lower_ in trig.negative_pronouns:
        return True
    return any(c.dep_ == "det" and c.lower_ in trig.negative_determiners for c in arg.children)


def _planned_here(token: Token, kids: list[Token], trig: Triggers) -> bool:
    auxes = [c for c in kids if c.dep_ in ("aux", "auxpass")]
    if any(a.lower_ in trig.future_auxiliaries or a.lower_ in trig.modal_auxiliaries for a in auxes):
        return True
    if token.lemma_.lower() in trig.intention and any(a.dep_ == "auxpass" for a in auxes):
        return True  # "a funeral is scheduled for Saturday", "the minister is expected in Doha"
    if token.lemma_.lower() in trig.copula and any(
            c.dep_ == "acomp" and c.lemma_.lower() in trig.intention for c in kids):
        return True  # "was due in Qatar", "is set for Geneva"
    if _past(token, auxes):
        return False
    return _forward_date(kids, trig)


def _past(token: Token, auxes: list[Token]) -> bool:
    return any(t.tag_ == "VBD" for t in [*auxes, token]) or (
        token.tag_ == "VBN" and any(a.lower_ in ("has", "have", "'ve", "'s") for a in auxes))


def _forward_date(kids: list[Token], trig: Triggers) -> bool:
    """A date expression among the clause's own modifiers that points forward ("next week")."""
    for child in kids:
        if child.dep_ not in ("npadvmod", "tmod", "prep", "advmod", "obl"):
            continue
        words = [t for t in child.subtree if t.ent_type_ in _DATE_LABELS]
        if not words:
            continue
        text = " ".join(t.lower_ for t in words)
        if any(f" {w} " in f" {text} " for w in trig.forward_dates):
            return True
    return False
