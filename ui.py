"""The dashboard's shared Streamlit layer: resources, first-start demo, sidebar filters.

Every page calls :func:`setup` first. A page may be the very first script a
freshly started server runs (a shared deep link after a wake-up runs the page
without app.py), so nothing here assumes app.py ran: settings, store, demo
load, filter state and sidebar are all set up on each page's own run.

Filter state pattern (see FINDINGS): a ``ViewState`` copy lives in
``st.session_state``; it is seeded once from the validated URL, assigned to
the widget keys before the widgets on every run, changed only by the widgets'
``on_change`` callbacks, and written back to the URL at the end of setup.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAuthError, StreamlitPageNotFoundError
from streamlit.runtime.scriptrunner import get_script_run_ctx

from geo import access
from geo.cards import md_escape, type_label, visible
from geo.config import Settings, load_settings, secret_values
from geo.errors import ConfigError, GeoError
from geo.lexicon import type_order
from geo.models import Event
from geo.redact import protect_logs, redact_url
from geo.store import Store
from geo.viewstate import (
    WIDGET_FIRST_DAY,
    WIDGET_LAST_DAY,
    Options,
    ViewState,
    beyond_slider,
    effective_dates,
    from_slider,
    includes_background,
    parse_query,
    share_link,
    shift_day,
    slider_bounds,
    slider_value,
    story_period,
    to_query,
    validate,
)

logger = logging.getLogger(__name__)

STATE = "geostory_view"
NOTICES = "geostory_notices"
PAGES: tuple[tuple[str, str, str, str], ...] = (
    # (script, title, icon, url path)
    # No page icons: a :material/: page icon becomes a favicon fetched from Google,
    # and emoji need a colour-emoji font the server's browser may lack.
    ("pages/map.py", "Map", "", ""),
    ("pages/timeline.py", "Timeline", "", "timeline"),
    ("pages/actors.py", "Actors", "", "actors"),
    ("pages/sources.py", "Sources & data", "", "sources"),
    ("pages/add.py", "Add articles", "", "add"),
    ("pages/review.py", "Review places", "", "review"),
)
_demo_lock = threading.Lock()


# -- resources -----------------------------------------------------------------------


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
                    min(f, 1.0), text=f"First start: building the place index (about 20 s): {what}"))
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
                 countries: tuple[str, ...], sources: tuple[str, ...], types: tuple[str, ...] = ()
                 ) -> list[Event]:
    return get_store(db_url).events(
        actors=actors or None, date_from=date_from, date_to=date_to,
        countries=countries or None, sources=sources or None, event_types=types or None,
    )


# Above this many matching events the pages do not load them one by one: the map draws
# counts per place from SQL (geo.overview, geo.density), Timeline, Actors and Sources count in
# SQL too (geo.aggregates), and Review asks for narrower filters. An event costs up to about
# 1.8 KB of deck JSON: 1,500 keep the map under the 3 MB target (docs/benchmarks.md, section 4).
MAX_DETAIL_EVENTS = 1_500


@st.cache_data(show_spinner=False, max_entries=64, ttl=CACHE_TTL)
def overview_of(db_url: str, actors: tuple[str, ...], date_from: date | None, date_to: date | None,
                countries: tuple[str, ...], sources: tuple[str, ...], types: tuple[str, ...] = ()) -> Any:
    from geo.density import map_overview
    from geo.overview import MapFilters

    return map_overview(get_store(db_url), MapFilters(actors, date_from, date_to, countries, sources, types))


@st.cache_data(show_spinner=False, max_entries=64, ttl=CACHE_TTL)
def large_view(what: str, db_url: str, actors: tuple[str, ...], date_from: date | None, date_to: date | None,
               countries: tuple[str, ...], sources: tuple[str, ...], types: tuple[str, ...] = ()) -> Any:
    """A large view counted in SQL (geo.aggregates): "actors" (the actor table), "pairs"
    (actors seen together), "sources" (events per source), "timeline" (its chart data) or
    "placeless" (how many have no place)."""
    from geo import aggregates
    from geo.overview import MapFilters

    count = {"actors": aggregates.actor_counts, "pairs": aggregates.actor_pairs,
             "sources": aggregates.source_counts, "timeline": aggregates.timeline_data,
             "placeless": aggregates.placeless_count}[what]
    return count(get_store(db_url), MapFilters(actors, date_from, date_to, countries, sources, types))


@st.cache_data(show_spinner=False, ttl=CACHE_TTL)
def story_options(db_url: str) -> tuple[Options, dict[str, int], dict[str, int]]:
    """What the filters can offer, with each actor's and each event type's event count (aggregates
    in SQL, no event rows)."""
    store = get_store(db_url)
    actors = [(a, n) for a, n in store.actors() if n > 0]
    aliases = {alias.casefold(): a.name for a, _n in actors for alias in a.aliases}
    bounds = store.date_range()
    # The story opens on its own period: background asides ("last month", "in 2013") widen the
    # slider's bounds, not the first view.
    own = store.date_range(background=False) or bounds
    types = store.event_types()
    options = Options(
        actors=tuple(a.name for a, _n in actors),
        countries=tuple(c for c, _n in store.countries()),
        sources=tuple(s for s, _n in store.sources()),
        types=type_order(t for t, _n in types),
        date_range=bounds,
        default_range=story_period(store.first_published(), own),
        aliases=aliases,
    )
    return options, {a.name: n for a, n in actors}, dict(types)


@st.cache_data(show_spinner=False, max_entries=64, ttl=CACHE_TTL)
def events_before(db_url: str, day: date) -> int:
    return get_store(db_url).count_events(date_to=shift_day(day, -1))


def data_changed() -> None:
    """After a write: cached queries are stale."""
    query_events.clear()
    overview_of.clear()
    large_view.clear()
    story_options.clear()
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
            pipeline = pipeline_for(config)  # may build the gazetteer first, under its own bar
            bar.progress(0.0, text="First start: reading the demo story…")
            articles = demo_articles()
            summary = ingest(articles, pipeline, store,
                             progress=lambda f, what: bar.progress(min(f, 1.0), text=f"Reading {what}"))
        except GeoError as err:
            bar.empty()
            known.add(config.db_url)  # tried once per process: no retry loop on every rerun
            logger.error("the demo story could not be loaded: %s", err)
            st.error("The demo story could not be loaded. The server log says why.")
            return
        bar.empty()
        logger.info("demo loaded: %d articles, %d events", len(summary.added), summary.events)
        known.add(config.db_url)
    data_changed()


# -- filter state --------------------------------------------------------------------


def _url_params() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def current_state(options: Options) -> ViewState:
    """The session's view; seeded from the URL on the session's first run."""
    if STATE not in st.session_state:
        state, notices = parse_query(_url_params())
        state, more = validate(state, options)
        st.session_state[STATE] = state
        st.session_state[NOTICES] = notices + more
    return st.session_state[STATE]


def set_state(**changes: Any) -> ViewState:
    state = replace(st.session_state[STATE], **changes)
    st.session_state[STATE] = state
    return state


def _on_filter(field: str, key: str, convert: Callable[[Any], Any]) -> Callable[[], None]:
    def callback() -> None:
        # A new filter changes the event list: the story position and picked event no longer apply.
        set_state(**{field: convert(st.session_state[key])}, step=None, event=None)

    return callback


def _dates_changed(options: Options) -> Callable[[], None]:
    def callback() -> None:
        low, high = from_slider(*st.session_state["w_dates"], options)
        set_state(date_from=low, date_to=high, step=None, event=None)

    return callback


def _background_changed(options: Options) -> Callable[[], None]:
    def callback() -> None:
        if st.session_state["w_background"] and options.date_range is not None:
            set_state(date_from=options.date_range[0], step=None, event=None)
        else:  # back to the story's own period
            set_state(date_from=None, step=None, event=None)

    return callback


def _reset() -> None:
    st.session_state[STATE] = ViewState(color=st.session_state[STATE].color)


def page_links() -> None:
    """The page list, the same whichever page a fresh server ran first (see the module doc)."""
    for script, title, _icon, path in PAGES:
        try:
            st.sidebar.page_link(script, label=title)
        except StreamlitPageNotFoundError:
            # The script is the entry point itself (a page run on its own in tests): a plain link.
            st.sidebar.markdown(f"[{title}](/{path})")
    st.sidebar.divider()


def sidebar(state: ViewState, options: Options, counts: dict[str, int], type_counts: dict[str, int]) -> None:
    names = country_names()
    side = st.sidebar
    side.subheader("Filters")
    bounds = slider_bounds(state, options)
    if bounds is not None:
        low, high = bounds
        if low < high:
            # The slider spans the story's own period unless the view reaches back further.
            st.session_state["w_dates"] = slider_value(state, options)
            side.slider("Dates", min_value=low, max_value=high, key="w_dates",
                        on_change=_dates_changed(options), format="YYYY-MM-DD")
        elif options.date_range is not None and options.date_range[0] == options.date_range[1]:
            side.caption(f"All events are dated {low.isoformat()}.")
        beyond = beyond_slider(options)
        if beyond is not None:
            # History ("in 1221, ...") is news too: say what the slider cannot show.
            side.caption(f"Events run from {beyond[0].isoformat()} to {beyond[1].isoformat()}; the slider "
                         f"can show {WIDGET_FIRST_DAY.isoformat()} to {WIDGET_LAST_DAY.isoformat()}, and "
                         "an end held at its limit takes in every event beyond it.")
        if options.default_range is not None and options.date_range is not None \
                and options.date_range[0] < options.default_range[0]:
            st.session_state["w_background"] = includes_background(state, options)
            side.toggle("Include earlier background", key="w_background",
                        on_change=_background_changed(options),
                        help="Events dated before the story's own period, such as "
                             f"\"since 2013\" (from {options.date_range[0].isoformat()}).")
    st.session_state["w_actors"] = list(state.actors)
    side.multiselect("Actors", options=list(options.actors), key="w_actors",
                     format_func=lambda a: f"{visible(a)} ({counts.get(a, 0)})", placeholder="All actors",
                     on_change=_on_filter("actors", "w_actors", tuple))
    st.session_state["w_countries"] = list(state.countries)
    side.multiselect("Countries", options=list(options.countries), key="w_countries",
                     format_func=lambda c: f"{names.get(c, c)} ({c})", placeholder="All countries",
                     on_change=_on_filter("countries", "w_countries", tuple))
    st.session_state["w_types"] = list(state.types)
    side.multiselect("Event types", options=list(options.types), key="w_types",
                     format_func=lambda t: f"{type_label(t)} ({type_counts.get(t, 0)})",
                     placeholder="All event types", on_change=_on_filter("types", "w_types", tuple))
    st.session_state["w_sources"] = list(state.sources)
    side.multiselect("Sources", options=list(options.sources), key="w_sources", placeholder="All sources",
                     format_func=visible,
                     on_change=_on_filter("sources", "w_sources", tuple))
    side.button("Reset filters", on_click=_reset, width="stretch")


URL_WRITTEN = "geostory_url_written"


def write_url(state: ViewState, options: Options) -> None:
    wanted = to_query(state, options)
    # Once per session unconditionally: Streamlit drops an oversized query string (over 1,000
    # parameters) from st.query_params, which then looks in sync while the browser keeps it.
    first = not st.session_state.get(URL_WRITTEN)
    if first or _url_params() != {k: v if isinstance(v, list) else [v] for k, v in wanted.items()}:
        st.query_params.from_dict(wanted)
        st.session_state[URL_WRITTEN] = True


def copy_link(state: ViewState, options: Options, page: str) -> None:
    base = ""
    try:
        url = st.context.url or ""
        base = url.split("?", 1)[0].rstrip("/")
        base = base.rsplit("/", 1)[0] if page and base.endswith("/" + page) else base
    except (AttributeError, RuntimeError):  # no browser context (tests)
        base = ""
    link = share_link(base or "", page, state, options)
    st.sidebar.caption("Link to this view (copy with the icon):")
    st.sidebar.code(link, language=None, wrap_lines=True)


# -- the page context ----------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    settings: Settings
    store: Store
    state: ViewState
    options: Options
    events: list[Event]  # empty when more than MAX_DETAIL_EVENTS match (see ``total``)
    page: str
    total: int = 0  # matching events

    @property
    def too_many(self) -> bool:
        return self.total > MAX_DETAIL_EVENTS

    @property
    def filters(self) -> tuple[Any, ...]:
        """The effective filters, in the order the cached queries take them."""
        date_from, date_to = effective_dates(self.state, self.options)
        return (self.state.actors, date_from, date_to, self.state.countries, self.state.sources,
                self.state.types)

    def rewrite_url(self) -> None:
        write_url(st.session_state[STATE], self.options)

    def stop_if_too_many(self) -> None:
        """Pages that list events one by one: ask for narrower filters on a very large view."""
        if self.too_many:
            st.info(f"{self.total:,} events match these filters; this page lists at most "
                    f"{MAX_DETAIL_EVENTS:,}. Narrow the dates, actors, countries or sources "
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
    options, counts, type_counts = story_options(config.db_url)
    # Checked on every run too: a write (new article, correction) can change what exists.
    state, _dropped = validate(current_state(options), options)
    st.session_state[STATE] = state
    for notice in st.session_state.pop(NOTICES, []):
        st.caption(f":material/info: {notice}")  # our wording; link keys are reduced to [\w-]
    sidebar(state, options, counts, type_counts)
    state = st.session_state[STATE]
    date_from, date_to = effective_dates(state, options)
    filters = (state.actors, date_from, date_to, state.countries, state.sources, state.types)
    # The per-place counts answer "how many" too: one grouped query, which a large view needs anyway.
    total = overview_of(config.db_url, *filters).total
    events = query_events(config.db_url, *filters) if total <= MAX_DETAIL_EVENTS else []
    # Events without a place count too (Timeline, Actors, tables), though the map cannot show them.
    placeless = large_view("placeless", config.db_url, *filters)
    st.sidebar.caption(f"{total + placeless:,} events shown")
    if placeless:
        st.sidebar.caption(f"{placeless:,} of them name no place, so the map leaves "
                           f"{'them' if placeless != 1 else 'it'} out.")
    if date_from is not None and options.date_range is not None and date_from > options.date_range[0]:
        earlier = events_before(config.db_url, date_from)
        if earlier:
            # Background mentions ("since 2013") sit before the story's period.
            plural = earlier != 1
            st.sidebar.caption(f"The story has {earlier} earlier event{'s' if plural else ''} "
                               f"(before {date_from.isoformat()}), left out here; switch on "
                               f"\"Include earlier background\" to show {'them' if plural else 'it'}.")
    write_url(state, options)
    copy_link(state, options, page)
    return Context(config, store, state, options, events, page, total)


# -- editing access ------------------------------------------------------------------
# Viewing is open. Add articles and Review places call editor_gate() before any widget
# that writes, and every write calls require_editor() again: a widget callback runs
# before the page's own gate, with the settings of the moment. Rules: geo/access.py.

EDITOR_GRANT = "geostory_editor_grant"  # session_state: the credential tag a password unlocked


@st.cache_resource(show_spinner=False)
def editor_throttle() -> access.Throttle:
    """Wrong-password counts for the whole process, so a new tab does not reset them."""
    return access.Throttle()


def _login_configured() -> bool:
    try:
        return bool(st.secrets.get("auth"))
    except FileNotFoundError:  # no secrets file at all
        return False


def _signed_in() -> tuple[str | None, object]:
    """(e-mail, email_verified) of the st.login user; (None, None) when nobody is signed in."""
    if st.user.get("is_logged_in") is not True:
        return None, None
    email = st.user.get("email")
    return (email if isinstance(email, str) else None), st.user.get("email_verified")


def _client_key(config: Settings) -> access.Attempt:
    """Who the wrong-password count is kept for: the address (unless only claimed) and the session."""
    try:
        address, sent = st.context.ip_address, st.context.headers
        headers = [(name, value) for name in sent for value in sent.get_all(name)]
    except (AttributeError, RuntimeError):  # no browser context
        address, headers = None, []
    ctx = get_script_run_ctx()
    return access.Attempt(
        access.address_keys(address if isinstance(address, str) else None, headers,
                            trusted_proxy=config.trusted_proxy),
        session=ctx.session_id if ctx is not None else "")


def editing_allowed(config: Settings) -> bool:
    """Whether this session may change data under ``config`` (no drawing)."""
    rules = access.policy(config, login_configured=_login_configured())
    email, verified = _signed_in() if rules.login else (None, None)
    granted = access.grant_is_current(st.session_state.get(EDITOR_GRANT), config)
    return access.may_edit(rules, password_granted=granted, email=email, email_verified=verified)


def require_editor() -> None:
    """Raise ``access.AccessDenied`` unless this session may change data now; call before each write."""
    try:
        config = load_settings(secrets=st.secrets)
    except ConfigError as err:
        raise access.AccessDenied("editing is off while the settings cannot be read") from err
    if get_store(config.db_url).read_only:
        raise access.AccessDenied("the event store is on a read-only disk; nothing was changed")
    if not editing_allowed(config):
        raise access.AccessDenied("changing data needs an editor sign-in; nothing was changed")


def _sign_out(email: str | None) -> None:
    st.session_state.pop(EDITOR_GRANT, None)
    if email:
        st.logout()  # ends the provider's session cookie too, and reruns
    st.rerun()


def _password_form(box: Any, config: Settings) -> None:
    throttle, client = editor_throttle(), _client_key(config)
    wait = throttle.wait(*client.keys)  # the address's count or this session's, whichever is longer
    # clear_on_submit: the typed password does not stay in the widget.
    with box.form("editor_sign_in", clear_on_submit=True, border=False):
        typed = st.text_input("Editor password", type="password", max_chars=access.MAX_PASSWORD_LENGTH,
                              autocomplete="current-password")
        unlock = st.form_submit_button("Unlock editing", icon=":material/key:", disabled=wait > 0)
    if wait > 0:
        box.warning(f"Too many wrong passwords. Try again in {math.ceil(wait)} s.", icon=":material/timer:")
        return
    if not unlock:
        return
    if access.verify_password(typed, config):
        throttle.succeeded(*client.keys)
        st.session_state[EDITOR_GRANT] = access.credential_tag(config)
        logger.info("editing unlocked by password for a session from %s", " / ".join(client.addresses))
        st.rerun()
    delay = throttle.failed(*client.keys)
    later = f" Too many tries: wait {math.ceil(delay)} s." if delay else ""
    box.error(f"Wrong password; nothing was unlocked.{later}", icon=":material/error:")


def _login_button(box: Any, rules: access.Policy) -> None:
    email, verified = _signed_in()
    if email:  # signed in, but not (or not verifiably) an editor
        why = "is not verified" if verified is False else "is not on the editors list"
        box.warning(f"Signed in as {md_escape(email)}, which {why}.", icon=":material/person_off:")
        if box.button("Sign out", key="editor_sign_out_denied", icon=":material/logout:"):
            _sign_out(email)
        return
    if box.button("Sign in as an editor", key="editor_login", icon=":material/login:"):
        try:
            st.login(rules.provider or None)
        except StreamlitAuthError as err:
            logger.warning("st.login could not start: %s", err)
            box.error("Sign-in is configured, but this server cannot start it (the server log says why).",
                      icon=":material/error:")


def editor_gate(ctx: Context) -> bool:
    """Draw the editor sign-in where needed; True when this session may change data now."""
    rules = access.policy(ctx.settings, login_configured=_login_configured())
    if rules.mode is access.Mode.OPEN:
        st.caption(":material/lock_open: Editing is open to anyone who can open this page. To restrict it, "
                   "set an editor password or `GEOSTORY_READ_ONLY=true` (README: Editing access).")
        return True
    if rules.mode is access.Mode.LOCKED:
        why = " (its event store is on a read-only disk)" if ctx.store.read_only else ""
        st.info(f"This Geostory is read-only{why}: nothing can be added or changed here.",
                icon=":material/lock:")
        return False
    if editing_allowed(ctx.settings):
        email, _verified = _signed_in() if rules.login else (None, None)
        who = md_escape(email) if email and access.login_allowed(rules, email=email) else "this session"
        left, right = st.columns([5, 1], vertical_alignment="center")
        left.caption(f":material/lock_person: Editing unlocked for {who}.")
        if right.button("Sign out", key="editor_sign_out", icon=":material/logout:"):
            _sign_out(email)
        return True
    box = st.container(border=True)
    box.markdown(":material/lock: **Editors only.** Viewing is open to all; changing data needs an editor "
                 "sign-in.")
    if rules.login:
        _login_button(box, rules)
    if rules.password:
        _password_form(box, ctx.settings)
    return False


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
