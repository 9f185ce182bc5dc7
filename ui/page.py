"""The page context: what every page gets from ``setup``, its first call.

A page may be the very first script a freshly started server runs (a shared deep link after a
wake-up runs the page without app.py), so nothing here assumes app.py ran: settings, store, demo
load, filter state and sidebar are all set up on each page's own run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

import streamlit as st

from geo.config import Settings
from geo.errors import GeoError
from geo.models import Event
from geo.redact import redact_url
from geo.store import Store
from geo.viewstate import Options, ViewState, effective_dates, effective_story, validate
from ui import data
from ui.data import (
    ensure_demo,
    events_before,
    facets,
    get_store,
    large_view,
    overview_of,
    query_events,
    settings,
    story_list,
    story_options,
)
from ui.filters import (
    NOTICES,
    STATE,
    copy_link,
    current_state,
    page_links,
    requested_story,
    sidebar,
    write_url,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Context:
    settings: Settings
    store: Store
    state: ViewState
    options: Options
    events: list[Event]  # empty when more than data.MAX_DETAIL_EVENTS match (see ``total``)
    page: str
    total: int = 0  # matching events

    @property
    def too_many(self) -> bool:
        return self.total > data.MAX_DETAIL_EVENTS

    @property
    def filters(self) -> tuple[Any, ...]:
        """The effective filters, in the order the cached queries take them."""
        date_from, date_to = effective_dates(self.state, self.options)
        return (self.state.actors, date_from, date_to, self.state.countries, self.state.sources,
                self.state.types, effective_story(self.state, self.options))

    def rewrite_url(self) -> None:
        write_url(st.session_state[STATE], self.options)

    def stop_if_too_many(self) -> None:
        """Pages that list events one by one: ask for narrower filters on a very large view."""
        if self.too_many:
            st.info(f"{self.total:,} events match these filters; this page lists at most "
                    f"{data.MAX_DETAIL_EVENTS:,}. Narrow the dates, actors, countries or sources "
                    "(the Map shows all of them as counts per place).")
            st.stop()


def setup(title: str, page: str) -> Context:
    """Everything a page needs; call first on every page (``page`` is its URL path)."""
    st.set_page_config(page_title=f"{title} · Geostory", layout="wide")
    config = settings()
    try:
        store = get_store(config.db_url)
    except GeoError as err:
        # The reason (a path, a host, the driver's words) is for the operator, not for every viewer.
        logger.error("the event store %s cannot be opened: %s", redact_url(config.db_url), err)
        st.error("The event store cannot be opened. The server log says why.", icon=":material/error:")
        st.stop()
    if store.read_only:  # a read-only mount: viewing works, editing is off whatever the settings say
        config = replace(config, read_only=True)
    page_links()
    ensure_demo(config, store)
    # The story first: the slider's dates and the first view are the chosen story's.
    stories, default_story = story_list(config.db_url)
    wanted = requested_story()
    story = default_story if wanted is None or (wanted and wanted not in stories) else wanted
    options, _totals, _type_totals = story_options(config.db_url, story or None)
    # Checked on every run too: a write (new article, correction) can change what exists.
    state, _dropped = validate(current_state(options), options)
    st.session_state[STATE] = state
    for notice in st.session_state.pop(NOTICES, []):
        st.caption(f":material/info: {notice}")  # our wording; link keys are reduced to [\w-]
    # The counts beside each choice follow the other filters, as every page's counts do.
    low, high = effective_dates(state, options)
    counts, type_counts = facets(config.db_url, state.actors, low, high, state.countries, state.sources,
                                 state.types, effective_story(state, options))
    sidebar(state, options, counts, type_counts)
    state = st.session_state[STATE]
    date_from, date_to = effective_dates(state, options)
    filters = (state.actors, date_from, date_to, state.countries, state.sources, state.types,
               effective_story(state, options))
    # The per-place counts answer "how many" too: one grouped query, which a large view needs anyway.
    total = overview_of(config.db_url, *filters).total
    events = query_events(config.db_url, *filters) if total <= data.MAX_DETAIL_EVENTS else []
    # Events without a place count too (Timeline, Actors, tables), though the map cannot show them.
    placeless = large_view("placeless", config.db_url, *filters)
    st.sidebar.caption(f"{total + placeless:,} events shown")
    if placeless:
        st.sidebar.caption(f"{placeless:,} of them name no place, so the map leaves "
                           f"{'them' if placeless != 1 else 'it'} out.")
    if date_from is not None and options.date_range is not None and date_from > options.date_range[0]:
        earlier = events_before(config.db_url, date_from, state.actors, state.countries, state.sources,
                                state.types, effective_story(state, options))
        if earlier:
            # Background mentions ("since 2013") sit before the story's period.
            plural = earlier != 1
            st.sidebar.caption(f"The story has {earlier} earlier event{'s' if plural else ''} "
                               f"(before {date_from.isoformat()}), left out here; switch on "
                               f"\"Include earlier background\" to show {'them' if plural else 'it'}.")
    write_url(state, options)
    copy_link(state, options, page)
    return Context(config, store, state, options, events, page, total)
