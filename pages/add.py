"""Add articles: paste or upload, preview what the pipeline finds, then store it."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

import ui
from geo.cards import md_escape
from geo.errors import GeoError, InputError
from geo.mapview import build_deck
from geo.metadata import MAX_STORY_CHARS
from geo.readers import MAX_ARTICLE_BYTES, article_from_bytes, article_from_text
from ui.story_admin import story_admin

ctx = ui.setup("Add articles", page="add")
st.title("Add articles")
st.caption("Paste a news article or upload .txt, .md or .html files. "
           "You see what was found before it is stored.")
if not ui.editor_gate(ctx):  # no form, preview or store button without the right to edit
    st.stop()

PREVIEW = "add_preview"

with st.form("add_form"):
    text = st.text_area("Article text", height=220, placeholder="Paste the article here…")
    # The widget states the same per-file limit the reader applies (MAX_ARTICLE_BYTES, 2 MB).
    files = st.file_uploader("…or files", type=["txt", "md", "html", "htm"], accept_multiple_files=True,
                             max_upload_size=MAX_ARTICLE_BYTES // (1024 * 1024))
    c1, c2 = st.columns(2)
    title = c1.text_input("Title", max_chars=300)
    published = c2.text_input("Published (YYYY-MM-DD)", max_chars=10)
    source = c1.text_input("Source", max_chars=200)
    url = c2.text_input("URL", max_chars=2000)
    # Existing stories are offered by name; a new name starts a new story.
    story = st.text_input("Story", max_chars=MAX_STORY_CHARS, placeholder="e.g. " + (
        ctx.options.stories[0] if ctx.options.stories else "a name for these articles"),
        help="A named collection of articles: the map, the Timeline and story mode can show one story "
             "at a time. Leave empty for none.")
    analyse = st.form_submit_button("Analyse", icon=":material/search:", type="primary")

if analyse:
    st.session_state.pop(PREVIEW, None)
    meta = {k: v.strip() for k, v in
            {"title": title, "published": published, "source": source, "url": url, "story": story}.items()
            if v.strip()}
    articles, problems = [], []
    if text.strip():
        try:
            articles.append(article_from_text(text, **meta))
        except InputError as err:
            problems.append(str(err))
    for upload in files or []:
        try:
            articles.append(article_from_bytes(upload.getvalue(), filename=upload.name, **meta))
        except InputError as err:
            problems.append(str(err))
    unique = {}
    for article in articles:  # the same text twice (pasted and uploaded, say) is one article
        first = unique.setdefault(article.article_id, article)
        if first is not article:
            st.info(md_escape(f"{article.origin} is the same text as {first.origin}; it is analysed once."))
    articles = list(unique.values())
    if problems:
        for problem in problems:
            st.error(md_escape(problem), icon=":material/error:")
        st.info("Nothing was stored. Fix the input and analyse again.")
    elif not articles:
        st.warning("Paste some text or choose a file first.")
    else:
        from geo.pipeline import rename_actors

        bar = st.progress(0.0, text="Loading the pipeline…")
        try:
            pipeline = ui.pipeline_for(ctx.settings)
            overrides = ctx.store.override_places()
            if overrides:
                pipeline = pipeline.with_overrides(overrides)
            known = [a for a, _n in ctx.store.actors()]
            found, failures = [], []
            for i, article in enumerate(articles):
                bar.progress(i / len(articles), text=f"Reading {md_escape(article.title or article.origin)}")
                try:  # one article that cannot be analysed does not stop the others
                    found.append(rename_actors(pipeline.analyse(article), known))
                except GeoError as err:
                    failures.append(str(err))
            bar.progress(1.0, text="Done")
            st.session_state[PREVIEW] = found
            for failure in failures:
                st.error(md_escape(failure), icon=":material/error:")
        except GeoError as err:
            st.error(f"The pipeline failed: {md_escape(str(err))}")
        finally:
            bar.empty()

preview = st.session_state.get(PREVIEW)
if preview:
    st.subheader("What was found")
    for analysis in preview:
        a = analysis.article
        stored = ctx.store.has_article(a.article_id)
        label = f"{a.title or 'Untitled'} — {len(analysis.events)} events"
        label += " (already stored)" if stored else ""
        with st.expander(md_escape(label), expanded=True):
            for warning in analysis.warnings:
                st.warning(md_escape(warning), icon=":material/warning:")
            rows = [{"date": e.date.isoformat(), "place": e.place_name, "precision": e.place_precision,
                     "actors": ", ".join(e.actors), "confidence": round(e.confidence, 2), "quote": e.quote}
                    for e in analysis.events]
            st.dataframe(pd.DataFrame(rows, columns=["date", "place", "precision", "actors", "confidence",
                                                     "quote"]), hide_index=True, width="stretch")
            if analysis.events:
                key = hashlib.sha256(a.article_id.encode()).hexdigest()[:8]
                st.pydeck_chart(build_deck(list(analysis.events), show_labels=True), height=320,
                                key=f"preview_{key}")
    storable = [a.article for a in preview if a.events]
    for analysis in preview:
        if not analysis.events:
            from geo.pipeline import why_no_events

            name = analysis.article.title or analysis.article.origin
            st.warning(md_escape(f"{name} is not stored: {why_no_events(analysis)}."))
    if storable and st.button("Add to the story", icon=":material/add:", type="primary", key="store_preview"):
        from geo.pipeline import ingest

        try:
            ui.require_editor()  # checked again at the write (AccessDenied is a GeoError)
            # The same path as the command line: overrides and known actors apply as in the preview.
            summary = ingest(storable, ui.pipeline_for(ctx.settings), ctx.store)
        except GeoError as err:
            st.error(f"Could not store: {md_escape(str(err))}")
        else:
            st.session_state.pop(PREVIEW, None)
            ui.data_changed()
            for origin, message in summary.failed:
                st.error(md_escape(f"{origin}: {message}"))
            note = f"; {len(summary.skipped)} were stored already." if summary.skipped else "."
            st.success(f"Stored {len(summary.added)} article(s) with {summary.events} events{note}")

st.divider()
story_admin(ctx, editable=True)  # this page is for editors only (the gate above)
