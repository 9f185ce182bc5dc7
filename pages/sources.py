"""Sources & data: the articles, the filtered events, and downloads of the current view."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import streamlit as st

import ui
from geo.cards import safe_url, visible_frame
from geo.cli import export_command
from geo.frames import events_frame, export_bytes

SHOWN_COLUMNS = ("date", "place_name", "country_code", "event_type", "actors", "quote", "source",
                 "confidence")
SHOWN_CONFIG = {
    "date": st.column_config.TextColumn("date", width="small"),
    "place_name": st.column_config.TextColumn("place"),
    "country_code": st.column_config.TextColumn("country", width="small"),
    "event_type": st.column_config.TextColumn("type", width="small"),
    "quote": st.column_config.TextColumn("sentence", width="large"),
    "confidence": st.column_config.NumberColumn("confidence", format="%.2f", width="small"),
}

ctx = ui.setup("Sources & data", page="sources")
st.title("Sources & data")
if ctx.too_many:  # counted in SQL; the downloads are left to the command line
    st.subheader("Sources")
    per_source = ui.large_view("sources", ctx.settings.db_url, *ctx.filters)
    st.dataframe(visible_frame(per_source), hide_index=True, width="stretch")
    st.subheader(f"Events in this view ({ctx.total:,})")
    st.info(f"The page lists and downloads up to {ui.data.MAX_DETAIL_EVENTS:,} events; narrow the filters, "
            "or export this view from the command line where the app runs, with its GEOSTORY_DB_URL "
            "(CSV, GeoJSON or GeoParquet):")
    st.code(export_command(*ctx.filters), language=None)
    st.stop()

st.subheader("Articles")
articles = ctx.store.articles()
in_view = Counter(e.article_id for e in ctx.events)
rows = [
    {"title": a.title, "published": a.published.isoformat() if a.published else "", "source": a.source,
     # No link is an empty cell: a missing value would show as the word "None".
     "link": safe_url(a.url) or "", "events": in_view[article_id]}
    for article_id, a in articles
    if in_view[article_id]
]
st.caption(f"{len(rows)} of {len(articles)} articles have events in this view.")
st.dataframe(visible_frame(pd.DataFrame(rows, columns=["title", "published", "source", "link", "events"])),
             hide_index=True, width="stretch",
             column_config={"title": st.column_config.TextColumn("title", width="large"),
                            "link": st.column_config.LinkColumn("link", display_text="open")})

st.subheader(f"Events in this view ({len(ctx.events)})")
frame = events_frame(ctx.events)
# The columns a reader needs, so that none is cut off at a laptop's width; the downloads hold every one.
st.dataframe(visible_frame(pd.DataFrame(frame.drop(columns="geometry"))), hide_index=True, width="stretch",
             column_order=SHOWN_COLUMNS, column_config=SHOWN_CONFIG)
left, right = st.columns(2)
left.download_button("Download CSV", export_bytes(frame, "csv"), file_name="geostory-events.csv",
                     mime="text/csv", icon=":material/download:", key="dl_csv")
right.download_button("Download GeoJSON", export_bytes(frame, "geojson"), file_name="geostory-events.geojson",
                      mime="application/geo+json", icon=":material/download:", key="dl_geojson")
