"""Stories on the Add page: which stories there are, and, for editors, filing articles under a
story or renaming one (a rename into an existing name merges the two)."""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from geo.cards import md_escape, visible_frame
from geo.errors import GeoError
from geo.metadata import MAX_STORY_CHARS
from ui.data import data_changed
from ui.editing import require_editor
from ui.page import Context

logger = logging.getLogger(__name__)

NONE_LABEL = "(no story)"
DONE = "story_admin_done"


def _label(row: tuple[str, str, object, str]) -> str:
    _id, title, published, story = row
    when = published.isoformat() if published is not None else "undated"  # type: ignore[attr-defined]
    return f"{title or 'Untitled'} · {when} · {story or NONE_LABEL}"


def _apply(what: str, work: object) -> None:
    try:
        require_editor()  # again at the write: a form's submit must not rely on the page's gate
        changed = work()  # type: ignore[operator]
    except GeoError as err:  # AccessDenied, a bad name, an unknown article or story: nothing changed
        st.error(f"Could not {what}: {md_escape(str(err))}", icon=":material/error:")
        return
    data_changed()
    # Run the page again so the table and the forms' lists show the change; the note survives it.
    st.session_state[DONE] = f"Done: {changed} article(s) changed."
    st.rerun()


def story_admin(ctx: Context, editable: bool) -> None:
    """The stories table for everyone; the two forms only for a session that may edit."""
    st.subheader("Stories")
    done = st.session_state.pop(DONE, None)
    if done:
        st.success(done, icon=":material/check:")
    infos = ctx.store.stories()
    frame = pd.DataFrame([{"story": s.name, "articles": s.articles, "events": s.events,
                           "first": s.first.isoformat() if s.first else "",
                           "last": s.last.isoformat() if s.last else ""} for s in infos],
                         columns=["story", "articles", "events", "first", "last"])
    st.dataframe(visible_frame(frame), hide_index=True, width="stretch")
    if not editable:
        return
    listed = ctx.store.story_articles()
    labels = {row[0]: _label(row) for row in listed}
    with st.form("story_file", border=True):
        st.markdown("**File articles under a story**")
        chosen = st.multiselect("Articles", options=list(labels), format_func=labels.__getitem__,
                                key="story_file_ids")
        name = st.text_input("Story", max_chars=MAX_STORY_CHARS, key="story_file_name",
                             help="An empty name takes the articles out of any story.")
        if st.form_submit_button("File under this story", icon=":material/folder:"):
            _apply("file the articles", lambda: ctx.store.set_story(chosen, name))
    if infos:
        with st.form("story_rename", border=True):
            st.markdown("**Rename a story** (to an existing name: the two become one)")
            old = st.selectbox("Story", options=[s.name for s in infos], key="story_rename_old")
            new = st.text_input("New name", max_chars=MAX_STORY_CHARS, key="story_rename_new")
            if st.form_submit_button("Rename", icon=":material/edit:"):
                _apply("rename the story", lambda: ctx.store.rename_story(old or "", new))
