"""Filter state and the URL: the sidebar's widgets, the view kept in the session, the share link.

Pattern (see FINDINGS): a ``ViewState`` copy lives in ``st.session_state``; it is seeded once from
the validated URL, assigned to the widget keys before the widgets on every run, changed only by
the widgets' ``on_change`` callbacks, and written back to the URL at the end of ``setup``.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from geo.cards import type_label, visible
from geo.viewstate import (
    WIDGET_FIRST_DAY,
    WIDGET_LAST_DAY,
    Options,
    ViewState,
    beyond_slider,
    from_slider,
    includes_background,
    parse_query,
    share_link,
    slider_bounds,
    slider_value,
    to_query,
    validate,
)
from ui.data import country_names

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


def requested_story() -> str | None:
    """The story the session asks for before its options are known: the session's, else the
    link's (``story=``; "" for every story); None for the store's default."""
    if STATE in st.session_state:
        return st.session_state[STATE].story
    state, _notices = parse_query(_url_params())
    return state.story


def _story_changed() -> None:
    # Another story has other dates: its own period opens, from its first step.
    set_state(story=st.session_state["w_story"], date_from=None, date_to=None, step=None, event=None)


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
    now = st.session_state[STATE]
    st.session_state[STATE] = ViewState(color=now.color, story=now.story)  # the story stays chosen


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
    if options.stories:
        choices = ["", *options.stories]
        chosen = options.default_story if state.story is None else state.story
        st.session_state["w_story"] = chosen if chosen in choices else ""
        side.selectbox("Story", choices, key="w_story", on_change=_story_changed,
                       format_func=lambda s: visible(s) if s else "All stories",
                       help="A story is a named collection of articles; its dates, feed and story mode "
                            "are its own.")
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


def view_link(state: ViewState, options: Options, page: str) -> str:
    """The full link to the current view, on the host the browser used."""
    base = ""
    try:
        url = st.context.url or ""
        base = url.split("?", 1)[0].rstrip("/")
        base = base.rsplit("/", 1)[0] if page and base.endswith("/" + page) else base
    except (AttributeError, RuntimeError):  # no browser context (tests)
        base = ""
    return share_link(base or "", page, state, options)


def copy_link(state: ViewState, options: Options, page: str) -> None:
    link = view_link(state, options, page)
    st.sidebar.caption("Link to this view (copy with the icon):")
    st.sidebar.code(link, language=None, wrap_lines=True)


# The button copies with the Clipboard API, or, where the page is not a secure context, by
# selecting the field and the browser's copy command; the field stays for a manual copy.
# No inline handlers (the hostile-page tests flag any on* attribute): listeners are added in code.
_SHARE_HTML = """
<div style="display:flex;gap:8px;align-items:center;font-family:sans-serif;font-size:14px">
  <button id="share" type="button" style="padding:6px 12px;border-radius:8px;border:1px solid #bbb;
    background:#fff;cursor:pointer;white-space:nowrap;font-size:14px">Share this view</button>
  <input id="link" type="text" readonly aria-label="Link to this view" value="%(link)s"
    style="flex:1;min-width:0;padding:6px;border:1px solid #ddd;border-radius:6px;font-size:13px;color:#333">
  <span id="done" role="status" style="color:#1a7f37;white-space:nowrap"></span>
</div>
<script>
(() => {
  const field = document.getElementById("link");
  const done = document.getElementById("done");
  const say = (text) => { done.textContent = text; };
  document.getElementById("share").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      say("Link copied");
    } catch (err) {
      field.focus();
      field.select();
      say(document.execCommand("copy") ? "Link copied" : "Select the link and copy it");
    }
  });
  field.addEventListener("focus", () => field.select());
})();
</script>
"""


def share_button(state: ViewState, options: Options, page: str) -> str:
    """A visible "Share this view" button that copies the view's link, says "Link copied", and
    shows the link for a manual copy; returns the link. The link carries actor names and other
    untrusted text: it enters the HTML attribute-escaped only."""
    link = view_link(state, options, page)
    # Our own template; the only outside text, the link, is attribute-escaped.
    st.iframe(_SHARE_HTML % {"link": html.escape(link, quote=True)}, height=44)
    return link
