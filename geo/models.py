"""The value types that flow through the pipeline: frozen dataclasses, no dicts."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Literal

PlacePrecision = Literal["country", "admin1", "city", "point"]
DatePrecision = Literal["day", "week", "month", "season", "year", "decade", "century", "article"]
Feature = Literal["continent", "region", "country", "admin1", "admin2", "city", "point"]
ActorKind = Literal["person", "organization", "group"]

Role = Literal["at", "to", "from"]  # an actor located or acting at a place, going to it, coming from it
Modality = Literal["reported", "planned", "negated"]

PLACE_PRECISIONS: tuple[str, ...] = ("country", "admin1", "city", "point")
ROLES: tuple[str, ...] = ("at", "to", "from")
MODALITIES: tuple[str, ...] = ("reported", "planned", "negated")
DATE_PRECISIONS: tuple[str, ...] = ("day", "week", "month", "season", "year", "decade", "century", "article")

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
    story: str = ""  # the named story (a collection of articles) it belongs to; "" for none
    # What reading it noticed (a title cut, unknown keys, no published date): shown, never stored.
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @cached_property  # asked for often (every event, every store call); the text never changes
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
    end: date | None = None  # the last day of a range ("2009-2010"); None for a single date
    background: bool = False  # an aside to the story ("last month", "in 2013"), not its own time


@dataclass(frozen=True)
class Actor:
    """A canonical actor, with the other names it went by."""

    name: str
    kind: ActorKind
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Event:
    """Who did what, where and when, as one sentence states it: the unit the map draws.

    Usually one place mentioned in one sentence, with the actors the sentence puts
    there (``actors``) and the others it only names (``mentioned_actors``). An event
    whose sentence names no place ("Merkel called for dialogue") has no place:
    ``place_name`` and ``place_precision`` are empty and ``lat``/``lon`` None; it
    counts on the Timeline, the Actors page and in exports, never on the map.

    The field names in ``EVENT_FIELDS`` are a contract shared with the exports,
    the command line and the dashboard.
    """

    event_id: str
    article_id: str
    date: date
    date_precision: DatePrecision
    place_name: str
    lat: float | None
    lon: float | None
    place_precision: PlacePrecision | Literal[""]
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
    # What the sentence says (schema version 3): the other actors it names, each attributed
    # actor's role at the place, the governing verb phrase and its type, whether it happened,
    # is planned or is denied, and whether it is a background aside to the story.
    mentioned_actors: tuple[str, ...] = ()
    actor_roles: tuple[tuple[str, Role], ...] = ()  # (actor, role), in the order of ``actors``
    predicate: str = ""
    event_type: str = "other"
    modality: Modality = "reported"
    background: bool = False
    date_end: date | None = None  # the last day of a range ("2009-2010"); None for a single date

    @property
    def has_place(self) -> bool:
        return self.lat is not None and self.lon is not None

    @property
    def linked_actors(self) -> tuple[str, ...]:
        """The actors this event is listed under (the actor filter, the Timeline, the Actors page):
        those the sentence puts at its place; for an event without a place, every actor it names."""
        return self.actors if self.has_place else tuple(dict.fromkeys((*self.actors, *self.mentioned_actors)))

    def role_of(self, actor: str) -> Role | None:
        return dict(self.actor_roles).get(actor)


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
    # Version 3, the event model (issue 11): the others named, each actor's role, what was done.
    "mentioned_actors",
    "actor_roles",
    "predicate",
    "event_type",
    "modality",
    "background",
    "date_end",
)
# Exports made before version 3 lack these; reading one gives them their defaults.
EVENT_FIELDS_ADDED_IN_3: tuple[str, ...] = EVENT_FIELDS[EVENT_FIELDS.index("mentioned_actors"):]


def make_event_id(article_id: str, place_start: int, place_end: int) -> str:
    """Stable across re-ingests: the same mention in the same text gets the same id."""
    key = f"{article_id}:{place_start}:{place_end}".encode()
    return hashlib.sha256(key).hexdigest()[:16]
