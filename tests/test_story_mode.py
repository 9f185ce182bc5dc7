"""Story mode on the demo, as a stakeholder meets it: a title slide, at most 15 steps in time order,
a step list that jumps, a camera that keeps context and labels that never overlap.

The demo is ingested once by the real pipeline (model and gazetteer) into a SQLite file; the
app then runs on it under AppTest, and the decks it sends are checked in pixels.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from geo.camera import MIN_SPAN, VIEW_HEIGHT, VIEW_WIDTH, View, screen_pixel, visible_span
from geo.config import PROJECT_ROOT
from geo.models import Actor, Article
from geo.store import Store
from tests.dashboard_events import _event, app_store
from tests.test_clusters import touching
from tests.test_labels import overlapping

APP = str(PROJECT_ROOT / "app.py")
TIMEOUT = 60
MAX_DEMO_STEPS = 15


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory, nlp: Any, real_gazetteer: Any) -> str:
    from geo.pipeline import Pipeline, ingest
    from geo.readers import demo_articles

    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.sqlite'}"
    with Store(url) as store:
        summary = ingest(demo_articles(), Pipeline(nlp, real_gazetteer), store)
        assert summary.ok, summary.failed
    return url


def _open(url: str, monkeypatch: pytest.MonkeyPatch, params: dict[str, str] | None = None) -> AppTest:
    monkeypatch.setenv("GEOSTORY_DB_URL", url)
    monkeypatch.setenv("GEOSTORY_DEMO", "false")
    monkeypatch.syspath_prepend(str(PROJECT_ROOT))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _deck(at: AppTest) -> dict[str, Any]:
    return json.loads(at.get("deck_gl_json_chart")[0].proto.json)


def _step_list(at: AppTest) -> Any:
    return at.selectbox(key="w_step")


def _step_dates(at: AppTest) -> list[date]:
    box = _step_list(at)
    labels = list(box.options)  # as the reader sees them
    found = [re.match(r"\d+\. (\d{4}-\d{2}-\d{2}) · ", label) for label in labels[1:]]
    assert all(found), labels
    return [date.fromisoformat(m.group(1)) for m in found if m]


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


@pytest.mark.model
@pytest.mark.gazetteer
def test_the_demo_opens_on_a_title_slide_and_plays_in_few_steps(demo_url: str,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    at = _open(demo_url, monkeypatch)
    text = _markdown(at)
    assert "**Who:**" in text and "**Where:**" in text
    # Every place of the story is named on the slide.
    names: dict[tuple[float, float], set[str]] = {}  # one location may go by several names
    for row in next(layer for layer in _deck(at)["layers"] if layer["id"] == "events")["data"]:
        # A group of nearby places at world zoom (geo.clusters) is drawn at its busiest, named first.
        place = row["place"].rsplit(" and ", 1)[0] if row.get("cluster") else row["place"]
        names.setdefault((round(row["lat"], 2), round(row["lon"], 2)), set()).add(place)
    where = next(line for line in text.splitlines() if line.startswith("**Where:**")).replace("\\", "")
    assert all(any(name in where for name in known) for known in names.values()), (names, where)
    assert not touching(_deck(at))  # the world view groups places whose points would pile up
    for name in ("Taliban", "Antony Blinken"):
        assert name in next(line for line in text.splitlines() if line.startswith("**Who:**"))
    dates = _step_dates(at)
    assert 1 < len(dates) <= MAX_DEMO_STEPS, len(dates)
    assert dates == sorted(dates)
    assert f"{len(dates)} steps" in text
    # The story's own period opens it: no background aside comes first.
    low, _high = at.sidebar.slider[0].value
    assert dates[0] >= low


def _on_screen(view: View, lat: float, lon: float) -> bool:
    x, y = screen_pixel(view, lat, lon)
    return 0 <= x <= VIEW_WIDTH and 0 <= y <= VIEW_HEIGHT


@pytest.mark.model
@pytest.mark.gazetteer
def test_every_demo_step_frames_its_place_with_context_and_no_label_overlaps(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _open(demo_url, monkeypatch)
    assert overlapping(_deck(at)) == [], "labels overlap at the start view"
    count = len(_step_list(at).options) - 1
    headings = []
    for index in range(count):
        _step_list(at).select(index).run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.query_params["step"] == [str(index)] or at.query_params.get("step") == str(index)
        spec = _deck(at)
        assert overlapping(spec) == [], f"labels overlap at step {index + 1}"
        v = spec["initialViewState"]
        view = View(v["latitude"], v["longitude"], v["zoom"])
        ring = next(layer for layer in spec["layers"] if layer["id"] == "selected")["data"][0]
        assert _on_screen(view, ring["lat"], ring["lon"]), f"step {index + 1}'s place is out of frame"
        assert visible_span(view) >= MIN_SPAN, f"step {index + 1} zooms in without context"
        labels = next(layer for layer in spec["layers"] if layer["id"] == "labels")["data"]
        assert len(labels) >= 2, "a step shows its place among others"
        headings.append(next(m.value for m in at.markdown if m.value.startswith("## ")))
    assert len(headings) == count and all(re.match(r"## \d{1,2} \w+ \d{4}", h) for h in headings), headings
    # Previous from the first step goes back to the title slide.
    _step_list(at).select(0).run()
    at.button(key="prev").click().run()
    assert "step" not in at.query_params and "**Where:**" in _markdown(at)


@pytest.mark.model
@pytest.mark.gazetteer
def test_the_demo_reaches_its_places_in_order(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _open(demo_url, monkeypatch)
    places = [option.split(" · ", 1)[1] for option in _step_list(at).options[1:]]
    position = -1
    for name in ("Kabul", "Panjshir", "Doha", "Ramstein"):
        later = [i for i, place in enumerate(places) if name in place and i > position]
        assert later, f"no step after {position} is at {name}: {places}"
        position = later[0]


def test_a_step_list_jump_and_next_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app_store(tmp_path, monkeypatch)
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert "**Where:**" in _markdown(at)  # the title slide opens the story
    _step_list(at).select(2).run()
    assert at.query_params["step"] == ["2"] or at.query_params["step"] == "2"
    at.button(key="prev").click().run()
    assert _step_list(at).value == 1
    at.button(key="next").click().run()
    assert _step_list(at).value == 2
    _step_list(at).select(-1).run()
    assert "step" not in at.query_params


def test_with_the_background_on_an_aside_still_does_not_open_the_story(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'aside.sqlite'}"
    article = Article(text="Kappa Group met in Oldport in 2013. Kappa Group met in Newport.",
                      title="Aside", published=date(2021, 9, 10), source="Wire")
    aside = replace(_event(article, article.text, "Oldport", date(2013, 5, 1), 12.0, 14.0, country="AA",
                           actors=("Kappa Group",)), background=True)
    now = _event(article, article.text, "Newport", date(2021, 9, 10), 13.0, 15.0, country="AA",
                 actors=("Kappa Group",))
    with Store(url) as store:
        store.add_article(article, [aside, now], [Actor("Kappa Group", "organization")])
    at = _open(url, monkeypatch)
    at.toggle(key="w_background").set_value(True).run()
    assert _step_dates(at) == [date(2021, 9, 10), date(2013, 5, 1)]
    at.button(key="next").click().run()
    assert "**Place:** Newport" in _markdown(at) or "Newport" in _markdown(at)
    assert any(m.value.startswith("## 10 September 2021") for m in at.markdown)
