"""Curation for editors: the forms that make curation rules (geo.curating) and the log of those in force.

Review places calls ``curation_panel(ctx, editable)`` after its ``editor_gate``, and the map's card
calls ``event_actions(ctx, event)``. Without the right to edit only the log is shown; with it,
each submit runs in a widget callback that checks the right again on the server (``require_editor``:
a stale page or a forged rerun gets the refusal and changes nothing), makes the rule and clears
the cached queries, so the run that follows shows the change on every page.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from geo.access import AccessDenied
from geo.cards import md_escape, type_label
from geo.errors import GeoError
from geo.lexicon import load_taxonomy
from geo.models import Event
from ui.data import data_changed
from ui.editing import editing_allowed, editor_name, require_editor
from ui.page import Context

logger = logging.getLogger(__name__)

DONE = "curation_done"
FAILED = "curation_failed"
EVERYWHERE = "everywhere"
LISTED = 400  # events offered in a list: the first of the filtered view (the filters narrow it)


def apply_edit(write: Callable[[str], int], what: str) -> str | None:
    """Run one edit as the editor; None when it worked, else the message to show (nothing changed)."""
    try:
        require_editor()  # on the server, at the moment of the write: not just a hidden button
    except AccessDenied as err:
        return md_escape(str(err))
    try:
        changed = write(editor_name())
    except GeoError as err:
        return md_escape(str(err))
    data_changed()
    st.session_state[DONE] = f"{what}: {changed} event(s) changed."
    return None


def _run_edit(write: Callable[[str], int], what: str) -> None:
    problem = apply_edit(write, what)
    if problem:
        st.session_state[FAILED] = f"Nothing was changed: {problem}"


def _submit(form_key: str, label: str, write: Callable[[str], int], what: str) -> None:
    """The form's submit button. The edit runs in its callback, before the next run of the page, so
    the page then draws the changed data; the callback checks the right itself, as it runs even
    when that run would not draw the form (the right went away, or the request was forged)."""
    st.form_submit_button(label, key=f"{form_key}_go", on_click=_run_edit, args=(write, what))


def _value(key: str) -> Any:
    """A form widget's submitted value: callbacks read it here (their closures saw the last run's)."""
    return st.session_state.get(key)


def _article_scope(chosen: str | None) -> str:
    return "" if chosen in (None, EVERYWHERE) else str(chosen)


def _plain(text: str, limit: int = 90) -> str:
    """Untrusted text as a list option shows it: one line, cut (options are not Markdown)."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _event_label(event: Event) -> str:
    where = event.place_name or "no place"
    return _plain(f"{event.date} · {where} · {', '.join(event.actors) or '—'} · {event.quote}", 120)


def _articles(ctx: Context) -> dict[str, str]:
    return {aid: _plain(f"{a.title or a.origin or aid} ({a.published or 'no date'})")
            for aid, a in ctx.store.articles()}


def _not_a_place(ctx: Context, articles: dict[str, str]) -> None:
    counts = Counter(e.place_name for e in ctx.events if e.place_name)
    names = sorted(counts, key=lambda n: (-counts[n], n.casefold()))
    with st.form("curate_not_place"):
        st.markdown("**Not a place.** The events placed at this name leave the map, the lists and the "
                    "exports, now and after every re-ingest.")
        if not names:
            st.caption("No place in the current view.")
        st.selectbox("Name", names, format_func=lambda n: _plain(f"{n} ({counts.get(n, 0)} event(s))"),
                     key="curate_place_name")
        st.selectbox("Where", [EVERYWHERE, *articles], key="curate_place_scope",
                     format_func=lambda a: "in every article" if a == EVERYWHERE else
                     f"only in: {articles.get(a, a)}")
        _submit("curate_not_place", "Mark as not a place", lambda who: ctx.store.mark_not_place(
            _value("curate_place_name") or "", editor=who,
            article_id=_article_scope(_value("curate_place_scope"))),
            "Marked as not a place")


def _delete(ctx: Context, events: Sequence[Event], articles: dict[str, str]) -> None:
    ids = [e.event_id for e in events]
    labels = {e.event_id: _event_label(e) for e in events}
    with st.form("curate_delete_event"):
        st.markdown("**Delete an event.**")
        st.selectbox("Event", ids, format_func=lambda i: labels.get(i, i), key="curate_delete_event_id")
        _submit("curate_delete_event", "Delete this event",
                lambda who: ctx.store.delete_event(_value("curate_delete_event_id") or "", editor=who),
                "Event deleted")
    with st.form("curate_delete_article"):
        st.markdown("**Delete an article** with all its events. Ingesting it again stores nothing until "
                    "the rule is undone below.")
        st.selectbox("Article", list(articles), format_func=lambda a: articles.get(a, a),
                     key="curate_delete_article_id")
        _submit("curate_delete_article", "Delete this article",
                lambda who: ctx.store.remove_article(_value("curate_delete_article_id") or "", editor=who),
                "Article deleted")


def _actors(ctx: Context, articles: dict[str, str]) -> None:
    names = [a.name for a, _n in ctx.store.actors()]
    with st.form("curate_rename"):
        st.markdown("**Rename or merge an actor.** Give a new name to rename it, or an existing actor's "
                    "name to merge it into that one. The old name stays an alias.")
        st.selectbox("Actor", names, format_func=_plain, key="curate_rename_old")
        st.text_input("New name, or the actor to merge into", max_chars=200, key="curate_rename_new")
        _submit("curate_rename", "Rename or merge", lambda who: ctx.store.rename_actor(
            _value("curate_rename_old") or "", _value("curate_rename_new") or "", editor=who),
            "Actor renamed")
    with st.form("curate_split"):
        st.markdown("**Split an actor** whose name covers two people or groups: the mentions in the "
                    "chosen articles become another actor.")
        st.selectbox("Actor", names, format_func=_plain, key="curate_split_old")
        st.text_input("Name of the other actor", max_chars=200, key="curate_split_new")
        st.multiselect("In these articles", list(articles), format_func=lambda a: articles.get(a, a),
                       key="curate_split_articles")
        _submit("curate_split", "Split", lambda who: ctx.store.split_actor(
            _value("curate_split_old") or "", _value("curate_split_new") or "",
            article_ids=_value("curate_split_articles") or (), editor=who), "Actor split")


def _event_type(ctx: Context, events: Sequence[Event]) -> None:
    ids = [e.event_id for e in events]
    labels = {e.event_id: f"[{type_label(e.event_type)}] {_event_label(e)}" for e in events}
    types = load_taxonomy().ids
    with st.form("curate_type"):
        st.markdown("**Change an event's type.**")
        st.selectbox("Event", ids, format_func=lambda i: labels.get(i, i), key="curate_type_event")
        st.selectbox("Type", types, format_func=type_label, key="curate_type_value")
        _submit("curate_type", "Change the type", lambda who: ctx.store.set_event_type(
            _value("curate_type_event") or "", _value("curate_type_value") or "", editor=who),
            "Event type changed")


def _log(ctx: Context, editable: bool) -> None:
    rules = ctx.store.curations()
    if not rules:
        return
    st.subheader("Curation in force")
    st.dataframe(pd.DataFrame([{"rule": r.describe(), "by": r.editor,
                                "when": r.created_at.strftime("%Y-%m-%d %H:%M UTC") if r.created_at else ""}
                               for r in rules]), hide_index=True, width="stretch")
    if not editable:
        return
    with st.form("curate_undo"):
        ids = [r.curation_id for r in rules]
        shown = {r.curation_id: _plain(r.describe(), 140) for r in rules}
        st.selectbox("Rule", ids, format_func=lambda i: shown.get(i, i), key="curate_undo_id")
        st.caption("Undoing a rule stops it applying to later ingests; what it removed comes back when its "
                   "article is re-analysed (`python -m geo reanalyse`) or, for a deleted article, ingested "
                   "again.")
        _submit("curate_undo", "Undo this rule",
                lambda _who: int(bool(ctx.store.remove_curation(_value("curate_undo_id") or ""))),
                "Rule undone")


def curation_panel(ctx: Context, editable: bool) -> None:
    """The editors' curation forms (only when ``editable``) and the log of rules in force."""
    st.header("Curate")
    if DONE in st.session_state:
        st.success(st.session_state.pop(DONE), icon=":material/check:")
    if FAILED in st.session_state:
        st.error(st.session_state.pop(FAILED), icon=":material/error:")
    if editable:
        articles = _articles(ctx)
        events = ctx.events[:LISTED]
        places, removal, actors, types = st.tabs(["Not a place", "Delete", "Actors", "Event type"])
        with places:
            _not_a_place(ctx, articles)
        with removal:
            _delete(ctx, events, articles)
        with actors:
            _actors(ctx, articles)
        with types:
            _event_type(ctx, events)
    else:
        st.caption("Editors can mark a name as not a place, delete events and articles, rename, merge and "
                   "split actors and change event types here.")
    _log(ctx, editable)


# -- the card's edit area ------------------------------------------------------------------------------


def _card_edit(write: Callable[[str], int], what: str) -> None:
    """A card button's callback: the outcome as a toast (the card itself may be gone after the edit)."""
    problem = apply_edit(write, what)
    st.session_state.pop(DONE, None)
    if problem:
        st.toast(f"Nothing was changed: {problem}", icon=":material/error:")
    else:
        st.toast(what, icon=":material/check:")


def event_actions(ctx: Context, event: Event) -> None:
    """The event card's edit area, for editors only: not a place (everywhere or in this article),
    delete the event, change its type. A viewer gets nothing; each button checks the right again."""
    if ctx.store.read_only or not editing_allowed(ctx.settings):
        return
    key = event.event_id[:24]
    store = ctx.store
    with st.expander("Edit this event", icon=":material/edit:"):
        if event.place_name:
            name = _plain(event.place_name, 40)
            left, right = st.columns(2)
            left.button(f"“{name}” is not a place", key=f"card_np_{key}", on_click=_card_edit, args=(
                partial(_not_place_everywhere, store, event.place_name), f"“{name}” is not a place"))
            right.button("Not a place in this article", key=f"card_npa_{key}", on_click=_card_edit, args=(
                partial(_not_place_here, store, event), f"“{name}” is not a place in this article"))
        st.button("Delete this event", key=f"card_del_{key}", icon=":material/delete:", on_click=_card_edit,
                  args=(partial(_delete_event, store, event.event_id), "Event deleted"))
        types = list(load_taxonomy().ids)
        field = f"card_type_{key}"
        st.selectbox("Type", types, format_func=type_label, key=field,
                     index=types.index(event.event_type) if event.event_type in types else None)
        st.button("Change the type", key=f"card_settype_{key}", on_click=_card_edit, args=(
            partial(_set_type, store, event.event_id, field), "Event type changed"))
        st.caption("Every edit is a rule kept across re-ingests; Review places lists them and undoes them.")


def _not_place_everywhere(store: Any, name: str, who: str) -> int:
    return int(store.mark_not_place(name, editor=who))


def _not_place_here(store: Any, event: Event, who: str) -> int:
    return int(store.mark_not_place(event.place_name, article_id=event.article_id, editor=who))


def _delete_event(store: Any, event_id: str, who: str) -> int:
    return int(store.delete_event(event_id, editor=who))


def _set_type(store: Any, event_id: str, field: str, who: str) -> int:
    return int(store.set_event_type(event_id, _value(field) or "", editor=who))
