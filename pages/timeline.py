"""Timeline: events over time by actor; brushing a period narrows the date filter."""

from __future__ import annotations

import altair as alt
import streamlit as st

import ui
from geo.aggregates import TIMELINE_ACTORS
from geo.cards import visible_frame
from geo.legend import NO_ACTOR, actor_color, hex_color
from geo.summaries import NO_ACTOR as NO_ACTOR_LABEL
from geo.summaries import by_period, day_totals, period_from_selection, period_within, timeline_counts
from geo.viewstate import effective_dates

ctx = ui.setup("Timeline", page="timeline")
st.title("Timeline")
if ctx.too_many:  # counted in SQL, not loaded event by event
    with st.spinner(f"Counting {ctx.total:,} events by day and actor…"):
        days, totals, named = ui.large_view("timeline", ctx.settings.db_url, *ctx.filters)
    if named > TIMELINE_ACTORS:
        st.caption(f"{ctx.total:,} events match: the chart shows the {TIMELINE_ACTORS} busiest of "
                   f"{named:,} actors (the Actors page lists them all).")
else:
    days, totals = timeline_counts(ctx.events), day_totals(ctx.events)
if totals.empty:
    st.info("No events match these filters.")
    st.stop()
frame, unit = by_period(days)
frame = visible_frame(frame)  # actor names are drawn as chart text

# A true time axis (gaps between years show as gaps), every tick with its year.
axis = alt.Axis(format="%e %b %Y" if unit == "day" else "%b %Y", labelOverlap=True, title=None)
# The map's colours: keyed by the actor's name (geo.legend), not by the order of this chart's rows.
actors = sorted(frame["actor"].unique())
palette = [hex_color(NO_ACTOR if a == NO_ACTOR_LABEL else actor_color(a)) for a in actors]
most = int(frame["events"].max())
sizes = sorted({1, max(1, most // 2), most})  # the size legend starts at one event, never at 0

period = alt.selection_interval(name="period", encodings=["x"])
chart = (
    alt.Chart(frame)
    .mark_circle(opacity=0.8)
    .encode(
        x=alt.X("date:T", title="Date", axis=axis),
        y=alt.Y("actor:N", title=None, sort=alt.EncodingSortField("events", op="sum", order="descending")),
        size=alt.Size("events:Q", title="Events", scale=alt.Scale(range=[40, 400], zero=False),
                      legend=alt.Legend(values=sizes, format="d")),
        color=alt.Color("actor:N", legend=None, scale=alt.Scale(domain=actors, range=palette)),
        tooltip=[alt.Tooltip("date:T", title="day" if unit == "day" else f"{unit} from"), "actor:N",
                 alt.Tooltip("events:Q", title="events")],
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

counts, unit = by_period(totals)
st.subheader(f"Events per {unit}")
bars = (
    alt.Chart(counts)
    .mark_bar(color="#4c78a8", size=6)
    .encode(x=alt.X("date:T", title=None, axis=axis),
            y=alt.Y("events:Q", title="Events"),
            tooltip=[alt.Tooltip("date:T", title=f"{unit} from"), alt.Tooltip("events:Q", title="events")])
    .properties(height=200)
)
st.altair_chart(bars, key="per_period", width="stretch")
