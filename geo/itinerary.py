"""Itineraries: where the text puts each actor, and the journeys between those stops.

Read from stored events (``Event.actors``, roles, ``locative``, predicates), so the map's arcs
and the Actors page's itinerary need none of the language machinery that builds events
(``geo.events``): the map page does not import the attribution rules.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from geo.models import Event, Role


@dataclass(frozen=True)
class Movement:
    """An actor seen at one place and next at another: an arc on the map."""

    actor: str
    from_event: str
    to_event: str
    from_name: str
    to_name: str
    from_lat: float
    from_lon: float
    to_lat: float
    to_lon: float
    from_date: date
    to_date: date
    travel: bool = False  # stated ("flew from Qatar to Germany"), not two stops on different days


@dataclass(frozen=True)
class Stop:
    """Where the text puts an actor in one sentence: its most precise place in one role."""

    actor: str
    event: Event
    role: Role
    travel: bool  # a verb of travel took the actor to or from it ("flew to Qatar", "left Kabul")


_RANK = {"point": 0, "city": 1, "admin1": 2, "country": 3}


def _nested(area: Event, point: Event) -> bool:
    """Whether ``area`` (a country or province) contains ``point``'s place."""
    if area.country_code != point.country_code or _RANK[area.place_precision] <= _RANK[point.place_precision]:
        return False
    if area.place_precision == "country":
        return True
    from geo.boundaries import province_at  # polygons load on first use only

    return province_at(area.lat, area.lon) == province_at(point.lat, point.lon)


def _order(e: Event) -> tuple[date, str, int, int]:
    return (e.date, e.article_id, e.sentence_start, e.place_start)


def stops(events: Sequence[Event], actor: str | None = None) -> list[Stop]:
    """The places the text puts each actor at (or ``actor`` only), in time order.

    Only attributed links count (``Event.actors``), never a name that is only mentioned, and
    only where the place is where the sentence happens ("arrived in Kabul", "visited Qatar";
    not "Kabul's airport" or "Karl Brandt of Graz"; see ``is_locative``) or a verb of travel
    takes the actor to or from it. A sentence gives an actor one stop per role: its most
    precise place ("Ramstein" in "Ramstein, Germany"); "flew from Qatar to Germany" gives two.
    """
    from geo.wordlists import load_words

    motion = load_words().motion_verbs
    best: dict[tuple[str, str, int, bool], Stop] = {}
    for ev in sorted(events, key=_order):
        if not ev.has_place or ev.modality == "negated":
            continue
        moving = ev.predicate.split(" ", 1)[0] in motion if ev.predicate else False
        for name in ev.actors:
            if actor is not None and name != actor:
                continue
            role = ev.role_of(name) or "at"
            travel = moving and role != "at"
            if not (ev.locative or travel):
                continue
            key = (name, ev.article_id, ev.sentence_start, role == "from")
            old = best.get(key)
            if old is None or _RANK[ev.place_precision] < _RANK[old.event.place_precision]:
                best[key] = Stop(name, ev, role, travel)
    # origins before destinations within a sentence ("from Qatar to Germany")
    return sorted(best.values(), key=lambda s: (*_order(s.event)[:3], s.role != "from", s.event.place_start))


def movements(events: Sequence[Event]) -> list[Movement]:
    """Each actor's journeys between consecutive stops (see ``stops``), in time order.

    An arc is drawn only where the text states the travel (the next stop is reached, or the
    last one left, by a verb of travel: "flew to Ramstein", "left Kabul") or where the actor is
    put at two places on different days. Names that share a sentence draw nothing, and nor do
    two places the same sentence mentions without travel. A step from a point to the area that
    contains it, or back, is not a journey.
    """
    by_actor: dict[str, list[Stop]] = {}
    for stop in stops(events):
        by_actor.setdefault(stop.actor, []).append(stop)
    out: list[Movement] = []
    for actor, path in by_actor.items():
        for prev, cur in itertools.pairwise(path):
            a, b = prev.event, cur.event
            if (a.lat, a.lon) == (b.lat, b.lon) or _nested(a, b) or _nested(b, a):
                continue
            stated = (cur.travel and cur.role == "to") or (prev.travel and prev.role == "from")
            if not stated and a.date == b.date:
                continue
            out.append(Movement(
                actor=actor, from_event=a.event_id, to_event=b.event_id, from_name=a.place_name,
                to_name=b.place_name, from_lat=a.lat, from_lon=a.lon, to_lat=b.lat, to_lon=b.lon,
                from_date=a.date, to_date=b.date, travel=stated,
            ))
    out.sort(key=lambda m: (m.from_date, m.to_date, m.actor))
    return out
