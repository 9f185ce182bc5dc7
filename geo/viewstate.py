"""The dashboard's filter state: read from a URL's query parameters, checked, written back.

Pure: no Streamlit. The URL is the shared truth of a view (a stakeholder
sends a link, the receiver sees the same map), so everything here is about
turning untrusted parameters into a bounded, valid ``ViewState`` and back.
Malformed input never raises: it is dropped with a short notice.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from itertools import islice
from typing import Literal
from urllib.parse import urlencode

logger = logging.getLogger(__name__)

ColorBy = Literal["date", "actor", "type"]
COLOR_CHOICES: tuple[str, ...] = ("date", "actor", "type")
# The map's layer toggles, in the legend's order; every one is shown unless a link says otherwise.
LAYER_CHOICES: tuple[str, ...] = ("points", "arcs", "areas", "labels")
NO_LAYERS = "none"  # every layer switched off, as a link says it

# Bounds: a link is typed by nobody, but may be crafted by anybody.
MAX_ACTORS = 12
MAX_COUNTRIES = 30
MAX_SOURCES = 20
MAX_TYPES = 20
MAX_VALUE_LENGTH = 120
MAX_STEP = 100_000
MAX_NOTICES = 5
# How many values of one repeated parameter are looked at, and how long a raw value may be
# before it is dropped unread: a crafted link must not cost more than a normal one.
MAX_REPEATS = 1_000
MAX_RAW_LENGTH = 4 * MAX_VALUE_LENGTH
# Background mentions ("since 2013") predate the news: the default view starts this long
# before the first article was published.
STORY_MARGIN_DAYS = 31

KNOWN_PARAMS: tuple[str, ...] = (
    "actor", "from", "to", "country", "source", "type", "event", "color", "step", "story", "layers",
)
# ASCII digits only: str.isdigit() and \d also take "²" and other scripts' digits.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_EVENT_ID = re.compile(r"[0-9a-f]{8,64}")
_COUNTRY = re.compile(r"[A-Za-z]{2}")
_STEP = re.compile(r"[0-9]{1,6}")
# Control characters (C0, DEL, C1) and lone surrogates, which no URL can carry
# (urlencode would raise on them).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_NOT_WORD = re.compile(r"[^\w-]")


@dataclass(frozen=True)
class ViewState:
    """What the user is looking at; the empty state is the whole story."""

    actors: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    countries: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    event: str | None = None
    color: ColorBy = "date"
    step: int | None = None  # story mode position, 0-based, among the filtered events
    types: tuple[str, ...] = ()  # event types (geo.clauses' taxonomy); empty: every type
    # One story (geo.stories); "" every story; None the store's default (``Options.default_story``).
    story: str | None = None
    layers: tuple[str, ...] = LAYER_CHOICES  # the map layers shown (``layers=points,arcs``)


@dataclass(frozen=True)
class Options:
    """What the store offers, so that a link's values can be checked against it."""

    actors: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    date_range: tuple[date, date] | None = None  # every event: the slider's bounds
    default_range: tuple[date, date] | None = None  # the story's own period: the first view
    aliases: Mapping[str, str] = field(default_factory=dict)  # folded alias -> canonical name
    stories: tuple[str, ...] = ()  # named stories, the latest first
    default_story: str = ""  # the story a plain link opens on ("" every story)


def _values(params: Mapping[str, object], key: str, *, last: bool = False) -> list[str]:
    """The parameter's values as strings: the first MAX_REPEATS, or with ``last`` only the last."""
    raw = params.get(key)
    if raw is None:
        return []
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, Sequence):
        return [str(v) for v in (raw[-1:] if last else raw[:MAX_REPEATS])]
    if isinstance(raw, Iterable):
        values = [str(v) for v in islice(raw, MAX_REPEATS)]
        return values[-1:] if last else values
    return [str(raw)]


def _clean(value: str) -> str:
    return _CONTROL.sub("", value).strip()


def _parse_date(text: str) -> date | None:
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _bounded_list(
    values: Sequence[str], limit: int, name: str, notices: list[str]
) -> tuple[str, ...]:
    out: dict[str, None] = {}  # ordered, and a repeat costs one lookup
    too_long = False
    for raw in values:
        value = "" if len(raw) > MAX_RAW_LENGTH else _clean(raw)  # no regex over a huge value
        if len(value) > MAX_VALUE_LENGTH or len(raw) > MAX_RAW_LENGTH:
            too_long = True
            continue
        if not value:
            continue
        out[value] = None
        if len(out) > limit:
            notices.append(f"only the first {limit} `{name}` values are used")
            break
    if too_long:
        notices.append(f"ignored an over-long `{name}` value")
    return tuple(out)[:limit]


def _single(params: Mapping[str, object], key: str) -> str | None:
    """A single-valued parameter: its last value, cleaned; None when absent."""
    values = _values(params, key, last=True)
    if not values:
        return None
    return "" if len(values[0]) > MAX_RAW_LENGTH else _clean(values[0])


def parse_query(params: Mapping[str, object]) -> tuple[ViewState, list[str]]:
    """A ViewState from query parameters (values may be str or lists of str), and notices.

    Only the syntax is checked here; :func:`validate` checks the values against the store.
    """
    notices: list[str] = []
    # Keys are str from a real URL; anything else is unknown, and sorted as text.
    unknown = sorted(str(k)[:200] for k in params if k not in KNOWN_PARAMS)
    if unknown:
        # Keys are echoed in Markdown: keep word characters only.
        shown = ", ".join(f"`{_NOT_WORD.sub('', k)[:30] or '?'}`" for k in unknown[:3])
        notices.append(f"ignored unknown link parameter(s): {shown}")
    actors = _bounded_list(_values(params, "actor"), MAX_ACTORS, "actor", notices)
    countries_raw = _bounded_list(_values(params, "country"), MAX_COUNTRIES, "country", notices)
    countries = tuple(dict.fromkeys(c.upper() for c in countries_raw if _COUNTRY.fullmatch(c)))
    if len(countries) < len({c.upper() for c in countries_raw}):
        notices.append("ignored a `country` value that is not a two-letter code")
    sources = _bounded_list(_values(params, "source"), MAX_SOURCES, "source", notices)
    types = _bounded_list(_values(params, "type"), MAX_TYPES, "type", notices)

    dates: dict[str, date | None] = {}
    for key in ("from", "to"):
        text = _single(params, key)
        dates[key] = None
        if text is not None:
            parsed = _parse_date(text)
            if parsed is None:
                notices.append(f"ignored `{key}`: expected a date as YYYY-MM-DD")
            dates[key] = parsed
    date_from, date_to = dates["from"], dates["to"]
    if date_from and date_to and date_from > date_to:
        notices.append("ignored `from`/`to`: the range ends before it starts")
        date_from = date_to = None

    event = None
    text = _single(params, "event")
    if text is not None:
        candidate = text.lower()
        if _EVENT_ID.fullmatch(candidate):
            event = candidate
        else:
            notices.append("ignored `event`: not an event id")

    color: ColorBy = "date"
    text = _single(params, "color")
    if text is not None:
        chosen = text.lower()
        if chosen in COLOR_CHOICES:
            color = chosen  # type: ignore[assignment]
        else:
            notices.append("ignored `color`: use date, actor or type")

    step = None
    text = _single(params, "step")
    if text is not None:
        if _STEP.fullmatch(text) and int(text) <= MAX_STEP:
            step = int(text)
        else:
            notices.append("ignored `step`: expected a small whole number")

    story = _single(params, "story")
    layers = LAYER_CHOICES
    text = _single(params, "layers")
    if text is not None:
        wanted = {part.strip().lower() for part in text.split(",") if part.strip()}
        if wanted == {NO_LAYERS}:
            layers = ()
        elif wanted and wanted <= set(LAYER_CHOICES):
            layers = tuple(name for name in LAYER_CHOICES if name in wanted)
        else:  # a crafted or garbled value never hides the map's data
            notices.append("ignored `layers`: use points, arcs, areas or labels, comma-separated")
    state = ViewState(actors, date_from, date_to, countries, sources, event, color, step, types, story,
                      layers)
    return state, notices[:MAX_NOTICES]


def validate(state: ViewState, options: Options) -> tuple[ViewState, list[str]]:
    """Keep only values the store knows; clamp dates into the story's range."""
    notices: list[str] = []
    known = {a.casefold(): a for a in options.actors}
    actors: list[str] = []
    dropped = 0
    for name in state.actors:
        canonical = known.get(name.casefold()) or options.aliases.get(name.casefold())
        if canonical is None:
            dropped += 1
        elif canonical not in actors:
            actors.append(canonical)
    if dropped:
        notices.append(f"ignored {dropped} actor(s) not in this story")
    countries = tuple(c for c in state.countries if c in set(options.countries))
    if len(countries) < len(state.countries):
        notices.append("ignored a country with no events")
    types = tuple(t for t in state.types if t in set(options.types))
    if len(types) < len(state.types):
        notices.append("ignored an event type with no events")
    sources = tuple(s for s in state.sources if s in set(options.sources))
    if len(sources) < len(state.sources):
        notices.append("ignored an unknown source")
    story = state.story
    if story and story not in set(options.stories):
        notices.append("ignored an unknown story")
        story = None
    date_from, date_to = state.date_from, state.date_to
    if options.date_range is not None:
        low, high = options.date_range
        if date_from is not None:
            date_from = min(max(date_from, low), high)
        if date_to is not None:
            date_to = max(min(date_to, high), low)
        if date_from is not None and date_to is not None and date_from > date_to:
            date_from = date_to = None
    state = replace(state, actors=tuple(actors), countries=countries, sources=sources, types=types,
                    date_from=date_from, date_to=date_to, story=story)
    return state, notices


def effective_story(state: ViewState, options: Options) -> str | None:
    """The story the view shows, as the filters take it: a name, or None for every story."""
    story = options.default_story if state.story is None else state.story
    return story or None


# Streamlit's date widgets send a day to the browser as microseconds from 1970 in a JavaScript
# number, exact only up to 2**53 - 1 (about 285 years either side); a day beyond fails the whole
# page. A day goes as its midnight, and the limits fall mid-day: the widgets' range is the first
# and last days whose midnight lies inside (1684-07-29 to 2255-06-05). A store holds any date
# (history: "in 1221, Genghis Khan..."), so the slider clamps into this range.
_JS_SAFE_SPAN = timedelta(microseconds=2**53 - 1)
WIDGET_FIRST_DAY: date = (datetime(1970, 1, 1) - _JS_SAFE_SPAN).date() + timedelta(days=1)
WIDGET_LAST_DAY: date = (datetime(1970, 1, 1) + _JS_SAFE_SPAN).date()


def shift_day(day: date, days: int) -> date:
    """``day`` moved by ``days``, stopping at the first and last date Python can hold."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.min if days < 0 else date.max


def widget_day(day: date) -> date:
    """``day`` clamped into the range a date widget can show."""
    return min(max(day, WIDGET_FIRST_DAY), WIDGET_LAST_DAY)


def story_period(first_published: date | None, bounds: tuple[date, date] | None,
                 margin_days: int = STORY_MARGIN_DAYS) -> tuple[date, date] | None:
    """The default date range: from a month before the first article (or the first event,
    if later) to the last event. ``bounds`` is (first event, last event)."""
    if bounds is None:
        return None
    low, high = bounds
    if first_published is None:
        return bounds
    start = min(max(shift_day(first_published, -margin_days), low), high)
    return start, high


def effective_dates(state: ViewState, options: Options) -> tuple[date | None, date | None]:
    """The dates the view actually uses: the state's, else the story's default period."""
    default = options.default_range or options.date_range
    low, high = default if default is not None else (None, None)
    date_from = state.date_from if state.date_from is not None else low
    date_to = state.date_to if state.date_to is not None else high
    if date_from is not None and date_to is not None and date_from > date_to:
        # A link's "to" before the default start: the link wins, the start falls back to the bounds.
        date_from = options.date_range[0] if options.date_range else None
    return date_from, date_to


def slider_bounds(state: ViewState, options: Options) -> tuple[date, date] | None:
    """The date slider's range: the story's own period, or every event once the view reaches back.

    Background mentions ("since 2013") would otherwise squeeze a two-month story
    into a sliver at the slider's end.
    """
    if options.date_range is None:
        return None
    low, high = options.date_range
    if options.default_range is not None and not includes_background(state, options):
        low = options.default_range[0]
    return widget_day(low), widget_day(high)


def slider_value(state: ViewState, options: Options) -> tuple[date, date] | None:
    """The dates the slider shows for the view: its effective dates, clamped into the slider."""
    bounds = slider_bounds(state, options)
    if bounds is None:
        return None
    low, high = bounds
    date_from, date_to = effective_dates(state, options)
    start = min(max(date_from or low, low), high)
    return start, max(min(date_to or high, high), start)


def from_slider(low: date, high: date, options: Options) -> tuple[date, date]:
    """The dates a slider position means: an end held at the widgets' limit takes in every event
    beyond it (the slider cannot show them, but the view must not silently drop them)."""
    if options.date_range is not None:
        first, last = options.date_range
        if low <= WIDGET_FIRST_DAY and first < WIDGET_FIRST_DAY:
            low = first
        if high >= WIDGET_LAST_DAY and last > WIDGET_LAST_DAY:
            high = last
    return low, high


def beyond_slider(options: Options) -> tuple[date, date] | None:
    """The store's first and last event dates when either lies outside what the slider can show."""
    if options.date_range is None:
        return None
    first, last = options.date_range
    if first < WIDGET_FIRST_DAY or last > WIDGET_LAST_DAY:
        return first, last
    return None


def includes_background(state: ViewState, options: Options) -> bool:
    """Whether the view starts before the story's own period (so background events show)."""
    if options.date_range is None or options.default_range is None:
        return False
    date_from, _ = effective_dates(state, options)
    return date_from is not None and date_from < options.default_range[0]


def to_query(state: ViewState, options: Options | None = None) -> dict[str, str | list[str]]:
    """Query parameters for a state; values equal to the default view are left out.

    With ``options``, a date equal to the default period's first/last date is
    left out too, so that the plain link stays plain.
    """
    out: dict[str, str | list[str]] = {}
    if state.actors:
        out["actor"] = list(state.actors)
    default = (options.default_range or options.date_range) if options else None
    low, high = default if default is not None else (None, None)
    if state.date_from is not None and state.date_from != low:
        out["from"] = state.date_from.isoformat()
    if state.date_to is not None and state.date_to != high:
        out["to"] = state.date_to.isoformat()
    if state.countries:
        out["country"] = list(state.countries)
    if state.sources:
        out["source"] = list(state.sources)
    if state.types:
        out["type"] = list(state.types)
    if state.event:
        out["event"] = state.event
    if state.color != "date":
        out["color"] = state.color
    if state.step is not None:
        out["step"] = str(state.step)
    if state.layers != LAYER_CHOICES:
        out["layers"] = ",".join(state.layers) or NO_LAYERS
    if state.story is not None and (options is None or state.story != options.default_story):
        out["story"] = state.story  # "" (every story) too, when a plain link opens on one
    return out


def query_string(state: ViewState, options: Options | None = None) -> str:
    """``?actor=...&from=...``: the part of a shareable link after the page's path."""
    query = urlencode(to_query(state, options), doseq=True)
    return f"?{query}" if query else ""


def share_link(base_url: str, page_path: str, state: ViewState, options: Options | None = None) -> str:
    """The full link for the current view (``base_url`` like ``http://host:8501``)."""
    base = base_url.rstrip("/")
    path = page_path.strip("/")
    return f"{base}/{path}{query_string(state, options)}"


def clamp_step(step: int | None, count: int) -> int | None:
    """A story position that exists for ``count`` events (None when there are none)."""
    if step is None or count == 0:
        return None if count == 0 else step
    return min(max(step, 0), count - 1)
