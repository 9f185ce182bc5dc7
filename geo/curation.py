"""Curation rules: an editor's decisions about what the pipeline found, as values applied to events.

A rule is kept in the store (``curations`` table, ``geo.curating``) and applied three times: to
the stored events when an editor makes it, and to the events of every later ingest and
``python -m geo reanalyse`` of an article (``Store.add_article`` and ``Store.replace_events``
call ``curate``). Event ids depend only on the article's text and the mention's offsets, so a
rule naming an event finds it again after a re-analysis.

The kinds:

- ``not_place``: a name is not a place, in one article or everywhere; the events placed at it go.
- ``delete_event``: one event goes.
- ``delete_article``: an article goes with its events, and an ingest of it again stores nothing.
- ``rename_actor``: every mention of actor A is called B; when B exists already this is a merge.
- ``split_actor``: the mentions of A in chosen articles or events are called B: for an actor
  name that conflated two people. One rule per chosen article or event.
- ``event_type``: an event gets another type of the taxonomy (data/event_types.toml).

Rules apply in the order they were made (``seq``), so "merge A into B, then rename B to C"
leaves C.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from geo.errors import InputError
from geo.models import Actor, Event
from geo.schema import place_key

KINDS: tuple[str, ...] = ("not_place", "delete_event", "delete_article", "rename_actor", "split_actor",
                          "event_type")
ACTOR_KINDS = frozenset({"rename_actor", "split_actor"})
MAX_NAME_CHARS = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Curation:
    """One rule. ``article_id``/``event_id`` scope it ("" for everywhere); ``subject`` is the place key
    (not_place) or the actor (rename, split); ``value`` the new actor name or event type."""

    curation_id: str
    kind: str
    article_id: str = ""
    event_id: str = ""
    subject: str = ""
    value: str = ""
    label: str = ""  # what the editor saw: the name as written, the article's title, the sentence
    editor: str = ""  # who made it: a signed-in e-mail, "editor password", "open editing", "command line"
    seq: int = 0
    created_at: datetime | None = None

    def in_scope(self, event: Event) -> bool:
        """Whether the rule's article or event scope takes in ``event``."""
        return ((not self.article_id or event.article_id == self.article_id)
                and (not self.event_id or event.event_id == self.event_id))

    def describe(self) -> str:
        """The rule in words, for the editor's log and the command line."""
        where = (f" in event {self.event_id}" if self.event_id
                 else f" in article {self.article_id}" if self.article_id else " everywhere")
        shown = self.label or self.subject
        if self.kind == "not_place":
            return f"“{shown}” is not a place{where}"
        if self.kind == "delete_event":
            return f"event {self.event_id} deleted ({self.label})"
        if self.kind == "delete_article":
            return f"article {self.article_id} deleted ({self.label})"
        if self.kind == "rename_actor":
            return f"actor “{self.subject}” renamed to (or merged into) “{self.value}”"
        if self.kind == "split_actor":
            return f"actor “{self.subject}” called “{self.value}”{where}"
        return f"event {self.event_id} typed “{self.value}” ({self.label})"


def rule_id(kind: str, article_id: str, event_id: str, subject: str) -> str:
    """The same decision made twice is one rule (the later one replaces it)."""
    raw = "\x1f".join((kind, article_id, event_id, subject)).encode("utf-8")
    return hashlib.sha256(raw).hexdigest()[:32]


def make_rule(kind: str, *, article_id: str = "", event_id: str = "", subject: str = "", value: str = "",
              label: str = "", editor: str = "") -> Curation:
    if kind not in KINDS:
        raise InputError(f"unknown curation {kind!r}; one of {', '.join(KINDS)}")
    return Curation(rule_id(kind, article_id, event_id, subject), kind, article_id, event_id, subject, value,
                    label, editor)


def actor_name(raw: str) -> str:
    """An actor's new name as stored: spaces collapsed; an ``InputError`` for an empty, long or
    control-holding name (nothing is cut: a cut name is another actor)."""
    name = " ".join(str(raw).split())
    if not name:
        raise InputError("an actor needs a name")
    if len(name) > MAX_NAME_CHARS:
        raise InputError(f"an actor's name has at most {MAX_NAME_CHARS} characters, not {len(name):,}")
    if _CONTROL.search(name):
        raise InputError("an actor's name cannot hold control characters")
    return name


def place_subject(raw: str) -> str:
    """The key a "not a place" rule matches: the store's own place key of the name."""
    key = place_key(str(raw))
    if not key.strip():
        raise InputError("say which name is not a place")
    return key


# -- applying rules -----------------------------------------------------------------------------------


def _renamed(names: Iterable[str], old: str, new: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(new if n == old else n for n in names))


def rename_in_event(event: Event, old: str, new: str) -> Event:
    """``event`` with actor ``old`` called ``new`` wherever the event names it."""
    names = (*event.actors, *event.mentioned_actors, *(a for a, _r in event.actor_roles))
    if old not in names:
        return event
    actors = _renamed(event.actors, old, new)
    mentioned = tuple(n for n in _renamed(event.mentioned_actors, old, new) if n not in actors)
    roles = tuple(dict.fromkeys((new if a == old else a, r) for a, r in event.actor_roles))
    return replace(event, actors=actors, mentioned_actors=mentioned, actor_roles=roles)


def apply_rule(rule: Curation, events: Sequence[Event]) -> list[Event]:
    """``events`` as ``rule`` leaves them (those it removes left out)."""
    kind = rule.kind
    if kind == "delete_article":
        return [e for e in events if e.article_id != rule.article_id]
    if kind in ("delete_event", "not_place"):
        gone = (lambda e: e.event_id == rule.event_id) if kind == "delete_event" else (
            lambda e: rule.in_scope(e) and bool(e.place_name) and place_key(e.place_name) == rule.subject)
        return [e for e in events if not gone(e)]
    if kind in ACTOR_KINDS:
        return [rename_in_event(e, rule.subject, rule.value) if rule.in_scope(e) else e for e in events]
    if kind == "event_type":
        return [replace(e, event_type=rule.value) if e.event_id == rule.event_id else e for e in events]
    raise InputError(f"unknown curation {kind!r}")


def apply_rules(rules: Iterable[Curation], events: Sequence[Event]) -> list[Event]:
    out = list(events)
    for rule in sorted(rules, key=lambda r: (r.seq, r.curation_id)):
        out = apply_rule(rule, out)
    return out


def curate_actors(rules: Iterable[Curation], actors: Sequence[Actor], events: Sequence[Event], *,
                  before: Sequence[Event] = ()) -> list[Actor]:
    """The actor records to store beside the curated ``events``: renamed ones under their new name
    (the old name kept as an alias, so a link or filter by it still finds them), split ones as a new
    actor of the same kind, and none that the curation left without an event (``before`` are the
    events as analysed: an actor none of them named stays as it was)."""
    rules = list(rules)
    gone = {n for e in before for n in _names(e)} | {r.subject for r in rules if r.kind == "rename_actor"}
    by_name = {a.name: a for a in actors}
    for rule in sorted((r for r in rules if r.kind in ACTOR_KINDS), key=lambda r: (r.seq, r.curation_id)):
        source = by_name.get(rule.subject)
        if source is None:
            continue
        target = by_name.get(rule.value)
        aliases = target.aliases if target is not None else ()
        if rule.kind == "rename_actor":  # the old name and its aliases go with it
            aliases = (*aliases, source.name, *source.aliases)
            del by_name[rule.subject]
        kind = target.kind if target is not None else source.kind
        by_name[rule.value] = Actor(rule.value, kind,
                                    tuple(dict.fromkeys(a for a in aliases if a and a != rule.value)))
    # A split rule scoped to another article must not leave its new name here without an event.
    named, original = {n for e in events for n in _names(e)}, {a.name for a in actors}
    return [a for name, a in by_name.items() if name in named or (name in original and name not in gone)]


def _names(event: Event) -> tuple[str, ...]:
    return (*event.actors, *event.mentioned_actors)


def curate(rules: Sequence[Curation], article_id: str, events: Sequence[Event],
           actors: Sequence[Actor]) -> tuple[list[Event], list[Actor]] | None:
    """What the store keeps of an article's analysis under ``rules``; None when the article was deleted."""
    if any(r.kind == "delete_article" and r.article_id == article_id for r in rules):
        return None
    if not rules:
        return list(events), list(actors)
    kept = apply_rules(rules, events)
    return kept, curate_actors(rules, actors, kept, before=events)
