"""Stories: named collections of articles, given at ingest, changed later, and a filter (issue 12)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from geo.config import PROJECT_ROOT
from geo.errors import InputError, NotFoundError
from geo.metadata import MAX_STORY_CHARS
from geo.models import Actor, Article
from geo.overview import MapFilters
from geo.readers import article_from_text, read_article
from geo.store import Store
from geo.stories import story_name
from tests.dashboard_events import _event, app_store, story
from tests.old_stores import write_as_version

TIMEOUT = 30


def _later_story() -> tuple[Article, list, list[Actor]]:  # type: ignore[type-arg]
    """An unrelated article two years later: a storm in Northtown."""
    article = Article(text="Zeta Rescue worked in Northtown after the storm.", title="Storm",
                      published=date(2023, 5, 2), source="Wire", story="Northtown storm")
    events = [_event(article, article.text, "Northtown", date(2023, 5, 2), 30.0, 60.0, country="AA",
                     actors=("Zeta Rescue",))]
    return article, events, [Actor("Zeta Rescue", "organization")]


def _two_stories(url: str) -> None:
    with Store(url) as store:
        ids = [a.article_id for a, _e, _x in story()]
        store.set_story(ids, "Envoys in August")
        store.add_article(*_later_story())


def test_names_are_checked_and_spaces_collapsed() -> None:
    assert story_name("  Kabul,\t August  ") == "Kabul, August"
    assert story_name("") == ""
    with pytest.raises(InputError, match=f"at most {MAX_STORY_CHARS}"):
        story_name("x" * (MAX_STORY_CHARS + 1))
    with pytest.raises(InputError, match="control"):
        story_name("a\u202eb")


def test_articles_move_between_stories_all_or_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    with Store(url) as store:
        for article, events, actors in story():
            store.add_article(article, events, actors)
        ids = [a.article_id for a, _e, _x in story()]
        assert store.stories() == [] and store.latest_story() == ""
        assert store.set_story(ids[:2], "First week") == 2
        assert store.set_story(ids[:2], "First week") == 0  # nothing to change
        with pytest.raises(NotFoundError, match="no article 'nope'"):
            store.set_story([ids[2], "nope"], "First week")
        assert [s.name for s in store.stories()] == ["First week"]
        info = store.stories()[0]
        assert (info.articles, info.events) == (2, 3) and info.first == date(2021, 8, 15)
        assert store.rename_story("First week", "August") == 2
        with pytest.raises(NotFoundError):
            store.rename_story("First week", "x")
        assert store.set_story([ids[2]], "September") == 1
        assert store.rename_story("September", "August") == 1  # into an existing story: they merge
        assert [(s.name, s.articles) for s in store.stories()] == [("August", 3)]
        assert store.set_story(ids, "") == 3 and store.stories() == []


def test_a_story_filters_every_query(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    with Store(url) as store:
        for article, events, actors in story():
            store.add_article(article, events, actors)
    _two_stories(url)
    with Store(url) as store:
        assert store.latest_story() == "Northtown storm"  # the article added last
        assert [s.name for s in store.stories()] == ["Northtown storm", "Envoys in August"]
        storm = store.events(story="Northtown storm")
        assert [e.actors for e in storm] == [("Zeta Rescue",)]
        assert len(store.events(story="Envoys in August")) + len(storm) == len(store.events())
        assert store.date_range(story="Envoys in August") == (date(2021, 8, 15), date(2021, 9, 1))
        assert store.first_published("Northtown storm") == date(2023, 5, 2)
        # An article added without a story is never hidden: a plain link then opens on every story.
        loose = Article(text="Crews cleared Northtown.", title="L", published=date(2023, 5, 3), source="W")
        store.add_article(loose, [_event(loose, loose.text, "Northtown", date(2023, 5, 3), 30.0, 60.0)], [])
        assert store.latest_story() == ""
        from geo.aggregates import event_count

        assert event_count(store, MapFilters(story="Northtown storm")) == 1
        assert event_count(store, MapFilters(story="no such story")) == 0


def test_a_story_is_given_at_ingest_by_flag_header_or_sidecar(tmp_path: Path) -> None:
    head = tmp_path / "head.md"
    head.write_text("---\ntitle: T\npublished: 2024-03-04\nstory: Harbour fire\n---\n"
                    "A fire broke out in Marseille on Monday.\n", encoding="utf-8")
    side = tmp_path / "side.txt"
    side.write_text("Crews from Toulon helped on Tuesday.", encoding="utf-8")
    (tmp_path / "side.json").write_text(json.dumps({"story": "Harbour fire ", "published": "2024-03-05"}),
                                        encoding="utf-8")
    assert read_article(head).story == "Harbour fire" and read_article(side).story == "Harbour fire"
    assert read_article(head, story="Other").story == "Other"  # the caller's flag wins
    assert article_from_text("A fire in Northtown.", story="  Pasted  ").story == "Pasted"
    db = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    env = {**os.environ, "GEOSTORY_DEMO": "false"}
    run = subprocess.run([sys.executable, "-m", "geo", "ingest", str(head), str(side), "--story", "Fire",
                          "--db", db], capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=600)
    assert run.returncode == 0, run.stderr
    listed = subprocess.run([sys.executable, "-m", "geo", "story", "list", "--db", db],
                            capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=120)
    assert listed.stdout.split("\t")[:2] == ["Fire", "2 article(s)"], listed.stdout
    bad = subprocess.run([sys.executable, "-m", "geo", "story", "set", "x" * 500, "abc", "--db", db],
                         capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=120)
    assert bad.returncode == 2 and "at most" in bad.stderr and "Traceback" not in bad.stderr


def test_an_older_store_gains_the_column_with_no_story(tmp_path: Path) -> None:
    today = tmp_path / "today.sqlite"
    with Store(f"sqlite:///{today}") as store:
        for article, events, actors in story():
            store.add_article(article, events, actors)
    old = write_as_version(today, tmp_path / "v2.sqlite", 2)
    with sa.create_engine(f"sqlite:///{old}").connect() as conn:
        assert "story" not in {c["name"] for c in sa.inspect(conn).get_columns("articles")}
    with Store(f"sqlite:///{old}") as store:
        assert store.stories() == [] and {a.story for _i, a in store.articles()} == {""}
        store.set_story([story()[0][0].article_id], "Kept")
        assert [s.name for s in store.stories()] == ["Kept"]


# -- in the app ------------------------------------------------------------------------------------


@pytest.fixture
def store_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = app_store(tmp_path, monkeypatch)
    _two_stories(url)
    return url


def _app(params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "pages/map.py"), default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _shown(at: AppTest) -> str:
    return next(c.value for c in at.sidebar.caption if c.value.endswith("events shown"))


def test_a_plain_link_opens_on_the_latest_story_and_its_own_dates(store_url: str) -> None:
    at = _app({})
    assert at.selectbox(key="w_story").value == "Northtown storm"
    assert _shown(at) == "1 events shown"
    slider = at.slider(key="w_dates") if at.slider else None
    assert slider is None or slider.min.year == 2023  # the storm's period, not two years of news


def test_the_story_lives_in_the_link_and_every_story_is_a_choice(store_url: str) -> None:
    at = _app({"story": "Envoys in August"})
    assert _shown(at) == "5 events shown"
    assert [d.isoformat()[:4] for d in at.slider(key="w_dates").value] == ["2021", "2021"]
    at.selectbox(key="w_story").set_value("").run()  # every story
    assert not at.exception and _shown(at) == "6 events shown"
    assert at.query_params["story"] in ("", [""])
    at.selectbox(key="w_story").set_value("Envoys in August").run()
    assert at.query_params["story"] in ("Envoys in August", ["Envoys in August"])
    assert _shown(at) == "5 events shown"
    unknown = _app({"story": "<b>nope</b>"})
    assert any("ignored an unknown story" in m.value for m in unknown.caption)
    assert unknown.selectbox(key="w_story").value == "Northtown storm"


# -- editing stories in the app ------------------------------------------------------------------


def _add_page(secrets: dict[str, object] | None = None) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=TIMEOUT)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    at.run()
    at.switch_page("pages/add.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _submit(at: AppTest, label: str) -> AppTest:
    return next(b for b in at.button if b.label == label).click().run()


def test_an_editor_files_articles_and_renames_a_story(store_url: str) -> None:
    at = _add_page()
    shown = at.dataframe[-1].value
    assert list(shown["story"]) == ["Northtown storm", "Envoys in August"]
    with Store(store_url) as store:
        later = next(i for i, title, _p, _s in store.story_articles() if title == "Storm")
    at.multiselect(key="story_file_ids").set_value([later])
    at.text_input(key="story_file_name").input("Envoys in August")
    at = _submit(at, "File under this story")
    assert not at.error and at.success, [e.value for e in at.error]
    with Store(store_url) as store:
        assert [s.name for s in store.stories()] == ["Envoys in August"]
    at.selectbox(key="story_rename_old").set_value("Envoys in August")
    at.text_input(key="story_rename_new").input("<b>Kabul</b> summer")
    at = _submit(at, "Rename")
    with Store(store_url) as store:
        assert [s.name for s in store.stories()] == ["<b>Kabul</b> summer"]
    # A bad name is refused with a message and changes nothing.
    at.selectbox(key="story_rename_old").set_value("<b>Kabul</b> summer")
    at.text_input(key="story_rename_new").input("a\u202eb")
    at = _submit(at, "Rename")
    assert any("control characters" in e.value for e in at.error)
    with Store(store_url) as store:
        assert [s.name for s in store.stories()] == ["<b>Kabul</b> summer"]


def test_story_edits_need_the_editors_right(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from geo import access

    monkeypatch.delenv("GEOSTORY_EDITOR_PASSWORD", raising=False)
    password = "a long editor pass phrase"
    secrets = {"geostory": {"editor_password_hash": access.hash_password(password, iterations=2_000)}}
    at = _add_page(secrets)
    assert not [w for w in at.text_input if w.key in ("story_file_name", "story_rename_new")]
    next(t for t in at.text_input if t.label == "Editor password").input(password)
    at = _submit(at, "Unlock editing")
    at.selectbox(key="story_rename_old").set_value("Envoys in August")
    at.text_input(key="story_rename_new").input("Taken over")
    # The credential changes while the form is open: the old grant no longer holds at the submit.
    at.secrets["geostory"] = {"editor_password_hash": access.hash_password(password, iterations=2_000)}
    at = _submit(at, "Rename")
    assert any(t.label == "Editor password" for t in at.text_input)
    with Store(store_url) as store:
        assert "Taken over" not in [s.name for s in store.stories()]
