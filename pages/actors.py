"""Actors: each actor's events, places and itinerary, and who appears with whom."""

from __future__ import annotations

import streamlit as st

import ui
from geo.aggregates import PAIRS_LIMIT
from geo.cards import md_escape, visible, visible_frame
from geo.legend import actor_color, hex_color
from geo.summaries import actor_table, co_occurrence, itinerary

ctx = ui.setup("Actors", page="actors")
st.title("Actors")
if ctx.too_many:  # counted in SQL, not loaded event by event
    with st.spinner(f"Counting the actors of {ctx.total:,} events…"):
        table = ui.large_view("actors", ctx.settings.db_url, *ctx.filters)
else:
    table = actor_table(ctx.events)
if table.empty:
    st.info("No named actors in the events these filters leave.")
    st.stop()

left, right = st.columns([3, 2])
with left:
    st.subheader("Who is in the story")
    # Each actor's dot in its map colour (keyed by the name, the same on every page).
    shown = visible_frame(table)
    shown.insert(0, "colour", "●")
    colours = [f"color: {hex_color(actor_color(a))}" for a in table["actor"]]
    st.dataframe(shown.style.apply(lambda _col: colours, subset=["colour"]), hide_index=True,
                 width="stretch", column_config={"colour": st.column_config.TextColumn("", width="small")})
with right:
    st.subheader("Seen together")
    if ctx.too_many:
        with st.spinner(f"Counting who appears with whom in {ctx.total:,} events…"):
            pairs = ui.large_view("pairs", ctx.settings.db_url, *ctx.filters)
    else:
        pairs = co_occurrence(ctx.events)
    if pairs.empty:
        st.caption("No two actors share an event.")
    else:
        st.dataframe(visible_frame(pairs), hide_index=True, width="stretch")
        if ctx.too_many and len(pairs) == PAIRS_LIMIT:
            st.caption(f"The {PAIRS_LIMIT} pairs that share the most events.")

st.subheader("Itinerary")
names = list(table["actor"])
default = ctx.state.actors[0] if ctx.state.actors and ctx.state.actors[0] in names else names[0]
actor = st.selectbox("Actor", names, index=names.index(default), key="itinerary_actor", format_func=visible)
events = ctx.events
if ctx.too_many:
    # This actor's events within the view's dates, countries and sources.
    _actors, *rest = ctx.filters
    mine = ui.overview_of(ctx.settings.db_url, (actor,), *rest).total
    limit = ui.data.MAX_DETAIL_EVENTS
    events = ui.query_events(ctx.settings.db_url, (actor,), *rest) if mine <= limit else []
    if not events:
        st.caption(f"{md_escape(actor)} has {mine:,} events in these dates, countries and sources; "
                   f"narrow them to {ui.data.MAX_DETAIL_EVENTS:,} or fewer for the itinerary.")
if events:
    st.dataframe(visible_frame(itinerary(events, actor)), hide_index=True, width="stretch")
only = actor not in ctx.state.actors
if only and st.button(f"Show only {md_escape(actor)} on every page", icon=":material/filter_alt:"):
    ui.set_state(actors=(actor,), step=None, event=None)
    ctx.rewrite_url()
    st.rerun()
