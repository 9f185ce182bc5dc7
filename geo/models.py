"""The value types that flow through the pipeline: frozen dataclasses, no dicts."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

PlacePrecision = Literal["country", "admin1", "city", "point"]
DatePrecision = Literal["day", "week", "month", "year", "decade", "article"]
Feature = Literal["continent", "region", "country", "admin1", "admin2", "city", "point"]
ActorKind = Literal["person", "organization", "group"]

PLACE_PRECISIONS: tuple[str, ...] = ("country", "admin1", "city", "point")
DATE_PRECISIONS: tuple[str, ...] = ("day", "week", "month", "year", "decade", "article")

_SPACES = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """Collapse runs of white space so that re-wrapped copies hash alike."""
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class Article:
    """One news article: text plus the metadata a reader needs to trust it."""

    text: str
    title: str = ""
    published: date | None = None
    source: str = ""
    url: str = ""
    origin: str = ""  # where it came from: a file path, "paste", "upload:<name>"
    # What reading it noticed (a title cut, unknown keys, no published date): shown, never stored.
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def article_id(self) -> str:
        """Stable id from the text alone, so a re-ingest of the same story is a no-op."""
        digest = hashlib.sha256(normalize_text(self.text).encode("utf-8")).hexdigest()
        return digest[:16]


@dataclass(frozen=True)
class Candidate:
    """One gazetteer (or geocoder) entry that a place name may refer to."""

    name: str
    lat: float
    lon: float
    feature: str  # one of Feature
    country_code: str = ""
    admin1_code: str = ""
    population: int = 0
    geonameid: int | None = None
    score: float = 0.0

    @property
    def precision(self) -> PlacePrecision:
        return feature_precision(self.feature)


def feature_precision(feature: str) -> PlacePrecision:
    """Map a gazetteer feature class to the precision an event can claim."""
    if feature in ("continent", "region", "country"):
        return "country"
    if feature in ("admin1", "admin2"):
        return "admin1"
    if feature == "city":
        return "city"
    return "point"


@dataclass(frozen=True)
class Toponym:
    """A place name as written in the text, with character offsets into it."""

    text: str
    start: int
    end: int
    label: str  # spaCy label (GPE, LOC, FAC) or the recovery rule that found it


@dataclass(frozen=True)
class Place:
    """The resolution of one toponym: where we think it is, and how sure we are."""

    name: str  # as written in the text
    lat: float
    lon: float
    precision: PlacePrecision
    confidence: float
    resolved_name: str = ""  # the gazetteer's own name for it
    geonameid: int | None = None
    country_code: str = ""
    admin1_code: str = ""
    feature: str = "city"
    candidates: tuple[Candidate, ...] = ()
    method: str = "gazetteer"  # gazetteer | online:<service> | override


@dataclass(frozen=True)
class EventDate:
    """A date with the precision the text supports."""

    value: date
    precision: DatePrecision
    text: str = ""  # the expression it came from ("" for the article's date)


@dataclass(frozen=True)
class Actor:
    """A canonical actor, with the other names it went by."""

    name: str
    kind: ActorKind
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Event:
    """One place mentioned in one sentence: the unit the map draws.

    The field names up to ``url`` are a contract shared with the exports, the
    command line and the dashboard.
    """

    event_id: str
    article_id: str
    date: date
    date_precision: DatePrecision
    place_name: str
    lat: float
    lon: float
    place_precision: PlacePrecision
    geonameid: int | None
    country_code: str
    actors: tuple[str, ...]
    quote: str
    sentence_start: int
    sentence_end: int
    confidence: float
    source: str
    url: str
    # Beyond the contract: what the card needs to explain the point.
    place_start: int = 0
    place_end: int = 0
    resolved_name: str = ""
    date_text: str = ""
    nationalities: tuple[str, ...] = ()
    # The place is where something happens to or by the sentence's actors ("in Kabul",
    # "flew to Qatar"), not a modifier ("Kabul's airport"): only these make journeys.
    locative: bool = False
    candidates: tuple[Candidate, ...] = field(default=(), compare=False)


EVENT_FIELDS: tuple[str, ...] = (
    "event_id",
    "article_id",
    "date",
    "date_precision",
    "place_name",
    "lat",
    "lon",
    "place_precision",
    "geonameid",
    "country_code",
    "actors",
    "quote",
    "sentence_start",
    "sentence_end",
    "confidence",
    "source",
    "url",
)


def make_event_id(article_id: str, place_start: int, place_end: int) -> str:
    """Stable across re-ingests: the same mention in the same text gets the same id."""
    key = f"{article_id}:{place_start}:{place_end}".encode()
    return hashlib.sha256(key).hexdigest()[:16]
