"""Review places: check uncertain resolutions and correct them for every mention."""

from __future__ import annotations

import hashlib
from functools import partial

import pandas as pd
import streamlit as st

import ui
from geo.cards import md_escape
from geo.errors import GeoError
from geo.models import PLACE_PRECISIONS
from geo.summaries import REVIEW_CONFIDENCE, review_items

ctx = ui.setup("Review places", page="review")
st.title("Review places")
st.caption(f"Place names resolved with confidence below {REVIEW_CONFIDENCE} or among several candidates. "
           "A correction applies to every mention of the name, now and in later ingests.")


def _apply(write: object) -> None:
    try:
        changed = write()  # type: ignore[operator]
    except GeoError as err:
        st.error(md_escape(str(err)))
        return
    ui.data_changed()
    st.session_state["review_done"] = f"Saved; {changed} event(s) moved."


if "review_done" in st.session_state:
    st.success(st.session_state.pop("review_done"))

overrides = ctx.store.overrides()
items = review_items(ctx.events, overridden=set(overrides))  # the sidebar's filters apply here too
if not items:
    st.info("Nothing to review.")
for item in items[:40]:
    key = hashlib.sha256(item.name.encode("utf-8")).hexdigest()[:10]
    title = (f"{item.name} → {item.resolved_name or '?'} ({item.country_code or '—'}) · "
             f"{item.mentions} mention(s) · {item.reason}")
    with st.expander(md_escape(title)):
        st.markdown(f"> {md_escape(item.example)}")
        if item.candidates:
            labels = [f"{c.name} · {c.country_code} · {c.feature} · pop. {c.population:,} · "
                      f"{c.lat:.3f}, {c.lon:.3f}" for c in item.candidates]
            choice = st.radio("Candidates", range(len(labels)), format_func=labels.__getitem__,
                              key=f"cand_{key}")
            st.button("Use this candidate", key=f"use_{key}", on_click=_apply,
                      args=(partial(ctx.store.set_override_candidate, item.name, item.candidates[choice]),))
        with st.form(f"coords_{key}"):
            c1, c2, c3 = st.columns(3)
            lat = c1.number_input("Latitude", -90.0, 90.0, float(item.lat), format="%.4f")
            lon = c2.number_input("Longitude", -180.0, 180.0, float(item.lon), format="%.4f")
            precision = c3.selectbox("Precision", PLACE_PRECISIONS,
                                     index=PLACE_PRECISIONS.index(item.precision))
            if st.form_submit_button("Set coordinates"):
                _apply(partial(ctx.store.set_override, item.name, lat=lat, lon=lon, precision=precision))
                st.rerun()

if overrides:
    st.subheader("Corrections in force")
    st.dataframe(pd.DataFrame([
        {"name": key, "resolved as": o.resolved_name, "lat": o.lat, "lon": o.lon, "precision": o.precision,
         "country": o.country_code} for key, o in overrides.items()
    ]), hide_index=True, width="stretch")
