"""Name phrases for ``geo.attribution``: where a name's own words put the one it names.

"Karl Brandt, 52, of Graz", "Mayor Karl Brandt of Graz", "her son, Hans Vogel, 19, of Linz",
"A, B and C, all of Graz" (within its semicolon group of a list), "Maria Lopez and husband,
Hans Vogel of Linz" (a couple), "the Graz-based Alpine Bank". What they say holds whatever the
clause around them says. Split from ``geo.attribution`` (the walk from a place up the parse),
which mixes these in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from geo.coref import References, coordinated
from geo.models import Role
from geo.wordlists import Words

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

MAX_STEPS = 12
_QUANTIFIERS = frozenset({"all", "both", "each"})  # "..., all of Paris, Texas"


@dataclass(frozen=True)
class Step:
    """One step up from a place: a token to go on from (None: stop here), and links found."""

    up: Token | None = None
    links: list[Link] = field(default_factory=list)


@dataclass(frozen=True)
class Link:
    """Who the text puts at a place: a holder token (and whom it stands for), in a role."""

    holder: int  # token index of the phrase the text puts at the place
    role: Role
    # A subject shares its place with the names joined to it ("Brandt and Lopez travelled to
    # Vienna"); a name's own phrase does not ("Maria Lopez of Porto" in a list of winners).
    spread: bool = False
    actors: tuple[str, ...] = ()  # who the holder stands for, where no token of it names them
    clause: bool = False  # found through a clause (its subject), not a name's own phrase


class NamePhrases:
    """The name-phrase rules; ``geo.attribution.Attributor`` sets the fields."""

    doc: Doc
    refs: References
    words: Words
    places: frozenset[int]

    def _containing(self, h: Token, role: Role) -> Token | None:
        """``h`` when it is itself the object of a locative preposition, to climb on from."""
        if h.dep_ == "pobj" and h.head.lower_ in self.words.prepositions:
            return h
        return None

    def _of(self, h: Token) -> Step:
        """"X of P": a residence or seat when X is a name, an age after one, "all" after a list of
        names or a person word with a name beside it; a containing place when X is a place."""
        if h.i in self.refs.named:
            return Step(links=[self._couple(h)])  # "Mayor David W. Smith of Newark"
        if h.like_num and h.dep_ in ("appos", "npadvmod", "amod", "nummod") and self._is_actor(h.head):
            return Step(links=[Link(h.head.i, "at")])  # "Karl Brandt, 52, of Graz"
        if h.lower_ in _QUANTIFIERS and self._is_actor(h.head):
            return Step(links=[self._all_of(h)])  # "A, B and C, all of Graz"
        if h.lemma_.lower() in self.words.person_nouns and any(
                c.dep_ == "appos" and self._is_actor(c) for c in h.children):
            return Step(links=[Link(h.i, "at")])  # "her son, Hans Vogel, 19, of Linz"
        return Step(self._containing(h, "at"))  # "in the Lienz district of Tyrol"

    def _all_of(self, quantifier: Token) -> Link:
        """"A, B and C, all of Graz": everyone in the list; in a list of groups split by
        semicolons ("A of Linz; B, C and D, all of Graz") only the group the "all" closes."""
        members = coordinated(self._list_head(quantifier.head), self.refs)
        # "B and wife, Eva, all of Graz": a name beside a member is in the list too
        members += [c for m in members for c in m.children if c.dep_ == "appos" and self._is_actor(c)]
        actors = (a for m in self._group(sorted(members, key=lambda t: t.i), quantifier)
                  for a in self.refs.actors(m.i))
        # held by the "of" (the "all" hangs on the list's first name, whom it would bring along)
        of = next((c for c in quantifier.children if c.dep_ == "prep"), quantifier)
        return Link(of.i, "at", actors=tuple(dict.fromkeys(actors)))

    def _group(self, members: list[Token], tok: Token) -> list[Token]:
        """The members in ``tok``'s group of a list that semicolons split ("A and husband, B of
        Linz; C, D and E, all of Graz"): the parser often joins the groups into one list."""
        sent = tok.sent
        low = next((t.i for t in reversed(self.doc[sent.start:tok.i]) if t.text == ";"), sent.start - 1)
        high = next((t.i for t in self.doc[tok.i:sent.end] if t.text == ";"), sent.end)
        return [m for m in members if low < m.i < high]

    def _couple(self, name: Token) -> Link:
        """"Maria Lopez and husband, Hans Vogel of Linz": a residence after the second of two
        joined people is theirs both, unless the other has a phrase of its own ("Anna Weber of
        Graz and Maria Lopez of Porto"); a longer list keeps each residence to its name."""
        top = name
        for _ in range(2):
            if top.dep_ in ("conj", "appos") and top.head.i != top.i and top.head.pos_ in ("PROPN", "NOUN"):
                top = top.head
        if top.i == name.i:
            return Link(name.i, "at")
        members = self._group(coordinated(top, self.refs), name)
        people = {a for m in members for a in self.refs.actors(m.i)}
        # the words for them ("brother, Karl Brandt and wife, Eva") do not make the list longer
        named = [m for m in members if m.lemma_.lower() not in self.words.person_nouns]
        if len(people) != 2 or len(named) > 3 or any(
                m.i != name.i and any(c.dep_ == "prep" for c in m.children) for m in members):
            return Link(name.i, "at")
        couple = (a for m in members for a in self.refs.actors(m.i))
        return Link(name.i, "at", actors=tuple(dict.fromkeys(couple)))

    def _based(self, tok: Token) -> Token | None:
        """"U.S.-based Long War Journal", "the Graz-based Alpine Bank": the based one."""
        if tok.lower_.endswith("-based") and tok.dep_ in ("amod", "compound"):
            return tok.head if self._is_actor(tok.head) else None
        head = tok.head
        if head.lower_ == "based" and tok.dep_ in ("npadvmod", "compound", "amod") and tok.i == head.i - 2 \
                and self.doc[tok.i + 1].text == "-" and self._is_actor(head.head):
            return head.head
        return None

    def _is_actor(self, tok: Token) -> bool:
        return bool(self.refs.actors(tok.i)) or any(self.refs.actors(c.i) for c in tok.children
                                                     if c.dep_ == "appos")

    def _person_of(self, noun: Token) -> Token | None:
        """The person a residence noun describes: "Graz resident Karl Brandt" (the name it
        modifies), "Maria Lopez, a villager" (the name it is in apposition to), or "a villager,
        Anna Weber" (its own apposition)."""
        if noun.dep_ == "compound" and self._is_actor(noun.head):
            return noun.head
        if noun.dep_ == "appos" and self._is_actor(noun.head):
            return noun.head
        if noun.i in self.refs.resolved or any(
                c.dep_ == "appos" and self._is_actor(c) for c in noun.children):
            return noun
        return None

    def _list_head(self, tok: Token) -> Token:
        """The first name of a list "A, B and C all of P" (conjuncts hang off the first)."""
        for _ in range(MAX_STEPS):
            if tok.dep_ == "conj" and tok.head.i != tok.i:
                tok = tok.head
            else:
                break
        return tok
