"""The map: a pydeck Deck built by pure functions from events.

Layers (each has an ``id``, which Streamlit's selection needs):

- ``countries``: the shipped Natural Earth outlines, the offline base map;
- ``areas``: country or province polygons for events whose place is an area,
  so that "Afghanistan" is not drawn as a pin in the middle of it;
- ``events``: points for cities and sites, sized by mentions, coloured by date
  or actor;
- ``arcs``: great-circle arcs for actors' movements;
- ``labels``: place names (character set "auto" for non-Latin scripts);
- ``cluster_counts``: the number of events on each group of nearby places, which
  the ``events`` layer draws as one circle at world zoom (``geo.clusters``);
- ``selected``: a ring around the event the card shows.

Only the fields the tooltip and the card lookup need go into the layer data;
dates are ISO strings (pandas Timestamps would serialise as ``{}``).
Tooltip values are left raw: Streamlit HTML-escapes every value it
interpolates into the tooltip template.

pydeck turns every string argument into a JavaScript expression; literal
strings (units, character set) are therefore passed in quotes, which it strips.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

import pydeck as pdk

from geo.camera import Frame, step_view
from geo.cards import type_label, visible
from geo.clusters import cluster_points, place_key
from geo.errors import GazetteerError
from geo.labels import LABEL_SIZE, RING_RADIUS, RING_WIDTH, place_labels
from geo.legend import (
    NO_ACTOR,
    RGB,
    actor_colors,
    date_span,
    event_color,
    point_radius,
)
from geo.models import Event
from geo.outlines import outlines

logger = logging.getLogger(__name__)

LAYER_IDS: tuple[str, ...] = ("countries", "areas", "events", "arcs", "labels", "cluster_counts", "selected")
QUOTE_CHARS = 280  # tooltip quotes are cut: the card shows the whole sentence
EMPTY_AREAS: dict[str, Any] = {"type": "FeatureCollection", "features": []}
TOOLTIP = {
    "html": "<b>{place}</b> · {date} · {what}<br/><i>{actors}</i><br/>{quote}",
    "style": {"maxWidth": "360px", "fontSize": "12px", "whiteSpace": "normal"},
}


# -- geometry ------------------------------------------------------------------------


def _simplified(geometry: Any, tolerance: float, min_part_area: float) -> dict[str, Any] | None:
    """GeoJSON geometry with small parts dropped and few vertices.

    pydeck writes the deck as indented JSON, about 40 bytes a vertex, and the
    whole spec travels on every rerun: vertices are the map's main cost.
    """
    import shapely

    parts = [p for p in shapely.get_parts(geometry) if p.area >= min_part_area] or [geometry]
    simple = shapely.set_precision(shapely.simplify(parts, tolerance, preserve_topology=False),
                                   tolerance / 5)
    kept = [g for g in simple if not g.is_empty and g.geom_type in ("Polygon", "MultiPolygon")]
    if not kept:
        return None
    return shapely.geometry.mapping(shapely.union_all(kept) if len(kept) > 1 else kept[0])


def base_map() -> dict[str, Any]:
    """The country outlines of the world view (coarse: computed once, see geo.outlines)."""
    return outlines()


def _area_tolerance(geometry: Any) -> float:
    # Relative to the area's size: a province keeps its shape, the USA loses its islands.
    return min(0.3, max(0.005, math.sqrt(geometry.area) / 40))


@lru_cache(maxsize=512)
def area_geometry(
    precision: str, country_code: str, lat: float, lon: float
) -> tuple[str, dict[str, Any]] | None:
    """(area key, polygon) an area event stands for, or None (then it is drawn as a point)."""
    from geo.boundaries import load_boundaries, province_at

    try:
        if precision == "country" and country_code:
            frame = load_boundaries("countries")
            rows = frame[frame["iso_a2"] == country_code.upper()]
            key = f"country:{country_code.upper()}"
        elif precision == "admin1":
            found = province_at(lat, lon)
            if found is None:
                return None
            frame = load_boundaries("provinces")
            rows = frame[(frame["iso_a2"] == found[0]) & (frame["gn_name"] == found[1])]
            key = f"admin1:{found[0]}:{found[1]}"
        else:
            return None
    except GazetteerError as err:
        logger.warning("no area polygons: %s", err)
        return None
    if rows.empty:
        return None
    geometry = rows.geometry.iloc[0]
    tolerance = _area_tolerance(geometry)
    mapped = _simplified(geometry, tolerance, tolerance * tolerance * 4)
    return None if mapped is None else (key, mapped)


# -- rows ----------------------------------------------------------------------------


def _place_key(event: Event) -> tuple[float, float, str]:
    return (round(event.lat, 4), round(event.lon, 4), event.place_precision)


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


def _what(event: Event) -> str:
    """The tooltip's "what": the event's type, and its modality when it did not simply happen."""
    return type_label(event.event_type) + (f" ({event.modality})" if event.modality != "reported" else "")


def _who(event: Event) -> str:
    """The tooltip's actors; several are counted, since their point takes the neutral colour."""
    named = list(dict.fromkeys(event.actors))
    if not named:
        return "no actor named"
    text = visible(", ".join(named))
    return f"{len(named)} actors: {text}" if len(named) > 1 else text


def event_rows(events: Sequence[Event], color_by: str = "date") -> list[dict[str, Any]]:
    """The layer data: one row per event, with only the columns the map needs."""
    mentions = Counter(_place_key(e) for e in events)
    colors = actor_colors(events) if color_by == "actor" else None
    span = date_span(events) if events and color_by != "actor" else None
    rows = []
    for e in events:
        n = mentions[_place_key(e)]
        rows.append({
            "event_id": e.event_id,
            "place": visible(e.place_name),
            "date": e.date.isoformat(),
            "what": visible(_what(e)),
            "actors": _who(e),
            "quote": visible(_quote(e.quote)),
            "lat": e.lat,
            "lon": e.lon,
            "precision": e.place_precision,
            "country_code": e.country_code,
            "mentions": n,
            "radius": point_radius(n),  # pixels; area grows with mentions
            "color": [*event_color(e, events, color_by, colors, span), 210],
        })
    return rows


def arc_rows(events: Sequence[Event], colors: dict[str, RGB] | None = None) -> list[dict[str, Any]]:
    from geo.itinerary import movements

    colors = colors if colors is not None else actor_colors(events)
    rows = []
    for m in movements(events):
        color = colors.get(m.actor, NO_ACTOR)
        rows.append({
            "place": visible(f"{m.from_name} → {m.to_name}"),
            "date": f"{m.from_date.isoformat()} → {m.to_date.isoformat()}",
            "actors": visible(m.actor),
            "what": "travel",
            "quote": "",
            "event_id": m.to_event,
            "source": [m.from_lon, m.from_lat],
            "target": [m.to_lon, m.to_lat],
            "color": [*color, 200],
        })
    return rows


def split_rows(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Point rows, and a FeatureCollection of the areas (one feature per polygon).

    Several events in one area share its feature, which carries the latest of
    them (rows are in story order) and how many there are: the polygon is sent once.
    """
    points: list[dict[str, Any]] = []
    areas: dict[str, dict[str, Any]] = {}
    for row in rows:
        found = None
        if row["precision"] in ("country", "admin1"):
            found = area_geometry(row["precision"], row["country_code"], row["lat"], row["lon"])
        if found is None:
            points.append(row)
            continue
        key, geometry = found
        count = areas[key]["properties"]["count"] + 1 if key in areas else 1
        # Translucent, darker with more mentions, so that stacked areas stay readable.
        fill = [*row["color"][:3], min(30 + 10 * count, 90)]
        areas[key] = {"type": "Feature", "geometry": geometry,
                      "properties": {**row, "count": count, "fill": fill}}
    return points, {"type": "FeatureCollection", "features": list(areas.values())}


# -- view ----------------------------------------------------------------------------


# The map's width on the page is not known to the server: assume a narrow column (the map
# sits beside the card), so that a fitted view is not cut at the sides on a laptop screen.
FIT_WIDTH = 500
FIT_HEIGHT = 520


def fit_view(
    events: Sequence[Event], *, width: int = FIT_WIDTH, height: int = FIT_HEIGHT, min_zoom: float = 0.5,
    max_zoom: float = 7.0,
) -> pdk.ViewState:
    """A view that shows every event on a map of about ``width`` x ``height`` pixels."""
    if not events:
        return pdk.ViewState(latitude=20.0, longitude=0.0, zoom=1.0)
    lats, lons = [e.lat for e in events], [e.lon for e in events]
    # At zoom z the world is 512 * 2**z pixels wide (Web Mercator); 20% margin.
    lon_span = max(max(lons) - min(lons), 0.5) * 1.2
    lat_span = max(max(lats) - min(lats), 0.5) * 1.2
    zoom = min(math.log2(width * 360 / (512 * lon_span)), math.log2(height * 170 / (512 * lat_span)))
    zoom = max(min_zoom, min(max_zoom, zoom))
    return pdk.ViewState(latitude=(max(lats) + min(lats)) / 2, longitude=(max(lons) + min(lons)) / 2,
                         zoom=round(zoom, 2), pitch=0, bearing=0)


def area_bounds(event: Event) -> Frame | None:
    """The bounds of the part of the area where the event's point is (None for a point).

    One polygon only, the one nearest the point (the largest among equals): Alaska and
    Hawaii would make the United States a world view, French Guiana would pull France.
    """
    import shapely.geometry

    if event.lat is None or event.lon is None:
        return None
    found = area_geometry(event.place_precision, event.country_code, event.lat, event.lon)
    if found is None:
        return None
    shape = shapely.geometry.shape(found[1])
    parts = list(getattr(shape, "geoms", [shape]))
    here = shapely.geometry.Point(event.lon, event.lat)
    west, south, east, north = min(parts, key=lambda p: (round(p.distance(here), 1), -p.area)).bounds
    return Frame(west, south, east, north)


def focus_view(event: Event) -> pdk.ViewState:
    """A view centred on one event, closer for a city than for a country."""
    zoom = {"country": 4.0, "admin1": 6.0, "city": 7.0, "point": 8.0}.get(event.place_precision, 6.0)
    return pdk.ViewState(latitude=event.lat, longitude=event.lon, zoom=zoom, pitch=0, bearing=0)


# -- the deck ------------------------------------------------------------------------


def build_deck(
    events: Sequence[Event],
    *,
    color_by: str = "date",
    selected: Event | None = None,
    focus: bool = False,
    basemap_style: str = "",
    show_arcs: bool = True,
    show_labels: bool = True,
    show_points: bool = True,
    show_areas: bool = True,
    highlight: Sequence[Event] = (),
) -> pdk.Deck:
    """The whole map for a set of events; ``focus`` centres the view on ``selected``, and
    ``highlight`` (the story step's places) keep their labels; the ``show_*`` switches are the
    legend's layer toggles (the layers stay, empty, so that their ids are stable). Events without
    a place are left out (the map never guesses where they were), and so are those the text
    denies ("did not travel to Kabul")."""
    events = [e for e in events if e.has_place and e.modality != "negated"]
    if selected is not None and (not selected.has_place or selected.modality == "negated"):
        selected = None
    rows = event_rows(events, color_by)
    points, areas = split_rows(rows)
    if focus and selected is not None:
        # Story mode: the camera frames the step's place with its neighbours (geo.camera).
        camera = step_view(selected, highlight or [selected], area_bounds)
        view = pdk.ViewState(latitude=camera.latitude, longitude=camera.longitude, zoom=camera.zoom,
                             pitch=0, bearing=0)
    else:
        view = fit_view(events)
    # At world zoom, touching places become one numbered circle; the step's places stay themselves.
    kept = [*highlight, *([selected] if selected is not None else [])]
    grouped = cluster_points(points, view.zoom, color_by=color_by,
                             keep={place_key(e.lat, e.lon) for e in kept if e.has_place},
                             actors_of={e.event_id: e.actors for e in events})
    points = grouped.rows
    # Outlines as fine as the view's zoom needs (coarse for the world, as shipped for a city).
    base = outlines(view.latitude, view.longitude, view.zoom, width=FIT_WIDTH, height=FIT_HEIGHT)
    layers = [
        pdk.Layer("GeoJsonLayer", id="countries", data=base, stroked=True, filled=True,
                  get_fill_color=[236, 236, 230], get_line_color=[160, 160, 160],
                  line_width_min_pixels=0.5, pickable=False),
        pdk.Layer("GeoJsonLayer", id="areas", data=areas if show_areas else EMPTY_AREAS,
                  stroked=True, filled=True,
                  get_fill_color="properties.fill", get_line_color="properties.color",
                  line_width_min_pixels=1, pickable=True, auto_highlight=True),
        pdk.Layer("ScatterplotLayer", id="events", data=points if show_points else [],
                  get_position=["lon", "lat"],
                  get_radius="radius", radius_units='"pixels"', get_fill_color="color",
                  stroked=True, get_line_color=[255, 255, 255], line_width_min_pixels=1,
                  pickable=True, auto_highlight=True),
    ]
    if show_arcs:
        colors = actor_colors(events)
        layers.append(pdk.Layer("ArcLayer", id="arcs", data=arc_rows(events, colors),
                                get_source_position="source", get_target_position="target",
                                get_source_color="color", get_target_color="color", get_width=3,
                                great_circle=True, pickable=True))
    if show_labels:
        # Thinned for the zoom the map opens at, so that no two overlap (geo.labels); the story's
        # current places are named first, even when busier places would take the labels.
        # A group is named at its circle: its places' events count towards its busiest place's label.
        named = [_moved(e, grouped.moved) for e in events]
        labels = place_labels(named, view.zoom, focus=selected, highlight=highlight)
        layers.append(pdk.Layer("TextLayer", id="labels", data=labels,
                                get_position=["lon", "lat"], get_text="label", get_size=LABEL_SIZE,
                                size_units='"pixels"', get_color=[30, 30, 30],
                                get_pixel_offset="offset", character_set='"auto"',
                                font_family='"Helvetica Neue, Arial, sans-serif"',
                                font_settings={"sdf": True}, outline_width=3,
                                outline_color=[255, 255, 255], pickable=False))
    if show_points and grouped.groups:  # only when there are groups: each layer costs the browser time
        layers.append(pdk.Layer("TextLayer", id="cluster_counts", data=grouped.groups,
                                get_position=["lon", "lat"], get_text="count", get_size=11,
                                size_units='"pixels"', get_color=[255, 255, 255], font_weight='"bold"',
                                font_family='"Helvetica Neue, Arial, sans-serif"', pickable=False))
    if selected is not None:
        layers.append(pdk.Layer("ScatterplotLayer", id="selected",
                                data=[{"lat": selected.lat, "lon": selected.lon}],
                                get_position=["lon", "lat"], get_radius=RING_RADIUS, radius_units='"pixels"',
                                filled=False, stroked=True, get_line_color=[20, 20, 20],
                                line_width_min_pixels=RING_WIDTH, pickable=False))
    options: dict[str, Any] = {"map_provider": None}
    if basemap_style:  # a configured tile basemap (needs the network, and often a key)
        options = {"map_provider": "carto", "map_style": basemap_style}
    return pdk.Deck(layers=layers, initial_view_state=view, tooltip=TOOLTIP, **options)


def _moved(event: Event, moved: dict[tuple[float, float], tuple[float, float]]) -> Event:
    """The event placed at its group's circle when its place was grouped (for labelling only)."""
    target = moved.get(place_key(event.lat, event.lon))
    return event if target is None else replace(event, lat=target[0], lon=target[1])


def has_groups(deck: pdk.Deck) -> bool:
    """Whether the deck draws nearby places as numbered groups (the legend then explains them)."""
    return any(getattr(layer, "id", "") == "cluster_counts" and layer.data for layer in deck.layers)


def picked_event_id(selection: Any) -> str | None:
    """The event id in a pydeck_chart selection ({"selection": {"objects": {layer: [...]}}})."""
    try:
        objects = selection["selection"]["objects"]
    except (KeyError, TypeError):
        return None
    if not isinstance(objects, dict):
        return None
    for layer in ("events", "areas", "arcs"):
        for obj in objects.get(layer) or []:
            if not isinstance(obj, dict):
                continue
            props = obj.get("properties") if isinstance(obj.get("properties"), dict) else obj
            event_id = props.get("event_id")
            if isinstance(event_id, str) and event_id:
                return event_id
    return None
