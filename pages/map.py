"""Map: the story's events, arcs and areas; pick an event or step through the story."""

from __future__ import annotations

import streamlit as st

import ui
from geo.cards import build_card, md_escape, visible_frame
from geo.errors import NotFoundError
from geo.feed import PAGE_SIZE as FEED_PAGE_SIZE
from geo.legend import legend, legend_html, max_mentions
from geo.mapview import build_deck, has_groups, picked_event_id
from geo.models import Event
from geo.story import step_of_event
from geo.viewstate import LAYER_CHOICES, clamp_step
from ui import story
from ui.curation import event_actions
from ui.feed import event_feed, large_feed
from ui.filters import share_button

ctx = ui.setup("Map", page="")
events = [e for e in ctx.events if e.has_place]  # the map never guesses where a place-less event was
state = ctx.state
# Story mode's steps: what one day's sentences tell about one place, actor or paragraph.
steps = story.steps_of(ctx, events)
title_col, share_col = st.columns([2, 3], vertical_alignment="center")
title_col.title("Follow the story")
with share_col:
    share_button(state, ctx.options, ctx.page)
# The map leads: about 70% of the content width ([5, 2]) and most of a laptop screen's height; the card
# and the feed sit beside it (below it on a phone, where Streamlit stacks columns).
MAP_HEIGHT = 610
COLUMNS = [5, 2]


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
    map_col, card_col = st.columns(COLUMNS)
    with map_col:
        chosen = st.pydeck_chart(shown.deck, on_select="rerun", selection_mode="single-object",
                                 key="overview_map", height=MAP_HEIGHT)
        st.html(legend_html(list(shown.legend)))
    picked = picked_event_id(chosen)
    if picked and picked != st.session_state.get("overview_handled"):
        # A new click on the map (the chart keeps its selection: a feed pick must not be undone by it).
        st.session_state["overview_handled"] = picked
        st.session_state["overview_pick"] = picked
        st.rerun()
    with card_col:
        if selected is None:
            st.caption("Click a place to see its latest event, or pick an event in the list.")
        else:
            _show_card(selected, [])
        # Read a page at a time from SQL: the feed stays fast however many events match.
        total = ctx.total + ui.large_view("placeless", ctx.settings.db_url, *ctx.filters)
        large_feed(lambda page: ui.data.events_page(ctx.settings.db_url, page, FEED_PAGE_SIZE, *ctx.filters),
                   total, picked=picked_id, listed=ctx.filters,
                   height=MAP_HEIGHT - 260 if selected is not None else MAP_HEIGHT - 60)


if ctx.too_many:
    _overview_map()
    st.stop()


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

colour_col = story.controls(steps, step, len(events))
st.session_state["w_color"] = state.color
colour_col.segmented_control("Colour by", options=["date", "actor", "type"], key="w_color", on_change=_color,
                             label_visibility="collapsed")

def _layers() -> None:
    ui.set_state(layers=tuple(n for n in LAYER_CHOICES if n in (st.session_state["w_layers"] or ())))


shown_layers = set(state.layers)
with st.spinner("Drawing the map…"):  # the first draw loads the outlines: say so, not a blank
    deck = build_deck(events, color_by=state.color, selected=selected, focus=step is not None,
                      basemap_style=ctx.settings.basemap_style,
                      highlight=steps[step].events if step is not None else (),
                      show_points="points" in shown_layers, show_arcs="arcs" in shown_layers,
                      show_areas="areas" in shown_layers, show_labels="labels" in shown_layers)
map_col, card_col = st.columns(COLUMNS)
with map_col:
    chosen = st.pydeck_chart(deck, on_select="rerun", selection_mode="single-object", key="map",
                             height=MAP_HEIGHT)
    st.session_state["w_layers"] = list(state.layers)
    st.pills("Layers", options=list(LAYER_CHOICES), selection_mode="multi", key="w_layers",
             on_change=_layers, format_func=str.capitalize, label_visibility="collapsed")
    st.html(legend_html(legend(events, state.color), layers=shown_layers & {"points", "arcs", "areas"},
                        most_mentions=max_mentions(events), groups=has_groups(deck)))

picked = picked_event_id(chosen)
if picked and picked != st.session_state.get("handled_pick"):
    # A new click: the card follows it, and the story continues from there.
    st.session_state["handled_pick"] = picked
    ui.set_state(event=picked, step=step_of_event(steps, picked))
    ctx.rewrite_url()
    st.rerun()

with card_col:
    if step is not None:
        story.heading(steps, step)
    if selected is None:
        story.intro(ctx, steps)  # the title slide, until the story starts
        st.caption("Click a point or an area to see where the story says so, press Next, or pick an "
                   "event in the list.")
    else:
        _show_card(selected, steps[step].others() if step is not None else [])
    marked = {e.event_id for e in steps[step].events} if step is not None else set()
    if selected is not None:
        marked.add(selected.event_id)
    event_feed(events, highlight=marked, focus_id=selected.event_id if selected is not None else None,
               step_for=lambda event_id: step_of_event(steps, event_id),
               height=MAP_HEIGHT - 260 if selected is not None else MAP_HEIGHT - 60)

story.advance(ctx, steps, step)
