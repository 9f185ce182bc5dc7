"""Place-name resolution behind geopy's ``Geocoder`` interface.

The offline :class:`GazetteerGeocoder` is the default. An online geopy service
can be switched on by setting; it is always throttled by geopy's RateLimiter,
answers are kept in a persistent SQLite cache (``geo.geocache``), and any failure
of the service falls back to the gazetteer, so resolution never depends on the network.
"""

from __future__ import annotations

import dataclasses
import inspect
import logging
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from geopy import exc
from geopy.adapters import AdapterHTTPError, BaseSyncAdapter, URLLibAdapter
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import get_geocoder_for_service
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from geo.config import Settings
from geo.errors import ConfigError, GeocoderError
from geo.geocache import GeocodeCache
from geo.geocache import logger as cache_logger
from geo.models import Candidate, normalize_text

logger = logging.getLogger(__name__)

OFFLINE = "offline"
CACHE_FILE = "geocode-cache.sqlite"
NOMINATIM_MIN_DELAY = 1.0  # the public Nominatim policy: at most one request per second
ONLINE_LIMIT = 10  # answers asked of an online service per query

# Broad features first among equal populations: a country and a town that both
# claim the same (often unknown, 0) population are ranked by how much they cover.
_FEATURE_ORDER = {"continent": 0, "region": 1, "country": 2, "admin1": 3, "admin2": 4, "city": 5, "point": 6}

# Words online services use for a result's kind, mapped onto our features.
_FEATURE_WORDS = {"continent": "continent", "country": "country", "state": "admin1", "province": "admin1",
                  "state_district": "admin2", "county": "admin2", "district": "admin2"}
_FEATURE_WORDS |= dict.fromkeys(("city", "town", "village", "hamlet", "municipality", "locality"), "city")

# Exceptions geopy's own parsers raise on a JSON answer of an unexpected shape.
_SHAPE_ERRORS = (AttributeError, IndexError, KeyError, TypeError, ValueError)


class GazetteerLike(Protocol):
    """What the geocoders need from ``geo.gazetteer.Gazetteer``."""

    def lookup(self, name: str) -> list[Candidate]: ...

    def country(self, code: str) -> Candidate | None: ...


class MalformedAnswer(GeocoderError):
    """The service answered, but not with something we can read as places."""


class _OfflineAdapter(BaseSyncAdapter):
    """An adapter that refuses every request: the offline geocoder must never use one."""

    def get_text(self, url: str, *, timeout: float | None, headers: dict[str, str]) -> str:
        raise exc.GeocoderUnavailable("the offline geocoder makes no network requests")

    get_json = get_text


def _wanted(codes: Sequence[str] | None) -> frozenset[str]:
    if isinstance(codes, str):  # a lone code, not a sequence of letters
        codes = [codes]
    return frozenset(c.strip().upper() for c in codes or () if c.strip())


def filter_candidates(
    candidates: Sequence[Candidate], country_codes: Sequence[str] | None = None, feature: str | None = None
) -> list[Candidate]:
    """Keep the candidates in the given countries and of the given feature (None: any)."""
    codes = _wanted(country_codes)
    return [c for c in candidates
            if (not codes or c.country_code.upper() in codes) and (feature is None or c.feature == feature)]


def rank_by_population(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Context-free order: most populous first, broader features first on a tie."""
    return sorted(candidates, key=lambda c: (-c.population, _FEATURE_ORDER.get(c.feature, 9), c.name))


class GazetteerGeocoder(Geocoder):
    """geopy geocoder over the offline gazetteer; never touches the network."""

    def __init__(self, gazetteer: GazetteerLike) -> None:
        super().__init__(user_agent="geostory-offline", adapter_factory=_OfflineAdapter)
        self.gazetteer = gazetteer

    def candidates(self, name: str, *, country_codes: Sequence[str] | None = None) -> list[Candidate]:
        """Every entry the name can mean, in the gazetteer's order, optionally restricted."""
        name = normalize_text(name)
        return filter_candidates(self.gazetteer.lookup(name), country_codes) if name else []

    def geocode(  # timeout: accepted for geopy compatibility; lookups are local
        self, query: str, *, exactly_one: bool = True, country_codes: Sequence[str] | None = None,
        feature: str | None = None, timeout: float | None = None,
    ) -> Location | list[Location] | None:
        if not isinstance(query, str):
            raise exc.GeocoderQueryError("the offline geocoder takes a place name, not a structured query")
        name = normalize_text(query)
        found = rank_by_population(filter_candidates(self.candidates(name), country_codes, feature))
        if not found:
            return None
        locations = [self.to_location(c) for c in found]
        return locations[0] if exactly_one else locations

    def reverse(self, query: Any, *, exactly_one: bool = True, timeout: float | None = None) -> Location:
        raise NotImplementedError("reverse geocoding is not offered offline; use the boundary layers")

    def to_location(self, candidate: Candidate) -> Location:
        """A geopy Location whose raw dict carries every field of the Candidate."""
        address = candidate.name
        if candidate.feature not in ("continent", "region", "country") and candidate.country_code:
            country = self.gazetteer.country(candidate.country_code)
            address = f"{candidate.name}, {country.name if country else candidate.country_code}"
        return Location(address, Point(candidate.lat, candidate.lon), dataclasses.asdict(candidate))


@dataclasses.dataclass(frozen=True)
class GeocoderStats:
    """A snapshot of what a geocoder has done since it was made."""

    service: str
    lookups: int = 0  # calls to candidates() / geocode()
    requests: int = 0  # requests sent to the online service
    cache_hits: int = 0
    failures: Mapping[str, int] = dataclasses.field(default_factory=dict)  # by kind
    fallbacks: int = 0  # answers that came from the gazetteer instead of the service

    @property
    def failure_count(self) -> int:
        return sum(self.failures.values())


def _error_chain(err: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    link: BaseException | None = err
    while link is not None and link not in chain and len(chain) < 10:
        chain.append(link)
        link = link.__cause__ or link.__context__
    return chain


# Checked in order against every exception in the chain; HTTP statuses come first.
_KINDS: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], str], ...] = (
    (exc.GeocoderTimedOut, "timeout"), (exc.GeocoderQuotaExceeded, "quota"),
    (ConnectionRefusedError, "refused"), ((exc.GeocoderUnavailable, OSError), "unavailable"),
    (exc.GeocoderParseError, "parse"),
    ((exc.GeocoderAuthenticationFailure, exc.GeocoderInsufficientPrivileges), "auth"),
    (exc.GeocoderQueryError, "query"), ((MalformedAnswer, *_SHAPE_ERRORS), "malformed"),
)


def failure_kind(err: BaseException) -> str:
    """A short label for a failure: http_<status>, timeout, refused, unavailable, parse, malformed, ..."""
    chain = _error_chain(err)
    status = next((link.status_code for link in chain if isinstance(link, AdapterHTTPError)), None)
    if status is not None:
        return f"http_{status}"
    return next((kind for cls, kind in _KINDS if any(isinstance(link, cls) for link in chain)), "service")


def _feature_of(raw: Mapping[str, Any]) -> str:
    props = raw.get("properties")
    props = props if isinstance(props, Mapping) else {}  # Photon nests its fields
    for word in (raw.get("addresstype"), raw.get("type"), props.get("type"), props.get("osm_value")):
        if isinstance(word, str) and word.lower() in _FEATURE_WORDS:
            return _FEATURE_WORDS[word.lower()]
    return "point"


def location_to_candidate(location: Location) -> Candidate:
    """Read an online service's Location as a Candidate (population 0 when the service gives none)."""
    raw = location.raw if isinstance(location.raw, Mapping) else {}

    def part(key: str) -> Mapping[str, Any]:
        value = raw.get(key)
        return value if isinstance(value, Mapping) else {}

    # Nominatim: address.country_code, extratags.population; Photon: properties.countrycode.
    code = part("address").get("country_code") or part("properties").get("countrycode") or ""
    population = str(part("extratags").get("population") or "")
    importance = raw.get("importance")
    name = raw.get("name") or part("properties").get("name") or location.address.split(",")[0]
    return Candidate(
        name=str(name).strip(), lat=location.latitude, lon=location.longitude, feature=_feature_of(raw),
        country_code=str(code).upper(), population=int(population) if population.isdigit() else 0,
        geonameid=None, score=float(importance) if isinstance(importance, (int, float)) else 0.0,
    )


def _check(location: Any) -> Location:
    """Reject what geopy built from an answer of the wrong shape (it maps a missing lat to 0)."""
    if not isinstance(location, Location) or not isinstance(location.raw, Mapping):
        raise MalformedAnswer(f"not a place: {type(location).__name__}")
    if not isinstance(location.address, str) or not location.address.strip():
        raise MalformedAnswer("a place without a name")
    if {"lat", "lon", "display_name"} & location.raw.keys():  # Nominatim's shape: coordinates required
        float(location.raw["lat"]), float(location.raw["lon"])  # KeyError / ValueError: malformed
    return location


class ResolvingGeocoder(Geocoder):
    """The geocoder the resolver uses: an online service (optional) over the gazetteer.

    With ``online=None`` it is the gazetteer alone. Otherwise every query goes
    cache -> rate-limited service -> gazetteer on failure or on no answer.
    """

    def __init__(
        self, gazetteer: GazetteerLike, online: Geocoder | None = None, *, service: str = OFFLINE,
        cache: GeocodeCache | None = None, min_delay_seconds: float = 1.0,
    ) -> None:
        super().__init__(user_agent="geostory-resolver", adapter_factory=_OfflineAdapter)
        self.offline = GazetteerGeocoder(gazetteer)
        self.online = online
        self.service = service if online is not None else OFFLINE
        self.cache = cache
        self.limiter: RateLimiter | None = None  # its min_delay_seconds is the enforced spacing
        self._params: set[str] = set()
        if online is not None:
            # No retries: a failure falls back at once. Exceptions are not swallowed so we can count them.
            self.limiter = RateLimiter(online.geocode, min_delay_seconds=min_delay_seconds, max_retries=0,
                                        error_wait_seconds=min_delay_seconds, swallow_exceptions=False)
            self._params = set(inspect.signature(online.geocode).parameters)
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._failures: Counter[str] = Counter()

    @property
    def stats(self) -> GeocoderStats:
        with self._lock:
            counts = {k: self._counts[k] for k in ("lookups", "requests", "cache_hits", "fallbacks")}
            return GeocoderStats(self.service, failures=dict(self._failures), **counts)

    def _count(self, what: str) -> None:
        with self._lock:
            self._counts[what] += 1

    def candidates(self, name: str, *, country_codes: Sequence[str] | None = None) -> list[Candidate]:
        """Every place the name can mean: the service's answers, else the gazetteer's."""
        self._count("lookups")
        answers = self._online_answers(name, country_codes)
        if answers is None:
            return self.offline.candidates(name, country_codes=country_codes)
        return filter_candidates([location_to_candidate(loc) for loc in answers], country_codes)

    def geocode(
        self, query: str, *, exactly_one: bool = True, country_codes: Sequence[str] | None = None,
        feature: str | None = None, timeout: float | None = None,
    ) -> Location | list[Location] | None:
        self._count("lookups")
        answers = self._online_answers(query, country_codes)
        if answers is None:
            return self.offline.geocode(query, exactly_one=exactly_one, country_codes=country_codes,
                                        feature=feature)
        kept = [a for a in answers if filter_candidates([location_to_candidate(a)], country_codes, feature)]
        if not kept:
            return None
        return kept[0] if exactly_one else kept

    def reverse(self, query: Any, *, exactly_one: bool = True, timeout: float | None = None) -> Location:
        return self.offline.reverse(query, exactly_one=exactly_one, timeout=timeout)

    def _online_answers(self, query: str, country_codes: Sequence[str] | None) -> list[Location] | None:
        """The online service's places for ``query``; None means "ask the gazetteer"."""
        if self.limiter is None or not isinstance(query, str) or not normalize_text(query):
            return None
        codes = sorted(c.lower() for c in _wanted(country_codes))
        kwargs: dict[str, Any] = {"exactly_one": False}
        for param, value in (("limit", ONLINE_LIMIT), ("addressdetails", True), ("extratags", True)):
            if param in self._params:
                kwargs[param] = value
        if codes and "country_codes" in self._params:
            kwargs["country_codes"] = codes
        key = GeocodeCache.key(self.service, query, kwargs)
        stored = self.cache.get(key) if self.cache is not None else None
        if stored is not None:
            self._count("cache_hits")
            answers = [Location(a["address"], Point(a["lat"], a["lon"]), a["raw"]) for a in stored]
        else:
            answers = self._ask(query, kwargs)
            if answers is None:
                return None
            if self.cache is not None:
                raws = [{"address": a.address, "lat": a.latitude, "lon": a.longitude, "raw": a.raw}
                        for a in answers]
                self.cache.put(key, self.service, normalize_text(query), kwargs, raws)
        if not answers:
            self._count("fallbacks")  # "no result" online: the gazetteer may still know it
            return None
        return answers

    def _ask(self, query: str, kwargs: dict[str, Any]) -> list[Location] | None:
        assert self.limiter is not None
        self._count("requests")
        try:
            found = self.limiter(normalize_text(query), **kwargs)
            return [_check(loc) for loc in (found or [])]
        except (exc.GeopyError, MalformedAnswer, *_SHAPE_ERRORS) as err:
            kind = failure_kind(err)
            with self._lock:
                self._failures[kind] += 1
                self._counts["fallbacks"] += 1
            logger.warning("geocoder %s failed (%s, %s): %s; using the gazetteer",
                           self.service, type(err).__name__, kind, str(err)[:200])
            return None


def _online_geocoder(settings: Settings) -> Geocoder:
    name = settings.geocoder.strip().lower()
    try:
        cls = get_geocoder_for_service(name)
    except exc.GeocoderNotFound as err:
        raise ConfigError(f"GEOSTORY_GEOCODER: unknown geopy service {settings.geocoder!r}") from err
    params = inspect.signature(cls.__init__).parameters
    # HERE spells the key "apikey"; the stdlib adapter has no hidden retries behind the limiter.
    offered: dict[str, Any] = {
        "user_agent": settings.geocoder_user_agent, "timeout": settings.geocoder_timeout,
        "scheme": settings.geocoder_scheme, "domain": settings.geocoder_domain,
        "api_key": settings.geocoder_api_key, "apikey": settings.geocoder_api_key,
        "adapter_factory": URLLibAdapter,
    }
    kwargs = {k: v for k, v in offered.items() if k in params and v not in ("", None)}
    named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    missing = [p.name for p in params.values() if p.name != "self" and p.name not in kwargs
               and p.default is inspect.Parameter.empty and p.kind in named]
    if missing:
        raise ConfigError(f"geocoder {name!r} needs {', '.join(missing)} (see GEOSTORY_GEOCODER_API_KEY)")
    try:
        return cls(**kwargs)
    except (exc.GeopyError, TypeError, ValueError) as err:
        raise ConfigError(f"geocoder {name!r} cannot be set up: {type(err).__name__}") from err


class _Redact(logging.Filter):
    """Blank the API key out of log lines (geopy's debug log prints request URLs, errors may quote them)."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.secret in message:
            record.msg, record.args = message.replace(self.secret, "***"), ()
        return True


def make_geocoder(settings: Settings, gazetteer: GazetteerLike) -> ResolvingGeocoder:
    """The geocoder the settings ask for: the gazetteer alone, or a cached, throttled service over it."""
    name = settings.geocoder.strip().lower()
    if name in ("", OFFLINE):
        return ResolvingGeocoder(gazetteer)
    if not settings.geocoder_user_agent.strip():
        raise ConfigError("GEOSTORY_GEOCODER_USER_AGENT must name this application for an online geocoder")
    online = _online_geocoder(settings)
    # The cache logs from its own module since the split; it is kept under the same filter.
    for log in (logging.getLogger("geopy"), logger, cache_logger) if settings.geocoder_api_key else ():
        if not any(isinstance(f, _Redact) and f.secret == settings.geocoder_api_key for f in log.filters):
            log.addFilter(_Redact(settings.geocoder_api_key))
    delay = settings.geocoder_min_delay
    if name == "nominatim":
        delay = max(delay, NOMINATIM_MIN_DELAY)
    service = f"{name}@{settings.geocoder_domain}" if settings.geocoder_domain else name
    cache = GeocodeCache(Path(settings.cache_dir) / CACHE_FILE)
    logger.info("geocoder: %s, at most one request per %.2f s, cache %s", service, delay, cache.path)
    return ResolvingGeocoder(gazetteer, online, service=service, cache=cache, min_delay_seconds=delay)
