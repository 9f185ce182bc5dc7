"""Curation in the store: an editor's rules (geo.curation) kept, applied to the stored events at once,
and applied again by every ingest and re-analysis (``curate_analysis``).

A mixin of ``geo.store.Store``: each method is one write transaction (``_run``) that checks its
input, changes the events the rule touches and records the rule, or changes nothing and raises
``InputError``/``NotFoundError``. Removing a rule stops it applying to later ingests; events it
removed come back when their article is re-analysed (``python -m geo reanalyse``) or ingested anew.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.curation import Curation, actor_name, apply_rule, curate, make_rule, place_subject
from geo.errors import InputError, NotFoundError
from geo.lexicon import load_taxonomy
from geo.models import Actor, Event
from geo.schema import actors_table, articles, curations_table, event_actors, event_row, events, row_event

logger = logging.getLogger(__name__)


def _stamp(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:  # SQLite drops the zone; it was UTC
        return value.replace(tzinfo=UTC)
    return value


def stored_rules(conn: Connection) -> list[Curation]:
    """Every rule, in the order they were made."""
    query = sa.select(curations_table).order_by(curations_table.c.seq, curations_table.c.curation_id)
    return [Curation(**{**dict(r), "created_at": _stamp(r["created_at"])})
            for r in conn.execute(query).mappings()]


def curate_analysis(conn: Connection, article_id: str, events_: Sequence[Event],
                    actors: Sequence[Actor]) -> tuple[list[Event], list[Actor]] | None:
    """An article's fresh analysis as the store keeps it under the rules in force; None if deleted.

    Only the rules that can touch it are read (everywhere, this article, one of these events),
    and only the columns that apply them: ingest runs this for every article it stores.
    """
    table = curations_table
    ids = [e.event_id for e in events_]
    reach = sa.and_(table.c.article_id.in_(["", article_id]),
                    sa.or_(table.c.event_id == "", *[table.c.event_id.in_(c) for c in _chunks(ids)]))
    query = (sa.select(*[table.c[name] for name in _APPLIED]).where(reach)
             .order_by(table.c.seq, table.c.curation_id))
    rules = [Curation(**dict(r)) for r in conn.execute(query).mappings()]
    return curate(rules, article_id, events_, actors)


_APPLIED = ("curation_id", "kind", "article_id", "event_id", "subject", "value", "seq")


def _contains(column: sa.Column[Any], name: str) -> sa.ColumnElement[bool]:
    # JSON lists are text written by json.dumps: the name's own JSON form is what they hold.
    return column.contains(json.dumps(name), autoescape=True)


def _naming(name: str) -> sa.ColumnElement[bool]:
    return sa.or_(_contains(events.c.actors, name), _contains(events.c.mentioned_actors, name),
                  _contains(events.c.actor_roles, name))


def _actor_row(conn: Connection, name: str) -> Actor | None:
    row = conn.execute(sa.select(actors_table).where(actors_table.c.name == name)).mappings().first()
    return None if row is None else Actor(row["name"], row["kind"], tuple(json.loads(row["aliases"])))


def _save_actor(conn: Connection, actor: Actor) -> None:
    aliases = json.dumps(list(dict.fromkeys(a for a in actor.aliases if a and a != actor.name)))
    if _actor_row(conn, actor.name) is None:
        conn.execute(actors_table.insert().values(name=actor.name, kind=actor.kind, aliases=aliases))
    else:
        conn.execute(actors_table.update().where(actors_table.c.name == actor.name).values(aliases=aliases))


CHUNK = 500  # ids per IN list: well under every backend's limit on bound parameters


def _chunks(ids: Sequence[str]) -> Iterable[list[str]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start:start + CHUNK])


# The event fields curation changes, with their columns' values (as geo.schema.event_row writes them).
_CURATED: dict[str, Callable[[Event], Any]] = {
    "actors": lambda e: json.dumps(list(e.actors)),
    "mentioned_actors": lambda e: json.dumps(list(e.mentioned_actors)),
    "actor_roles": lambda e: json.dumps([list(pair) for pair in e.actor_roles]),
    "event_type": lambda e: e.event_type,
}


def _changed_values(old: Event, new: Event) -> dict[str, Any]:
    """The columns to write for ``new`` in place of ``old``: the curated fields that differ, or the
    whole row if anything else does. Converting whole rows took half of a large rename's time."""
    differ = [f.name for f in fields(Event) if f.compare and getattr(old, f.name) != getattr(new, f.name)]
    if all(name in _CURATED for name in differ):
        return {name: _CURATED[name](new) for name in differ}
    return {k: v for k, v in event_row(new).items() if k != "event_id"}


def _rewrite(conn: Connection, before: Sequence[Event], after: Sequence[Event]) -> int:
    """Store ``after`` in place of ``before`` (same ids; those missing are deleted); events changed.

    Only the columns that changed are written, in one statement per set of columns: writing an
    indexed column (date, place) would make the database rewrite that index entry too, which
    made renaming an actor of 17,788 events take a minute (bench/curation.py).
    """
    old = {e.event_id: e for e in before}
    kept = {e.event_id: e for e in after}
    gone = [i for i in old if i not in kept]
    updates: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    relinked: list[Event] = []
    for event_id, event in kept.items():
        if event == old[event_id]:
            continue
        values = _changed_values(old[event_id], event)
        updates.setdefault(tuple(values), []).append({"_id": event_id, **values})
        if event.linked_actors != old[event_id].linked_actors:
            relinked.append(event)
    # Explicit deletes, so nothing depends on the backend enforcing ON DELETE CASCADE.
    for chunk in _chunks(gone + [e.event_id for e in relinked]):
        conn.execute(event_actors.delete().where(event_actors.c.event_id.in_(chunk)))
    for chunk in _chunks(gone):
        conn.execute(events.delete().where(events.c.event_id.in_(chunk)))
    for columns, rows in updates.items():
        if columns:
            statement = events.update().where(events.c.event_id == sa.bindparam("_id")).values(
                {c: sa.bindparam(c) for c in columns})
            conn.execute(statement, rows)
    links = [{"event_id": e.event_id, "actor": a} for e in relinked for a in e.linked_actors]
    if links:
        conn.execute(event_actors.insert(), links)
    return len(gone) + sum(len(rows) for rows in updates.values())


def _drop_unlinked(conn: Connection, names: Iterable[str]) -> None:
    wanted = sorted(set(names))
    if wanted:
        conn.execute(actors_table.delete().where(actors_table.c.name.in_(wanted),
                                                 actors_table.c.name.not_in(sa.select(event_actors.c.actor))))


class Curating:
    """Not a place; delete an event or an article; rename, merge and split actors; retype an event."""

    _run: Callable[..., Any]  # geo.store.Store._run

    # -- reading ------------------------------------------------------------------------------
    def curations(self) -> list[Curation]:
        """Every rule in force, oldest first."""
        return self._run(stored_rules)

    def remove_curation(self, curation_id: str) -> Curation:
        """Stop a rule applying to later ingests; what it changed stays until its articles are re-analysed."""

        def work(conn: Connection) -> Curation:
            found = [r for r in stored_rules(conn) if r.curation_id == curation_id]
            if not found:
                raise NotFoundError(f"no curation {curation_id!r}")
            conn.execute(curations_table.delete().where(curations_table.c.curation_id == curation_id))
            return found[0]

        rule = self._run(work, write=True)
        logger.info("curation removed: %s", rule.describe())
        return rule

    # -- the edits ----------------------------------------------------------------------------
    def mark_not_place(self, name: str, *, article_id: str = "", editor: str = "") -> int:
        """A name (in one article, or everywhere) is not a place: its events go. Returns how many."""
        key = place_subject(name)
        rule = make_rule("not_place", article_id=article_id, subject=key, label=" ".join(name.split()),
                         editor=editor)
        where = [events.c.place_key == key] + ([events.c.article_id == article_id] if article_id else [])
        where_text = f" in article {article_id}" if article_id else ""
        return self._record(rule, sa.and_(*where), f"no event is placed at {name!r}{where_text}")

    def delete_event(self, event_id: str, *, editor: str = "") -> int:
        def label(conn: Connection) -> str:
            quote = conn.execute(sa.select(events.c.quote).where(events.c.event_id == event_id)).scalar()
            return " ".join(str(quote or "").split())[:120]

        rule = make_rule("delete_event", event_id=event_id, label=self._run(label), editor=editor)
        return self._record(rule, events.c.event_id == event_id, f"no event {event_id!r}")

    def remove_article(self, article_id: str, *, editor: str = "") -> int:
        """Delete an article with its events; an ingest of it again stores nothing. Returns events gone."""
        title = self._run(lambda c: c.execute(
            sa.select(articles.c.title).where(articles.c.article_id == article_id)).scalar())
        if title is None:
            raise NotFoundError(f"no article {article_id!r}")
        rule = make_rule("delete_article", article_id=article_id, label=" ".join(title.split())[:120],
                         editor=editor)
        return self._record(rule, events.c.article_id == article_id, None)

    def rename_actor(self, old: str, new: str, *, editor: str = "") -> int:
        """Call actor ``old`` ``new`` everywhere; a merge when ``new`` exists. Returns events changed."""
        new = actor_name(new)
        if new == old:
            raise InputError(f"{old!r} is its name already")
        rule = make_rule("rename_actor", subject=old, value=new, editor=editor)
        return self._record(rule, _naming(old), f"no event names {old!r}", actor=old)

    def split_actor(self, old: str, new: str, *, article_ids: Iterable[str] = (),
                    event_ids: Iterable[str] = (), editor: str = "") -> int:
        """Call actor ``old`` ``new`` in the chosen articles and events only. Returns events changed."""
        new = actor_name(new)
        scopes = [("", e) for e in dict.fromkeys(event_ids) if e] + [
            (a, "") for a in dict.fromkeys(article_ids) if a]
        if not scopes:
            raise InputError("a split needs the articles or events whose mentions are the other actor")
        if new == old:
            raise InputError(f"{old!r} is its name already; give the other actor another name")
        rules = [make_rule("split_actor", article_id=a, event_id=e, subject=old, value=new, editor=editor)
                 for a, e in scopes]
        scope = sa.or_(*[events.c.article_id == a if a else events.c.event_id == e for a, e in scopes])
        return self._record_all(rules, sa.and_(_naming(old), scope),
                                f"no chosen article or event names {old!r}", actor=old)

    def set_event_type(self, event_id: str, event_type: str, *, editor: str = "") -> int:
        known = load_taxonomy().ids
        if event_type not in known:
            raise InputError(f"unknown event type {event_type!r}; one of {', '.join(known)}")
        rule = make_rule("event_type", event_id=event_id, value=event_type, editor=editor)
        return self._record(rule, events.c.event_id == event_id, f"no event {event_id!r}")

    # -- plumbing -----------------------------------------------------------------------------
    def _record(self, rule: Curation, touched: sa.ColumnElement[bool], missing: str | None,
                actor: str | None = None) -> int:
        return self._record_all([rule], touched, missing, actor=actor)

    def _record_all(self, rules: list[Curation], touched: sa.ColumnElement[bool], missing: str | None,
                    actor: str | None = None) -> int:
        """Apply ``rules`` to the stored events ``touched`` selects and keep them, in one transaction.

        ``missing``: the refusal when no stored event is in the rules' reach (None: allowed). A rule
        that changes nothing today (a type the event has already) is kept: it pins the decision.
        ``actor``: the actor the rules rename, which must be stored.
        """

        def work(conn: Connection) -> int:
            source = None
            if actor is not None:
                source = _actor_row(conn, actor)
                if source is None:
                    raise NotFoundError(f"no actor {actor!r}")
            before = [row_event(r) for r in conn.execute(sa.select(events).where(touched)).mappings()]
            after = before
            for rule in rules:
                after = apply_rule(rule, after)
            if missing is not None and not before:
                raise NotFoundError(missing)
            if source is not None:
                _merge_actor(conn, rules[0], source)
            changed = _rewrite(conn, before, after)
            if rules[0].kind == "delete_article":
                conn.execute(articles.delete().where(articles.c.article_id == rules[0].article_id))
            _drop_unlinked(conn, {n for e in before for n in e.linked_actors})
            table = curations_table
            seq = int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.seq), 0))).scalar())
            for n, rule in enumerate(rules, start=1):
                conn.execute(table.delete().where(table.c.curation_id == rule.curation_id))
                conn.execute(table.insert().values(
                    curation_id=rule.curation_id, seq=seq + n, kind=rule.kind, article_id=rule.article_id,
                    event_id=rule.event_id, subject=rule.subject, value=rule.value, label=rule.label,
                    editor=rule.editor, created_at=datetime.now(UTC)))
            return changed

        changed = self._run(work, write=True)
        for rule in rules:
            logger.info("curation by %s: %s; %d event(s) changed", rule.editor or "someone", rule.describe(),
                        changed)
        return changed


def _merge_actor(conn: Connection, rule: Curation, source: Actor) -> None:
    """The actor record the renamed mentions point to: the target's own if it exists (a merge),
    else a new one of the source's kind; a full rename carries the old name and aliases along."""
    target = _actor_row(conn, rule.value)
    aliases = target.aliases if target is not None else ()
    if rule.kind == "rename_actor":
        aliases = (*aliases, source.name, *source.aliases)
    _save_actor(conn, Actor(rule.value, target.kind if target is not None else source.kind, aliases))
