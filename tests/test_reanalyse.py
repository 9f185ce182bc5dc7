"""Re-analysis in place (issue 11): a store of schema version 2 brought up to today's analysis.

The store is a real SQLite file filled by the real ingest path with the demo story, then
rewritten as version-2 code wrote it (tests/old_stores.py), so the migration and the
re-analysis meet what an old deployment holds.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from geo.config import PROJECT_ROOT, Settings
from geo.errors import StoreError
from geo.models import Actor, Event
from geo.pipeline import Pipeline, ingest
from geo.readers import demo_articles
from geo.reanalyse import reanalyse
from geo.store import Store
from tests.old_stores import write_as_version

pytestmark = [pytest.mark.model, pytest.mark.gazetteer]


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline.from_settings(Settings())


@pytest.fixture
def old_store(tmp_path: Path, pipeline: Pipeline) -> tuple[str, list[Event]]:
    """(URL of a version-2 store of the demo, the events today's ingest gives for it)."""
    today = tmp_path / "today.sqlite"
    with Store(f"sqlite:///{today}") as store:
        ingest(demo_articles(), pipeline, store)
        expected = store.events()
    old = write_as_version(today, tmp_path / "v2.sqlite", 2)
    return f"sqlite:///{old}", expected


def _essence(events: list[Event]) -> list[tuple[object, ...]]:
    return [(e.event_id, e.date, e.place_name, e.lat, e.actors, e.mentioned_actors, e.actor_roles,
             e.predicate, e.event_type, e.modality, e.background, e.date_end) for e in events]


def test_an_old_store_is_reanalysed_in_place_and_a_second_run_changes_nothing(
        old_store: tuple[str, list[Event]], pipeline: Pipeline) -> None:
    url, expected = old_store
    with Store(url) as store:  # opening migrates 2 -> 3; the old events keep the defaults
        migrated = store.events()
        assert {e.predicate for e in migrated} == {""}
        seen: list[tuple[int, int]] = []
        summary = reanalyse(store, pipeline, progress=lambda done, total, _what: seen.append((done, total)))
        assert summary.ok and summary.articles == len(demo_articles())
        assert summary.events_before == len(migrated) and summary.events_after == len(expected)
        assert seen[-1] == (summary.articles, summary.articles)
        first = store.events()
        assert _essence(first) == _essence(expected)  # as a fresh ingest of today gives them
        assert any(e.predicate for e in first)
        again = reanalyse(store, pipeline)
        assert again.events_before == again.events_after == len(first)
        assert _essence(store.events()) == _essence(first)


def test_corrections_survive_a_reanalysis(old_store: tuple[str, list[Event]], pipeline: Pipeline) -> None:
    url, _expected = old_store
    with Store(url) as store:
        name = store.events()[0].place_name
        moved = store.set_override(name, lat=1.5, lon=2.5, precision="point", note="test")
        assert moved > 0
        reanalyse(store, pipeline)
        after = [e for e in store.events() if e.place_name == name]
        assert after and all((e.lat, e.lon, e.place_precision) == (1.5, 2.5, "point") for e in after)


def test_one_article_that_cannot_be_stored_keeps_its_events(old_store: tuple[str, list[Event]],
                                                             pipeline: Pipeline,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    url, _expected = old_store
    with Store(url) as store:
        articles = store.articles()
        victim = articles[0][0]
        kept = [e for e in store.events() if e.article_id == victim]
        real = store.replace_events

        def refuse(article_id: str, *args: object, **kwargs: object) -> tuple[int, int]:
            if article_id == victim:
                raise StoreError("the database refused it")
            return real(article_id, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(store, "replace_events", refuse)
        summary = reanalyse(store, pipeline)
        assert [aid for aid, _m in summary.failed] == [victim]
        assert summary.articles == len(articles) - 1
        assert [e for e in store.events() if e.article_id == victim] == kept


def test_imported_placeholders_are_left_alone(tmp_path: Path, pipeline: Pipeline) -> None:
    from geo.backup import import_events
    from geo.frames import events_frame, export_bytes

    source = f"sqlite:///{tmp_path / 'source.sqlite'}"
    with Store(source) as store:
        ingest(demo_articles()[:1], pipeline, store)
        frame = events_frame(store.events())
    export = tmp_path / "events.csv"
    export.write_bytes(export_bytes(frame, "csv"))
    target = f"sqlite:///{tmp_path / 'imported.sqlite'}"
    import_events(export, target)
    with Store(target) as store:
        before = store.events()
        summary = reanalyse(store, pipeline)
        assert summary.articles == 0 and len(summary.without_text) == 1
        assert store.events() == before


def test_the_command_reports_progress_and_counts(old_store: tuple[str, list[Event]]) -> None:
    url, expected = old_store
    done = subprocess.run([sys.executable, "-m", "geo", "reanalyse", "--db", url], capture_output=True,
                          text=True, cwd=PROJECT_ROOT, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    assert f"{len(expected)} now" in done.stderr and "0 failed" in done.stderr
    assert "100% (" in done.stderr  # the progress report, one line per tenth when not a terminal
    with Store(url) as store:
        assert _essence(store.events()) == _essence(expected)
    # Only one article, by id.
    first = expected[0].article_id
    done = subprocess.run([sys.executable, "-m", "geo", "reanalyse", "--db", url, "--article", first],
                          capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=600, check=False)
    assert done.returncode == 0 and "re-analysed 1 article(s)" in done.stderr, done.stderr


def test_unchanged_events_are_what_a_replace_gives(tmp_path: Path) -> None:
    """replace_events alone: before/after counts, actors only the old events named are dropped."""
    from tests.dashboard_events import modelled, story

    with Store(f"sqlite:///{tmp_path / 's.sqlite'}") as store:
        article, events, actors = story()[0]
        store.add_article(article, events, actors)
        renamed = [replace(e, actors=("Omega Person",)) for e in events]
        omega = [Actor("Omega Person", "person")]
        assert store.replace_events(article.article_id, renamed, omega) == (len(events), len(renamed))
        assert {a.name: n for a, n in store.actors()} == {"Omega Person": len(renamed)}
        with pytest.raises(StoreError):
            store.replace_events(article.article_id, modelled()[1], [])  # events of another article
