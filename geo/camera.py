"""Where story mode's camera looks: pure functions from a step's places to a view.

Zooming until the step's place fills the panel loses the reader: the United
States step was a pink rectangle, a Kabul step showed streets without a border.
A frame therefore holds the step's focus, the places where its actors act, and
context around them: an area is shown at most half as wide as the frame (its
neighbours around it), and no frame is smaller than ``MIN_SPAN`` degrees.

Zooms follow deck.gl's Web Mercator: at zoom z the world is 512 * 2**z pixels wide.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from geo.models import Event

MIN_SPAN = 8.0  # degrees of longitude and latitude a frame spans at least: a few neighbours
AREA_CONTEXT = 2.0  # a frame is at least this many times an area's width and height
MARGIN = 0.15  # the share of the frame kept free at each side
MAX_ZOOM = 6.5
MIN_ZOOM = 0.5
MAX_LAT = 85.0  # Web Mercator's edge
# The map's size the camera plans for: the map's width on a page is not known to the server, so
# assume a modest one; a wider map shows more around the same frame, never less.
VIEW_WIDTH = 760
VIEW_HEIGHT = 600


@dataclass(frozen=True)
class Frame:
    """A box in degrees: west, south, east, north (west < east, no wrap over the date line)."""

    west: float
    south: float
    east: float
    north: float

    @property
    def center(self) -> tuple[float, float]:
        """(lat, lon) in the middle of the box, in Mercator's sense for the latitude."""
        return _unmerc((_merc(self.south) + _merc(self.north)) / 2), (self.west + self.east) / 2

    def union(self, other: Frame) -> Frame:
        return Frame(min(self.west, other.west), min(self.south, other.south),
                     max(self.east, other.east), max(self.north, other.north))

    def around(self, min_lon_span: float, min_lat_span: float) -> Frame:
        """The same centre, grown to at least the given spans."""
        lon_pad = max(0.0, min_lon_span - (self.east - self.west)) / 2
        south, north = self.south, self.north
        if north - south < min_lat_span:
            # Grown evenly in Mercator y, so that the view's centre stays where it was.
            middle = (_merc(south) + _merc(north)) / 2
            mid_lat = _unmerc(middle)
            half = (_merc(mid_lat + min_lat_span / 2) - _merc(mid_lat - min_lat_span / 2)) / 2
            south, north = _unmerc(middle - half), _unmerc(middle + half)
        return Frame(max(-180.0, self.west - lon_pad), max(-MAX_LAT, south),
                     min(180.0, self.east + lon_pad), min(MAX_LAT, north))

    def holds(self, lat: float, lon: float) -> bool:
        return self.west <= lon <= self.east and self.south <= lat <= self.north


@dataclass(frozen=True)
class View:
    """What deck.gl's initial view needs."""

    latitude: float
    longitude: float
    zoom: float


def _merc(lat: float) -> float:
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _unmerc(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


def point_frame(lat: float, lon: float) -> Frame:
    return Frame(lon, lat, lon, lat)


AreaBounds = Callable[[Event], "Frame | None"]


def place_frame(event: Event, area_bounds: AreaBounds | None = None) -> Frame:
    """The box a place takes: its area's bounds (with context around) or its point."""
    assert event.lat is not None and event.lon is not None
    bounds = area_bounds(event) if area_bounds is not None and event.place_precision in (
        "country", "admin1") else None
    if bounds is None:
        return point_frame(event.lat, event.lon)
    # The area with its neighbours: the frame is AREA_CONTEXT times its size (and holds the point).
    bounds = bounds.union(point_frame(event.lat, event.lon))
    return bounds.around((bounds.east - bounds.west) * AREA_CONTEXT,
                         (bounds.north - bounds.south) * AREA_CONTEXT)


def step_frame(focus: Event, events: Sequence[Event] = (), area_bounds: AreaBounds | None = None) -> Frame:
    """The frame of a story step: its focus, the places where its actors act, and context.

    Places merely named in the step (a country in passing), and those its actors only
    came from, do not widen it: the camera flies to what the step is about.
    """
    frame = place_frame(focus, area_bounds)
    for event in events:
        if event.has_place and event.locative and event.actors and not _departure(event):
            assert event.lat is not None and event.lon is not None
            frame = frame.union(point_frame(event.lat, event.lon))
    return _centred(frame, focus).around(MIN_SPAN, MIN_SPAN)


def _departure(event: Event) -> bool:
    # Where the actors came from ("flew from Qatar") is drawn by the arc, not framed.
    roles = [role for _actor, role in event.actor_roles]
    return bool(roles) and all(role == "from" for role in roles)


def _centred(frame: Frame, focus: Event) -> Frame:
    """The frame grown to be centred on the focus: the camera flies to the step's place, and the
    other places stay in view around it."""
    assert focus.lat is not None and focus.lon is not None
    half_lon = max(focus.lon - frame.west, frame.east - focus.lon)
    y = _merc(focus.lat)
    half_y = max(y - _merc(frame.south), _merc(frame.north) - y)
    return Frame(max(-180.0, focus.lon - half_lon), max(-MAX_LAT, _unmerc(y - half_y)),
                 min(180.0, focus.lon + half_lon), min(MAX_LAT, _unmerc(y + half_y)))


def fit(frame: Frame, width: int = VIEW_WIDTH, height: int = VIEW_HEIGHT, *,
        max_zoom: float = MAX_ZOOM, min_zoom: float = MIN_ZOOM) -> View:
    """The view that shows ``frame`` with a margin on a ``width`` x ``height`` pixel map."""
    usable_w, usable_h = width * (1 - 2 * MARGIN), height * (1 - 2 * MARGIN)
    lon_span = max(frame.east - frame.west, 1e-6)
    y_span = max(_merc(frame.north) - _merc(frame.south), 1e-6)  # radians of Mercator y
    zoom_x = math.log2(usable_w * 360 / (512 * lon_span))
    zoom_y = math.log2(usable_h * 2 * math.pi / (512 * y_span))
    zoom = max(min_zoom, min(max_zoom, zoom_x, zoom_y))
    lat, lon = frame.center
    return View(latitude=round(lat, 5), longitude=round(lon, 5), zoom=round(zoom, 2))


def world_pixel(lat: float, lon: float, zoom: float) -> tuple[float, float]:
    """A place's position in pixels on the whole Web Mercator world at ``zoom`` (origin top left)."""
    size = 512 * 2 ** zoom
    return (lon + 180) / 360 * size, (1 - _merc(lat) / math.pi) / 2 * size


def screen_pixel(view: View, lat: float, lon: float, width: int = VIEW_WIDTH,
                 height: int = VIEW_HEIGHT) -> tuple[float, float]:
    """A place's position on a ``width`` x ``height`` map showing ``view`` (origin top left)."""
    cx, cy = world_pixel(view.latitude, view.longitude, view.zoom)
    x, y = world_pixel(lat, lon, view.zoom)
    return x - cx + width / 2, y - cy + height / 2


def visible_span(view: View, width: int = VIEW_WIDTH) -> float:
    """Degrees of longitude a ``width``-pixel map at ``view`` shows."""
    return width * 360 / (512 * 2 ** view.zoom)


def step_view(focus: Event, events: Sequence[Event] = (), area_bounds: AreaBounds | None = None,
              width: int = VIEW_WIDTH, height: int = VIEW_HEIGHT) -> View:
    """The camera for one story step (see ``step_frame``)."""
    return fit(step_frame(focus, events, area_bounds), width, height)
