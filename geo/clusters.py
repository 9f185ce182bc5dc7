"""Points grouped at world zoom: nearby places drawn as one numbered circle.

At the zoom a whole story opens at (Kabul to Washington), Kabul, Bagram, Charikar and the
Panjshir Valley sit within a few pixels of each other: their points stacked into one
blot whose size and colour said nothing. Below ``CLUSTER_BELOW_ZOOM`` the map's point
rows are grouped on the server, at the deck's own zoom, so that no two drawn circles
touch: each group is one circle at its busiest place, sized by all its events and
showing their number. A story step or a click on a group zooms in past the threshold,
where every place has its own point again (the browser does not tell the server its
zoom, so the grouping is chosen for the zoom the map opens at, as the labels are).

The places a story step is about, and the selected event's place, are never grouped:
the step's frame must show them as themselves.

Pure functions over the rows of ``geo.mapview.event_rows``; tooltip values stay raw
(Streamlit escapes what it interpolates into the tooltip).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from geo.camera import world_pixel
from geo.cards import visible
from geo.legend import SHARED, point_radius

CLUSTER_BELOW_ZOOM = 3.0  # world and continent views; a story step frames closer than this
CLUSTER_GAP = 2.0  # pixels: circles closer than this count as touching
MAX_NAMED = 3  # places and actors a group's tooltip names before "and N more"

PlaceKey = tuple[float, float]


def place_key(lat: float, lon: float) -> PlaceKey:
    """The key that makes rows one place (as ``geo.mapview`` counts a place's mentions)."""
    return (round(lat, 4), round(lon, 4))


@dataclass
class _Group:
    """Places being grouped: the busiest first (its position is the group's)."""

    x: float
    y: float
    places: list[list[dict[str, Any]]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(rows) for rows in self.places)

    @property
    def radius(self) -> float:
        return point_radius(self.count)

    def touches(self, x: float, y: float, radius: float) -> bool:
        return math.hypot(self.x - x, self.y - y) < self.radius + radius + CLUSTER_GAP


@dataclass(frozen=True)
class Clustering:
    """The point rows to draw, and where each grouped place went.

    ``moved`` maps a grouped place's key to the key of its group's busiest place, so that the
    labels name the group where its circle is, and no label floats beside an empty spot.
    """

    rows: list[dict[str, Any]]
    moved: dict[PlaceKey, PlaceKey]

    @property
    def groups(self) -> list[dict[str, Any]]:
        return [row for row in self.rows if row.get("cluster")]


def cluster_points(rows: Sequence[dict[str, Any]], zoom: float, *, color_by: str = "date",
                   keep: Collection[PlaceKey] = (),
                   actors_of: Mapping[str, Sequence[str]] | None = None) -> Clustering:
    """Point rows with touching places grouped when ``zoom`` is a world view.

    ``rows`` are event rows in story order (several per place); ``keep`` holds the keys of
    places never grouped (the story step's places, the selected event's); ``actors_of`` gives
    each event id's actors, which a group's tooltip names.
    """
    if zoom >= CLUSTER_BELOW_ZOOM or not rows:
        return Clustering(list(rows), {})
    by_place: dict[PlaceKey, list[dict[str, Any]]] = {}
    for row in rows:
        by_place.setdefault(place_key(row["lat"], row["lon"]), []).append(row)
    kept = set(keep)
    order = sorted((key for key in by_place if key not in kept),
                   key=lambda k: (-len(by_place[k]), k))
    groups = _grouped([(key, by_place[key]) for key in order], zoom)
    out: list[dict[str, Any]] = [row for key in by_place if key in kept for row in by_place[key]]
    moved: dict[PlaceKey, PlaceKey] = {}
    for group in groups:
        if len(group.places) == 1:
            out.extend(group.places[0])
            continue
        head = place_key(group.places[0][0]["lat"], group.places[0][0]["lon"])
        for rows_of_place in group.places[1:]:
            moved[place_key(rows_of_place[0]["lat"], rows_of_place[0]["lon"])] = head
        out.append(group_row(group.places, color_by, actors_of or {}))
    return Clustering(out, moved)


def _grouped(places: Sequence[tuple[PlaceKey, list[dict[str, Any]]]], zoom: float) -> list[_Group]:
    """Greedy grouping, busiest places first; repeated while grown circles touch each other."""
    groups: list[_Group] = []
    for _key, rows in places:
        x, y = world_pixel(rows[0]["lat"], rows[0]["lon"], zoom)
        radius = point_radius(len(rows))
        home = next((g for g in groups if g.touches(x, y, radius)), None)
        if home is None:
            groups.append(_Group(x, y, [rows]))
        else:
            home.places.append(rows)
    merged = True
    while merged:  # a group that grew may now touch another one: join the smaller to the larger
        merged = False
        for i, first in enumerate(groups):
            other = next((g for g in groups[i + 1:] if first.touches(g.x, g.y, g.radius)), None)
            if other is not None:
                big, small = (first, other) if first.count >= other.count else (other, first)
                big.places.extend(small.places)
                groups.remove(small)
                merged = True
                break
    return groups


def _named(names: Sequence[str]) -> str:
    shown = ", ".join(names[:MAX_NAMED])
    return shown + (f" and {len(names) - MAX_NAMED} more" if len(names) > MAX_NAMED else "")


def group_row(places: Sequence[Sequence[dict[str, Any]]], color_by: str,
              actors_of: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """One circle for several places: at the busiest (``places[0]``), sized by every event,
    coloured as its points agree (by date: the latest event's colour) or else the neutral one,
    and picking the busiest place's latest event, whose story step frames the group closer."""
    rows = [row for place in places for row in place]
    head = places[0]
    latest = max(rows, key=lambda r: r["date"])
    colors = {tuple(r["color"][:3]) for r in rows}
    if color_by == "date":
        color = list(latest["color"][:3])
    else:
        color = list(next(iter(colors))) if len(colors) == 1 else list(SHARED)
    actors: list[str] = []
    for row in rows:
        for name in actors_of.get(row["event_id"], ()):
            if name not in actors:
                actors.append(name)
    others = [place[0]["place"] for place in places[1:]]
    first_day = min(r["date"] for r in rows)
    return {
        **max(head, key=lambda r: r["date"]),
        "place": f"{head[0]['place']} and {len(others)} place{'s' if len(others) > 1 else ''} nearby",
        "date": first_day if first_day == latest["date"] else f"{first_day} → {latest['date']}",
        "what": f"{len(rows)} events",
        "actors": visible(_named(actors)) if actors else "no actor named",
        "quote": f"Also {_named(others)}. Click to zoom in.",
        "mentions": len(rows),
        "radius": point_radius(len(rows)),
        "color": [*color, 225],
        "cluster": len(rows),
        "count": str(len(rows)),
        "members": [r["event_id"] for r in rows],  # every event the circle stands for
    }
