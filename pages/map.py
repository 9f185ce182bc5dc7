"""Map: the story's events, arcs and areas; pick an event or step through the story."""

from __future__ import annotations

import time

import streamlit as st

import ui
from geo.cards import build_card, md_escape, visible_frame
from geo.errors import NotFoundError
from geo.legend import legend, legend_html
from geo.mapview import build_deck, picked_event_id
from geo.models import Event
from geo.story import step_of_event, story_steps
from geo.viewstate import clamp_step
from ui.curation import event_actions

ctx = ui.setup("Map", page="")
events = [e for e in ctx.events if e.has_place]  # the map never guesses where a place-less event was
state = ctx.state
# Story mode steps sentence by sentence, not mention by mention.
steps = story_steps(events)
st.title("Follow the story")


def _show_card(selected: Event, also: list[str]) -> None:
    """The event's card: escaped sentence and facts, an http(s) link, the other candidates."""
    try:
        article = ctx.store.article(selected.article_id)
    except NotFoundError:
        article = None
    card = build_card(selected, article)
    with st.container(border=True, key="card"):
        st.markdown(f"#### {card.title_md}")
        st.markdown(f"> {card.sentence_md}")
        for line in card.facts_md:
            st.markdown(line)
        if also:
            st.markdown("**Also in this sentence:** " + md_escape(", ".join(also)))
        if card.url:
            st.link_button("Open the article", card.url, icon=":material/open_in_new:")
        if len(card.candidates) > 1:
            with st.expander(f"Other candidates ({len(card.candidates) - 1})"):
                st.dataframe(visible_frame(card.candidates), hide_index=True)
        event_actions(ctx, selected)  # editors only: not a place, delete, type (ui/curation.py)


def _overview_map() -> None:
    """A very large view: counts per place from SQL, density cells when the places are many."""
    from geo.density import overview_deck

    overview = ui.overview_of(ctx.settings.db_url, *ctx.filters)
    picked_id = st.session_state.get("overview_pick")
    selected = None
    if picked_id:
        try:
            selected = ctx.store.event(picked_id)
        except NotFoundError:
            selected = None
    shown = overview_deck(overview, selected=selected, basemap_style=ctx.settings.basemap_style)
    st.caption(f"{ctx.total:,} events match: story mode steps through at most "
               f"{ui.data.MAX_DETAIL_EVENTS:,}; narrow the filters to follow them one by one.")
    if shown.notice:
        st.info(shown.notice, icon=":material/grid_view:")
    map_col, card_col = st.columns([3, 2])
    with map_col:
        chosen = st.pydeck_chart(shown.deck, on_select="rerun", selection_mode="single-object",
                                 key="overview_map", height=560)
        st.html(legend_html(list(shown.legend)))
    picked = picked_event_id(chosen)
    if picked and picked != picked_id:
        st.session_state["overview_pick"] = picked
        st.rerun()
    with card_col:
        if selected is None:
            st.caption("Click a place to see its latest event.")
        else:
            _show_card(selected, [])


if ctx.too_many:
    _overview_map()
    st.stop()

PLAY_SECONDS = 2.0


def _go(step: int | None) -> None:
    if step is None or not steps:
        ui.set_state(step=None, event=None)
    else:
        step = clamp_step(step, len(steps))
        ui.set_state(step=step, event=steps[step].focus.event_id)  # type: ignore[index]


def _current() -> int | None:
    # Callbacks run before the next script run: read the state, not this run's copy.
    return st.session_state[ui.STATE].step


def _previous() -> None:
    current = _current()
    _go(0 if current is None else current - 1)


def _next() -> None:
    current = _current()
    _go(0 if current is None else current + 1)


def _toggle_play() -> None:
    st.session_state["playing"] = not st.session_state.get("playing", False)
    if st.session_state["playing"] and _current() is None:
        _go(0)


def _color() -> None:
    ui.set_state(color=st.session_state["w_color"])


if not events:
    st.info("No events match these filters. Widen the dates or clear the actor filter.")
    st.stop()

step = clamp_step(state.step, len(steps))
selected = None
if step is not None:
    # The linked or clicked event when it belongs to this stop, else the stop's own place.
    stop = steps[step]
    selected = next((e for e in events if e.event_id == state.event and e.event_id in stop.sentence_ids),
                    stop.focus)
elif state.event:
    selected = next((e for e in events if e.event_id == state.event), None)
    if selected is None:
        st.caption("The linked event is not among the events these filters show.")

controls = st.columns([1, 1, 1, 3, 2], vertical_alignment="center")
controls[0].button("Previous", icon=":material/skip_previous:", on_click=_previous, key="prev",
                   disabled=step == 0, width="stretch")
controls[1].button("Next", icon=":material/skip_next:", on_click=_next, key="next",
                   disabled=step is not None and step >= len(steps) - 1, width="stretch")
playing = bool(st.session_state.get("playing", False))
controls[2].button("Pause" if playing else "Play",
                   icon=":material/pause:" if playing else ":material/play_arrow:",
                   on_click=_toggle_play, key="play", width="stretch")
controls[3].caption(f"Story step {step + 1} of {len(steps)}" if step is not None
                    else f"{len(events)} events in {len(steps)} sentences · press Next to follow "
                         "the story sentence by sentence")
st.session_state["w_color"] = state.color
controls[4].segmented_control("Colour by", options=["date", "actor", "type"], key="w_color", on_change=_color,
                              label_visibility="collapsed")

deck = build_deck(events, color_by=state.color, selected=selected, focus=step is not None,
                  basemap_style=ctx.settings.basemap_style,
                  highlight=steps[step].events if step is not None else ())
map_col, card_col = st.columns([3, 2])
with map_col:
    chosen = st.pydeck_chart(deck, on_select="rerun", selection_mode="single-object", key="map", height=560)
    st.html(legend_html(legend(events, state.color)))

picked = picked_event_id(chosen)
if picked and picked != st.session_state.get("handled_pick"):
    # A new click: the card follows it, and the story continues from there.
    st.session_state["handled_pick"] = picked
    ui.set_state(event=picked, step=step_of_event(steps, picked))
    ctx.rewrite_url()
    st.rerun()

with card_col:
    if selected is None:
        st.caption("Click a point or an area to see where the story says so, or press Next.")
    else:
        _show_card(selected, steps[step].others() if step is not None else [])

if playing:
    if step is not None and step < len(steps) - 1:
        time.sleep(PLAY_SECONDS)
        _go(step + 1)
        ctx.rewrite_url()
        st.rerun()
    st.session_state["playing"] = False
