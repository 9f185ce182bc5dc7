"""Curation in the dashboard (issue 12) under Streamlit's AppTest: an editor's edit shows at once
on every page; a viewer gets no edit control; a write whose right went away is refused and changes
nothing. The store is a real SQLite file of hand-made events (tests/dashboard_events.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

import ui
from geo.schema import place_key
from geo.store import Store
from tests.dashboard_events import app_store, story
from tests.test_app_access import ACCESS_ENV, APP, PASSWORD, TIMEOUT, _password, _unlock

CURATION_BUTTONS = {"Mark as not a place", "Delete this event", "Delete this article", "Rename or merge",
                    "Split", "Change the type", "Undo this rule"}


@pytest.fixture
def store_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = app_store(tmp_path, monkeypatch)
    for name in ACCESS_ENV:
        monkeypatch.delenv(name, raising=False)
    ui.editor_throttle().reset()
    yield url
    ui.editor_throttle().reset()


def _review(secrets: dict[str, Any] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    at.run()
    at.switch_page("pages/review.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _buttons(at: AppTest) -> set[str]:
    return {b.label for b in at.button} & CURATION_BUTTONS


def _state(url: str) -> tuple[object, ...]:
    with Store(url) as store:
        return store.counts(), store.events(), store.actors(), store.curations()


def _submit(at: AppTest, form: str) -> AppTest:
    at.button(key=f"{form}_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_an_editor_marks_not_a_place_and_every_page_shows_it_at_once(store_url: str) -> None:
    at = _review()  # editing open: no password configured
    assert _buttons(at) == CURATION_BUTTONS - {"Undo this rule"}  # nothing to undo yet
    assert any(n.startswith("Northtown") for n in at.selectbox(key="curate_place_name").options)
    at.selectbox(key="curate_place_name").set_value("Northtown")
    _submit(at, "curate_not_place")
    assert any("not a place" in s.value for s in at.success), [e.value for e in at.error]
    # The same page, rerun: the cached events no longer hold the name.
    assert not any(n.startswith("Northtown") for n in at.selectbox(key="curate_place_name").options)
    assert any("not a place" in str(cell) for cell in at.dataframe[-1].value["rule"])
    with Store(store_url) as store:
        assert "northtown" not in {place_key(e.place_name) for e in store.events()}
    # Another page, same session: its counts and lists follow.
    at.switch_page("pages/sources.py").run()
    assert not at.exception
    shown = " ".join(str(df.value) for df in at.dataframe)
    assert "Northtown" not in shown


def test_an_editor_renames_splits_retypes_deletes_and_undoes(store_url: str) -> None:
    (_a1, e1, _), (a2, _e2, _), _third = story()
    at = _review()
    at.selectbox(key="curate_rename_old").set_value("Gamma Org")
    at.text_input(key="curate_rename_new").input("Gamma Organisation")
    _submit(at, "curate_rename")
    assert "Gamma Organisation" in at.selectbox(key="curate_rename_old").options
    at.selectbox(key="curate_split_old").set_value("Alpha Person")
    at.text_input(key="curate_split_new").input("Alpha Other")
    at.multiselect(key="curate_split_articles").set_value([a2.article_id])
    _submit(at, "curate_split")
    at.selectbox(key="curate_type_event").set_value(e1[0].event_id)
    at.selectbox(key="curate_type_value").set_value("protest")
    _submit(at, "curate_type")
    at.selectbox(key="curate_delete_event_id").set_value(e1[1].event_id)
    _submit(at, "curate_delete_event")
    assert not at.error, [e.value for e in at.error]
    with Store(store_url) as store:
        events = {e.event_id: e for e in store.events()}
        assert events[e1[0].event_id].event_type == "protest"
        assert e1[1].event_id not in events
        assert [e.actors for e in events.values() if e.article_id == a2.article_id] == [("Alpha Other",)]
        assert "Gamma Organisation" in {a.name for a, _n in store.actors()}
        assert len(store.curations()) == 4
        first = store.curations()[0]
    at.selectbox(key="curate_undo_id").set_value(first.curation_id)
    _submit(at, "curate_undo")
    with Store(store_url) as store:
        assert first not in store.curations() and len(store.curations()) == 3


def test_a_bad_edit_says_why_and_changes_nothing(store_url: str) -> None:
    at = _review()
    before = _state(store_url)
    at.selectbox(key="curate_rename_old").set_value("Gamma Org")
    at.text_input(key="curate_rename_new").input("   ")
    _submit(at, "curate_rename")
    assert any("Nothing was changed" in e.value and "needs a name" in e.value for e in at.error)
    assert _state(store_url) == before


def test_a_viewer_sees_the_log_but_no_edit_control(store_url: str, tmp_path: Path) -> None:
    with Store(store_url) as store:
        store.mark_not_place("Easton", editor="someone@example.org")
    at = _review(_password(tmp_path))
    assert _buttons(at) == set()
    assert not [s for s in at.selectbox if s.key and s.key.startswith("curate_")]
    assert not [t for t in at.text_input if t.key and t.key.startswith("curate_")]
    log = at.dataframe[-1].value
    assert "Easton" in " ".join(log["rule"]) and "someone@example.org" in set(log["by"])


def test_an_edit_whose_right_went_away_is_refused(store_url: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The form was drawn for an editor; by the submit, the site went read-only. Then a session with
    a forged grant: no control is drawn, and the server-side check refuses the write itself."""
    at = _review(_password(tmp_path))
    _unlock(at, PASSWORD)
    assert _buttons(at) == CURATION_BUTTONS - {"Undo this rule"}
    before = _state(store_url)
    monkeypatch.setenv("GEOSTORY_READ_ONLY", "true")
    _submit(at, "curate_not_place")
    errors = [e.value for e in at.error]
    assert any("Nothing was changed" in e and "editor sign" in e for e in errors), errors
    assert _state(store_url) == before
    monkeypatch.delenv("GEOSTORY_READ_ONLY")
    forged = _review(_password(tmp_path))
    forged.session_state[ui.EDITOR_GRANT] = "forged-tag"
    forged.run()
    assert _buttons(forged) == set()
    assert _state(store_url) == before


def test_apply_edit_checks_the_right_on_the_server(store_url: str, tmp_path: Path) -> None:
    """The function every form calls, run in a script of its own without a grant."""
    script = tmp_path / "write.py"
    script.write_text(
        "import streamlit as st\nfrom ui.curation import apply_edit\n"
        "from ui.data import get_store, settings\n"
        "store = get_store(settings().db_url)\n"
        "problem = apply_edit(lambda who: store.mark_not_place('Easton', editor=who), 'x')\n"
        "st.error(problem) if problem else st.success('changed')\n", encoding="utf-8")
    before = _state(store_url)
    at = AppTest.from_file(str(script), default_timeout=TIMEOUT)
    at.secrets["geostory"] = {"editor_password_hash": _password(tmp_path)["geostory"]["editor_password_hash"]}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.error and "editor sign\\-in" in at.error[0].value and not at.success
    assert _state(store_url) == before


# -- the card's edit area on the map --------------------------------------------------------------


def _map_with(event_id: str, secrets: dict[str, Any] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    at.query_params["event"] = event_id
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _card_buttons(at: AppTest) -> list[str]:
    return [b.key for b in at.button if b.key and b.key.startswith("card_")]


def test_the_card_offers_edits_to_an_editor_and_they_apply_at_once(store_url: str) -> None:
    (_a1, e1, _), _second, _third = story()
    at = _map_with(e1[0].event_id)
    assert any("Northtown" in m.value for m in at.markdown)  # the card is the event's
    assert len(_card_buttons(at)) == 4
    key = e1[0].event_id[:24]
    at.selectbox(key=f"card_type_{key}").set_value("protest")
    at.button(key=f"card_settype_{key}").click().run()
    assert not at.exception
    assert any("Event type changed" in t.value for t in at.toast)
    with Store(store_url) as store:
        assert store.event(e1[0].event_id).event_type == "protest"
    at.button(key=f"card_np_{key}").click().run()
    assert not at.exception
    with Store(store_url) as store:
        assert "northtown" not in {place_key(e.place_name) for e in store.events()}
    assert not any("Northtown" in m.value for m in at.markdown)  # the card went with the event
    assert any(c.value == "The linked event is not among the events these filters show." for c in at.caption)


def test_the_card_offers_no_edit_to_a_viewer(store_url: str, tmp_path: Path) -> None:
    (_a1, e1, _), _second, _third = story()
    at = _map_with(e1[0].event_id, _password(tmp_path))
    assert any("Northtown" in m.value for m in at.markdown)
    assert _card_buttons(at) == []
    assert not [x for x in at.expander if "Edit this event" in x.label]
