"""Tables the dashboard's pages show, computed from events without Streamlit."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import combinations

import pandas as pd

from geo.models import Candidate, Event
from geo.suspicion import suspects

NO_ACTOR = "(no actor named)"


def timeline_frame(events: Sequence[Event]) -> pd.DataFrame:
    """One row per (event, actor): the Timeline chart's data, dates as ISO strings."""
    rows = [
        {"date": e.date.isoformat(), "actor": actor, "place": e.place_name, "event_id": e.event_id,
         "quote": e.quote[:200]}
        for e in events
        for actor in (e.linked_actors or (NO_ACTOR,))
    ]
    return pd.DataFrame(rows, columns=["date", "actor", "place", "event_id", "quote"])


def timeline_counts(events: Sequence[Event]) -> pd.DataFrame:
    """Events per day and actor (date as ISO text, actor, events): the Timeline chart's data.

    The same columns as ``geo.aggregates.actor_days`` gives for a view too large to list.
    """
    frame = timeline_frame(events)
    counts = frame.groupby(["date", "actor"]).size().rename("events").reset_index()
    return counts.astype({"events": "int64"})


def day_totals(events: Sequence[Event]) -> pd.DataFrame:
    """Events per day (date as ISO text, events), each event counted once whatever its actors."""
    counted = Counter(e.date.isoformat() for e in events)
    return pd.DataFrame(sorted(counted.items()), columns=["date", "events"])


# (period, span in days above which a chart sums days into it): a long story stays readable.
PERIODS = (("month", 3 * 365), ("week", 120))


def by_period(frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Day counts summed per week or month when the dates span long; ("day") otherwise.

    ``frame`` has an ISO ``date`` column and an ``events`` column; any other columns
    group too. A period is dated by its first day (weeks start on Monday).
    """
    if frame.empty:
        return frame, "day"
    days = pd.to_datetime(frame["date"], format="%Y-%m-%d")  # ISO text; years 1-9999 alike
    span = (days.max() - days.min()).days
    unit = next((name for name, above in PERIODS if span > above), "day")
    if unit == "day":
        return frame, unit
    start = days.dt.to_period("M" if unit == "month" else "W-SUN").dt.start_time
    keys = [c for c in frame.columns if c not in ("date", "events")]
    summed = (frame.assign(date=start.dt.strftime("%Y-%m-%d"))
              .groupby(["date", *keys], sort=True)["events"].sum().reset_index())
    return summed, unit


def actor_table(events: Sequence[Event]) -> pd.DataFrame:
    """Each actor's number of events and places, first and last date, most events first."""
    by_actor: dict[str, list[Event]] = defaultdict(list)
    for e in events:
        for actor in e.linked_actors:  # an event without a place counts for the actors it names
            by_actor[actor].append(e)
    rows = [
        {"actor": actor, "events": len(evs), "places": len({e.place_name for e in evs if e.has_place}),
         "first": min(e.date for e in evs).isoformat(), "last": max(e.date for e in evs).isoformat()}
        for actor, evs in by_actor.items()
    ]
    frame = pd.DataFrame(rows, columns=["actor", "events", "places", "first", "last"])
    return frame.sort_values(["events", "actor"], ascending=[False, True], ignore_index=True)


def itinerary(events: Sequence[Event], actor: str) -> pd.DataFrame:
    """Where an actor was, in story order, consecutive mentions of one place merged."""
    rows: list[dict[str, object]] = []
    for e in events:
        if actor not in e.actors or not e.has_place:  # stops the text puts the actor at, nothing else
            continue
        if rows and rows[-1]["place"] == e.place_name:
            rows[-1]["mentions"] = int(rows[-1]["mentions"]) + 1  # type: ignore[call-overload]
            rows[-1]["until"] = e.date.isoformat()
            continue
        rows.append({"from": e.date.isoformat(), "until": e.date.isoformat(), "place": e.place_name,
                     "country": e.country_code, "mentions": 1})
    return pd.DataFrame(rows, columns=["from", "until", "place", "country", "mentions"])


def co_occurrence(events: Sequence[Event]) -> pd.DataFrame:
    """Pairs of actors named in the same event, with how often."""
    pairs: Counter[tuple[str, str]] = Counter()
    for e in events:
        for a, b in combinations(sorted(set(e.actors)), 2):
            pairs[(a, b)] += 1
    rows = [{"actor": a, "with": b, "shared events": n} for (a, b), n in pairs.most_common()]
    return pd.DataFrame(rows, columns=["actor", "with", "shared events"])


@dataclass(frozen=True)
class ReviewItem:
    """A place name whose resolution deserves a look, with everything to correct it."""

    name: str
    resolved_name: str
    lat: float
    lon: float
    precision: str
    country_code: str
    confidence: float  # the lowest among its mentions
    mentions: int
    candidates: tuple[Candidate, ...]
    example: str  # one sentence that mentions it
    reason: str = ""  # why it is in the queue (geo.suspicion)
    score: float = 0.0  # how suspect: the queue's order


def review_items(
    events: Sequence[Event], overridden: set[str] | frozenset[str] = frozenset(),
    words: frozenset[str] | None = None,
) -> list[ReviewItem]:
    """The review queue: place names with a sign of a wrong resolution, most suspect first
    (``geo.suspicion``). ``overridden`` holds the folded names users already corrected."""
    items = []
    for suspect in suspects(events, words=words, overridden=overridden):
        if not suspect.queued:
            continue
        lowest = min(suspect.events, key=lambda e: e.confidence)
        items.append(ReviewItem(
            name=lowest.place_name, resolved_name=lowest.resolved_name, lat=lowest.lat or 0.0,
            lon=lowest.lon or 0.0, precision=lowest.place_precision, country_code=lowest.country_code,
            confidence=lowest.confidence, mentions=len(suspect.events),
            candidates=max((e.candidates for e in suspect.events), key=len), example=lowest.quote,
            reason=suspect.describe(), score=suspect.score,
        ))
    return items


def period_from_selection(values: Sequence[object]) -> tuple[date, date] | None:
    """Dates from a chart's interval selection (epoch milliseconds or ISO strings), ordered."""
    found: list[date] = []
    for value in values[:2]:
        try:
            if isinstance(value, int | float):
                found.append(datetime.fromtimestamp(value / 1000, tz=UTC).date())
            elif isinstance(value, str):
                found.append(date.fromisoformat(value[:10]))
        except (ValueError, OverflowError, OSError):
            return None
    if len(found) != 2:
        return None
    return min(found), max(found)


def period_within(period: tuple[date, date], bounds: tuple[date, date] | None) -> tuple[date, date]:
    """A picked period clamped into the story's dates (a brush may reach past the last event)."""
    low, high = period
    if bounds is None:
        return low, high
    first, last = bounds
    low, high = min(max(low, first), last), max(min(high, last), first)
    return low, high
