"""The base map's country outlines, finer as the view zooms in.

The shipped Natural Earth 1:10m countries (data/boundaries) are simplified to
one of three levels by the view's zoom: coarse at world and continent zoom,
where a 0.4° outline is already finer than a pixel allows and the whole world
is in view; finer for a region and for a story step's frame; and the shipped
geometry (0.02°) when the view is closer still, where the coarse outline would cut across
cities and coasts. The finer levels are clipped to a box around the view, a
few screens wide, because pydeck sends every vertex to the browser on each
rerun: the whole world at 0.02° would be megabytes of JSON.
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from geo.errors import GazetteerError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutlineLevel:
    """One level of detail: from which zoom it is used and how it is simplified."""

    min_zoom: float
    tolerance: float  # degrees: Douglas-Peucker tolerance
    min_part_area: float  # square degrees: smaller islands are left out
    clipped: bool  # cut to the view's surroundings, or the whole world


LEVELS: tuple[OutlineLevel, ...] = (
    OutlineLevel(min_zoom=0.0, tolerance=0.4, min_part_area=1.0, clipped=False),
    OutlineLevel(min_zoom=3.0, tolerance=0.1, min_part_area=0.05, clipped=True),
    # A story step frames at least 8 degrees (geo.camera), about zoom 4.5-5 on the map.
    OutlineLevel(min_zoom=4.25, tolerance=0.05, min_part_area=0.01, clipped=True),
    OutlineLevel(min_zoom=5.75, tolerance=0.0, min_part_area=0.0, clipped=True),  # as shipped
)
SCREENS = 2.0  # the clip box spans this many view widths and heights, so a pan still shows outlines
_lock = threading.Lock()


def level_for(zoom: float) -> int:
    """The index into LEVELS for a view at ``zoom``: the finest whose minimum zoom is reached."""
    return max(i for i, level in enumerate(LEVELS) if zoom >= level.min_zoom or i == 0)


@lru_cache(maxsize=len(LEVELS))
def _polygons(index: int) -> tuple[Any, ...]:
    """The simplified polygons of one level (computed once per process)."""
    import shapely

    from geo.boundaries import load_boundaries

    level = LEVELS[index]
    try:
        frame = load_boundaries("countries")
    except GazetteerError as err:  # the map still works on a blank background
        logger.warning("no base map: %s", err)
        return ()
    parts = [p for p in shapely.get_parts(frame.geometry.values) if p.area >= level.min_part_area]
    if level.tolerance > 0:
        parts = list(shapely.set_precision(shapely.simplify(parts, level.tolerance, preserve_topology=False),
                                           level.tolerance / 5))
    return tuple(g for g in parts if not g.is_empty and g.geom_type == "Polygon")


@lru_cache(maxsize=len(LEVELS))
def _tree(index: int) -> Any:
    import shapely

    return shapely.STRtree(list(_polygons(index)))


def view_box(latitude: float, longitude: float, zoom: float, width: int, height: int,
             screens: float = SCREENS) -> tuple[float, float, float, float]:
    """(west, south, east, north) of ``screens`` views of ``width`` x ``height`` pixels around a centre.

    Web Mercator: at zoom z the world is 512 * 2**z pixels wide; north-south the
    degrees per pixel shrink by cos(latitude), which is enough for a clip box.
    """
    lon_span = min(360.0, screens * width * 360.0 / (512.0 * 2.0 ** zoom))
    lat_span = min(180.0, screens * height * 360.0 / (512.0 * 2.0 ** zoom) * math.cos(math.radians(latitude)))
    return (max(-180.0, longitude - lon_span / 2), max(-90.0, latitude - lat_span / 2),
            min(180.0, longitude + lon_span / 2), min(90.0, latitude + lat_span / 2))


def _collection(polygons: Any) -> dict[str, Any]:
    import shapely

    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "geometry": shapely.geometry.mapping(g), "properties": {}}
                         for g in polygons]}


@lru_cache(maxsize=1)
def _world() -> dict[str, Any]:
    return _collection(_polygons(0))


def outlines(latitude: float = 20.0, longitude: float = 0.0, zoom: float = 1.0, *,
             width: int = 800, height: int = 600) -> dict[str, Any]:
    """The country outlines for a view, as a GeoJSON FeatureCollection."""
    import shapely

    index = level_for(zoom)
    if not LEVELS[index].clipped:
        return _world()
    with _lock:  # two sessions building the same level at once would do the work twice
        polygons = _polygons(index)
        tree = _tree(index)
    box = view_box(latitude, longitude, zoom, width, height)
    hits = tree.query(shapely.box(*box))
    clipped = shapely.clip_by_rect([polygons[i] for i in sorted(hits)], *box)
    kept = [g for part in clipped for g in shapely.get_parts(part)
            if not g.is_empty and g.geom_type == "Polygon"]
    return _collection(kept)
