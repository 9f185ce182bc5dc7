"""Resources and caches: settings, the store, the pipeline, cached queries, the first-start demo.

Every cached query takes the database URL and the effective filters, so a cache entry is one view
of one store; ``data_changed`` clears them all after a write.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import streamlit as st

from geo.cards import md_escape
from geo.config import Settings, load_settings, secret_values
from geo.errors import ConfigError, GeoError
from geo.lexicon import type_order
from geo.models import Event
from geo.redact import protect_logs
from geo.store import Store
from geo.viewstate import Options, shift_day, story_period

logger = logging.getLogger(__name__)
_demo_lock = threading.Lock()


def settings() -> Settings:
    protect_secrets()  # first, so that nothing logged below can carry a secret
    try:
        return load_settings(secrets=st.secrets)
    except ConfigError as err:
        # Our own wording, naming the setting but never its value; escaped, or "$iterations$" is maths.
        logger.error("configuration problem: %s", err)
        st.error(md_escape(f"Configuration problem: {err}"))
        st.stop()
        raise  # st.stop() raises; this line keeps type checkers calm


@st.cache_resource(show_spinner=False)
def get_store(db_url: str) -> Store:
    return Store(db_url)


@st.cache_resource(show_spinner="Loading the language model and the gazetteer…")
def get_pipeline(_settings: Settings, key: str) -> Any:
    from geo.pipeline import Pipeline

    return Pipeline.from_settings(_settings)


_gazetteer_lock = threading.Lock()
_gazetteer_ready: set[str] = set()  # cache dirs whose index was checked in this process


def pipeline_for(config: Settings) -> Any:
    """The cached pipeline; a missing or stale gazetteer is built first, under a progress bar."""
    from geo.gazetteer import ensure_gazetteer

    # Built here, not inside get_pipeline: a progress bar updated from inside an
    # st.cache_resource function is recorded for replay, and the next cache hit
    # then fails (CacheReplayClosureError).
    with _gazetteer_lock:  # two first visitors: one build
        if str(config.cache_dir) not in _gazetteer_ready:
            slot = st.empty()
            try:
                ensure_gazetteer(config, progress=lambda f, what: slot.progress(
                    min(f, 1.0), text=f"First start: building the place index (under a minute): {what}"))
            finally:
                slot.empty()
            _gazetteer_ready.add(str(config.cache_dir))
    return get_pipeline(config, config.pipeline_key())


@st.cache_resource(show_spinner=False)
def country_names() -> dict[str, str]:
    from geo.boundaries import load_boundaries

    try:
        frame = load_boundaries("countries")
    except GeoError:
        return {}
    return {str(c): str(n) for c, n in zip(frame["iso_a2"], frame["name"], strict=True) if c}


# The ttl lets articles ingested from the command line, in another process, show up.
CACHE_TTL = 60


@st.cache_data(show_spinner=False, max_entries=256, ttl=CACHE_TTL)
def query_events(db_url: str, actors: tuple[str, ...], date_from: date | None, date_to: date | None,
                 countries: tuple[str, ...], sources: tuple[str, ...], types: tuple[str, ...] = (),
                 story: str | None = None) -> list[Event]:
    return get_store(db_url).events(
        actors=actors or None, date_from=date_from, date_to=date_to,
        countries=countries or None, sources=sources or None, event_types=types or None, story=story,
    )


@st.cache_data(show_spinner=False, max_entries=256, ttl=CACHE_TTL)
def events_page(db_url: str, page: int, size: int, actors: tuple[str, ...], date_from: date | None,
                date_to: date | None, countries: tuple[str, ...], sources: tuple[str, ...],
                types: tuple[str, ...] = (), story: str | None = None) -> list[Event]:
    """One page of the matching events in time order, read with LIMIT/OFFSET: a large view's feed."""
    return get_store(db_url).events(
        actors=actors or None, date_from=date_from, date_to=date_to, countries=countries or None,
        sources=sources or None, event_types=types or None, story=story, limit=size, offset=page * size,
    )


# Above this many matching events the pages do not load them one by one: the map draws
# counts per place from SQL (geo.overview, geo.density), Timeline, Actors and Sources count in
# SQL too (geo.aggregates), and Review asks for narrower filters. An event costs up to about
# 1.8 KB of deck JSON: 1,500 keep the map under the 3 MB target (docs/benchmarks.md, section 4).
MAX_DETAIL_EVENTS = 1_500


@st.cache_data(show_spinner=False, max_entries=64, ttl=CACHE_TTL)
def overview_of(db_url: str, actors: tuple[str, ...], date_from: date | None, date_to: date | None,
                countries: tuple[str, ...], sources: tuple[str, ...], types: tuple[str, ...] = (),
                story: str | None = None) -> Any:
    from geo.density import map_overview
    from geo.overview import MapFilters

    view = MapFilters(actors, date_from, date_to, countries, sources, types, story)
    return map_overview(get_store(db_url), view)


@st.cache_data(show_spinner=False, max_entries=64, ttl=CACHE_TTL)
def large_view(what: str, db_url: str, actors: tuple[str, ...], date_from: date | None, date_to: date | None,
               countries: tuple[str, ...], sources: tuple[str, ...], types: tuple[str, ...] = (),
                story: str | None = None) -> Any:
    """A large view counted in SQL (geo.aggregates): "actors" (the actor table), "pairs"
    (actors seen together), "sources" (events per source), "timeline" (its chart data) or
    "placeless" (how many have no place)."""
    from geo import aggregates
    from geo.overview import MapFilters

    count = {"actors": aggregates.actor_counts, "pairs": aggregates.actor_pairs,
             "sources": aggregates.source_counts, "timeline": aggregates.timeline_data,
             "placeless": aggregates.placeless_count}[what]
    return count(get_store(db_url), MapFilters(actors, date_from, date_to, countries, sources, types, story))


@st.cache_data(show_spinner=False, ttl=CACHE_TTL)
def story_list(db_url: str) -> tuple[tuple[str, ...], str]:
    """The named stories (the latest first) and the one a plain link opens on."""
    store = get_store(db_url)
    return tuple(info.name for info in store.stories()), store.latest_story()


@st.cache_data(show_spinner=False, ttl=CACHE_TTL)
def story_options(db_url: str, story: str | None = None) -> tuple[Options, dict[str, int], dict[str, int]]:
    """What the filters can offer, with each actor's and each event type's event count (aggregates
    in SQL, no event rows). The dates are ``story``'s (None: every story's)."""
    store = get_store(db_url)
    actors = [(a, n) for a, n in store.actors() if n > 0]
    aliases = {alias.casefold(): a.name for a, _n in actors for alias in a.aliases}
    bounds = store.date_range(story=story)
    # The story opens on its own period: background asides ("last month", "in 2013") widen the
    # slider's bounds, not the first view.
    own = store.date_range(background=False, story=story) or bounds
    types = store.event_types()
    stories, default_story = story_list(db_url)
    options = Options(
        actors=tuple(a.name for a, _n in actors),
        countries=tuple(c for c, _n in store.countries()),
        sources=tuple(s for s, _n in store.sources()),
        types=type_order(t for t, _n in types),
        date_range=bounds,
        default_range=story_period(store.first_published(story), own),
        aliases=aliases,
        stories=stories,
        default_story=default_story,
    )
    return options, {a.name: n for a, n in actors}, dict(types)


def facets(db_url: str, actors: tuple[str, ...], date_from: date | None, date_to: date | None,
           countries: tuple[str, ...], sources: tuple[str, ...], types: tuple[str, ...] = (),
           story: str | None = None) -> tuple[dict[str, int], dict[str, int]]:
    """The counts beside each actor and each event type in the sidebar, for the view's filters
    (geo.aggregates): each list's counts ignore its own filter, so that choosing an actor then
    shows as many events as its count said, on every page."""
    return (actor_facet(db_url, date_from, date_to, countries, sources, types, story),
            type_facet(db_url, actors, date_from, date_to, countries, sources, story))


# Cached apart and keyed without the filter each one ignores: picking an actor must not count
# every actor again (seconds on a million-event store, docs/benchmarks.md section 4).
@st.cache_data(show_spinner=False, max_entries=64, ttl=CACHE_TTL)
def actor_facet(db_url: str, date_from: date | None, date_to: date | None, countries: tuple[str, ...],
                sources: tuple[str, ...], types: tuple[str, ...], story: str | None) -> dict[str, int]:
    """Each actor's matching events under every filter but the actor filter."""
    from geo.aggregates import actor_totals
    from geo.overview import MapFilters

    view = MapFilters((), date_from, date_to, countries, sources, types, story)
    table = actor_totals(get_store(db_url), view)
    return {str(a): int(n) for a, n in zip(table["actor"], table["events"], strict=True)}


@st.cache_data(show_spinner=False, max_entries=64, ttl=CACHE_TTL)
def type_facet(db_url: str, actors: tuple[str, ...], date_from: date | None, date_to: date | None,
               countries: tuple[str, ...], sources: tuple[str, ...], story: str | None) -> dict[str, int]:
    """Each event type's matching events under every filter but the type filter."""
    from geo.aggregates import type_totals
    from geo.overview import MapFilters

    return type_totals(get_store(db_url), MapFilters(actors, date_from, date_to, countries, sources, (),
                                                     story))


@st.cache_data(show_spinner=False, max_entries=64, ttl=CACHE_TTL)
def events_before(db_url: str, day: date, actors: tuple[str, ...] = (), countries: tuple[str, ...] = (),
                  sources: tuple[str, ...] = (), types: tuple[str, ...] = (),
                  story: str | None = None) -> int:
    """Events before ``day`` that the other filters keep: what "Include earlier background" adds."""
    from geo.aggregates import event_count
    from geo.overview import MapFilters

    before = MapFilters(actors, None, shift_day(day, -1), countries, sources, types, story)
    return event_count(get_store(db_url), before)


def data_changed() -> None:
    """After a write: cached queries are stale."""
    query_events.clear()
    events_page.clear()
    overview_of.clear()
    large_view.clear()
    story_options.clear()
    story_list.clear()
    actor_facet.clear()
    type_facet.clear()
    events_before.clear()


@st.cache_resource(show_spinner=False)
def _stores_with_data() -> set[str]:
    """Database URLs whose first-start check is done: no need to count articles on every rerun."""
    return set()


def ensure_demo(config: Settings, store: Store) -> None:
    """First start with an empty store: ingest the bundled demo story, with a progress bar."""
    known = _stores_with_data()
    if not config.demo or config.db_url in known or store.read_only:
        return
    with _demo_lock:  # two first visitors must not both load it
        if store.counts()["articles"] > 0:
            known.add(config.db_url)
            return
        from geo.pipeline import ingest
        from geo.readers import demo_articles

        bar = st.empty()
        try:
            # Something on the page at every moment of the first start: the model loads for a while.
            bar.progress(0.0, text="First start: loading the language model…")
            pipeline = pipeline_for(config)  # may build the gazetteer first, under its own bar
            bar.progress(0.0, text="First start: reading the demo story…")
            articles = demo_articles()
            summary = ingest(articles, pipeline, store, progress=lambda f, what: bar.progress(
                min(f, 1.0), text=f"Reading {Path(str(what)).name}"))  # the file, not the server's path
        except GeoError as err:
            bar.empty()
            known.add(config.db_url)  # tried once per process: no retry loop on every rerun
            logger.error("the demo story could not be loaded: %s", err)
            st.error("The demo story could not be loaded. The server log says why.")
            return
        logger.info("demo loaded: %d articles, %d events", len(summary.added), summary.events)
        known.add(config.db_url)
    data_changed()
    # Start the run again on the loaded store. Until the new run draws the page, Streamlit keeps
    # this run's elements: the finished bar stays in view instead of a blank page.
    bar.progress(1.0, text="The demo story is loaded: drawing the map…")
    st.rerun()



def protect_secrets() -> None:
    """Mask every configured secret in every log record this process writes (geo.redact).

    Ours (database password, API key, editor password and hash) and the
    ``[auth]`` section's own (client and cookie secrets), read raw so that a
    setting too broken to load is masked too. Called on every run: cheap, and
    it covers log handlers made since the last call.
    """
    try:
        raw: Any = st.secrets
        auth = st.secrets.get("auth", {})
    except FileNotFoundError:  # no secrets file at all
        raw, auth = None, {}
    protect_logs((*secret_values(secrets=raw), *_auth_secrets(auth)))


def _auth_secrets(section: Any) -> list[str]:
    """The secret values of an ``[auth]`` section, its named providers' included."""
    found: list[str] = []
    if isinstance(section, Mapping):
        for key, value in section.items():
            if isinstance(value, Mapping):
                found += _auth_secrets(value)
            elif "secret" in str(key).lower() and isinstance(value, str):
                found.append(value)
    return found
