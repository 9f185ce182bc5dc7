"""Country and province polygons (Natural Earth, vendored in data/boundaries).

The files are gzip-compressed GeoJSON written by
``data/boundaries/make_boundaries.py``; see data/README.md for provenance.
Both layers are read once per process and kept; point-in-polygon queries use
a shapely STRtree built on first use.
"""

from __future__ import annotations

import gzip
import io
import logging
import threading
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from geo.config import DATA_DIR
from geo.errors import GazetteerError

if TYPE_CHECKING:
    import geopandas
    import shapely

logger = logging.getLogger(__name__)

BOUNDARIES_DIR = DATA_DIR / "boundaries"
KINDS = ("countries", "provinces")
_lock = threading.Lock()


@lru_cache(maxsize=2)
def _read(kind: str) -> geopandas.GeoDataFrame:
    import pyogrio

    path = BOUNDARIES_DIR / f"{kind}.geojson.gz"
    try:
        with gzip.open(path, "rb") as fh:
            frame = pyogrio.read_dataframe(io.BytesIO(fh.read()))
    except (OSError, ValueError, pyogrio.errors.DataSourceError) as err:
        raise GazetteerError(f"cannot read the {kind} boundaries {path}: {err}") from err
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        frame = frame.set_crs("EPSG:4326", allow_override=True)
    logger.debug("loaded %d %s polygons from %s", len(frame), kind, path)
    return frame


def load_boundaries(kind: Literal["countries", "provinces"]) -> geopandas.GeoDataFrame:
    """The polygons of one layer, EPSG:4326 (a copy: callers may change it).

    countries: ``iso_a2, adm0_a3, name, name_long, formal_en, name_alt, label_x, label_y``.
    provinces: ``iso_a2, gn_name, name, woe_name, fips, admin``; use ``gn_name``,
    the GeoNames name (``name`` is wrong for some provinces).
    """
    if kind not in KINDS:
        raise GazetteerError(f"unknown boundary layer {kind!r}; expected one of {KINDS}")
    with _lock:
        frame = _read(kind)
    return frame.copy()


@lru_cache(maxsize=2)
def _tree(kind: str) -> tuple[shapely.STRtree, geopandas.GeoDataFrame]:
    import shapely

    frame = _read(kind)
    return shapely.STRtree(frame.geometry.values), frame


def _hits(kind: str, lat: float, lon: float) -> list[int]:
    import shapely

    with _lock:
        tree, _ = _tree(kind)
    return sorted(int(i) for i in tree.query(shapely.Point(lon, lat), predicate="intersects"))


def province_at(lat: float, lon: float) -> tuple[str, str] | None:
    """(country ISO alpha-2, province ``gn_name``) of the polygon holding the point, or None."""
    hits = _hits("provinces", lat, lon)
    if not hits:
        return None
    _, frame = _tree("provinces")
    row = frame.iloc[hits[0]]
    return str(row["iso_a2"]), str(row["gn_name"])


def country_at(lat: float, lon: float) -> str | None:
    """ISO alpha-2 of the country polygon holding the point, or None (sea, or no code)."""
    _, frame = _tree("countries")
    for i in _hits("countries", lat, lon):
        code = str(frame.iloc[i]["iso_a2"])
        if code:
            return code
    return None


def mainland_point(geometry: shapely.Geometry) -> tuple[float, float]:
    """(lat, lon) of the centre of an area's largest part, computed on an equal-area plane.

    News gazetteers place a country at its geographic centre, which for a
    country with far-flung parts is the centre of its mainland (overseas
    islands would drag a plain centroid out to sea). A centre that falls
    outside the part (a crescent-shaped country) is replaced by a point
    guaranteed to be inside.
    """
    import geopandas
    import shapely

    projected = geopandas.GeoSeries([geometry], crs="EPSG:4326").to_crs("EPSG:6933").iloc[0]
    parts = list(projected.geoms) if hasattr(projected, "geoms") else [projected]
    largest = max(parts, key=lambda part: part.area)
    centre = largest.centroid
    if not shapely.contains(largest, centre):
        centre = largest.representative_point()
    point = geopandas.GeoSeries([centre], crs="EPSG:6933").to_crs("EPSG:4326").iloc[0]
    return float(point.y), float(point.x)
