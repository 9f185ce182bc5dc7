"""``python -m geo curate`` (issue 12): the curation rules from the command line, on a real SQLite store."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.cli import main
from geo.store import Store
from tests.dashboard_events import fill_story, story


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'story.sqlite'}"
    with Store(url) as store:
        fill_story(store)
    return url


def _state(url: str) -> tuple[object, ...]:
    with Store(url) as store:
        return store.counts(), store.events(), store.curations()


def test_each_action_makes_a_rule_and_undo_removes_it(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    (a1, e1, _), (a2, _e2, _), (_a3, e3, _) = story()
    calls = [
        ["not-place", "Easton"],
        ["delete-event", e1[1].event_id],
        ["type", e1[0].event_id, "protest"],
        ["rename", "Gamma Org", "Gamma Organisation"],
        ["split", "Alpha Person", "Alpha Other", "--event", e3[1].event_id],
        ["delete-article", a1.article_id],
    ]
    for call in calls:
        assert main(["curate", *call, "--db", db]) == 0, capsys.readouterr().err
        assert "event(s) changed" in capsys.readouterr().err
    assert main(["curate", "list", "--db", db]) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [r[1] for r in rows] == ["not_place", "delete_event", "event_type", "rename_actor", "split_actor",
                                    "delete_article"]
    assert {r[3] for r in rows} == {"command line"}
    with Store(db) as store:
        assert not store.has_article(a1.article_id)
        assert "Easton" not in {e.place_name for e in store.events()}
        assert store.events(article_ids=[a2.article_id]) == []
    assert main(["curate", "undo", rows[0][0], "--db", db]) == 0
    assert "undone" in capsys.readouterr().err
    with Store(db) as store:
        assert len(store.curations()) == len(calls) - 1


@pytest.mark.parametrize("call", [
    ["not-place", "Nowhere"], ["rename", "Nobody", "X"], ["type", "no-event", "protest"],
    ["split", "Alpha Person", "Other"], ["undo", "no-rule"], ["delete-article", "no-article"],
])
def test_bad_input_is_one_line_exit_2_and_changes_nothing(db: str, call: list[str],
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    before = _state(db)
    assert main(["curate", *call, "--db", db]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert _state(db) == before
