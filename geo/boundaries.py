"""Country and province polygons (Natural Earth, vendored in data/boundaries).

The files are gzip-compressed GeoJSON written by
``data/boundaries/make_boundaries.py``; see data/README.md for provenance.
Both layers are read once per process and kept; point-in-polygon queries use
a shapely STRtree built on first use. Parsing the GeoJSON takes about 0.4 s
of a warm start, so the first read also writes a GeoParquet copy into the
cache folder (``GEOSTORY_CACHE_DIR``, default var/), named by a hash of the
shipped file, and later processes read that (about 0.05 s). Without pyarrow or
a writable cache folder the GeoJSON is read every time.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import logging
import os
import tempfile
import threading
import zlib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from geo.config import DATA_DIR, ENV_PREFIX, VAR_DIR
from geo.errors import GazetteerError

if TYPE_CHECKING:
    import geopandas
    import shapely

logger = logging.getLogger(__name__)

BOUNDARIES_DIR = DATA_DIR / "boundaries"
KINDS = ("countries", "provinces")
_lock = threading.Lock()
CACHE_VERSION = 1  # bump when the cached frames would differ for the same shipped file


def cache_file(kind: str, packed: bytes) -> Path:
    """Where the parsed copy of a layer whose shipped (gzip) bytes are ``packed`` is kept."""
    # Only the cache folder is read from the environment here: the full settings
    # (and their checks) are the app's business, and a stale path costs one parse.
    folder = Path(os.environ.get(f"{ENV_PREFIX}CACHE_DIR") or VAR_DIR).expanduser()
    digest = hashlib.sha256(packed).hexdigest()[:16]
    return folder / f"boundaries-{kind}-{digest}-v{CACHE_VERSION}.parquet"


def _read_cached(path: Path) -> geopandas.GeoDataFrame | None:
    if not path.is_file():
        return None
    try:
        import geopandas

        return geopandas.read_parquet(path)
    except (ImportError, OSError, ValueError) as err:  # pyarrow's errors subclass these
        logger.warning("ignoring the boundary cache %s: %s", path, err)
        return None


def _write_cached(frame: geopandas.GeoDataFrame, path: Path, kind: str) -> None:
    """Write atomically; a cache that cannot be written is only a slower next start."""
    tmp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        os.close(fd)
        tmp = Path(name)
        frame.to_parquet(tmp)
        tmp.chmod(0o644)
        os.replace(tmp, path)
        tmp = None
        for old in path.parent.glob(f"boundaries-{kind}-*.parquet"):
            if old != path:  # copies of an earlier version of the shipped file
                old.unlink(missing_ok=True)
    except (ImportError, OSError, ValueError) as err:
        logger.info("boundary cache not written to %s: %s", path, err)
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def _parse(kind: str, path: Path, packed: bytes) -> geopandas.GeoDataFrame:
    import pyogrio

    try:
        frame = pyogrio.read_dataframe(io.BytesIO(gzip.decompress(packed)))
    except (OSError, EOFError, zlib.error, ValueError, pyogrio.errors.DataSourceError) as err:
        raise GazetteerError(f"cannot read the {kind} boundaries {path}: {err}") from err
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        frame = frame.set_crs("EPSG:4326", allow_override=True)
    return frame


@lru_cache(maxsize=2)
def _read(kind: str) -> geopandas.GeoDataFrame:
    path = BOUNDARIES_DIR / f"{kind}.geojson.gz"
    try:
        packed = path.read_bytes()
    except OSError as err:
        raise GazetteerError(f"cannot read the {kind} boundaries {path}: {err}") from err
    cached = cache_file(kind, packed)
    frame = _read_cached(cached)
    if frame is None:
        frame = _parse(kind, path, packed)
        _write_cached(frame, cached, kind)
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
