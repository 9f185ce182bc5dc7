"""References within one article: which actor "he", "they", "it", "the group" or "the minister" is.

No coreference library fits (coreferee needs a pipeline with vectors and a model the package
index does not carry; the others fetch transformer weights at run time: FINDINGS.md), so these
are rules on spaCy's dependency parse, and the words are data (``references.csv``,
``gendered_words.csv``).

1. Every token of an actor's mention stands for that actor.
2. A pronoun or a definite description ("the group", "the retail chain") stands for:
   a. for a pronoun, the nearest fitting subject before it in its own sentence ("Merkel said
      she ..."), or the people who are subjects there ("As Karl Brandt cooks, Maria Lopez reads
      in their home");
   b. else the fitting subject of one of the three sentences before (the main clause's first);
      a pronoun that opens a paragraph looks first at the subject of the paragraph before's
      first sentence (who that paragraph was about); a subject that is itself a resolved
      reference counts, so "He ... He ..." chains hold;
   c. else, for "he" or "she", the only fitting person named in its sentence or the one before.
   "Fitting": a person for he/she, of no other gender as far as the text tells ("Mr.", "his
   wife, X", an earlier "she"), the one named most so far among several ("Vogel and Brandt
   ... he" in a story about Brandt); an organisation or group for "it" and for group nouns; a group, an
   organisation or two people or more for "they"; two people or more for "the two".
3. A description of a person ("the minister", "the suspect") stands for the nearest person
   introduced with that noun ("Foreign Minister Heiko Maas", "Fahim Dashty, the spokesman"),
   and for no one else: "the man" in a crime report is most often the unnamed suspect.
4. "It" reaches back one sentence only, and only to a main subject: most "it"s are things.
A description that names someone else ("the Taliban spokesman") is left alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from geo.wordlists import Words, load_words

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from geo.actor_index import ActorIndex

_LOOKBACK = 3
_SUBJECTS = frozenset({"nsubj", "nsubjpass"})
_PRONOUN_TAGS = frozenset({"PRP", "PRP$"})
_DEFINITE = frozenset({"the", "this", "that"})
_COLLECTIVE = frozenset({"two", "both"})


@dataclass(frozen=True)
class _Subject:
    token: int
    actors: tuple[str, ...]
    main: bool  # the subject of the sentence's root (or of a verb joined to it)


@dataclass
class References:
    """Which actors each token of one doc stands for."""

    named: dict[int, str] = field(default_factory=dict)  # token index -> actor of the mention holding it
    resolved: dict[int, tuple[str, ...]] = field(default_factory=dict)  # pronoun/description -> actors
    sources: dict[int, int] = field(default_factory=dict)  # resolved token -> its antecedent's token
    kinds: dict[str, str] = field(default_factory=dict)  # actor -> person / organization / group
    genders: dict[str, str] = field(default_factory=dict)  # person -> "m" / "f", where the text tells
    references: Counter[str] = field(default_factory=Counter)  # actor -> mentions and resolved references

    def actors(self, token: int) -> tuple[str, ...]:
        """The actors the token stands for: the one it names, or those it refers back to."""
        if token in self.named:
            return (self.named[token],)
        return self.resolved.get(token, ())

    def protagonist(self, gender: str) -> str | None:
        """The person of that gender the article is about: referred to at least three times and
        at least twice as often as any other person of that gender ("a Springfield man" in the
        lede of a story about one man). None when no one stands out so."""
        # Rivals: every person not shown to be of the other gender.
        ranked = sorted(((n, a) for a, n in self.references.items()
                         if self.kinds.get(a) == "person" and self.genders.get(a, gender) == gender),
                        reverse=True)
        if not ranked or ranked[0][0] < 3 or self.genders.get(ranked[0][1]) != gender:
            return None
        if len(ranked) > 1 and ranked[0][0] < 2 * ranked[1][0]:
            return None
        return ranked[0][1]


@dataclass
class _State:
    """What resolution has seen so far in the doc."""

    refs: References
    words: Words
    titles: dict[str, list[tuple[int, str]]]
    history: list[list[_Subject]] = field(default_factory=list)  # per sentence so far, its subjects
    paragraph_firsts: list[int] = field(default_factory=list)  # history index of each paragraph's first
    counts: Counter[str] = field(default_factory=Counter)  # mentions of each actor so far


def resolve_references(doc: Doc, index: ActorIndex, words: Words | None = None, *,
                       text: str | None = None) -> References:
    """Every actor mention's tokens, and every pronoun and description resolved to actors.
    ``text`` is ``doc.text`` when the caller has it (spaCy rebuilds it from the tokens each time)."""
    words = words or load_words()
    refs = References(kinds={a.name: a.kind for a in index.actors})
    for m in index.mentions:
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        if span is None:
            continue
        for tok in span:
            refs.named.setdefault(tok.i, m.actor)
    if not doc.has_annotation("DEP") or not refs.named:
        return refs
    _genders(doc, refs, words)
    state = _State(refs, words, _titles(doc, refs))
    text = doc.text if text is None else text
    previous_start = 0
    for sent in doc.sents:
        between = text[previous_start:sent.start_char]  # the sentence before, and the space after it
        if not state.history or "\n" in between[len(between.rstrip()):]:
            state.paragraph_firsts.append(len(state.history))
        previous_start = sent.start_char
        subjects: list[_Subject] = []
        for tok in sent:
            if tok.i in refs.named and (tok.i == 0 or refs.named.get(tok.i - 1) != refs.named[tok.i]):
                state.counts[refs.named[tok.i]] += 1
            kind = _reference_kind(tok, refs, words)
            if kind:
                found = _resolve(tok, kind, subjects, state)
                if found is not None:
                    refs.resolved[tok.i], refs.sources[tok.i] = found
                    gender = words.genders.get(tok.lower_)
                    if gender and len(found[0]) == 1 and tok.tag_ == "PRP":  # "she said": a woman
                        refs.genders.setdefault(found[0][0], gender)
            if tok.dep_ in _SUBJECTS:
                actors = _group_actors(tok, refs)
                if actors:
                    subjects.append(_Subject(tok.i, actors, _is_main(tok, sent)))
        state.history.append(subjects)
    refs.references.update(state.counts)
    for actors in refs.resolved.values():
        refs.references.update(actors)
    return refs


def _reference_kind(tok: Token, refs: References, words: Words) -> str:
    """What a token could refer back to ("person", "organization", "plural", "pair"), or "" if
    it is no reference: a name, a word not in the list, an indefinite or modified noun."""
    if tok.i in refs.named:
        return ""
    lower = tok.lower_
    kind = words.references.get(lower, "")
    if not kind:
        return ""
    if tok.tag_ in _PRONOUN_TAGS:
        # A subject ("he said") or an owner ("his home"); an object pronoun ("concerned about her")
        # seldom means the subject before it, and holds no place anyway.
        return kind if tok.dep_ in _SUBJECTS or tok.tag_ == "PRP$" else ""
    if lower in _COLLECTIVE:  # "the two spoke", "both said"
        return "pair" if tok.dep_ in _SUBJECTS and not any(c.dep_ == "prep" for c in tok.children) else ""
    if tok.pos_ != "NOUN" or tok.dep_ == "compound":
        return ""
    children = list(tok.children)
    if not any(c.dep_ == "det" and c.lower_ in _DEFINITE for c in children):
        return ""
    # "the Taliban spokesman", "the group's leader", "the minister, Heiko Maas": someone else or a name
    if any(c.dep_ in ("compound", "poss", "appos") and c.i in refs.named for c in children):
        return ""
    return kind


def _fits(tok: Token, actors: tuple[str, ...], kind: str, state: _State) -> tuple[str, ...]:
    refs = state.refs
    people = [a for a in actors if refs.kinds.get(a) == "person"]
    groups = [a for a in actors if refs.kinds.get(a, "group") != "person"]
    if kind == "person":
        gender = state.words.genders.get(tok.lower_)
        if tok.tag_ in _PRONOUN_TAGS:
            people = [a for a in people if refs.genders.get(a, gender) == gender]
        # Of several ("Vogel and Brandt ... he"), the one the article names most so far.
        return (max(people, key=lambda a: state.counts[a]),) if people else ()
    if kind == "organization":
        return tuple(groups[:1])
    if kind == "pair":
        return tuple(people) if len(people) >= 2 else ()
    return tuple(groups[:1]) if groups else (tuple(people) if len(people) >= 2 else ())


def _resolve(tok: Token, kind: str, subjects: Sequence[_Subject], state: _State
             ) -> tuple[tuple[str, ...], int] | None:
    refs = state.refs
    description = tok.tag_ not in _PRONOUN_TAGS and kind != "pair"
    if description and kind == "person":
        titled = [(i, a) for i, a in state.titles.get(tok.lemma_.lower(), ()) if i < tok.i]
        if titled:
            return (titled[-1][1],), titled[-1][0]
        return None  # "the victim", "the minister", "the man": a title or nothing
    if not description:  # the same sentence; a description never means its own sentence's subject
        for subj in reversed(subjects):
            if fit := _fits(tok, subj.actors, kind, state):
                return fit, subj.token
        if kind == "plural":  # "As Karl Brandt cooks, Maria Lopez reads in their home"
            people = [(a, s.token) for s in subjects for a in s.actors if refs.kinds.get(a) == "person"]
            if len(dict(people)) >= 2:
                return tuple(dict(people)), people[0][1]
    depth = 1 if kind == "organization" and not description else _LOOKBACK
    earlier: list[Sequence[_Subject]] = list(reversed(state.history))[:depth]
    if not description and state.paragraph_firsts and state.paragraph_firsts[-1] == len(state.history) \
            and len(state.paragraph_firsts) >= 2:
        earlier.insert(0, state.history[state.paragraph_firsts[-2]])  # a paragraph's opening pronoun
    gender = state.words.genders.get(tok.lower_) if tok.tag_ in _PRONOUN_TAGS else None
    for sentence in earlier:
        # One the text has shown to be a "he" (or "she"), then the one the article names most so
        # far, then the main clause's ("Brandt is racing, writes Hans Vogel. He first raced ...").
        ordered = sorted(sentence, key=lambda s: (
            not (gender and any(refs.genders.get(a) == gender for a in s.actors)),
            -max(state.counts[a] for a in s.actors), not s.main, s.token))
        if depth == 1:
            ordered = [s for s in ordered if s.main]
        for subj in ordered:
            if fit := _fits(tok, subj.actors, kind, state):
                return fit, subj.token
    if kind == "person":
        return _only_person(tok, state, description)
    return None


def _only_person(tok: Token, state: _State, description: bool) -> tuple[tuple[str, ...], int] | None:
    """The one fitting person named in the sentence before the token's or, for a pronoun, in its
    own sentence before it."""
    refs = state.refs
    sent = tok.sent
    start, end = sent.start, sent.start if description else tok.i
    if start > 0:
        start = tok.doc[start - 1].sent.start
    people = {refs.named[i]: i for i in range(start, end)
              if i in refs.named and _fits(tok, (refs.named[i],), "person", state)}
    if len(people) == 1:
        ((actor, at),) = people.items()
        return (actor,), at
    return None


def _group_actors(tok: Token, refs: References) -> tuple[str, ...]:
    """The actors a subject stands for: itself, its conjuncts and appositions ("Blinken and Austin")."""
    out: list[str] = []
    for t in coordinated(tok, refs):
        out.extend(refs.actors(t.i))
    return tuple(dict.fromkeys(out))


def coordinated(tok: Token, refs: References) -> list[Token]:
    """The token, the tokens joined to it by "and", and the names in apposition to those that
    name no one themselves ("Karl Brandt and the mayor's budget director, Hans Vogel"; not
    "He ..., the son of Karl and Anna"), in order, bounded."""
    out, todo, seen = [], [tok], {tok.i}
    while todo and len(out) < 24:
        t = todo.pop()
        out.append(t)
        bare = not refs.actors(t.i)
        for c in t.children:
            # "Antony Blinken and Defense Secretary Lloyd Austin met": the small model hangs the
            # first name on the second as a modifier with its "and"
            joined = c.dep_ == "conj" or (c.dep_ == "nmod" and any(g.dep_ == "cc" for g in c.children))
            if (joined or (c.dep_ == "appos" and bare)) and c.i not in seen:
                seen.add(c.i)
                todo.append(c)
    return sorted(out, key=lambda t: t.i)


def _is_main(tok: Token, sent: Span) -> bool:
    head = tok.head
    while head.dep_ == "conj" and head.head.i != head.i:
        head = head.head
    return head.i == sent.root.i


def _near_words(doc: Doc, i: int, refs: References) -> list[Token]:
    """The words introducing the person named at token ``i``: its compounds and appositions that
    name no one ("spokesman Fahim Dashty", "his wife, Jessica"), and the noun it stands beside."""
    tok = doc[i]
    near = [c for c in tok.children if c.dep_ in ("compound", "appos") and c.i not in refs.named]
    if tok.dep_ == "appos" and tok.head.i not in refs.named:
        near.append(tok.head)
    return near


def _titles(doc: Doc, refs: References) -> dict[str, list[tuple[int, str]]]:
    """Role nouns that introduce a person ("spokesman Fahim Dashty", "Maas, the minister"):
    lemma -> [(token index of the name, actor)], in text order."""
    out: dict[str, list[tuple[int, str]]] = {}
    for i, actor in refs.named.items():
        if refs.kinds.get(actor) == "person":
            for t in _near_words(doc, i, refs):
                out.setdefault(t.lemma_.lower(), []).append((i, actor))
    for pairs in out.values():
        pairs.sort()
    return out


def _genders(doc: Doc, refs: References, words: Words) -> None:
    """What the text tells of each person's gender: an honorific before the name ("Mr. Brandt")
    or a word beside it ("husband Hans Vogel", "his wife, Anna"). Conflicting evidence: none."""
    seen: dict[str, set[str]] = {}
    for i, actor in refs.named.items():
        if refs.kinds.get(actor) != "person":
            continue
        cues = _near_words(doc, i, refs)
        if i > 0 and refs.named.get(i - 1) != actor:
            cues.append(doc[i - 1])
        for cue in cues:
            if cue.lower_ in words.genders and cue.tag_ not in _PRONOUN_TAGS:  # "Mr.", "wife"; not "his"
                seen.setdefault(actor, set()).add(words.genders[cue.lower_])
    for actor, found in seen.items():
        if len(found) == 1:
            refs.genders[actor] = found.pop()
