"""Attribution: which actors a sentence puts at a place, in what role, and which it only names.

An actor is tied to a place only where the parse says so. From the place, the rules walk up
the dependency tree to what holds it:

- the subject of the clause whose locative phrase holds the place ("Blinken flew to Qatar"),
  a passive subject and its agent, a subject shared by joined verbs, a relative pronoun's
  antecedent ("the Alpine Bank, which is based in Graz"), a participle's noun ("a newspaper
  based in Linz"), through a venue ("told a news conference in Vienna") or a containing
  place ("at the air base in Ramstein, Germany", "in the Lienz district of Tyrol");
- a direct object of a verb of travel ("visited Qatar", "left Kabul");
- "where": "in Porto, where Maria Lopez was born";
- a name with its place: "Karl Brandt, 52, of Graz", "the Alpine Bank in Graz", "Maria Lopez,
  a teacher in Porto", "Graz resident Karl Brandt", "the Graz-based Alpine Bank", "his home
  in Linz"; "a Springfield man" in a story about one man (``References.protagonist``);
- every actor coordinated with or in apposition to what holds the place, the body whose
  members it names ("Taliban fighters"), a vehicle's driver, a laboratory's parent body.

What does not place anyone: a title or modifier ("U.S. Secretary of State", "Trade Minister of
Honduras", "London police"); reported speech (the walk never leaves an embedded clause for
the verb of saying); the topic of a statement ("confirmed 40 cases in Peru"); "near",
"outside" or "between"; a denied or hypothetical clause; a dateline. References ("he", "the
group") come from ``geo.coref``; the word lists from ``geo.wordlists``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from geo.attribution_names import MAX_STEPS, Link, NamePhrases, Step
from geo.coref import References, coordinated
from geo.models import Role
from geo.wordlists import Words, load_words

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

_SUBJECTS = frozenset({"nsubj", "nsubjpass"})
_MODIFIERS = frozenset({"compound", "poss", "amod", "nmod", "npadvmod"})
_INHERIT = frozenset({"conj", "xcomp", "advcl", "acomp"})  # a verb without a subject shares its head's
_CLAUSE_HEADS = frozenset({"VERB", "AUX", "ADJ"})  # "is due to travel on to Germany": due -> is
_RELATIVE_TAGS = frozenset({"WDT", "WP"})
# After a place at the start of a line: ", Mont.", "(AP)", then a dash or a colon: a dateline.
_DATELINE_TAIL = re.compile(r"[\s,A-Za-z.'\u2019]{0,30}?(?:\([^()\n]{1,30}\)\s*)?[-\u2013\u2014:]")


@dataclass(frozen=True)
class Attribution:
    """Who a sentence ties to one place, and how; and whom it only names."""

    actors: tuple[str, ...] = ()
    roles: tuple[tuple[str, Role], ...] = ()  # (actor, role), in the order of ``actors``
    mentioned: tuple[str, ...] = ()
    # those of ``actors`` a name's own phrase places ("Karl Brandt, 52, of Graz", "the Graz-based
    # bank"): that holds whatever the clause around it says ("... did not travel to Vienna")
    standing: tuple[str, ...] = ()

    def denied(self) -> Attribution:
        """The attribution once the clause is denied: only what a name's own phrase says stays."""
        kept = self.standing
        dropped = (a for a in self.actors if a not in kept)
        return Attribution(actors=kept, roles=tuple(r for r in self.roles if r[0] in kept),
                           mentioned=tuple(dict.fromkeys((*dropped, *self.mentioned))), standing=kept)


class Attributor(NamePhrases):
    """The rules for one parsed article; ``attribute`` is asked once per place mention."""

    def __init__(self, doc: Doc, refs: References, *, places: frozenset[int] = frozenset(),
                 words: Words | None = None, text: str | None = None):
        self.doc = doc
        self.refs = refs
        self.places = places  # token indices of the article's place names ("Ontario" in "Ontario in Canada")
        self.words = words or load_words()
        self.text = doc.text if text is None else text

    def attribute(self, place: Span, context: tuple[int, int], named: tuple[str, ...] = ()) -> Attribution:
        """The actors the text puts at ``place``, each with a role; the others ``named`` in
        ``context`` (character offsets) or referred to there are ``mentioned``."""
        links = [] if self.is_dateline(place) else self._links(place)
        roles: dict[str, Role] = {}
        standing: dict[str, None] = {}
        for link in links:
            found = list(link.actors)
            for tok in self._near(self.doc[link.holder], link.spread):
                found.extend(a for a in self.refs.actors(tok.i) if not self._inside(tok, place))
            for actor in found:
                roles.setdefault(actor, link.role)
                if not link.clause:
                    standing.setdefault(actor)
        referred = self._referred(context)
        mentioned = tuple(a for a in dict.fromkeys((*named, *referred)) if a not in roles)
        return Attribution(actors=tuple(roles), roles=tuple(roles.items()), mentioned=mentioned,
                           standing=tuple(standing))

    def agents(self, sent: Span) -> tuple[str, ...]:
        """The actors of a sentence's main subject (and a passive's agent), references resolved:
        who a sentence without a place is about ("He called for calm")."""
        root = sent.root
        found: list[str] = []
        for tok, _spread in self._subjects(root):
            for t in coordinated(tok, self.refs):
                found.extend(self.refs.actors(t.i))
        return tuple(dict.fromkeys(found))

    # -- where the place hangs -----------------------------------------------------------

    def is_dateline(self, place: Span) -> bool:
        """"HELENA, Mont. (AP) -", "BERLIN —", "SAN ANTONIO Turner Sports ...": a place that
        opens a line and is followed by a dash, or written in capitals, says where the
        reporter filed from, not where anyone was."""
        text, start = self.text, place.start_char
        line_start = text.rfind("\n", 0, start) + 1
        if text[line_start:start].strip():
            return False
        name = text[start:place.end_char]
        if name.isupper() and len(name) > 2:
            return True
        return _DATELINE_TAIL.match(text, place.end_char) is not None

    def _links(self, place: Span) -> list[Link]:
        tok = place.root
        if tok.i in self.refs.named:  # a place inside an actor's name ("NHS West Midlands")
            return []
        based = self._based(tok)
        if based is not None:
            return [Link(based.i, "at")]
        role: Role | None = None
        links: list[Link] = []
        for _ in range(MAX_STEPS):
            where = self._where_clause(tok)
            if where is not None:
                return links + self._clause(where, role or "at")
            dep, head = tok.dep_, tok.head
            step: Step
            if head.i == tok.i:
                break
            if dep in ("conj", "appos") and head.i not in self.refs.named and head.pos_ in ("PROPN", "NOUN"):
                step = Step(head)  # "Ramstein, Germany", "Springfield, Illinois": the place it belongs to
            elif dep in _MODIFIERS:
                step = self._modifier(tok, head)
            elif dep == "dobj" and head.pos_ in ("VERB", "AUX"):
                obj_role = self.words.motion_verbs.get(head.lemma_.lower())
                step = Step(links=self._clause(head, obj_role) if obj_role else [])
            elif dep != "pobj":
                break
            elif head.lower_ == "of":
                step = self._of(head.head)
            elif (found := self.words.prepositions.get(head.lower_)) is not None:
                role = found
                step = self._attached(head.head, role)
            else:
                break
            links.extend(step.links)
            if step.up is None:
                break
            tok = step.up
        return links

    def _attached(self, h: Token, role: Role) -> Step:
        """What a locative phrase attached to ``h`` says: links, and a token to climb on from."""
        for _ in range(3):  # "travel on to Germany": the verb's (not "home to ...")
            if (h.pos_ == "ADP" or h.tag_ == "RP") and h.dep_ in ("prep", "prt") and h.head.i != h.i:
                h = h.head
        if h.pos_ in ("VERB", "AUX"):
            return Step(links=self._clause(h, role))
        if role == "to":  # "the road to Kabul", "ambassador to Qatar": a noun's "to" places no one
            return Step()
        lemma = h.lemma_.lower()
        if h.i in self.refs.named or self.refs.actors(h.i):
            # "the Alpine Bank in Graz"; "treated at the City Clinic in Linz": the clinic is there,
            # and so is whoever the clause puts in it
            return Step(self._containing(h, role), [Link(h.i, role)])
        if h.i in self.places:
            return Step(h)  # "Graz, Styria in Austria"
        if h.ent_type_ in ("DATE", "TIME") and h.dep_ in ("pobj", "npadvmod"):
            verb = h.head.head if h.dep_ == "pobj" else h.head  # "released just after midnight from ..."
            return Step(links=self._clause(verb, role)) if verb.pos_ in ("VERB", "AUX") else Step()
        if h.dep_ == "appos" and h.head.i in self.places:
            # "its real estate in Slovakia, the department store on Main Square in Bratislava":
            # the apposition is in the place it stands beside, and so is whoever is there
            return Step(h.head)
        premises = h.head if h.dep_ == "appos" else h  # "its stores, formerly Bergmann shops, in ..."
        owner = next((c for c in premises.children if c.dep_ == "poss"), None)
        if premises.lemma_.lower() in self.words.premises_nouns and owner is not None:
            # "his home in Linz"
            return Step(links=[Link(owner.i, "at")])
        if h.dep_ == "appos" and self._is_actor(h.head):  # "Maria Lopez, a teacher in Porto"
            return Step(links=[Link(h.head.i, role)])
        if lemma in self.words.person_nouns:
            person = self._person_of(h)
            if person is not None:
                return Step(links=[Link(person.i, role)])
        if h.dep_ == "attr" and h.head.pos_ == "AUX":  # "who was a teacher on Elm Street"
            return Step(links=self._clause(h.head, "at"))
        if h.dep_ == "pobj" and lemma in self.words.event_nouns:
            return Step(h)  # "at a briefing at the Pentagon", "after a crash in Monza"
        if role == "at" and h.dep_ == "pobj" and (lemma in self.words.location_nouns or h.pos_ == "PROPN"):
            # "to the air base in Ramstein"; not "a letter from P", "a meeting on the crisis in P"
            return Step(self._containing(h, role))
        if lemma in self.words.event_nouns and h.dep_ in ("dobj", "attr", "appos") \
                and h.head.pos_ in ("VERB", "AUX"):
            return Step(links=self._clause(h.head, role))  # "told a news conference in Vienna"
        verb = h.head
        if h.dep_ == "dobj" and verb.pos_ == "VERB" and verb.lemma_.lower() not in self.words.report_verbs:
            # "runs a factory in Linz", "stepped off a plane in Lisbon"; not "confirmed cases in P"
            return Step(links=self._clause(verb, role))
        return Step()

    def _modifier(self, tok: Token, head: Token) -> Step:
        """A place modifying a noun: a title or an attribute ("Ohio coach"), unless the noun
        is where someone is ("the Kabul airport" in a locative phrase), a residence or an event."""
        lemma = head.lemma_.lower()
        if lemma in self.words.person_nouns:  # "Graz resident Karl Brandt"
            person = self._person_of(head)
            if person is not None:
                return Step(links=[Link(person.i, "at")])
            # "Police found drugs on a Springfield man": in a story about one man, him
            gender = self.words.genders.get(head.lower_)
            who = self.refs.protagonist(gender) if gender and tok.dep_ == "compound" else None
            return Step(links=[Link(head.i, "at", actors=(who,))] if who else [])
        if head.i in self.refs.named:
            return Step()  # "the Kabul Times": a name
        if head.pos_ == "PROPN" and tok.dep_ == "compound" and head.i not in self.places \
                and head.lower_.rstrip(".") in self.words.name_tails:
            # "Zoz of West Chester Twp.", "a neighbour on Elm Springs Drive": the place's name goes
            # on in a word the gazetteer did not take; what holds the whole name holds the place.
            # Not a name that goes on as something else ("Cumberland Farms", "Great Depression").
            return Step(head)
        if head.pos_ != "NOUN":  # "Augusta's Highland Avenue": a street
            return Step(self._containing(head, "at") if tok.dep_ == "poss" else None)
        if lemma in self.words.event_nouns:
            return Step(head)  # "at the beginning of a Zimbabwe conference"
        if any(c.dep_ == "prep" and c.lower_ in self.words.prepositions for c in head.children):
            return Step()  # "the U.S. air base in Ramstein": its own place says where; "U.S." whose
        return Step(self._containing(head, "at"))  # "at the Little Portugal home", "to Kabul's airport"

    def _where_clause(self, tok: Token) -> Token | None:
        """"Porto, where Maria Lopez was born": the clause that happens there."""
        for c in tok.children:
            if c.dep_ == "relcl" and any(g.dep_ == "advmod" and g.lower_ == "where" for g in c.children):
                return c
        return None

    # -- who the clause is about -----------------------------------------------------------

    def _clause(self, verb: Token, role: Role) -> list[Link]:
        """The holders of a clause: its subject (or the one it shares) and a passive's agent."""
        if self._denied(verb):
            return []
        if role == "from" and verb.lemma_.lower() not in self.words.motion_verbs:
            role = "at"  # "spoke from Ramstein": where they spoke
        return [Link(t.i, role, spread, clause=True) for t, spread in self._subjects(verb)]

    def _subjects(self, verb: Token) -> list[tuple[Token, bool]]:
        """The subjects of a clause, each with whether the names joined to it share it: not for
        a relative clause's noun ("Maria Lopez, who grew up in Porto, and Anna Weber ...")."""
        v = verb
        for _ in range(MAX_STEPS):
            subs = [c for c in v.children if c.dep_ in _SUBJECTS]
            agents = [g for c in v.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
            if subs or agents:
                out: list[tuple[Token, bool]] = []
                for s in subs:
                    if s.tag_ in _RELATIVE_TAGS and v.dep_ == "relcl":
                        out.append((v.head, False))  # "the Alpine Bank, which is based in Graz"
                    elif s.lower_ not in ("there", "it") or self.refs.actors(s.i):
                        out.append((s, True))
                return out + [(a, True) for a in agents]
            if v.dep_ in ("relcl", "acl"):
                # "Maria Lopez, who grew up in Porto" parsed without a subject; "a newspaper
                # based in Linz"
                return [(v.head, False)]
            if v.dep_ == "pcomp" and v.head.head.pos_ in ("VERB", "AUX"):
                v = v.head.head  # "convicted of selling drugs in Bronx County"
                continue
            if v.dep_ in _INHERIT and v.head.i != v.i and v.head.pos_ in _CLAUSE_HEADS:
                v = v.head
                continue
            return []
        return []

    def _denied(self, verb: Token) -> bool:
        """Denied ("did not travel to") or hypothetical ("if the Taliban pulled out of ...")."""
        v = verb
        for _ in range(MAX_STEPS):
            for c in v.children:
                if c.dep_ == "neg" or (c.dep_ == "mark" and c.lower_ in self.words.hypothetical_marks):
                    return True
            if v.dep_ not in _INHERIT or v.head.i == v.i:
                return False
            v = v.head
        return False

    # -- helpers --------------------------------------------------------------------------

    def _near(self, holder: Token, spread: bool) -> list[Token]:
        """Who shares a holder's place: its apposition ("a newspaper" and "The Linzer Zeitung"),
        a vehicle's driver ("a red car driven by Karl Brandt"), and for a subject the names
        joined to it."""
        bare = not self.refs.actors(holder.i)  # "a newspaper", "her son": the name beside it
        near = coordinated(holder, self.refs) if spread else [holder, *(
            c for c in holder.children if c.dep_ == "appos" and bare)]
        if not spread and holder.dep_ == "appos":
            near.append(holder.head)
        if not self.refs.actors(holder.i):
            near.extend(g for c in holder.children if c.dep_ == "acl" for a in c.children if a.dep_ == "agent"
                        for g in a.children if g.dep_ == "pobj")
            if holder.lemma_.lower() in self.words.member_nouns or holder.lower_ in self.words.member_nouns:
                # "Taliban fighters entered Kabul", "the UN's staff in Kabul": the body is there too
                near.extend(c for c in holder.children if c.dep_ in ("compound", "poss") and self._body(c))
        elif self._organisation(holder):  # "Siemens's Energy Institute in Vienna"
            near.extend(c for c in holder.children if c.dep_ == "poss" and self._organisation(c))
        return near

    def _body(self, tok: Token) -> bool:
        """Whether the token names an organisation or a group (not a person: "Blinken's aides")."""
        actors = self.refs.actors(tok.i)
        return bool(actors) and all(self.refs.kinds.get(a) != "person" for a in actors)

    def _organisation(self, tok: Token) -> bool:
        return any(self.refs.kinds.get(a) == "organization" for a in self.refs.actors(tok.i))

    def _inside(self, tok: Token, place: Span) -> bool:
        return place.start <= tok.i < place.end

    def _referred(self, context: tuple[int, int]) -> tuple[str, ...]:
        span = self.doc.char_span(context[0], context[1], alignment_mode="expand")
        if span is None:
            return ()
        out: list[str] = []
        for tok in span:
            out.extend(self.refs.resolved.get(tok.i, ()))
        return tuple(dict.fromkeys(out))
