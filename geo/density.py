"""The map of a large store: one point per place, or density cells when there are too many places.

Pure functions from an ``Overview`` (places with counts, see ``geo.overview``)
to a pydeck Deck. Up to ``PLACE_LIMIT`` places, each place is one point (areas
as their polygon), sized by its number of events and coloured by its latest
date, as ``geo.mapview`` draws events. Above it, places are binned on the
server into square cells of ``CELL_PIXELS`` screen pixels at the fitted zoom
(Web Mercator, so cells are square on the map), and each cell is drawn as one
circle with its count written on it; the deck then holds at most a few hundred
cells, whatever the store's size, and a notice says the map is aggregated.

Server-side cells do not split when the user zooms (the browser does not tell
the server its view), so the notice asks for a filter, which does.

Tooltip values are data (place names come from articles) and are left raw:
Streamlit HTML-escapes every value it interpolates into the tooltip template.
The notice holds only numbers.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import numpy as np
import pydeck as pdk

from geo.cards import visible
from geo.labels import MAX_LABELS
from geo.legend import DATE_END, DATE_START, LegendItem, date_ramp
from geo.mapview import (
    FIT_HEIGHT,
    FIT_WIDTH,
    TOOLTIP,
    area_geometry,
    base_map,
    focus_view,
)
from geo.models import Event
from geo.overview import MapFilters, Overview, place_counts
from geo.store import Store

logger = logging.getLogger(__name__)

# Up to this many matching events the page can keep today's event-by-event map (quotes, arcs, story
# mode): every event costs about 1 KB of deck JSON there (bench.dashboard's naive column).
DETAIL_EVENT_LIMIT = 1500
PLACE_LIMIT = 2000  # distinct places drawn one by one; above this, density cells
MAX_AREAS = 50  # area polygons drawn (the busiest); other areas are drawn as points
CELL_PIXELS = 32  # a density cell's side on screen, at the fitted zoom
MAX_COUNT_LABELS = 60  # the busiest cells get their count written on them
MAX_LAT = 85.05  # Web Mercator's edge
DENSITY_LOW: list[int] = [253, 204, 138]  # few events per cell ...
DENSITY_HIGH: list[int] = [179, 0, 0]  # ... many
DENSITY_LAYERS: tuple[str, ...] = ("countries", "density", "cell_counts", "selected")
PLACE_LAYERS: tuple[str, ...] = ("countries", "areas", "events", "labels", "selected")
OVERVIEW_TOOLTIP = {"html": "<b>{place}</b> · {when}<br/>{what}", "style": TOOLTIP["style"]}
Mode = Literal["places", "density"]


@dataclass(frozen=True)
class OverviewMap:
    """A built map with what the page shows beside it."""

    deck: pdk.Deck
    mode: Mode
    notice: str  # "" when every place is drawn; numbers only, safe in markdown
    legend: tuple[LegendItem, ...]
    total: int  # matching events
    places: int
    cells: int  # 0 in places mode


@dataclass(frozen=True)
class Cells:
    """Places binned into screen-square cells: per place its cell, per cell its sums."""

    of_place: np.ndarray  # cell index of each place
    count: np.ndarray  # events per cell
    places: np.ndarray  # places per cell
    lat: np.ndarray  # count-weighted centre of the cell's places
    lon: np.ndarray
    busiest: np.ndarray  # index of the cell's busiest place (places are sorted busiest first)
    first: np.ndarray  # datetime64[D]
    last: np.ndarray

    def __len__(self) -> int:
        return len(self.count)


# -- view and bins ------------------------------------------------------------------------


def _mercator(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """World coordinates in [0, 1] (x east, y south), as Web Mercator tiles use."""
    phi = np.radians(np.clip(lat, -MAX_LAT, MAX_LAT))
    return (lon + 180.0) / 360.0, (1.0 - np.log(np.tan(phi) + 1.0 / np.cos(phi)) / math.pi) / 2.0


def _unmercator(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lat = np.degrees(np.arctan(np.sinh(math.pi * (1.0 - 2.0 * y))))
    return lat, x * 360.0 - 180.0


def fit_bounds(lat: np.ndarray, lon: np.ndarray, *, width: int = FIT_WIDTH, height: int = FIT_HEIGHT,
               min_zoom: float = 0.5, max_zoom: float = 7.0) -> pdk.ViewState:
    """The view showing every point, by the same rule as ``geo.mapview.fit_view``."""
    if len(lat) == 0:
        return pdk.ViewState(latitude=20.0, longitude=0.0, zoom=1.0)
    lat_lo, lat_hi, lon_lo, lon_hi = float(lat.min()), float(lat.max()), float(lon.min()), float(lon.max())
    lon_span = max(lon_hi - lon_lo, 0.5) * 1.2
    lat_span = max(lat_hi - lat_lo, 0.5) * 1.2
    zoom = min(math.log2(width * 360 / (512 * lon_span)), math.log2(height * 170 / (512 * lat_span)))
    zoom = max(min_zoom, min(max_zoom, zoom))
    return pdk.ViewState(latitude=(lat_hi + lat_lo) / 2, longitude=(lon_hi + lon_lo) / 2,
                         zoom=round(zoom, 2), pitch=0, bearing=0)


def bin_places(overview: Overview, zoom: float, cell_pixels: int = CELL_PIXELS) -> Cells:
    """Bin places into cells ``cell_pixels`` wide at ``zoom`` (the world is 512 * 2**zoom pixels)."""
    x, y = _mercator(overview.lat, overview.lon)
    size = cell_pixels / (512.0 * 2.0**zoom)
    ix, iy = np.floor(x / size).astype(np.int64), np.floor(y / size).astype(np.int64)
    keys, of_place = np.unique(ix * (1 << 31) + iy, return_inverse=True)
    n, count = len(keys), overview.count
    total = np.bincount(of_place, weights=count, minlength=n)
    cx = np.bincount(of_place, weights=x * count, minlength=n) / total
    cy = np.bincount(of_place, weights=y * count, minlength=n) / total
    busiest = np.full(n, len(count), dtype=np.int64)
    np.minimum.at(busiest, of_place, np.arange(len(count)))
    first = np.full(n, np.datetime64("9999-12-31"), dtype="datetime64[D]")
    last = np.full(n, np.datetime64("0001-01-01"), dtype="datetime64[D]")
    np.minimum.at(first, of_place, overview.first)
    np.maximum.at(last, of_place, overview.last)
    clat, clon = _unmercator(cx, cy)
    return Cells(of_place=of_place, count=total.astype(np.int64), places=np.bincount(of_place, minlength=n),
                 lat=clat, lon=clon, busiest=busiest, first=first, last=last)


def named_places(overview: Overview, place_limit: int = PLACE_LIMIT) -> list[int]:
    """Indexes of the places a map of this overview names: all of them, or each cell's busiest."""
    if len(overview) <= place_limit:
        return list(range(len(overview)))
    zoom = fit_bounds(overview.lat, overview.lon).zoom
    return sorted(int(i) for i in bin_places(overview, zoom).busiest)


def map_overview(store: Store, filters: MapFilters | None = None, *,
                 place_limit: int = PLACE_LIMIT) -> Overview:
    """The overview a map needs, in two queries: counts per place, then names of what is shown."""
    return place_counts(store, filters, describe=lambda ov: named_places(ov, place_limit))


# -- rows ----------------------------------------------------------------------------------


def _mix(a: Sequence[int], b: Sequence[int], t: float) -> list[int]:
    return [round(x + (y - x) * t) for x, y in zip(a, b, strict=True)]


def _span(first: date, last: date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()} → {last.isoformat()}"


def _events(n: int) -> str:
    return f"{n:,} event{'s' if n != 1 else ''}"


def short_count(n: int) -> str:
    """A count that fits in a circle: 950, 9.5k, 95k, 1.2M."""
    for unit, size in (("M", 1_000_000), ("k", 1000)):
        if n >= size:
            value = n / size
            return f"{value:.1f}{unit}" if value < 10 else f"{value:.0f}{unit}"
    return str(n)


def place_rows(overview: Overview) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One point per place and a FeatureCollection of the busiest areas (the rest stay points)."""
    low, high = overview.first_day, overview.last_day
    span = (high - low).days if low is not None and high is not None else 0
    top = int(overview.count.max()) if len(overview) else 1
    points: list[dict[str, Any]] = []
    features: list[dict[str, Any]] = []
    for p in overview.places:
        t = 0.0 if span == 0 or low is None else (p.last - low).days / span
        row = {"event_id": p.event_id, "place": visible(p.name), "when": _span(p.first, p.last),
               "what": _events(p.count), "lat": round(p.lat, 5), "lon": round(p.lon, 5),
               "radius": round(4 + 16 * math.sqrt(p.count / top), 1),
               "color": [*_mix(DATE_START, DATE_END, t), 210]}
        found = None
        if p.is_area and len(features) < MAX_AREAS:
            found = area_geometry(p.precision, p.country_code, p.lat, p.lon)
        if found is None:
            points.append(row)
            continue
        fill = [*row["color"][:3], min(40 + 25 * round(4 * p.count / top), 150)]
        props = {k: v for k, v in row.items() if k not in ("lat", "lon", "radius")}
        features.append({"type": "Feature", "geometry": found[1], "properties": {**props, "fill": fill}})
    return points, {"type": "FeatureCollection", "features": features}


def cell_rows(overview: Overview, cells: Cells) -> list[dict[str, Any]]:
    """One circle per cell, busiest first, its size and colour growing with its events."""
    top = int(cells.count.max()) if len(cells) else 1
    rows = []
    for i in np.argsort(-cells.count, kind="stable"):
        n, k = int(cells.count[i]), int(cells.places[i])
        name = overview.described.get(int(cells.busiest[i]), ("a place", "", ""))[0]
        t = math.sqrt(n / top)
        rows.append({
            "place": visible(name) if k == 1
            else f"{visible(name)} and {k - 1:,} other place{'s' if k > 2 else ''}",
            "when": _span(cells.first[i].item(), cells.last[i].item()),
            "what": f"{_events(n)} in {k:,} place{'s' if k != 1 else ''}",
            "text": short_count(n),
            "lat": round(float(cells.lat[i]), 4), "lon": round(float(cells.lon[i]), 4),
            "radius": round(5 + (CELL_PIXELS / 2 - 5) * t, 1),
            "color": [*_mix(DENSITY_LOW, DENSITY_HIGH, t), 200],
        })
    return rows


# -- the deck ------------------------------------------------------------------------------


def base_layer() -> pdk.Layer:
    return pdk.Layer("GeoJsonLayer", id="countries", data=base_map(), stroked=True, filled=True,
                     get_fill_color=[236, 236, 230], get_line_color=[160, 160, 160],
                     line_width_min_pixels=0.5, pickable=False)


def _text_layer(layer_id: str, rows: list[dict[str, Any]], **style: Any) -> pdk.Layer:
    return pdk.Layer("TextLayer", id=layer_id, data=rows, get_position=["lon", "lat"], get_text="text",
                     size_units='"pixels"', character_set='"auto"',
                     font_family='"Helvetica Neue, Arial, sans-serif"', font_settings={"sdf": True},
                     outline_width=3, outline_color=[255, 255, 255], pickable=False, **style)


def _selected_layer(selected: Event) -> pdk.Layer:
    return pdk.Layer("ScatterplotLayer", id="selected", data=[{"lat": selected.lat, "lon": selected.lon}],
                     get_position=["lon", "lat"], get_radius=22, radius_units='"pixels"', filled=False,
                     stroked=True, get_line_color=[20, 20, 20], line_width_min_pixels=3, pickable=False)


def _deck(layers: list[pdk.Layer], view: pdk.ViewState, basemap_style: str) -> pdk.Deck:
    options: dict[str, Any] = {"map_provider": None}
    if basemap_style:  # a configured tile basemap (needs the network, and often a key)
        options = {"map_provider": "carto", "map_style": basemap_style}
    return pdk.Deck(layers=layers, initial_view_state=view, tooltip=OVERVIEW_TOOLTIP, **options)


def _date_legend(overview: Overview) -> tuple[LegendItem, ...]:
    if overview.first_day is None or overview.last_day is None:
        return ()
    return date_ramp(overview.first_day.isoformat(), overview.last_day.isoformat())


def density_notice(total: int, places: int, cells: int) -> str:
    return (f"{total:,} events in {places:,} places, shown as {cells:,} density cells; "
            "filter by actor, date, country or source to see single places.")


def overview_deck(overview: Overview, *, selected: Event | None = None, focus: bool = False,
                  basemap_style: str = "", place_limit: int = PLACE_LIMIT,
                  show_labels: bool = True) -> OverviewMap:
    """The map of an overview: points per place up to ``place_limit`` places, else density cells."""
    view = fit_bounds(overview.lat, overview.lon)
    total, n_places, layers = overview.total, len(overview), [base_layer()]
    if n_places <= place_limit:
        points, areas = place_rows(overview)
        layers += [
            pdk.Layer("GeoJsonLayer", id="areas", data=areas, stroked=True, filled=True,
                      get_fill_color="properties.fill", get_line_color="properties.color",
                      line_width_min_pixels=1, pickable=True, auto_highlight=True),
            pdk.Layer("ScatterplotLayer", id="events", data=points, get_position=["lon", "lat"],
                      get_radius="radius", radius_units='"pixels"', get_fill_color="color", stroked=True,
                      get_line_color=[255, 255, 255], line_width_min_pixels=1, pickable=True,
                      auto_highlight=True),
        ]
        if show_labels:
            labels = [{"text": visible(p.name), "lat": p.lat, "lon": p.lon}
                      for p in (overview.place(i) for i in range(min(MAX_LABELS, n_places)))]
            layers.append(_text_layer("labels", labels, get_size=13, get_color=[30, 30, 30],
                                      get_pixel_offset=[0, -16]))
        mode: Mode = "places"
        notice, n_cells = "", 0
        legend = _date_legend(overview)
    else:
        cells = bin_places(overview, view.zoom)
        rows = cell_rows(overview, cells)
        layers += [
            pdk.Layer("ScatterplotLayer", id="density", data=[{k: v for k, v in r.items() if k != "text"}
                                                              for r in rows],
                      get_position=["lon", "lat"], get_radius="radius", radius_units='"pixels"',
                      get_fill_color="color", stroked=True, get_line_color=[255, 255, 255],
                      line_width_min_pixels=1, pickable=True, auto_highlight=True),
            _text_layer("cell_counts", [{"text": r["text"], "lat": r["lat"], "lon": r["lon"]}
                                        for r in rows[:MAX_COUNT_LABELS]],
                        get_size=11, get_color=[20, 20, 20]),
        ]
        mode, n_cells = "density", len(cells)
        notice = density_notice(total, n_places, n_cells)
        legend = (LegendItem("fewer events per cell", tuple(DENSITY_LOW)),  # type: ignore[arg-type]
                  LegendItem("more events per cell", tuple(DENSITY_HIGH)))  # type: ignore[arg-type]
    if selected is not None:
        layers.append(_selected_layer(selected))
        if focus:
            view = focus_view(selected)
    return OverviewMap(_deck(layers, view, basemap_style), mode, notice, legend, total, n_places, n_cells)
