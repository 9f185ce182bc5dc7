"""The events GeoDataFrame: built in one place, exported and read back in three formats.

Representation (chosen so that CSV, GeoJSON and GeoParquet all round-trip to
an equal frame):

- columns are exactly ``geo.models.EVENT_FIELDS`` in that order, then ``geometry``;
- ``date`` is an ISO ``YYYY-MM-DD`` string: it survives every format unchanged,
  and pandas Timestamps would serialize as ``{}`` in deck.gl data;
- ``actors`` and ``mentioned_actors`` are one string each, the canonical names
  joined by ``"; "`` (``""`` when none): a spreadsheet shows it as is, and no
  format needs a list type; ``actor_roles`` likewise, as ``"name=role; ..."``;
- ``date_end`` is ISO text, ``""`` for a single date; ``background`` a boolean;
- ``geonameid`` is a nullable ``Int64``; the other text columns use pandas' ``str``;
- ``geometry`` is ``Point(lon, lat)`` in EPSG:4326, and empty (null) for an event
  without a place, whose ``lat``/``lon`` are NaN and ``place_name`` ``""``. CSV has
  no geometry column: it is rebuilt from ``lon``/``lat`` when read.
- An export made before schema version 3 lacks the event model's columns: they
  are read as their defaults (nobody mentioned, no roles, type "other", reported).
"""

from __future__ import annotations

import io
import json
import logging
import math
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Literal

import geopandas as gpd
import pandas as pd
import shapely
import shapely.errors
from shapely.geometry import Point

from geo.errors import InputError
from geo.models import EVENT_FIELDS, EVENT_FIELDS_ADDED_IN_3, Event

logger = logging.getLogger(__name__)

Format = Literal["csv", "geojson", "parquet"]
FORMATS: tuple[str, ...] = ("csv", "geojson", "parquet")
CRS = "EPSG:4326"
ACTOR_SEPARATOR = "; "
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv",
    "geojson": "application/geo+json",
    "parquet": "application/vnd.apache.parquet",
}
_SUFFIXES: dict[str, str] = {
    ".csv": "csv",
    ".geojson": "geojson",
    ".json": "geojson",
    ".parquet": "parquet",
    ".geoparquet": "parquet",
}

# One dtype per contract column; every constructor and reader goes through it.
_DTYPES: dict[str, str] = {
    "event_id": "str",
    "article_id": "str",
    "date": "str",
    "date_precision": "str",
    "place_name": "str",
    "lat": "float64",
    "lon": "float64",
    "place_precision": "str",
    "geonameid": "Int64",
    "country_code": "str",
    "actors": "str",
    "quote": "str",
    "sentence_start": "int64",
    "sentence_end": "int64",
    "confidence": "float64",
    "source": "str",
    "url": "str",
    "mentioned_actors": "str",
    "actor_roles": "str",
    "predicate": "str",
    "event_type": "str",
    "modality": "str",
    "background": "bool",
    "date_end": "str",
}
# What a pre-version-3 export's missing columns are read as (``Event``'s own defaults).
_DEFAULTS: dict[str, object] = {"mentioned_actors": "", "actor_roles": "", "predicate": "",
                                "event_type": "other", "modality": "reported", "background": False,
                                "date_end": ""}
ROLE_MARK = "="


def events_frame(events: Sequence[Event]) -> gpd.GeoDataFrame:
    """The one constructor of the events GeoDataFrame (see the module docstring)."""
    columns: dict[str, list[object]] = {name: [] for name in EVENT_FIELDS}
    for event in events:
        for name in EVENT_FIELDS:
            value = getattr(event, name)
            if name == "date":
                value = value.isoformat()
            elif name == "date_end":
                value = "" if value is None else value.isoformat()
            elif name in ("actors", "mentioned_actors"):
                value = ACTOR_SEPARATOR.join(value)
            elif name == "actor_roles":
                value = ACTOR_SEPARATOR.join(f"{actor}{ROLE_MARK}{role}" for actor, role in value)
            columns[name].append(value)
    frame = pd.DataFrame({name: pd.Series(values, dtype=_DTYPES[name]) for name, values in columns.items()})
    return _with_geometry(frame)


def parse_roles(text: str) -> tuple[tuple[str, str], ...]:
    """``actor_roles`` as exported (``"Alpha=at; Beta=to"``) back to pairs."""
    pairs = []
    for item in filter(None, text.split(ACTOR_SEPARATOR)):
        actor, _mark, role = item.rpartition(ROLE_MARK)
        pairs.append((actor, role))
    return tuple(pairs)


def _with_geometry(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    # An event without a place has no point: a null geometry, never a guessed one.
    points = [None if (math.isnan(lon) or math.isnan(lat)) else Point(lon, lat)
              for lon, lat in zip(frame["lon"], frame["lat"], strict=True)]
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(points, index=frame.index, crs=CRS), crs=CRS)


def format_of(path: str | Path) -> Format:
    """The export format a file name implies, from its suffix."""
    suffix = Path(path).suffix.lower()
    if suffix not in _SUFFIXES:
        raise InputError(f"unknown events file type {suffix!r} (use .csv, .geojson or .parquet)",
                         source=str(path))
    return _SUFFIXES[suffix]  # type: ignore[return-value]


def export_bytes(frame: gpd.GeoDataFrame, fmt: Format) -> bytes:
    """The frame serialized in ``fmt``, for download buttons and files alike."""
    if fmt == "csv":
        return frame[list(EVENT_FIELDS)].to_csv(index=False).encode("utf-8")
    if fmt == "geojson":
        # RFC 7946: WGS 84 lon/lat, no "crs" member; NA becomes JSON null.
        text = frame.to_json(na="null", drop_id=True, show_bbox=False, ensure_ascii=False)
        return text.encode("utf-8")
    if fmt == "parquet":
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        return buffer.getvalue()
    raise InputError(f"unknown export format {fmt!r} (use one of {', '.join(FORMATS)})")


def write_events(frame: gpd.GeoDataFrame, target: str | Path | IO[bytes], fmt: Format) -> None:
    """Write the frame to a file path or a binary file object."""
    data = export_bytes(frame, fmt)
    if isinstance(target, str | Path):
        path = Path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    else:
        target.write(data)
    logger.info("wrote %d events as %s (%d bytes)", len(frame), fmt, len(data))


def read_events(source: str | Path | IO[bytes], fmt: Format | None = None) -> gpd.GeoDataFrame:
    """Read an export back into the same frame ``events_frame`` builds.

    ``fmt`` defaults to the file's suffix.  A malformed file raises
    ``InputError`` naming it.
    """
    name = str(source) if isinstance(source, str | Path) else getattr(source, "name", "<buffer>")
    if fmt is None:
        if not isinstance(source, str | Path):
            raise InputError("the format of a file object must be given", source=name)
        fmt = format_of(source)
    try:
        if fmt == "csv":
            frame = _read_csv(source)
        elif fmt == "geojson":
            frame = _read_geojson(source)
        elif fmt == "parquet":
            frame = pd.DataFrame(gpd.read_parquet(source))
        else:
            raise InputError(f"unknown format {fmt!r}", source=name)
        return _conform(frame, name)
    except InputError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as err:
        # pyarrow and the JSON/CSV parsers raise subclasses of these on bad files.
        raise InputError(f"cannot read events as {fmt}: {err}", source=name) from err


def _read_csv(source: str | Path | IO[bytes]) -> pd.DataFrame:
    text_columns = [name for name, kind in _DTYPES.items() if kind == "str"]
    return pd.read_csv(
        source,
        dtype=dict.fromkeys(text_columns, "str"),
        keep_default_na=False,  # "" stays "", and country code "NA" stays Namibia
        na_values={"geonameid": [""], "lat": [""], "lon": [""]},  # no place: empty coordinates
        encoding="utf-8",
    )


def _read_geojson(source: str | Path | IO[bytes]) -> pd.DataFrame:
    # Parsed here rather than by GDAL, which would guess that "date" is a datetime.
    raw = Path(source).read_bytes() if isinstance(source, str | Path) else source.read()
    data = json.loads(raw)
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise InputError("not a GeoJSON FeatureCollection", source=str(source))
    rows = []
    for feature in data.get("features", []):
        row = dict(feature.get("properties") or {})
        row["_geometry"] = feature.get("geometry")
        rows.append(row)
    return pd.DataFrame(rows)


def _conform(frame: pd.DataFrame, name: str) -> gpd.GeoDataFrame:
    """Check the contract columns, restore their dtypes, rebuild the geometry."""
    missing = [column for column in EVENT_FIELDS if column not in frame.columns]
    if set(missing) == set(EVENT_FIELDS_ADDED_IN_3):  # an export made before schema version 3
        frame = frame.assign(**{column: _DEFAULTS[column] for column in missing})
        missing = []
    if missing and len(frame):
        raise InputError(f"missing event columns: {', '.join(missing)}", source=name)
    if len(frame) == 0:
        return events_frame([])
    if (frame["lat"].isna() != frame["lon"].isna()).any():
        raise InputError("an event needs both lat and lon, or neither (an event without a place)",
                         source=name)
    out = pd.DataFrame({column: frame[column] for column in EVENT_FIELDS})
    for column, kind in _DTYPES.items():
        out[column] = out[column].astype(kind)
    out["date"] = [_iso_date(value, name) for value in out["date"]]
    out["date"] = out["date"].astype("str")
    out["date_end"] = [_iso_date(value, name) if value else "" for value in out["date_end"]]
    out["date_end"] = out["date_end"].astype("str")
    _check_geometry(frame, out, name)
    return _with_geometry(out.reset_index(drop=True))


def _iso_date(value: object, name: str) -> str:
    try:
        return pd.Timestamp(str(value)).date().isoformat()
    except ValueError as err:
        raise InputError(f"bad event date {value!r}", source=name) from err


def _check_geometry(frame: pd.DataFrame, out: pd.DataFrame, name: str) -> None:
    """Refuse a file whose geometry and lat/lon columns disagree, rather than pick one silently."""
    if "geometry" in frame.columns:  # GeoParquet: shapely points; a CSV from to_csv: WKT text
        coords = [_point_of(g, row, name) for row, g in enumerate(frame["geometry"])]
    elif "_geometry" in frame.columns:  # GeoJSON: {"type": "Point", "coordinates": [lon, lat]}
        coords = [
            tuple(g["coordinates"][:2]) if isinstance(g, dict) and g.get("type") == "Point" else None
            for g in frame["_geometry"]
        ]
    else:
        return
    for row, point in enumerate(coords):
        if point is None:
            continue
        lon, lat = float(point[0]), float(point[1])
        if not (math.isclose(lon, out["lon"].iat[row], abs_tol=1e-9) and
                math.isclose(lat, out["lat"].iat[row], abs_tol=1e-9)):
            raise InputError(
                f"row {row}: geometry ({lon}, {lat}) disagrees with lon/lat "
                f"({out['lon'].iat[row]}, {out['lat'].iat[row]})",
                source=name,
            )


def _point_of(value: object, row: int, name: str) -> tuple[float, float] | None:
    """A geometry cell as (lon, lat): a shapely point, or WKT text ("POINT (69.17 34.53)")."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return None
    if isinstance(value, str):
        try:
            value = shapely.from_wkt(value)
        except shapely.errors.GEOSException as err:
            raise InputError(f"row {row}: geometry is not WKT: {err}", source=name) from err
    if not isinstance(value, Point):
        raise InputError(f"row {row}: geometry must be a point, not {type(value).__name__}", source=name)
    return None if value.is_empty else (value.x, value.y)
