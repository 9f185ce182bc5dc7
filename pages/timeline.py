"""Timeline: events over time by actor; brushing a period narrows the date filter."""

from __future__ import annotations

import altair as alt
import streamlit as st

import ui
from geo.summaries import period_from_selection, timeline_frame

ctx = ui.setup("Timeline", page="timeline")
st.title("Timeline")
frame = timeline_frame(ctx.events)
if frame.empty:
    st.info("No events match these filters.")
    st.stop()

period = alt.selection_interval(name="period", encodings=["x"])
chart = (
    alt.Chart(frame)
    .mark_circle(opacity=0.8)
    .encode(
        x=alt.X("date:T", title="Date"),
        y=alt.Y("actor:N", title=None, sort="-x"),
        size=alt.Size("count():Q", title="Events", scale=alt.Scale(range=[40, 400])),
        color=alt.Color("actor:N", legend=None),
        tooltip=[alt.Tooltip("date:T"), "actor:N", alt.Tooltip("count():Q", title="events")],
    )
    .add_params(period)
    .properties(height=max(220, 28 * frame["actor"].nunique()))
)
chosen = st.altair_chart(chart, on_select="rerun", key="timeline", width="stretch")
st.caption("Drag across the chart to pick a period, then apply it to every page.")

values = []
try:
    values = list((chosen["selection"].get("period") or {}).get("date") or [])
except (KeyError, TypeError, AttributeError):
    values = []
found = period_from_selection(values)
if found is not None:
    low, high = found
    if st.button(f"Show only {low.isoformat()} to {high.isoformat()}", icon=":material/filter_alt:"):
        if ctx.options.date_range is not None:
            first, last = ctx.options.date_range
            low, high = max(low, first), min(high, last)
        ui.set_state(date_from=low, date_to=high, step=None, event=None)
        ctx.rewrite_url()
        st.rerun()

counts = frame.groupby("date").size().rename("events").reset_index()
st.subheader("Events per day")
st.bar_chart(counts, x="date", y="events", height=200)
