"""The event store: SQLAlchemy Core over SQLite by default, any URL from ``Settings.db_url``.

Only portable types and SQL are used (JSON is kept as text), so that a
PostgreSQL URL works without code changes; the SQLite pragmas are applied in a
connect hook only when the dialect is SQLite (``geo.engine``). Tables and row
conversions are in ``geo.schema``; here are the lock retries and the ``Store`` API.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from geo.config import Settings
from geo.corrections import Corrections
from geo.curating import Curating, curate_analysis
from geo.engine import is_locked, open_engine
from geo.errors import NotFoundError, StoreError
from geo.models import Actor, Article, Event
from geo.redact import redact_text, redact_url
from geo.schema import (
    SCHEMA_VERSION,
    Override,
    actors_table,
    articles,
    canonical_actor_names,
    create_schema,
    event_actors,
    event_row,
    events,
    meta,
    metadata,
    parse_schema_version,
    place_key,
    refresh_statistics,
    row_article,
    row_event,
    shown_value,
    unindexed,
    upsert_actors,
    version_error,
)
from geo.stories import Stories, in_story

logger = logging.getLogger(__name__)

# The API; all but Store live in geo.schema now and are re-exported from here.
__all__ = ["SCHEMA_VERSION", "Override", "Store", "meta", "metadata", "place_key"]

LOCK_RETRIES = 4  # on top of SQLite's own busy wait (geo.engine.BUSY_TIMEOUT_MS)
T = TypeVar("T")


class _AlreadyStored(Exception):
    """Internal: the article is in the store already, so its transaction rolls back."""


class _Refused(Exception):
    """Internal: the database refused a row (a constraint, a trigger); the transaction rolls back."""

    def __init__(self, err: IntegrityError, *, article_row: bool) -> None:
        super().__init__(str(err.orig))
        self.article_row = article_row  # the article's own row, not one of its events or links


class Store(Corrections, Curating, Stories):
    """Articles, their events, actors, place overrides and curation rules, behind one database URL."""

    def __init__(self, url: str, *, as_is: bool = False) -> None:
        """Open the store at ``url``, creating or upgrading its tables and indexes.

        ``as_is=True`` opens an existing store without adding anything (tables, indexes,
        statistics); the benchmarks use it to measure copies with some indexes removed.
        A SQLite store on a read-only disk opens for reading only (``read_only``): every
        write then raises ``StoreError`` and changes nothing.
        """
        self._engine, self.read_only = open_engine(url)
        self._shown = repr(redact_url(url))
        self._database = sa.engine.make_url(url).database  # named in messages; never the password
        if self.read_only:
            as_is = True  # nothing can be created or upgraded on a read-only disk
        if as_is:
            self._check_version()
            return
        for attempt in range(3):
            try:
                self._run(create_schema, write=True)
                break
            except StoreError as err:
                # Two first openers may both insert the schema version; the loser finds it made.
                cause = err.__cause__
                racing = isinstance(cause, IntegrityError) or "already exists" in str(cause)
                if attempt == 2 or not racing:
                    self._engine.dispose()
                    raise

    def _check_version(self) -> None:
        def work(conn: Connection) -> str | None:
            return conn.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).scalar()

        try:
            found = self._run(work)
        except StoreError:
            self._engine.dispose()
            raise
        try:
            version = parse_schema_version(found)
        except StoreError:
            self._engine.dispose()
            raise
        if version != SCHEMA_VERSION:
            self._engine.dispose()
            raise version_error(version)

    @classmethod
    def from_settings(cls, settings: Settings) -> Store:
        return cls(settings.db_url)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self._shown})"

    # -- plumbing ---------------------------------------------------------------
    def _run(self, work: Callable[[Connection], T], *, write: bool = False) -> T:
        """Run ``work`` in one transaction; retry it whole while the database is locked."""
        if write and self.read_only:
            raise StoreError("the store is on a read-only disk: nothing can be added or changed")
        delay = 0.2
        for attempt in range(LOCK_RETRIES + 1):
            try:
                with self._engine.connect() as conn:
                    if not write:
                        return work(conn)  # one read transaction, rolled back on close
                    conn = conn.execution_options(geostory_write=True)
                    with conn.begin():
                        return work(conn)
            except OperationalError as err:
                if not is_locked(err) or attempt == LOCK_RETRIES:
                    what = "still locked by another writer" if is_locked(err) else "not usable"
                    raise StoreError(f"database {self._database!r} is {what}: "
                                     f"{self._driver_words(err)}") from err
                logger.warning("database locked, retry %d/%d in %.1f s", attempt + 1, LOCK_RETRIES, delay)
                time.sleep(delay)
                delay *= 2
            except SQLAlchemyError as err:
                # The driver's message, not SQLAlchemy's, which repeats the statement and its data.
                raise StoreError(f"database error: {self._driver_words(err)}") from err
        raise AssertionError("unreachable")  # the loop returns or raises

    def _driver_words(self, err: SQLAlchemyError) -> str:
        """The driver's message, not SQLAlchemy's (which repeats the statement and its data), masked:
        a driver may quote its connection string."""
        password = self._engine.url.password
        return redact_text(str(getattr(err, "orig", None) or err), [password] if password else [])

    # -- writes -----------------------------------------------------------------
    def add_article(self, article: Article, events_: Sequence[Event], actors: Iterable[Actor] = ()) -> bool:
        """Store an article with its events and actors, all or nothing.

        Returns False, changing nothing, when the article is stored already.
        """
        article_id = article.article_id
        stray = [e.event_id for e in events_ if e.article_id != article_id]
        if stray:
            raise StoreError(f"events {stray[:3]} do not belong to article {article_id}")
        actor_list = list(actors)

        def work(conn: Connection) -> bool:
            # Looked up inside the write transaction: on SQLite it holds the write lock already, so
            # nothing can land between this look and the insert. Any error below is then a refusal,
            # never a duplicate (a CHECK, a trigger's RAISE, a NOT NULL).
            found = conn.execute(sa.select(articles.c.article_id).where(articles.c.article_id == article_id))
            if found.first() is not None:
                raise _AlreadyStored  # leaves the transaction by rolling it back
            curated = curate_analysis(conn, article_id, events_, actor_list)  # the editors' rules
            if curated is None:
                logger.info("article %s was deleted by an editor; it is not stored again", article_id)
                raise _AlreadyStored
            kept, kept_actors = curated
            try:
                conn.execute(articles.insert().values(
                    article_id=article_id, title=article.title, published=article.published,
                    source=article.source, url=article.url, origin=article.origin, text=article.text,
                    ingested_at=datetime.now(UTC), story=article.story,
                ))
            except IntegrityError as err:
                raise _Refused(err, article_row=True) from err
            try:
                _insert_events(conn, article_id, kept)
            except IntegrityError as err:
                raise _Refused(err, article_row=False) from err
            upsert_actors(conn, kept_actors)
            return True

        try:
            added = self._run(work, write=True)
        except _AlreadyStored:
            added = False
        except _Refused as refused:
            # PostgreSQL reads committed rows: another process may have stored the article between
            # the look above and the insert. Only then is the refusal a duplicate.
            if not (refused.article_row and self.has_article(article_id)):
                reason = shown_value(str(refused), 200)
                raise StoreError(f"the database refused article {article_id} ({reason}); nothing was stored"
                                 ) from refused.__cause__
            added = False
        if added:
            logger.info("stored article %s with %d events", article_id, len(events_))
        else:
            logger.info("article %s is stored already; nothing changed", article_id)
        return added

    def refresh_statistics(self) -> None:
        """Update the query planner's statistics; ingest calls this after each batch."""
        self._run(refresh_statistics, write=True)

    def delete_article(self, article_id: str) -> None:
        """Remove an article, its events, and actors left with no event at all."""

        def work(conn: Connection) -> None:
            names = _drop_events(conn, article_id)
            if conn.execute(articles.delete().where(articles.c.article_id == article_id)).rowcount == 0:
                raise NotFoundError(f"no article {article_id!r}")
            _drop_unlinked_actors(conn, names)

        self._run(work, write=True)

    def replace_events(self, article_id: str, events_: Sequence[Event], actors: Iterable[Actor] = ()
                       ) -> tuple[int, int]:
        """Put a stored article's events anew (a re-analysis), all or nothing; (before, after) counts.

        The article itself stays as stored; actors its old events alone named are dropped.
        """
        stray = [e.event_id for e in events_ if e.article_id != article_id]
        if stray:
            raise StoreError(f"events {stray[:3]} do not belong to article {article_id}")
        actor_list = list(actors)

        def work(conn: Connection) -> tuple[int, int]:
            if conn.execute(sa.select(articles.c.article_id).where(articles.c.article_id == article_id)
                            ).first() is None:
                raise NotFoundError(f"no article {article_id!r}")
            before = conn.execute(sa.select(sa.func.count()).select_from(events)
                                  .where(events.c.article_id == article_id)).scalar_one()
            names = _drop_events(conn, article_id)
            kept, kept_actors = curate_analysis(conn, article_id, events_, actor_list) or ([], [])
            _insert_events(conn, article_id, kept)
            upsert_actors(conn, kept_actors)
            _drop_unlinked_actors(conn, names)
            return int(before), len(kept)

        return self._run(work, write=True)

    # -- reads ------------------------------------------------------------------
    def events(
        self, *, actors: Iterable[str] | None = None, date_from: date | None = None,
        date_to: date | None = None, countries: Iterable[str] | None = None,
        sources: Iterable[str] | None = None, article_ids: Iterable[str] | None = None,
        event_types: Iterable[str] | None = None, limit: int | None = None, story: str | None = None,
        offset: int = 0,
    ) -> list[Event]:
        """Events in story order; each filter narrows, an actor filter matches ANY of the names;
        ``limit`` and ``offset`` give one page of them (the event feed of a large view).

        Actor names may be canonical names or known aliases, in any case.
        """
        query = sa.select(events).join(articles, articles.c.article_id == events.c.article_id)
        if date_from is not None:
            query = query.where(events.c.date >= date_from)
        if date_to is not None:
            query = query.where(events.c.date <= date_to)
        if countries is not None:
            query = query.where(events.c.country_code.in_([c.upper() for c in countries]))
        if sources is not None:
            query = query.where(events.c.source.in_(list(sources)))
        if article_ids is not None:
            query = query.where(events.c.article_id.in_(list(article_ids)))
        if event_types is not None:
            query = query.where(events.c.event_type.in_(list(event_types)))
        if story is not None:
            query = query.where(in_story(story))
        query = query.order_by(
            events.c.date, articles.c.published.is_(None), articles.c.published, events.c.article_id,
            events.c.sentence_start, events.c.place_start, events.c.event_id,
        ).limit(limit).offset(offset or None)
        wanted = list(actors) if actors is not None else None

        def work(conn: Connection) -> list[Event]:
            q = query
            if wanted is not None:
                names = canonical_actor_names(conn, wanted)
                ids = sa.select(event_actors.c.event_id).where(event_actors.c.actor.in_(names))
                # One page of a busy actor's events: walk the date index in order and check each id
                # against the actor's, rather than sort them all (0.1 s against 1.9 s for 179,000
                # of a million events). A rare actor's are few to sort, and the walk would be long.
                busy = limit is not None and conn.dialect.name == "sqlite" and _busy(conn, ids)
                q = q.where((unindexed(events.c.event_id) if busy else events.c.event_id).in_(ids))
            return [row_event(r) for r in conn.execute(q).mappings()]

        return self._run(work)

    def has_article(self, article_id: str) -> bool:
        query = sa.select(articles.c.article_id).where(articles.c.article_id == article_id)
        return self._run(lambda c: c.execute(query).first() is not None)

    def _first(self, query: sa.Select[Any], missing: str) -> Any:
        row = self._run(lambda c: c.execute(query).mappings().first())
        if row is None:
            raise NotFoundError(missing)
        return row

    def event(self, event_id: str) -> Event:
        return row_event(self._first(sa.select(events).where(events.c.event_id == event_id),
                                      f"no event {event_id!r}"))

    def articles(self) -> list[tuple[str, Article]]:
        """(article_id, Article) pairs, by published date then ingest time."""
        query = sa.select(articles).order_by(articles.c.published.is_(None), articles.c.published,
                                             articles.c.ingested_at, articles.c.article_id)
        rows = self._run(lambda c: c.execute(query).mappings().all())
        return [(r["article_id"], row_article(r)) for r in rows]

    def article(self, article_id: str) -> Article:
        return row_article(self._first(sa.select(articles).where(articles.c.article_id == article_id),
                                        f"no article {article_id!r}"))

    def actors(self) -> list[tuple[Actor, int]]:
        """Every actor with the number of events naming it, most events first."""
        count = sa.func.count(event_actors.c.event_id).label("n")
        query = (
            sa.select(actors_table, count)
            .outerjoin(event_actors, event_actors.c.actor == actors_table.c.name)
            .group_by(actors_table.c.name, actors_table.c.kind, actors_table.c.aliases)
            .order_by(count.desc(), actors_table.c.name)
        )
        rows = self._run(lambda c: c.execute(query).mappings().all())
        return [(Actor(r["name"], r["kind"], tuple(json.loads(r["aliases"]))), int(r["n"])) for r in rows]

    def date_range(self, *, background: bool | None = None,
                   story: str | None = None) -> tuple[date, date] | None:
        """The first and last event dates (of one ``story``'s events); ``background=False``: of the
        story's own events only, leaving out asides ("last month", "in 2013")."""
        query = sa.select(sa.func.min(events.c.date), sa.func.max(events.c.date))
        if background is not None:
            query = query.where(events.c.background == background)
        if story is not None:
            query = query.where(in_story(story))
        row = self._run(lambda c: c.execute(query).one())
        return None if row[0] is None else (row[0], row[1])

    def _value_counts(self, column: sa.Column[Any]) -> list[tuple[Any, int]]:
        """Distinct non-empty values of an events column with their event counts, in value order."""
        count = sa.func.count().label("n")
        query = (sa.select(column, count).where(column.is_not(None), column != "")
                 .group_by(column).order_by(column))
        return [(r[0], int(r[1])) for r in self._run(lambda c: c.execute(query).all())]

    def countries(self) -> list[tuple[str, int]]:
        """Each country code that events have, with its number of events (the filters' options)."""
        return self._value_counts(events.c.country_code)

    def event_types(self) -> list[tuple[str, int]]:
        """Each event type that events have, with its number of events."""
        return self._value_counts(events.c.event_type)

    def sources(self) -> list[tuple[str, int]]:
        """Each source that events have, with its number of events."""
        return self._value_counts(events.c.source)

    def first_published(self, story: str | None = None) -> date | None:
        """The earliest published date among articles (of ``story``) that have events."""
        with_events = sa.select(events.c.article_id)
        query = sa.select(sa.func.min(articles.c.published)).where(articles.c.article_id.in_(with_events))
        if story is not None:
            query = query.where(articles.c.story == story)
        return self._run(lambda c: c.execute(query).scalar_one())

    def count_events(self, *, date_from: date | None = None, date_to: date | None = None) -> int:
        """How many events fall in a date range (open ends allowed), without loading them."""
        query = sa.select(sa.func.count()).select_from(events)
        if date_from is not None:
            query = query.where(events.c.date >= date_from)
        if date_to is not None:
            query = query.where(events.c.date <= date_to)
        return int(self._run(lambda c: c.execute(query).scalar_one()))

    def counts(self) -> dict[str, int]:
        def work(conn: Connection) -> dict[str, int]:
            return {
                name: int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
                for name, table in (("articles", articles), ("events", events), ("actors", actors_table))
            }

        return self._run(work)


BUSY_SHARE = 20  # an actor in at least 1 of this many stored events is "busy" (see Store.events)


def _busy(conn: Connection, ids: sa.Select[Any]) -> bool:
    # Two index-only counts: the actor's event ids and all the events.
    mine = conn.execute(sa.select(sa.func.count()).select_from(ids.subquery())).scalar_one()
    total = conn.execute(sa.select(sa.func.count()).select_from(events)).scalar_one()
    return int(mine) * BUSY_SHARE >= int(total)


def _insert_events(conn: Connection, article_id: str, events_: Sequence[Event]) -> None:
    """An article's events and their actor links; an IntegrityError is the database's refusal."""
    if not events_:
        return
    conn.execute(events.insert(), [event_row(e) for e in events_])
    # A trigger may drop rows without an error; an article must never lose its events.
    kept = conn.execute(sa.select(sa.func.count()).select_from(events)
                        .where(events.c.article_id == article_id)).scalar_one()
    if kept != len(events_):
        raise StoreError(f"the database kept {kept} of article {article_id}'s {len(events_)} "
                         "events (a trigger?); nothing was stored")
    links = {(e.event_id, name) for e in events_ for name in e.linked_actors}
    if links:
        conn.execute(event_actors.insert(), [{"event_id": i, "actor": a} for i, a in sorted(links)])


def _drop_events(conn: Connection, article_id: str) -> set[str]:
    """Delete an article's events and links; the actors they were linked to."""
    ids = sa.select(events.c.event_id).where(events.c.article_id == article_id)
    linked = sa.select(event_actors.c.actor).where(event_actors.c.event_id.in_(ids))
    names = set(conn.execute(linked).scalars())
    # Explicit deletes, so nothing depends on the backend enforcing ON DELETE CASCADE.
    conn.execute(event_actors.delete().where(event_actors.c.event_id.in_(ids)))
    conn.execute(events.delete().where(events.c.article_id == article_id))
    return names


def _drop_unlinked_actors(conn: Connection, names: set[str]) -> None:
    """Forget those of ``names`` that no event is linked to any more."""
    if names:
        still = sa.select(event_actors.c.actor)
        conn.execute(actors_table.delete().where(
            actors_table.c.name.in_(sorted(names)), actors_table.c.name.not_in(still)))
