"""Summaries of a view too large to load event by event, counted in SQL.

The Timeline, Actors and Sources pages list events one by one up to
``ui.MAX_DETAIL_EVENTS``; above that they draw from these counts instead. The filters mean what they mean
for the map (``geo.overview.MapFilters``), and the queries run on the store's own
engine in one read transaction, using only portable SQL.

A "place" here is what the map draws as one point: the same coordinates and
precision (``geo.overview``).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.overview import MapFilters, conditions, outside_window, run_read, wide_window
from geo.schema import event_actors, events
from geo.store import Store

logger = logging.getLogger(__name__)

ACTOR_COLUMNS = ["actor", "events", "places", "first", "last"]
PAIRS_LIMIT = 200  # pairs of actors a large view lists, most shared events first
TIMELINE_ACTORS = 25  # rows of a large view's timeline: its busiest actors
# Each matching event once per actor named in it.
WITH_ACTORS = events.join(event_actors, event_actors.c.event_id == events.c.event_id)


def _iso(value: object) -> str:
    # Dates are selected as min(date) typed String, so SQLite's ISO text is not parsed per row;
    # drivers with a native date type still return date objects.
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


def actor_counts(store: Store, filters: MapFilters | None = None) -> pd.DataFrame:
    """Each actor of the matching events: events, places, first and last date; most events first.

    The same table as ``geo.summaries.actor_table`` gives for a short list of events,
    except that places are counted as map points rather than as names written.
    """
    filters = filters or MapFilters()

    def work(conn: Connection) -> list[tuple[object, ...]]:
        # Per actor and place first, so that places can be counted without a DISTINCT over
        # three columns (not portable); the columns come from the covering id index.
        per_place = (
            sa.select(event_actors.c.actor, events.c.lat, sa.func.count().label("n"),
                      sa.func.min(events.c.date, type_=sa.String).label("first"),
                      sa.func.max(events.c.date, type_=sa.String).label("last"))
            .select_from(WITH_ACTORS)
            .where(*conditions(conn, filters))
            .group_by(event_actors.c.actor, events.c.lat, events.c.lon, events.c.place_precision)
            .subquery()
        )
        query = (sa.select(per_place.c.actor, sa.func.sum(per_place.c.n), sa.func.count(per_place.c.lat),
                           sa.func.min(per_place.c.first), sa.func.max(per_place.c.last))
                 .group_by(per_place.c.actor))
        return [tuple(row) for row in conn.execute(query)]

    rows = [(actor, int(n), int(places), _iso(first), _iso(last))
            for actor, n, places, first, last in run_read(store, work)]
    frame = pd.DataFrame(rows, columns=ACTOR_COLUMNS)
    return frame.sort_values(["events", "actor"], ascending=[False, True], ignore_index=True)


def actor_totals(store: Store, filters: MapFilters | None = None) -> pd.DataFrame:
    """Each actor's number of matching events (columns actor, events), most first.

    The first two columns of ``actor_counts`` at a fraction of its cost: no places, so
    with no filter on the events themselves the actor index alone answers.
    """
    filters = filters or MapFilters()

    def counts(conn: Connection, where: Sequence[sa.ColumnElement[bool]], *,
               joined: bool = True) -> Counter[str]:
        source = WITH_ACTORS if where and joined else event_actors
        query = (sa.select(event_actors.c.actor, sa.func.count()).select_from(source).where(*where)
                 .group_by(event_actors.c.actor))
        return Counter({str(a): int(n) for a, n in conn.execute(query)})

    def work(conn: Connection) -> Counter[str]:
        if replace(filters, date_from=None, date_to=None) == MapFilters() and wide_window(conn, filters):
            # A story's period keeps most events: count all of them from the actor index alone and
            # take away the few outside it (0.2 s against 2.3 s for a million events).
            found = counts(conn, [])
            for term in outside_window(filters):
                # As a list of ids from the date index: a join here would walk every actor's events.
                found.subtract(counts(conn, [event_actors.c.event_id.in_(
                    sa.select(events.c.event_id).where(term))], joined=False))
            return +found  # without the actors left at zero
        return counts(conn, conditions(conn, filters))

    frame = pd.DataFrame(list(run_read(store, work).items()), columns=["actor", "events"])
    return frame.sort_values(["events", "actor"], ascending=[False, True], ignore_index=True)


def type_totals(store: Store, filters: MapFilters | None = None) -> dict[str, int]:
    """Each event type's number of matching events (types with none are left out)."""
    filters = filters or MapFilters()

    def work(conn: Connection) -> list[tuple[object, ...]]:
        query = (sa.select(events.c.event_type, sa.func.count()).where(*conditions(conn, filters))
                 .group_by(events.c.event_type))
        return [tuple(row) for row in conn.execute(query)]

    return {str(t): int(n) for t, n in run_read(store, work) if t}  # type: ignore[call-overload]


def event_count(store: Store, filters: MapFilters | None = None) -> int:
    """How many events match, with a place or without."""
    filters = filters or MapFilters()

    def work(conn: Connection) -> int:
        return int(conn.execute(sa.select(sa.func.count()).select_from(events)
                                .where(*conditions(conn, filters))).scalar_one())

    return run_read(store, work)


def actor_days(store: Store, filters: MapFilters, actors: Sequence[str]) -> pd.DataFrame:
    """Matching events per day for each of ``actors``: columns date (ISO), actor, events."""
    if not actors:
        return pd.DataFrame(columns=["date", "actor", "events"])

    def work(conn: Connection) -> list[tuple[object, ...]]:
        query = (
            sa.select(sa.func.min(events.c.date, type_=sa.String), event_actors.c.actor, sa.func.count())
            .select_from(WITH_ACTORS)
            .where(*conditions(conn, filters), event_actors.c.actor.in_(list(actors)))
            .group_by(events.c.date, event_actors.c.actor)
        )
        return [tuple(row) for row in conn.execute(query)]

    rows = [(_iso(day), actor, int(n)) for day, actor, n in run_read(store, work)]
    frame = pd.DataFrame(rows, columns=["date", "actor", "events"])
    return frame.sort_values(["date", "actor"], ignore_index=True)


def day_counts(store: Store, filters: MapFilters | None = None) -> pd.DataFrame:
    """Matching events per day, with or without actors: columns date (ISO), events."""
    filters = filters or MapFilters()

    def work(conn: Connection) -> list[tuple[object, ...]]:
        query = (sa.select(sa.func.min(events.c.date, type_=sa.String), sa.func.count())
                 .where(*conditions(conn, filters)).group_by(events.c.date))
        return [tuple(row) for row in conn.execute(query)]

    rows = [(_iso(day), int(n)) for day, n in run_read(store, work)]
    return pd.DataFrame(rows, columns=["date", "events"]).sort_values("date", ignore_index=True)


def timeline_data(store: Store, filters: MapFilters | None = None, *,
                  top: int = TIMELINE_ACTORS) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """The Timeline's data: days of the ``top`` busiest actors, day totals, and how many actors."""
    filters = filters or MapFilters()
    named = actor_totals(store, filters)
    days = actor_days(store, filters, list(named["actor"][:top]))
    logger.debug("timeline of %d actors (%d shown) for %s", len(named), min(top, len(named)), filters)
    return days, day_counts(store, filters), len(named)


def placeless_count(store: Store, filters: MapFilters | None = None) -> int:
    """How many matching events have no place (never on the map, counted everywhere else).

    A seek on the map index, which starts with lat: no event row is read.
    """
    filters = filters or MapFilters()

    def work(conn: Connection) -> int:
        query = sa.select(sa.func.count()).select_from(events).where(*conditions(conn, filters),
                                                                     events.c.lat.is_(None))
        return int(conn.execute(query).scalar_one())

    return run_read(store, work)


def source_counts(store: Store, filters: MapFilters | None = None) -> pd.DataFrame:
    """Each source of the matching events and its number of events; most events first.

    Articles are not counted: that needs every event row (8 s at a million events),
    where events per source come from the map's covering index.
    """
    filters = filters or MapFilters()

    def work(conn: Connection) -> list[tuple[object, ...]]:
        query = (sa.select(events.c.source, sa.func.count())
                 .where(*conditions(conn, filters)).group_by(events.c.source))
        return [tuple(row) for row in conn.execute(query)]

    rows = [(str(source), int(n)) for source, n in run_read(store, work)]
    frame = pd.DataFrame(rows, columns=["source", "events"])
    return frame.sort_values(["events", "source"], ascending=[False, True], ignore_index=True)


def actor_pairs(store: Store, filters: MapFilters | None = None, *, limit: int = PAIRS_LIMIT) -> pd.DataFrame:
    """The ``limit`` most frequent pairs of actors named in the same matching event.

    The columns of ``geo.summaries.co_occurrence``: actor, with (the later name in
    code-point order), shared events; most shared first.
    """
    filters = filters or MapFilters()
    one, other = event_actors.alias("one"), event_actors.alias("other")

    def work(conn: Connection) -> list[tuple[object, ...]]:
        # Actors seen together are actors the text puts at the same place: an event without a
        # place links the actors it merely names, so it is left out.
        where = [*conditions(conn, filters), events.c.lat.is_not(None)]
        shared = sa.func.count().label("shared")
        query = (sa.select(one.c.actor, other.c.actor, shared)
                 .select_from(one.join(other, sa.and_(one.c.event_id == other.c.event_id,
                                                      one.c.actor < other.c.actor)))
                 .where(one.c.event_id.in_(sa.select(events.c.event_id).where(*where)))
                 .group_by(one.c.actor, other.c.actor)
                 .order_by(shared.desc(), one.c.actor, other.c.actor)
                 .limit(limit))
        return [tuple(row) for row in conn.execute(query)]

    rows = [(a, b, int(n)) for a, b, n in run_read(store, work)]
    return pd.DataFrame(rows, columns=["actor", "with", "shared events"])
