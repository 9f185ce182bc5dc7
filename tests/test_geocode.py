"""geo.geocode: the offline geopy geocoder, and online services behind cache, limiter and fallback.

The online tests talk only to a stub HTTP server on 127.0.0.1 that answers in
Nominatim's format; no real host is ever contacted.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import logging
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from geopy.adapters import URLLibAdapter
from geopy.exc import GeocoderQueryError, GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim
from geopy.location import Location

from geo.config import Settings
from geo.errors import ConfigError
from geo.gazetteer import Gazetteer
from geo.geocode import (
    CACHE_FILE,
    GazetteerGeocoder,
    GeocodeCache,
    ResolvingGeocoder,
    failure_kind,
    make_geocoder,
    rank_by_population,
)

pytestmark = pytest.mark.timeout(60)

UA = "geostory-tests/0.1 (tests@example.invalid)"


# Made-up places, loaded into the real Gazetteer: the ranking rules are tested on data whose
# answer we know by construction.
_FIELDS = ("name", "lat", "lon", "feature", "country_code", "admin1_code", "population", "geonameid")
RECORDS: list[dict] = [dict(zip(_FIELDS, row, strict=True)) for row in [
    ("Norland", 10.0, 20.0, "country", "NL", "", 900_000, 1),
    ("Sudmark", -5.0, 30.0, "country", "SM", "", 50_000, 2),
    ("Ostby", 11.0, 21.0, "city", "NL", "01", 120_000, 3),
    ("Ostby", -4.0, 31.0, "city", "SM", "02", 3_000, 4),
    ("Ostby", -4.5, 30.5, "admin1", "SM", "02", 0, 5),
    ("Vale", 12.0, 22.0, "admin1", "NL", "03", 0, 6),
    ("Vale", 12.1, 22.1, "city", "NL", "03", 0, 7),
    ("Sudmark", -6.0, 29.0, "city", "NL", "04", 80_000, 8),
]]


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.from_records(RECORDS)


# ---------------------------------------------------------------------------- offline geocoder


def test_offline_geocode_returns_geopy_locations_ranked_by_population(gaz: Gazetteer) -> None:
    geocoder = GazetteerGeocoder(gaz)
    best = geocoder.geocode("ostby")
    assert isinstance(best, Location)
    assert (best.latitude, best.longitude) == (11.0, 21.0)
    assert best.address == "Ostby, Norland"
    assert best.raw["geonameid"] == 3 and best.raw["feature"] == "city"
    assert best.raw["population"] == 120_000 and best.raw["country_code"] == "NL"
    every = geocoder.geocode("Ostby", exactly_one=False)
    assert [loc.raw["geonameid"] for loc in every] == [3, 4, 5]


def test_offline_broad_feature_wins_only_when_population_says_so(gaz: Gazetteer) -> None:
    geocoder = GazetteerGeocoder(gaz)
    # The city of Sudmark outnumbers the country of Sudmark: the city comes first.
    assert geocoder.geocode("Sudmark").raw["geonameid"] == 8
    # Equal (unknown) populations: the province before the town of the same name.
    assert [loc.raw["feature"] for loc in geocoder.geocode("Vale", exactly_one=False)] == ["admin1", "city"]
    assert [c.geonameid for c in rank_by_population(gaz.lookup("Sudmark"))] == [8, 2]


def test_offline_filters_by_country_and_feature(gaz: Gazetteer) -> None:
    geocoder = GazetteerGeocoder(gaz)
    assert geocoder.geocode("Ostby", country_codes=["sm"]).raw["geonameid"] == 4
    assert geocoder.geocode("Ostby", country_codes="SM", feature="admin1").raw["geonameid"] == 5
    assert geocoder.geocode("Ostby", country_codes=["XX"]) is None
    assert geocoder.geocode("Sudmark", feature="country").address == "Sudmark"
    assert geocoder.geocode("Atlantis") is None
    assert geocoder.geocode("   ") is None
    with pytest.raises(GeocoderQueryError):
        geocoder.geocode({"city": "Ostby"})  # type: ignore[arg-type]


def test_offline_geocoder_never_uses_the_network(gaz: Gazetteer) -> None:
    geocoder = GazetteerGeocoder(gaz)
    with pytest.raises(GeopyError):
        geocoder.adapter.get_json("http://127.0.0.1:9/", timeout=1, headers={})
    with pytest.raises(NotImplementedError, match="reverse"):
        geocoder.reverse((11.0, 21.0))


def test_make_geocoder_offline_is_the_gazetteer(gaz: Gazetteer, tmp_path: Path) -> None:
    geocoder = make_geocoder(Settings(cache_dir=tmp_path), gaz)
    assert geocoder.online is None and geocoder.limiter is None
    assert geocoder.candidates("Ostby") == gaz.lookup("Ostby")
    assert geocoder.candidates("Ostby", country_codes=["NL"]) == [gaz.lookup("Ostby")[0]]
    assert geocoder.geocode("Ostby").raw["geonameid"] == 3
    stats = geocoder.stats
    assert (stats.service, stats.lookups, stats.requests, stats.failure_count) == ("offline", 2 + 1, 0, 0)
    assert not (tmp_path / CACHE_FILE).exists()  # offline needs no cache


# ---------------------------------------------------------------------------- stub Nominatim


def nominatim_place(name: str, lat: float, lon: float, *, country: str, code: str, kind: str) -> dict:
    """One object in Nominatim's /search format (jsonv2-like, lat/lon as strings)."""
    return {
        "place_id": 1000 + len(name), "licence": "Data © OpenStreetMap contributors, ODbL 1.0.",
        "osm_type": "relation", "osm_id": 42, "lat": str(lat), "lon": str(lon),
        "class": "boundary" if kind in ("state", "country") else "place", "type": "administrative",
        "place_rank": 8, "importance": 0.61, "addresstype": kind, "name": name,
        "display_name": f"{name}, {country}",
        "address": {kind: name, "country": country, "country_code": code},
        "extratags": {"population": "45000"},
        "boundingbox": [str(lat - 1), str(lat + 1), str(lon - 1), str(lon + 1)],
    }


ANSWERS = {
    "ostby": [
        nominatim_place("Ostby", 41.5, -3.25, country="Testland", code="tl", kind="state"),
        nominatim_place("Ostby", 42.0, -2.5, country="Testland", code="tl", kind="town"),
    ],
}


class StubState:
    def __init__(self) -> None:
        self.mode = "ok"
        self.sleep = 1.0
        self.requests: list[tuple[float, str, dict[str, list[str]], str]] = []
        self.lock = threading.Lock()


class StubHandler(BaseHTTPRequestHandler):
    server: ThreadingHTTPServer

    def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
        pass

    def _send(self, status: int, body: str, headers: dict[str, str] | None = None) -> None:
        data = body.encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
            pass

    def do_GET(self) -> None:
        state: StubState = self.server.state  # type: ignore[attr-defined]
        url = urlsplit(self.path)
        params = parse_qs(url.query)
        with state.lock:
            state.requests.append((time.monotonic(), url.path, params, self.headers.get("User-Agent", "")))
        mode = state.mode
        if mode == "slow":
            time.sleep(state.sleep)
        if mode == "429":
            self._send(429, '{"error": "Too Many Requests"}', {"Retry-After": "1"})
        elif mode in ("500", "503"):
            self._send(int(mode), "<html>server trouble</html>")
        elif mode == "garbled":
            self._send(200, '[{"lat": "1.0", "lon": ')
        elif mode == "shape":
            self._send(200, '{"unexpected": true}')
        elif mode == "badlat":
            self._send(200, json.dumps([{"lat": "north", "lon": "2.0", "display_name": "Somewhere"}]))
        else:
            query = params.get("q", [""])[0].casefold()
            self._send(200, json.dumps(ANSWERS.get(query, [])))


@pytest.fixture
def stub() -> Iterator[tuple[ThreadingHTTPServer, StubState]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), StubHandler)
    server.daemon_threads = True
    server.state = StubState()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server, server.state  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def domain_of(server: ThreadingHTTPServer) -> str:
    return f"127.0.0.1:{server.server_address[1]}"


def online_settings(tmp_path: Path, domain: str, **changes: object) -> Settings:
    values: dict[str, object] = {
        "cache_dir": tmp_path, "geocoder": "nominatim", "geocoder_domain": domain, "geocoder_scheme": "http",
        "geocoder_user_agent": UA, "geocoder_timeout": 0.3, "geocoder_min_delay": 0.2,
    }
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


def direct_geocoder(gaz: Gazetteer, domain: str, tmp_path: Path, delay: float) -> ResolvingGeocoder:
    """Built by hand, so that a test can use a delay below Nominatim's floor against the stub."""
    online = Nominatim(domain=domain, scheme="http", user_agent=UA, timeout=2.0,
                       adapter_factory=URLLibAdapter)
    return ResolvingGeocoder(gaz, online, service="stub", cache=GeocodeCache(tmp_path / CACHE_FILE),
                             min_delay_seconds=delay)


def cached_rows(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / CACHE_FILE) as db:
        return db.execute("SELECT count(*) FROM answers").fetchone()[0]


# ---------------------------------------------------------------------------- online behaviour


def test_online_candidates_come_from_the_service_then_from_the_cache(gaz, stub, tmp_path) -> None:
    server, state = stub
    geocoder = make_geocoder(online_settings(tmp_path, domain_of(server)), gaz)
    found = geocoder.candidates("Ostby")
    assert [(c.lat, c.lon, c.feature, c.country_code) for c in found] == [
        (41.5, -3.25, "admin1", "TL"), (42.0, -2.5, "city", "TL")]
    assert all(c.geonameid is None and c.population == 45000 and c.score == 0.61 for c in found)
    assert found != gaz.lookup("Ostby")
    assert len(state.requests) == 1
    _, path, params, agent = state.requests[0]
    assert path == "/search" and params["q"] == ["Ostby"] and params["addressdetails"] == ["1"]
    assert agent == UA

    assert geocoder.candidates("  ostby ") == found  # normalized query: same cache entry
    assert len(state.requests) == 1
    stats = geocoder.stats
    assert (stats.lookups, stats.requests, stats.cache_hits, stats.fallbacks) == (2, 1, 1, 0)

    again = make_geocoder(online_settings(tmp_path, domain_of(server)), gaz)  # a new process, same cache
    assert again.candidates("Ostby") == found
    assert len(state.requests) == 1 and again.stats.cache_hits == 1
    with sqlite3.connect(tmp_path / CACHE_FILE) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        service, stored, created = db.execute("SELECT service, answer, created FROM answers").fetchone()
    assert service.startswith("nominatim")
    assert json.loads(stored)[0]["raw"]["display_name"] == "Ostby, Testland"
    assert abs(created - time.time()) < 60


def test_online_geocode_returns_the_service_locations(gaz, stub, tmp_path) -> None:
    server, _ = stub
    geocoder = make_geocoder(online_settings(tmp_path, domain_of(server)), gaz)
    first = geocoder.geocode("Ostby")
    assert first.address == "Ostby, Testland" and first.raw["addresstype"] == "state"
    towns = geocoder.geocode("Ostby", exactly_one=False, feature="city")
    assert [loc.raw["addresstype"] for loc in towns] == ["town"]


def test_country_codes_reach_the_service_and_the_cache_key(gaz, stub, tmp_path) -> None:
    server, state = stub
    geocoder = direct_geocoder(gaz, domain_of(server), tmp_path, delay=0.0)
    geocoder.candidates("Ostby", country_codes=["TL"])
    geocoder.candidates("Ostby")
    assert [r[2].get("countrycodes") for r in state.requests] == [["tl"], None]
    assert geocoder.candidates("Ostby", country_codes=["XX"]) == []  # the stub ignores the filter; we do not


def test_no_result_is_cached_and_the_gazetteer_answers(gaz, stub, tmp_path) -> None:
    server, state = stub
    geocoder = make_geocoder(online_settings(tmp_path, domain_of(server)), gaz)
    assert geocoder.candidates("Sudmark") == gaz.lookup("Sudmark")  # the stub knows nothing of it
    assert geocoder.candidates("Sudmark") == gaz.lookup("Sudmark")
    assert len(state.requests) == 1 and cached_rows(tmp_path) == 1
    stats = geocoder.stats
    assert stats.failure_count == 0 and stats.fallbacks == 2 and stats.cache_hits == 1


@pytest.mark.parametrize(
    ("mode", "kind", "error"),
    [
        ("slow", "timeout", "GeocoderTimedOut"),
        ("429", "http_429", "GeocoderRateLimited"),
        ("500", "http_500", "GeocoderServiceError"),
        ("503", "http_503", "GeocoderTimedOut"),  # geopy maps 503 onto its timeout class
        ("garbled", "parse", "GeocoderParseError"),
        ("shape", "malformed", "TypeError"),  # geopy builds a place without a name
        ("badlat", "malformed", "ValueError"),
    ],
)
def test_failures_fall_back_to_the_gazetteer_and_are_counted(gaz, stub, tmp_path, caplog, mode, kind, error):
    server, state = stub
    state.mode = mode
    geocoder = make_geocoder(online_settings(tmp_path, domain_of(server)), gaz)
    with caplog.at_level(logging.WARNING, logger="geo.geocode"):
        started = time.monotonic()
        found = geocoder.candidates("Ostby")
        elapsed = time.monotonic() - started
    assert found == gaz.lookup("Ostby")
    assert elapsed < 0.3 + 0.7  # one attempt, no retries behind our back
    stats = geocoder.stats
    assert dict(stats.failures) == {kind: 1} and stats.fallbacks == 1 and stats.requests == 1
    assert len(state.requests) == 1
    assert cached_rows(tmp_path) == 0  # a failure is not an answer: ask again next time
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert geocoder.service in warnings[0] and error in warnings[0] and kind in warnings[0]


def test_geocode_falls_back_the_same_way(gaz, stub, tmp_path) -> None:
    server, state = stub
    state.mode = "500"
    geocoder = direct_geocoder(gaz, domain_of(server), tmp_path, delay=0.0)
    offline = GazetteerGeocoder(gaz)
    assert geocoder.geocode("Ostby", exactly_one=False) == offline.geocode("Ostby", exactly_one=False)
    assert geocoder.geocode("Ostby", country_codes=["SM"]) == offline.geocode("Ostby", country_codes=["SM"])
    assert geocoder.geocode("Atlantis") is None
    assert len(state.requests) == 3 and geocoder.stats.fallbacks == 3


def test_a_refused_connection_falls_back(gaz, tmp_path, caplog) -> None:
    with socket.socket() as probe:  # a port that nobody listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    geocoder = make_geocoder(online_settings(tmp_path, f"127.0.0.1:{port}"), gaz)
    with caplog.at_level(logging.WARNING, logger="geo.geocode"):
        assert geocoder.candidates("Vale") == gaz.lookup("Vale")
    assert dict(geocoder.stats.failures) == {"refused": 1}
    assert "refused" in caplog.text


def test_the_api_key_is_used_but_never_logged(gaz, stub, tmp_path, caplog) -> None:
    server, state = stub
    state.mode = "500"
    secret = "S3CRET-api-key-0042"
    settings = online_settings(tmp_path, domain_of(server), geocoder="opencage", geocoder_api_key=secret)
    geocoder = make_geocoder(settings, gaz)
    with caplog.at_level(logging.DEBUG):
        assert geocoder.candidates("Ostby") == gaz.lookup("Ostby")
    assert state.requests[0][2]["key"] == [secret]  # it did reach the service...
    assert secret not in caplog.text and secret not in repr(geocoder.stats)  # ...and nowhere else
    assert dict(geocoder.stats.failures) == {"http_500": 1}
    caplog.clear()
    with caplog.at_level(logging.DEBUG):  # an error that quotes the key is blanked too
        logging.getLogger("geo.geocode").warning("failed: /json?key=%s", secret)
        logging.getLogger("geopy").debug("url: /json?key=%s&q=x", secret)
    assert secret not in caplog.text and caplog.text.count("key=***") == 2


def test_bad_settings_are_config_errors(gaz, tmp_path) -> None:
    with pytest.raises(ConfigError, match="unknown"):
        make_geocoder(Settings(cache_dir=tmp_path, geocoder="no-such-service"), gaz)
    with pytest.raises(ConfigError, match="api_key"):
        make_geocoder(Settings(cache_dir=tmp_path, geocoder="opencage"), gaz)
    with pytest.raises(ConfigError, match="USER_AGENT"):
        make_geocoder(Settings(cache_dir=tmp_path, geocoder="nominatim", geocoder_user_agent=" "), gaz)


# ---------------------------------------------------------------------------- rate limit


def test_nominatim_is_held_to_one_request_per_second(gaz, tmp_path) -> None:
    geocoder = make_geocoder(online_settings(tmp_path, "127.0.0.1:9", geocoder_min_delay=0.2), gaz)
    assert isinstance(geocoder.limiter, RateLimiter)
    assert geocoder.limiter.min_delay_seconds == 1.0
    assert geocoder.limiter.max_retries == 0 and geocoder.limiter.swallow_exceptions is False
    slower = make_geocoder(online_settings(tmp_path, "127.0.0.1:9", geocoder_min_delay=2.5), gaz)
    assert slower.limiter.min_delay_seconds == 2.5
    other = make_geocoder(online_settings(tmp_path, "127.0.0.1:9", geocoder="photon"), gaz)
    assert other.limiter.min_delay_seconds == pytest.approx(0.2)  # the floor is Nominatim's policy only


def test_nominatim_requests_really_are_a_second_apart(gaz, stub, tmp_path) -> None:
    server, state = stub
    geocoder = make_geocoder(online_settings(tmp_path, domain_of(server), geocoder_min_delay=0.0), gaz)
    geocoder.candidates("Ostby")
    geocoder.candidates("Somewhere else")
    times = [r[0] for r in state.requests]
    assert len(times) == 2 and times[1] - times[0] >= 1.0 - 0.02


@pytest.mark.parametrize("workers", [1, 4])
def test_the_request_rate_never_exceeds_the_limit(gaz, stub, tmp_path, workers) -> None:
    server, state = stub
    geocoder = direct_geocoder(gaz, domain_of(server), tmp_path, delay=0.2)
    names = [f"place {i}" for i in range(5)]  # distinct: every one is a cache miss
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(geocoder.candidates, names, timeout=20))
    times = sorted(r[0] for r in state.requests)
    assert len(times) == len(names)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.2 - 0.02, gaps


# ---------------------------------------------------------------------------- small parts


def test_failure_kinds_of_plain_errors() -> None:
    assert failure_kind(GeopyError("odd")) == "service"
    assert failure_kind(KeyError("lat")) == "malformed"


def test_cache_keeps_no_result_answers_and_survives_a_corrupt_entry(tmp_path: Path) -> None:
    cache = GeocodeCache(tmp_path / "sub" / CACHE_FILE)
    key = GeocodeCache.key("svc", " Some  Place ", {"limit": 10})
    assert key == GeocodeCache.key("svc", "some place", {"limit": 10})
    assert key != GeocodeCache.key("other", "some place", {"limit": 10})
    assert cache.get(key) is None
    cache.put(key, "svc", "some place", {"limit": 10}, [])
    assert cache.get(key) == []
    with sqlite3.connect(cache.path) as db:
        db.execute("UPDATE answers SET answer = '{broken'")
    assert cache.get(key) is None  # asked again rather than crashing


# ---------------------------------------------------------------------------- the real tiny gazetteer

TINY = Path(__file__).resolve().parent / "data" / "tiny_gazetteer.json"


@pytest.fixture
def tiny(request: pytest.FixtureRequest):
    if not TINY.exists():
        pytest.skip(f"{TINY} is not there yet")
    return request.getfixturevalue("tiny_gazetteer")


def test_the_tiny_gazetteer_answers_offline_and_on_failure(tiny, stub, tmp_path) -> None:
    server, state = stub
    state.mode = "503"
    names = sorted({r["name"] for r in json.loads(TINY.read_text(encoding="utf-8"))})[:5]
    offline = GazetteerGeocoder(tiny)
    geocoder = make_geocoder(online_settings(tmp_path, domain_of(server), geocoder_min_delay=0.0), tiny)
    for name in names[:2]:  # two requests: one second apart (Nominatim's floor)
        expected = tiny.lookup(name)
        assert expected and geocoder.candidates(name) == expected
    assert dict(geocoder.stats.failures) == {"http_503": 2}
    for name in names:
        best = offline.geocode(name)
        assert best.raw == dataclasses.asdict(rank_by_population(tiny.lookup(name))[0])
        assert (best.latitude, best.longitude) == (best.raw["lat"], best.raw["lon"])
