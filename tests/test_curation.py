"""Curation (issue 12): an editor's rules change the stored events at once and survive a re-analysis
and a re-ingest; bad input changes nothing.

A real SQLite store of hand-made events (tests/dashboard_events.py); the last tests run the real
pipeline (spaCy model and gazetteer) on the demo story, through ingest and ``reanalyse``.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from geo.backup import backup
from geo.errors import GeoError, InputError, NotFoundError
from geo.frames import events_frame, export_bytes
from geo.restore import restore
from geo.schema import place_key
from geo.store import Store
from geo.storecheck import inspect_file
from tests import test_store
from tests.dashboard_events import fill_story, story
from tests.old_stores import write_as_version

pg_schema = test_store.pg_url  # a fixture: a schema of its own in the PostgreSQL test cluster


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(f"sqlite:///{tmp_path / 'story.sqlite'}") as opened:
        yield fill_story(opened)


def _state(store: Store) -> tuple[object, ...]:
    return store.counts(), store.events(), store.actors(), store.curations(), store.articles()


def _reanalyse_by_hand(store: Store) -> None:
    """What ``python -m geo reanalyse`` stores: each article's analysis put anew (here the original one)."""
    for article, events, actors in story():
        if store.has_article(article.article_id):
            store.replace_events(article.article_id, events, actors)


def _place_names(store: Store) -> Counter[str]:
    return Counter(e.place_name for e in store.events())


def test_not_a_place_everywhere_removes_its_events_from_store_and_exports(store: Store) -> None:
    before = store.events()
    name = next(e.place_name for e in before if e.place_name.startswith("Northtown"))
    gone = [e for e in before if place_key(e.place_name) == place_key(name)]
    assert len(gone) == 2  # "Northtown" and "Northtown." are one name
    assert store.mark_not_place(name, editor="tester") == len(gone)
    after = store.events()
    assert {e.event_id for e in after} == {e.event_id for e in before} - {e.event_id for e in gone}
    exported = export_bytes(events_frame(after), "csv").decode("utf-8")
    assert "Northtown" not in exported and "Easton" in exported
    assert "Beta Group" not in {a.name for a, _n in store.actors()}  # its only event went
    [rule] = store.curations()
    assert (rule.kind, rule.editor, rule.created_at is not None) == ("not_place", "tester", True)
    _reanalyse_by_hand(store)
    assert store.events() == after  # the rule holds across a re-analysis


def test_not_a_place_in_one_article_leaves_the_others(store: Store) -> None:
    extra = story()[0]
    store.mark_not_place("Easton", article_id=story()[1][0].article_id)
    assert "Easton" not in _place_names(store)
    with pytest.raises(NotFoundError, match="no event is placed"):
        store.mark_not_place("Easton", article_id=extra[0].article_id)


def test_delete_an_event_and_an_article(store: Store) -> None:
    (a1, e1, _), (a2, _e2, _), _third = story()
    assert store.delete_event(e1[0].event_id) == 1
    assert e1[0].event_id not in {e.event_id for e in store.events()}
    assert store.remove_article(a2.article_id) == 1
    assert not store.has_article(a2.article_id)
    _reanalyse_by_hand(store)
    assert e1[0].event_id not in {e.event_id for e in store.events()}
    # Ingesting the deleted article again stores nothing.
    assert store.add_article(*story()[1]) is False
    assert not store.has_article(a2.article_id)
    # Removing the rule lets it in again.
    rule = next(r for r in store.curations() if r.kind == "delete_article")
    assert store.remove_curation(rule.curation_id) == rule
    assert store.add_article(*story()[1]) is True
    assert a1.article_id in {aid for aid, _a in store.articles()}


def test_rename_merge_and_chain(store: Store) -> None:
    alpha = [e for e in store.events() if "Alpha Person" in e.actors]
    assert store.rename_actor("Alpha Person", "Alpha P. Person") == len(alpha)
    actors = {a.name: (a, n) for a, n in store.actors()}
    assert "Alpha Person" not in actors
    renamed, count = actors["Alpha P. Person"]
    assert count == len(alpha) and {"Alpha Person", "Alpha"} <= set(renamed.aliases)
    # The old name still finds them (an alias), as a shared link with it would.
    assert len(store.events(actors=["Alpha Person"])) == len(alpha)
    # Merge: Beta Group into Gamma Org.
    gamma = len(store.events(actors=["Gamma Org"]))
    store.rename_actor("Beta Group", "Gamma Org")
    assert len(store.events(actors=["Gamma Org"])) == gamma + 1
    assert "Beta Group" not in {a.name for a, _n in store.actors()}
    store.rename_actor("Gamma Org", "Omega Org")  # a chain: Beta -> Gamma -> Omega
    _reanalyse_by_hand(store)
    names = Counter(n for e in store.events() for n in e.actors)
    assert names == Counter({"Alpha P. Person": len(alpha), "Omega Org": gamma + 1})


def test_split_an_actor_for_chosen_articles_and_events(store: Store) -> None:
    (_a1, e1, _), (a2, _e2, _), (_a3, e3, _) = story()
    southland = next(e for e in e3 if e.place_name == "Southland")
    changed = store.split_actor("Alpha Person", "Alpha Other", article_ids=[a2.article_id],
                                event_ids=[southland.event_id])
    assert changed == 2
    by_actor = {e.event_id: e.actors for e in store.events()}
    assert by_actor[e1[0].event_id] == ("Alpha Person",)
    assert by_actor[southland.event_id] == ("Alpha Other",)
    other = next(a for a, _n in store.actors() if a.name == "Alpha Other")
    assert other.kind == "person" and other.aliases == ()
    _reanalyse_by_hand(store)
    assert {e.event_id: e.actors for e in store.events()} == by_actor
    with pytest.raises(InputError, match="needs the articles or events"):
        store.split_actor("Alpha Person", "Someone")


def test_change_an_event_type(store: Store) -> None:
    event = store.events()[0]
    assert store.set_event_type(event.event_id, "protest") == 1
    assert store.event(event.event_id).event_type == "protest"
    _reanalyse_by_hand(store)
    assert store.event(event.event_id).event_type == "protest"


@pytest.mark.parametrize("edit", [
    lambda s: s.mark_not_place("Nowhere at all"),
    lambda s: s.mark_not_place("   "),
    lambda s: s.delete_event("no-such-event"),
    lambda s: s.remove_article("no-such-article"),
    lambda s: s.rename_actor("Nobody", "Somebody"),
    lambda s: s.rename_actor("Alpha Person", "  "),
    lambda s: s.rename_actor("Alpha Person", "Alpha Person"),
    lambda s: s.rename_actor("Alpha Person", "bad\u202ename"),
    lambda s: s.rename_actor("Alpha Person", "x" * 500),
    lambda s: s.split_actor("Alpha Person", "Other", event_ids=["no-such-event"]),
    lambda s: s.set_event_type(s.events()[0].event_id, "not-a-type"),
    lambda s: s.set_event_type("no-such-event", "protest"),
    lambda s: s.remove_curation("no-such-rule"),
])
def test_bad_input_is_refused_and_changes_nothing(store: Store, edit) -> None:  # type: ignore[no-untyped-def]
    before = _state(store)
    with pytest.raises(GeoError):
        edit(store)
    assert _state(store) == before


def test_the_same_decision_twice_is_one_rule(store: Store) -> None:
    event = store.events()[0]
    store.set_event_type(event.event_id, "protest")
    store.set_event_type(event.event_id, "attack")
    [rule] = store.curations()
    assert rule.value == "attack" and store.event(event.event_id).event_type == "attack"
    assert "attack" in rule.describe()


# -- schema, backup and restore ------------------------------------------------------------------


def _drop_curations(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE curations")
    conn.commit()
    conn.close()


def test_a_version_2_store_and_a_version_3_store_without_rules_gain_the_table(tmp_path: Path,
                                                                               store: Store) -> None:
    source = Path(str(store._database))
    old = write_as_version(source, tmp_path / "v2.sqlite", 2)
    early = write_as_version(source, tmp_path / "v3.sqlite", 3)
    _drop_curations(early)
    for path in (old, early):
        conn = sqlite3.connect(path)
        assert "curations" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        conn.close()
        assert inspect_file(path).counts["curations"] == 0  # a backup of it is accepted
        with Store(f"sqlite:///{path}") as opened:
            assert opened.curations() == []
            name = next(e.place_name for e in opened.events())
            assert opened.mark_not_place(name) >= 1
            assert len(opened.curations()) == 1


def test_backup_and_restore_keep_the_rules_and_a_bad_rule_is_refused(tmp_path: Path, store: Store) -> None:
    store.mark_not_place("Easton", editor="tester")
    store.rename_actor("Gamma Org", "Gamma Organisation")
    copy = tmp_path / "backup.sqlite"
    backup(store._engine.url.render_as_string(hide_password=False), copy)
    assert inspect_file(copy).counts["curations"] == 2
    target = f"sqlite:///{tmp_path / 'restored.sqlite'}"
    restore(copy, target)
    with Store(target) as restored:
        assert restored.curations() == store.curations()
        assert restored.events() == store.events()
        # The rules go on applying in the restored store.
        restored.replace_events(*[(a.article_id, e, act) for a, e, act in story()][1])
        assert "Easton" not in _place_names(restored)
    crafted = tmp_path / "crafted.sqlite"
    crafted.write_bytes(copy.read_bytes())
    conn = sqlite3.connect(crafted)
    conn.execute("UPDATE curations SET kind = 'drop_everything'")
    conn.commit()
    conn.close()
    with pytest.raises(InputError, match="curations row"):
        restore(crafted, f"sqlite:///{tmp_path / 'other.sqlite'}")
    assert not (tmp_path / "other.sqlite").exists()



# -- the real pipeline: ingest and reanalyse ------------------------------------------------------


@pytest.mark.model
@pytest.mark.gazetteer
def test_rules_survive_the_real_ingest_and_reanalyse(tmp_path: Path) -> None:
    from geo.config import Settings
    from geo.pipeline import Pipeline, ingest
    from geo.readers import demo_articles
    from geo.reanalyse import reanalyse

    pipeline = Pipeline.from_settings(Settings())
    with Store(f"sqlite:///{tmp_path / 'demo.sqlite'}") as demo:
        ingest(demo_articles(), pipeline, demo)
        events = demo.events()
        # The place named most often, an actor of some event, an event and an article: from the data.
        place = Counter(place_key(e.place_name) for e in events if e.place_name).most_common(1)[0][0]
        name = next(e.place_name for e in events if place_key(e.place_name) == place)
        actor = Counter(a for e in events for a in e.actors).most_common(1)[0][0]
        kept = next(e for e in events if place_key(e.place_name) != place and actor not in e.actors)
        doomed = next(e for e in events if e.event_id != kept.event_id and place_key(e.place_name) != place)
        article_id = next(aid for aid, _a in demo.articles() if aid not in (kept.article_id,))
        demo.mark_not_place(name)
        demo.delete_event(doomed.event_id)
        demo.rename_actor(actor, f"{actor} (renamed)")
        demo.set_event_type(kept.event_id, "protest")
        demo.remove_article(article_id)
        curated = demo.events()
        summary = reanalyse(demo, pipeline)
        assert summary.ok and summary.articles == len(demo.articles())
        assert demo.events() == curated
        again = ingest(demo_articles(), pipeline, demo)  # every demo article once more
        assert again.added == () and not demo.has_article(article_id)
        assert demo.events() == curated
        assert place not in {place_key(e.place_name) for e in curated}
        assert doomed.event_id not in {e.event_id for e in curated}
        assert actor not in {a for e in curated for a in (*e.actors, *e.mentioned_actors)}
        assert demo.event(kept.event_id).event_type == "protest"


def test_postgresql_applies_and_keeps_the_rules(pg_schema: str) -> None:
    (_a1, e1, _), (a2, _e2, _), _third = story()
    with Store(pg_schema) as pg:
        fill_story(pg)
        pg.mark_not_place("Northtown")
        pg.rename_actor("Gamma Org", "Gamma Organisation")
        pg.split_actor("Alpha Person", "Alpha Other", article_ids=[a2.article_id])
        pg.set_event_type(pg.events()[0].event_id, "protest")
        curated = pg.events()
        _reanalyse_by_hand(pg)
        assert pg.events() == curated
        assert e1[0].event_id not in {e.event_id for e in curated}
        assert [r.kind for r in pg.curations()] == ["not_place", "rename_actor", "split_actor", "event_type"]
        with pytest.raises(NotFoundError):
            pg.rename_actor("Gamma Org", "Again")


def test_a_split_elsewhere_adds_no_actor_and_a_type_already_set_is_pinned(store: Store) -> None:
    (a1, e1, actors1), (a2, _e2, _), _third = story()
    store.split_actor("Alpha Person", "Alpha Other", article_ids=[a2.article_id])
    store.replace_events(a1.article_id, e1, actors1)  # an article the split leaves alone
    assert "Alpha Other" in {a.name for a, _n in store.actors()}  # from a2
    assert all(n > 0 for _a, n in store.actors())  # no actor left without an event
    kind = store.event(e1[0].event_id).event_type
    assert store.set_event_type(e1[0].event_id, kind) == 0  # nothing to change today, but kept
    assert [r.kind for r in store.curations()][-1] == "event_type"


def test_curate_actors_keeps_only_actors_with_events() -> None:
    from geo.curation import curate, make_rule

    (a1, e1, actors), _second, _third = story()
    rules = [make_rule("split_actor", article_id="elsewhere", subject="Alpha Person", value="Alpha Other"),
             make_rule("not_place", subject=place_key("Northtown"))]
    kept = curate(rules, a1.article_id, e1, actors)
    assert kept is not None and kept[0] == [] and kept[1] == []
