"""Review places: check uncertain resolutions and correct them for every mention."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import partial

import pandas as pd
import streamlit as st

import ui
from geo.access import AccessDenied
from geo.cards import md_escape
from geo.errors import GeoError
from geo.models import PLACE_PRECISIONS
from geo.summaries import review_items
from ui.curation import curation_panel

ctx = ui.setup("Review places", page="review")
ctx.stop_if_too_many()
st.title("Review places")
st.caption("Place names that may be resolved wrongly, most suspect first: far from the article's other "
           "places, an everyday word as a name, low confidence, several candidates; a name mentioned once "
           "comes before one mentioned often. A correction applies to every mention of the name, now and in "
           "later ingests.")
# Without the right to edit, the list is shown read-only: no widget that writes.
editable = ui.editor_gate(ctx)


DONE = "review_done"
FAILED = "review_failed"


def _apply(write: Callable[[], int], hint: str = "") -> str | None:
    """Run one correction; None when it worked, else the message to show (nothing changed then)."""
    try:
        ui.require_editor()  # again here: a callback runs before this page's gate
    except AccessDenied as err:
        return md_escape(str(err))
    try:
        changed = write()
    except GeoError as err:  # InputError for out-of-range coordinates: the store changed nothing
        return md_escape(str(err)) + hint
    ui.data_changed()
    st.session_state[DONE] = f"Saved; {changed} event(s) moved."
    return None


def _apply_candidate(write: Callable[[], int]) -> None:
    problem = _apply(write)
    if problem:
        st.session_state[FAILED] = problem


if DONE in st.session_state:
    st.success(st.session_state.pop(DONE))
if FAILED in st.session_state:
    st.error(st.session_state.pop(FAILED), icon=":material/error:")

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
        labels = [f"{c.name} · {c.country_code} · {c.feature} · pop. {c.population:,} · "
                  f"{c.lat:.3f}, {c.lon:.3f}" for c in item.candidates]
        if not editable:
            st.markdown(md_escape(f"Now at {item.lat:.4f}, {item.lon:.4f} ({item.precision})."))
            if labels:
                st.markdown("Candidates:\n" + "\n".join(f"- {md_escape(label)}" for label in labels))
            continue
        if item.candidates:
            # Radio labels render Markdown; an online geocoder's names are not ours to trust.
            shown = [md_escape(label) for label in labels]
            choice = st.radio("Candidates", range(len(labels)), format_func=shown.__getitem__,
                              key=f"cand_{key}")
            st.button("Use this candidate", key=f"use_{key}", on_click=_apply_candidate,
                      args=(partial(ctx.store.set_override_candidate, item.name, item.candidates[choice]),))
        with st.form(f"coords_{key}"):
            c1, c2, c3 = st.columns(3)
            # No min/max on the inputs: an out-of-range value gets the store's explicit message.
            lat = c1.number_input("Latitude", value=float(item.lat), format="%.4f", key=f"lat_{key}")
            lon = c2.number_input("Longitude", value=float(item.lon), format="%.4f", key=f"lon_{key}")
            precision = c3.selectbox("Precision", PLACE_PRECISIONS, key=f"precision_{key}",
                                     index=PLACE_PRECISIONS.index(item.precision))
            if st.form_submit_button("Set coordinates"):
                problem = _apply(partial(ctx.store.set_override, item.name, lat=lat, lon=lon,
                                         precision=precision),
                                 hint=". Latitude runs from -90 to 90, longitude from -180 to 180")
                if problem:
                    st.error(f"Nothing was changed: {problem}.", icon=":material/error:")
                else:
                    st.rerun()  # the list and the map now use the correction

if overrides:
    st.subheader("Corrections in force")
    st.dataframe(pd.DataFrame([
        {"name": key, "resolved as": o.resolved_name, "lat": o.lat, "lon": o.lon, "precision": o.precision,
         "country": o.country_code} for key, o in overrides.items()
    ]), hide_index=True, width="stretch")

curation_panel(ctx, editable)  # not a place, delete, actors, event types: ui/curation.py
