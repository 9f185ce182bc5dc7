"""Timeline: events over time by actor; brushing a period narrows the date filter."""

from __future__ import annotations

import altair as alt
import streamlit as st

import ui
from geo.summaries import period_from_selection, period_within, timeline_frame
from geo.viewstate import effective_dates

ctx = ui.setup("Timeline", page="timeline")
ctx.stop_if_too_many()
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
st.caption("Drag across the chart to show only that period, on every page. "
           "Widen it again with the Dates slider or Reset filters.")

HANDLED = "timeline_handled_period"
try:
    # A value injected in AppTest is a plain dict: item access works for both.
    values = list((chosen["selection"].get("period") or {}).get("date") or [])
except (KeyError, TypeError, AttributeError):
    values = []
found = period_from_selection(values)
if found is None:
    st.session_state.pop(HANDLED, None)  # brush cleared: the same period may be picked again later
elif found != st.session_state.get(HANDLED):
    # A new brush: apply it at once. The brush stays in the widget state after the rerun,
    # so remember it, or it would be applied again after the user widened the dates.
    st.session_state[HANDLED] = found
    low, high = period_within(found, ctx.options.date_range)
    if (low, high) != effective_dates(ctx.state, ctx.options):
        ui.set_state(date_from=low, date_to=high, step=None, event=None)
        ctx.rewrite_url()
        st.rerun()

counts = frame.groupby("date").size().rename("events").reset_index()
st.subheader("Events per day")
st.bar_chart(counts, x="date", y="events", height=200)
