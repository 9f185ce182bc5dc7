"""Actors: each actor's events, places and itinerary, and who appears with whom."""

from __future__ import annotations

import streamlit as st

import ui
from geo.cards import md_escape
from geo.summaries import actor_table, co_occurrence, itinerary

ctx = ui.setup("Actors", page="actors")
ctx.stop_if_too_many()
st.title("Actors")
table = actor_table(ctx.events)
if table.empty:
    st.info("No named actors in the events these filters leave.")
    st.stop()

left, right = st.columns([3, 2])
with left:
    st.subheader("Who is in the story")
    st.dataframe(table, hide_index=True, width="stretch")
with right:
    st.subheader("Seen together")
    pairs = co_occurrence(ctx.events)
    if pairs.empty:
        st.caption("No two actors share an event.")
    else:
        st.dataframe(pairs, hide_index=True, width="stretch")

st.subheader("Itinerary")
names = list(table["actor"])
default = ctx.state.actors[0] if ctx.state.actors and ctx.state.actors[0] in names else names[0]
actor = st.selectbox("Actor", names, index=names.index(default), key="itinerary_actor")
route = itinerary(ctx.events, actor)
st.dataframe(route, hide_index=True, width="stretch")
only = actor not in ctx.state.actors
if only and st.button(f"Show only {md_escape(actor)} on every page", icon=":material/filter_alt:"):
    ui.set_state(actors=(actor,), step=None, event=None)
    ctx.rewrite_url()
    st.rerun()
