"""The map's lean query path: matching events counted and grouped by place in SQL.

``Store.events`` materialises every matching ``Event`` (JSON columns parsed,
candidates rebuilt), which is what a card or an export needs but far more than
a map of a large store does. Here the same filters select the same events, and
the database returns one row per place: where it is, how many events, their
first and last date. A second query names only the places the map will name
(all of them, or each density cell's busiest) and finds the event a click on
the place opens. No event row reaches Python.

A place is what the map draws as one point: events at the same coordinates
with the same precision (stored coordinates are the resolver's, so mentions of
one place have equal coordinates).

The result is columnar (numpy arrays, one entry per place, busiest first), so
that binning 20,000 places costs milliseconds, and it pickles for Streamlit's
``st.cache_data``. The queries run on the store's own engine, so SQLite's
pragmas and the one-snapshot ``BEGIN`` apply, and use only portable SQL.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from geo.errors import StoreError
from geo.schema import canonical_actor_names, event_actors, events, unindexed
from geo.store import Store
from geo.stories import in_story

logger = logging.getLogger(__name__)

AREA_PRECISIONS = ("country", "admin1")
DETAIL_CHUNK = 400  # places per detail query: 4 bound values each, well under SQLite's limit
T = TypeVar("T")


@dataclass(frozen=True)
class MapFilters:
    """The sidebar's filters, as ``Store.events`` takes them; empty means no filter."""

    actors: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    countries: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    types: tuple[str, ...] = ()  # event types
    story: str | None = None  # one story's articles (geo.stories); None: every article

    @classmethod
    def of(cls, *, actors: Iterable[str] | None = None, date_from: date | None = None,
           date_to: date | None = None, countries: Iterable[str] | None = None,
           sources: Iterable[str] | None = None, types: Iterable[str] | None = None,
           story: str | None = None) -> MapFilters:
        return cls(tuple(actors or ()), date_from, date_to, tuple(countries or ()), tuple(sources or ()),
                   tuple(types or ()), story)


@dataclass(frozen=True)
class PlaceCount:
    """One place on the map and the matching events there."""

    lat: float
    lon: float
    precision: str
    count: int
    first: date
    last: date
    # Filled for the places a map names (see ``place_counts``); "" otherwise.
    name: str = ""  # the gazetteer's name when the events have one, else the name as written
    country_code: str = ""
    event_id: str = ""  # the latest matching event here (ties: the largest id): what a click opens

    @property
    def is_area(self) -> bool:
        return self.precision in AREA_PRECISIONS


@dataclass(frozen=True, eq=False)
class Overview:
    """The matching events grouped by place: parallel arrays, busiest place first."""

    filters: MapFilters
    lat: np.ndarray  # float64
    lon: np.ndarray
    precision: tuple[str, ...]
    count: np.ndarray  # int64
    first: np.ndarray  # datetime64[D]
    last: np.ndarray
    # index -> (name, country code, latest event id), for the places that were described
    described: Mapping[int, tuple[str, str, str]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.count)

    @property
    def total(self) -> int:
        """How many events match (each matching event is in exactly one place)."""
        return int(self.count.sum())

    @property
    def first_day(self) -> date | None:
        return self.first.min().item() if len(self) else None

    @property
    def last_day(self) -> date | None:
        return self.last.max().item() if len(self) else None

    def place(self, i: int) -> PlaceCount:
        name, cc, event_id = self.described.get(i, ("", "", ""))
        return PlaceCount(lat=float(self.lat[i]), lon=float(self.lon[i]), precision=self.precision[i],
                          count=int(self.count[i]), first=self.first[i].item(), last=self.last[i].item(),
                          name=name, country_code=cc, event_id=event_id)

    @property
    def places(self) -> list[PlaceCount]:
        return [self.place(i) for i in range(len(self))]


def store_engine(store: Store) -> Engine:
    """The store's engine (its pragmas and snapshot ``BEGIN`` come with it).

    ``Store`` has no public accessor yet; a ``Store.engine`` property is what this should read.
    """
    engine = getattr(store, "engine", None)
    return engine if isinstance(engine, Engine) else store._engine


def wide_window(conn: Connection, filters: MapFilters) -> bool:
    """Whether the date filter leaves out fewer than half of the stored events (SQLite only).

    Plain counts from the date index alone: about 0.06 s for the most a million events can cost
    (a LIMIT to stop early made each counted entry three times dearer).
    """
    if conn.dialect.name != "sqlite" or (filters.date_from is None and filters.date_to is None):
        return False
    total = int(conn.execute(sa.select(sa.func.count()).select_from(events)).scalar_one())
    outside = sum(int(conn.execute(sa.select(sa.func.count()).select_from(events).where(term)).scalar_one())
                  for term in outside_window(filters))
    return outside * 2 < total


def outside_window(filters: MapFilters) -> list[sa.ColumnElement[bool]]:
    """The date ranges that the filter leaves out, one term each (an OR of the two defeats the index)."""
    terms: list[sa.ColumnElement[bool]] = []
    if filters.date_from is not None:
        terms.append(events.c.date < filters.date_from)
    if filters.date_to is not None:
        terms.append(events.c.date > filters.date_to)
    return terms


def conditions(conn: Connection, filters: MapFilters, *,
                per_row: bool = False) -> list[sa.ColumnElement[bool]]:
    """The WHERE terms ``Store.events`` applies, with the same meaning.

    ``per_row`` states the actor filter as a check on each row (EXISTS) rather than a list to
    start from (IN): a query that starts from a few places must not walk an actor's every event
    for each of them, which SQLite with statistics chose to do.
    """
    where: list[sa.ColumnElement[bool]] = []
    # A window that keeps most events is checked on each row read anyway: walking the date index
    # would read nearly every row by its id (3.0 s against 0.6 s for the map's counts of a
    # million events, bench/dashboard.py), and SQLite's statistics do not tell it so.
    day = unindexed(events.c.date) if wide_window(conn, filters) else events.c.date
    if filters.date_from is not None:
        where.append(day >= filters.date_from)
    if filters.date_to is not None:
        where.append(day <= filters.date_to)
    if filters.countries:
        where.append(events.c.country_code.in_([c.upper() for c in filters.countries]))
    if filters.sources:
        where.append(events.c.source.in_(list(filters.sources)))
    if filters.types:
        where.append(events.c.event_type.in_(list(filters.types)))
    if filters.story is not None:
        where.append(in_story(filters.story))
    if filters.actors:
        names = canonical_actor_names(conn, filters.actors)  # aliases and case, as Store.events
        if per_row:
            where.append(sa.exists().where(event_actors.c.event_id == events.c.event_id,
                                           event_actors.c.actor.in_(names)))
        else:
            where.append(events.c.event_id.in_(
                sa.select(event_actors.c.event_id).where(event_actors.c.actor.in_(names))))
    return where


def _place_query(where: Sequence[sa.ColumnElement[bool]]) -> sa.Select[Any]:
    # Only columns an index on (lat, lon, place_precision, date, ...) holds, so no table row is read.
    # Dates come back as ISO text on SQLite (typed String: no per-row parsing in Python).
    return (
        sa.select(events.c.lat, events.c.lon, events.c.place_precision, sa.func.count(),
                  sa.func.min(events.c.date, type_=sa.String), sa.func.max(events.c.date, type_=sa.String))
        # An event without a place is on no map (nor one the text denies: it is stored placeless).
        .where(*where, events.c.lat.is_not(None))
        .group_by(events.c.lat, events.c.lon, events.c.place_precision)
    )


def _latest_query(where: Sequence[sa.ColumnElement[bool]], keys: Sequence[tuple[Any, ...]]) -> sa.Select[Any]:
    """The latest matching event of each given place: the largest id among its events on its last date."""
    # One correlated lookup per place, each an index seek. Neither a row-value IN (SQLite scans the
    # whole index for it) nor a join (with statistics SQLite may first scan every event to build
    # a Bloom filter for it).
    wanted = sa.values(sa.column("lat", sa.Double), sa.column("lon", sa.Double),
                       sa.column("precision", sa.String), sa.column("day", sa.Date),
                       name="wanted").data(keys).cte()
    latest = (
        sa.select(sa.func.max(events.c.event_id))
        .where(events.c.lat == wanted.c.lat, events.c.lon == wanted.c.lon,
               events.c.place_precision == wanted.c.precision, events.c.date == wanted.c.day, *where)
        .correlate(wanted)
        .scalar_subquery()
    )
    return sa.select(wanted.c.lat, wanted.c.lon, wanted.c.precision, latest)


def _days(values: Sequence[Any]) -> np.ndarray:
    # ISO strings (SQLite) and date objects (drivers with a native date type) alike.
    return np.array([v if isinstance(v, date) else str(v)[:10] for v in values], dtype="datetime64[D]")


def run_read(store: Store, work: Callable[[Connection], T]) -> T:
    try:
        with store_engine(store).connect() as conn:  # one read transaction: one snapshot
            return work(conn)
    except SQLAlchemyError as err:
        raise StoreError(f"database error: {getattr(err, 'orig', None) or err}") from err


def _counts(conn: Connection, filters: MapFilters, where: Sequence[sa.ColumnElement[bool]]) -> Overview:
    rows = conn.execute(_place_query(where)).all()
    if not rows:
        empty = np.zeros(0)
        return Overview(filters, empty, empty, (), empty.astype(np.int64), _days([]), _days([]))
    lat, lon, precision, count, first, last = zip(*rows, strict=True)
    lat_a, lon_a, count_a = np.array(lat, float), np.array(lon, float), np.array(count, np.int64)
    # Busiest first; ties by position, so that the order does not depend on the query plan.
    order = np.lexsort((np.array(precision), lon_a, lat_a, -count_a))
    return Overview(filters, lat_a[order], lon_a[order], tuple(precision[i] for i in order), count_a[order],
                    _days(first)[order], _days(last)[order])


def _describe(conn: Connection, filters: MapFilters, overview: Overview,
              indexes: Sequence[int]) -> dict[int, tuple[str, str, str]]:
    """(name, country, event id) of the latest matching event at each of the given places."""
    at = {(float(overview.lat[i]), float(overview.lon[i]), overview.precision[i]): int(i) for i in indexes}
    keys = [(*key, overview.last[i].item()) for key, i in at.items()]
    where = conditions(conn, filters, per_row=True) if keys else []
    latest: dict[str, int] = {}
    for start in range(0, len(keys), DETAIL_CHUNK):
        chunk = keys[start:start + DETAIL_CHUNK]
        for lat, lon, precision, event_id in conn.execute(_latest_query(where, chunk)):
            if event_id is not None:  # always found: the place's last date came from these filters
                latest[str(event_id)] = at[(float(lat), float(lon), precision)]
    found: dict[int, tuple[str, str, str]] = {}
    ids = sorted(latest)
    for start in range(0, len(ids), DETAIL_CHUNK):
        query = (sa.select(events.c.event_id, events.c.resolved_name, events.c.place_name,
                           events.c.country_code)
                 .where(events.c.event_id.in_(ids[start:start + DETAIL_CHUNK])))
        for event_id, resolved, written, cc in conn.execute(query):
            # The name of the event a click opens, so that the point and its card agree.
            found[latest[event_id]] = (resolved or written, cc or "", event_id)
    return found


def place_counts(store: Store, filters: MapFilters | None = None, *,
                 describe: Callable[[Overview], Sequence[int]] | None = None) -> Overview:
    """The places of the events that ``filters`` select, with counts and dates, computed in SQL.

    Every place gets its name, country and latest event, unless ``describe``
    picks which ones (indexes into the busiest-first order) need them.
    """
    filters = filters or MapFilters()

    def work(conn: Connection) -> Overview:
        where = conditions(conn, filters)
        overview = _counts(conn, filters, where)
        wanted = describe(overview) if describe is not None else range(len(overview))
        described = _describe(conn, filters, overview, wanted)
        return Overview(overview.filters, overview.lat, overview.lon, overview.precision, overview.count,
                        overview.first, overview.last, described)

    overview = run_read(store, work)
    logger.debug("%d places, %d events for %s", len(overview), overview.total, filters)
    return overview


def count_events(store: Store, filters: MapFilters | None = None) -> int:
    """How many events ``filters`` select, counted in SQL (no grouping)."""
    filters = filters or MapFilters()

    def work(conn: Connection) -> int:
        query = sa.select(sa.func.count()).select_from(events).where(*conditions(conn, filters))
        return int(conn.execute(query).scalar_one())

    return run_read(store, work)
