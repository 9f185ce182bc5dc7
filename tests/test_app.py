"""The dashboard under Streamlit's AppTest: pages, filters, links, selection, story mode.

The store is a real SQLite file in tmp_path filled with hand-made events, so
no model or gazetteer is needed (the demo load is switched off).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.error import URLError

import pytest
from streamlit.testing.v1 import AppTest

from geo.config import PROJECT_ROOT
from geo.models import Event
from geo.store import Store
from tests.dashboard_events import app_store, background, fill_story, story

PAGE_FILES = ["pages/map.py", "pages/timeline.py", "pages/actors.py", "pages/sources.py", "pages/add.py",
              "pages/review.py"]
APP = str(PROJECT_ROOT / "app.py")
TIMEOUT = 30
MODEL_TIMEOUT = 300


@pytest.fixture
def store_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    return app_store(tmp_path, monkeypatch)


def _app(params: dict[str, str | list[str]] | None = None, script: str = APP) -> AppTest:
    at = AppTest.from_file(script, default_timeout=TIMEOUT)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


def _events_on_map(at: AppTest) -> set[str]:
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    ids = set()
    for layer in spec["layers"]:
        if layer["id"] == "events":
            ids |= {row["event_id"] for row in layer["data"]}
        elif layer["id"] == "areas":
            ids |= {f["properties"]["event_id"] for f in layer["data"]["features"]}
    return ids


def _params(at: AppTest) -> dict[str, list[str]]:
    out = {}
    for key in at.query_params:
        value = at.query_params[key]
        out[key] = list(value) if isinstance(value, list | tuple) else [value]
    return out


def _all_ids() -> dict[str, str]:
    return {e.place_name: e.event_id for _a, evs, _x in story() for e in evs}


@pytest.mark.parametrize("page", PAGE_FILES)
def test_every_page_renders_through_the_router(store_url: str, page: str) -> None:
    at = _app({"actor": "Alpha Person"})
    if page != "pages/map.py":
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.multiselect(key="w_actors").value == ["Alpha Person"]
    assert at.query_params["actor"] in ("Alpha Person", ["Alpha Person"])


@pytest.mark.parametrize("page", PAGE_FILES)
def test_a_page_opened_first_sets_itself_up(store_url: str, page: str) -> None:
    """The deep link after a restart: the page script runs alone, without app.py."""
    at = _app({"actor": ["Alpha Person"], "from": "2021-08-16"}, script=str(PROJECT_ROOT / page))
    assert not at.exception, [e.value for e in at.exception]
    assert at.multiselect(key="w_actors").value == ["Alpha Person"]
    assert at.slider(key="w_dates").value[0].isoformat() == "2021-08-16"


def test_first_view_opens_on_the_story_period(store_url: str) -> None:
    """Background mentions years earlier widen the slider's bounds, not the first view."""
    with Store(store_url) as store:
        store.add_article(*background())
    at = _app()
    slider = at.slider(key="w_dates")
    # A month before the first article (2021-08-15) to the last event.
    assert [d.isoformat() for d in slider.value] == ["2021-07-15", "2021-09-01"]
    shown = _events_on_map(at)
    assert len(shown) == 6 and _ids_of(background())["Oldport"] not in shown
    assert any("1 earlier event (before 2021-07-15), left out" in c.value for c in at.sidebar.caption)
    assert "from" not in _params(at)
    # The slider spans the story's own period, so two months are not a sliver of eight years.
    assert (_day(slider.min), _day(slider.max)) == (date(2021, 7, 15), date(2021, 9, 1))
    assert at.toggle(key="w_background").value is False
    # The toggle reaches back to the first event: the slider widens and the link says so.
    at.toggle(key="w_background").set_value(True).run()
    slider = at.slider(key="w_dates")
    assert _day(slider.min) == date(2013, 1, 1) and slider.value[0] == date(2013, 1, 1)
    assert _ids_of(background())["Oldport"] in _events_on_map(at)
    assert _params(at)["from"] == ["2013-01-01"]
    assert not any("left out" in c.value for c in at.sidebar.caption)
    # Dragging the start back into the story's period switches the background off again.
    slider.set_range(date(2021, 8, 1), slider.value[1]).run()
    assert at.toggle(key="w_background").value is False
    assert _day(at.slider(key="w_dates").min) == date(2021, 7, 15)
    assert _ids_of(background())["Oldport"] not in _events_on_map(at)
    at.toggle(key="w_background").set_value(True).run()
    at.toggle(key="w_background").set_value(False).run()
    assert "from" not in _params(at)
    # Story mode starts in the story's period, not in 2013.
    at = _app()
    at.button(key="next").click().run()
    assert "**Northtown**" in " ".join(m.value for m in at.markdown)


def _day(microseconds: float) -> date:
    """A date slider's bound as AppTest reports it (microseconds since the epoch, UTC)."""
    return (datetime(1970, 1, 1) + timedelta(microseconds=microseconds)).date()


def test_link_dates_override_the_story_period(store_url: str) -> None:
    with Store(store_url) as store:
        store.add_article(*background())
    at = _app({"from": "2012-01-01", "to": "2014-01-01"})
    assert [d.isoformat() for d in at.slider(key="w_dates").value] == ["2013-01-01", "2014-01-01"]
    assert _events_on_map(at) == {_ids_of(background())["Oldport"]}


def _ids_of(item: tuple[object, list[Event], object]) -> dict[str, str]:
    return {e.place_name: e.event_id for e in item[1]}


def test_filters_change_the_map_data(store_url: str) -> None:
    at = _app()
    everything = _events_on_map(at)
    assert len(everything) == 5
    at.multiselect(key="w_actors").select("Gamma Org").run()
    assert _events_on_map(at) == {_all_ids()["Westville"]}
    assert at.query_params["actor"] in ("Gamma Org", ["Gamma Org"])
    at.multiselect(key="w_actors").unselect("Gamma Org").run()
    assert _events_on_map(at) == everything


def test_query_parameters_set_the_filters_and_are_written_back(store_url: str) -> None:
    at = _app({"actor": ["Alpha Person", "Beta Group"], "from": "2021-08-16", "to": "2021-09-01",
               "country": "BB"})
    assert not at.exception
    assert at.multiselect(key="w_actors").value == ["Alpha Person", "Beta Group"]
    low, high = at.slider(key="w_dates").value
    assert (low.isoformat(), high.isoformat()) == ("2021-08-16", "2021-09-01")
    assert at.multiselect(key="w_countries").value == ["BB"]
    assert _events_on_map(at) == {_all_ids()["Easton"]}
    params = _params(at)
    assert params["actor"] == ["Alpha Person", "Beta Group"]
    assert params["from"] == ["2021-08-16"] and params["country"] == ["BB"]
    assert "to" not in params  # the story's own last date is the default


def test_malformed_parameters_give_a_notice_and_the_default_view(store_url: str) -> None:
    at = _app({"from": "yesterday", "actor": "Nobody", "zoom": "9", "step": "-4"})
    assert not at.exception
    notices = " ".join(c.value for c in at.caption)
    assert "from" in notices and "zoom" in notices and "actor" in notices
    assert len(_events_on_map(at)) == 5
    assert "from" not in _params(at) and "zoom" not in _params(at)


def test_a_selection_opens_the_card(store_url: str) -> None:
    at = _app()
    target = _all_ids()["Southland"]
    at.session_state["map"] = {"selection": {"indices": {"events": [0]},
                                             "objects": {"events": [{"event_id": target}]}}}
    at.run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "**Southland**" in text and "Third" in text
    assert _params(at)["event"] == [target]


def test_the_card_escapes_untrusted_article_text(store_url: str) -> None:
    at = _app({"event": _all_ids()["Easton"]})
    text = " ".join(m.value for m in at.markdown)
    assert "**Easton**" in text
    assert "<img" not in text and "<script" not in text and "](javascript" not in text
    assert "&lt;img" in text
    assert not at.get("link_button")  # the article's javascript: URL gets no link


def test_story_mode_steps_in_time_order(store_url: str) -> None:
    at = _app({"actor": "Alpha Person"})
    at.button(key="next").click().run()
    assert _params(at)["step"] == ["0"]
    assert "**Northtown**" in " ".join(m.value for m in at.markdown)
    at.button(key="next").click().run()
    at.button(key="next").click().run()
    assert _params(at)["step"] == ["2"]
    assert "**Southland**" in " ".join(m.value for m in at.markdown)
    assert at.button(key="next").disabled
    at.button(key="prev").click().run()
    assert _params(at)["step"] == ["1"]
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    assert spec["initialViewState"]["latitude"] == 25.0  # the map moved to Easton


def test_filters_survive_a_page_switch(store_url: str) -> None:
    at = _app()
    at.multiselect(key="w_actors").select("Beta Group").run()
    at.switch_page("pages/sources.py").run()
    assert at.multiselect(key="w_actors").value == ["Beta Group"]
    assert _params(at)["actor"] == ["Beta Group"]
    at.switch_page("pages/map.py").run()
    assert _events_on_map(at) == {e for p, e in _all_ids().items() if p == "Northtown."}


def _point_colours(at: AppTest) -> dict[str, list[int]]:
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    rows = next(layer for layer in spec["layers"] if layer["id"] == "events")["data"]
    return {row["place"]: row["color"] for row in rows}


def test_colour_choice_is_in_the_link_and_on_the_map(store_url: str) -> None:
    at = _app({"color": "actor"})
    control = at.get("button_group")[0]
    assert control.value == "actor"
    by_actor = _point_colours(at)
    # Northtown and Easton: different dates, one actor (Alpha Person), so one colour.
    assert by_actor["Northtown"] == by_actor["Easton"]
    control.set_value("date").run()
    by_date = _point_colours(at)
    assert by_date["Northtown"] != by_date["Easton"]
    assert "color" not in _params(at)  # date is the default


def test_sources_page_offers_both_downloads(store_url: str) -> None:
    at = _app({"actor": "Gamma Org"})
    at.switch_page("pages/sources.py").run()
    assert not at.exception
    labels = [d.proto.label for d in at.get("download_button")]
    assert labels == ["Download CSV", "Download GeoJSON"]
    assert any(h.value == "Events in this view (1)" for h in at.subheader)
    assert "1 of 3 articles" in " ".join(c.value for c in at.caption)


def test_bad_input_is_refused_and_changes_nothing(store_url: str) -> None:
    at = _app()
    at.switch_page("pages/add.py").run()
    at.text_area[0].input("Some text about a town.")
    next(t for t in at.text_input if t.label.startswith("Published")).input("31/12/2021")  # not ISO
    next(b for b in at.button if b.label == "Analyse").click().run()
    assert not at.exception
    assert at.error and "published" in at.error[0].value
    with Store(store_url) as store:
        assert store.counts()["articles"] == 3


def _review_key(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]


def test_review_applies_a_candidate_to_every_mention(store_url: str) -> None:
    at = _app()
    at.switch_page("pages/review.py").run()
    key = _review_key("Westville")
    at.radio(key=f"cand_{key}").set_value(1).run()
    at.button(key=f"use_{key}").click().run()
    assert not at.exception
    with Store(store_url) as store:
        assert "westville" in store.overrides()
        moved = [e for e in store.events() if e.place_name == "Westville"]
        assert (moved[0].lat, moved[0].lon) == (-20.0, 40.0)
    assert at.success


def _set_coordinates(at: AppTest, name: str, lat: float, lon: float) -> AppTest:
    key = _review_key(name)
    at.number_input(key=f"lat_{key}").set_value(lat)
    at.number_input(key=f"lon_{key}").set_value(lon)
    at.selectbox(key=f"precision_{key}").set_value("point")
    submit = next(b for b in at.button if b.label == "Set coordinates" and key in b.proto.form_id)
    return submit.click().run()


def test_review_sets_coordinates_and_refuses_bad_ones(store_url: str) -> None:
    with Store(store_url) as store:
        before = store.events()
    at = _app()
    at.switch_page("pages/review.py").run()
    _set_coordinates(at, "Westville", 200.0, 40.0)
    assert not at.exception
    assert at.error and "lat 200" in at.error[0].value and "-90 to 90" in at.error[0].value
    with Store(store_url) as store:
        assert store.events() == before and store.overrides() == {}
    _set_coordinates(at, "Westville", -33.5, 151.25)
    assert not at.exception and not at.error
    assert at.success and "1 event(s) moved" in at.success[0].value
    with Store(store_url) as store:
        moved = [e for e in store.events() if e.place_name == "Westville"]
        assert [(e.lat, e.lon, e.place_precision, e.confidence) for e in moved] == [
            (-33.5, 151.25, "point", 1.0)]
    assert any(h.value == "Corrections in force" for h in at.subheader)
    assert _review_key("Westville") not in " ".join(r.key or "" for r in at.radio)  # reviewed: off the list


@pytest.mark.model
@pytest.mark.gazetteer
def test_a_review_correction_survives_re_ingest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pick another candidate for a name mentioned twice; both move, and stay moved after re-ingest."""
    from geo.config import load_settings
    from geo.pipeline import Pipeline, ingest
    from geo.readers import article_from_text

    url = f"sqlite:///{tmp_path / 'review.sqlite'}"
    monkeypatch.setenv("GEOSTORY_DB_URL", url)
    monkeypatch.setenv("GEOSTORY_DEMO", "false")
    text = "The minister flew from Berlin to Paris on Tuesday. She met officials in Paris."
    article = article_from_text(text, title="A trip", published="2021-09-14", source="Wire")
    pipeline = Pipeline.from_settings(load_settings())
    with Store(url) as store:
        assert ingest([article], pipeline, store).events > 0
        first = [e for e in store.events() if e.place_name == "Paris"]
    assert len(first) == 2 and len(first[0].candidates) > 1
    # Another candidate than the one the resolver chose, e.g. a Paris in another country.
    index, wanted = next((i, c) for i, c in enumerate(first[0].candidates)
                         if (c.lat, c.lon) != (first[0].lat, first[0].lon))
    at = _app()
    at.switch_page("pages/review.py").run()
    key = _review_key("Paris")
    at.radio(key=f"cand_{key}").set_value(index).run()
    at.button(key=f"use_{key}").click().run()
    assert not at.exception and at.success
    where = {(wanted.lat, wanted.lon, wanted.country_code)}
    with Store(url) as store:
        assert {(e.lat, e.lon, e.country_code) for e in store.events() if e.place_name == "Paris"} == where
        store.delete_article(article.article_id)
        assert store.count_events() == 0
        assert ingest([article], pipeline, store).events > 0  # the same text again, as a new ingest
        again = [e for e in store.events() if e.place_name == "Paris"]
    assert len(again) == 2 and {(e.lat, e.lon, e.country_code) for e in again} == where


def test_a_timeline_period_narrows_the_dates_everywhere(store_url: str) -> None:
    at = _app()
    at.switch_page("pages/timeline.py").run()
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    start, end = 1629417600000, 1630540800000  # 2021-08-20 and 2021-09-02, as Vega-Lite sends them
    at.session_state["timeline"] = {"selection": {"period": {"date": [start, end]}}}
    at.run()
    assert not at.exception
    # No button: the brush is the filter. The end is clamped to the last event.
    assert not [b for b in at.button if b.label.startswith("Show only")]
    assert _params(at)["from"] == ["2021-08-20"] and "to" not in _params(at)
    assert [d.isoformat() for d in at.slider(key="w_dates").value] == ["2021-08-20", "2021-09-01"]
    # The brush stays in the chart's state; widening the dates must not be undone by it.
    at.slider(key="w_dates").set_range(date(2021, 8, 15), date(2021, 9, 1)).run()
    assert "from" not in _params(at)
    at.switch_page("pages/map.py").run()
    assert _events_on_map(at) == {e for p, e in _all_ids().items()}
    at.slider(key="w_dates").set_range(date(2021, 8, 20), date(2021, 9, 1)).run()
    assert _events_on_map(at) == {_all_ids()["Easton"], _all_ids()["Westville"], _all_ids()["Southland"]}


def test_an_empty_timeline_selection_changes_nothing(store_url: str) -> None:
    at = _app({"actor": "Gamma Org"})
    at.switch_page("pages/timeline.py").run()
    at.session_state["timeline"] = {"selection": {"period": {}}}
    at.run()
    assert not at.exception
    assert _params(at) == {"actor": ["Gamma Org"]}


def test_actors_page_narrows_to_one_actor(store_url: str) -> None:
    at = _app()
    at.switch_page("pages/actors.py").run()
    at.selectbox(key="itinerary_actor").set_value("Gamma Org").run()
    next(b for b in at.button if b.label.startswith("Show only Gamma Org")).click().run()
    assert _params(at)["actor"] == ["Gamma Org"]
    assert at.multiselect(key="w_actors").value == ["Gamma Org"]


@pytest.mark.model
@pytest.mark.gazetteer
def test_add_article_previews_then_stores(store_url: str) -> None:
    at = _app()
    at.switch_page("pages/add.py").run()
    at.text_area[0].input("The minister flew from Berlin to Paris on Tuesday. She met officials in Paris.")
    next(t for t in at.text_input if t.label == "Title").input("A trip")
    next(t for t in at.text_input if t.label.startswith("Published")).input("2021-09-14")
    # The first analysis loads the model and gazetteer (and builds the index if it is stale).
    next(b for b in at.button if b.label == "Analyse").click().run(timeout=MODEL_TIMEOUT)
    assert not at.exception, [e.value for e in at.exception]
    with Store(store_url) as store:
        assert store.counts()["articles"] == 3  # the preview stores nothing
    assert any(s.value == "What was found" for s in at.subheader)
    next(b for b in at.button if b.label == "Add to the story").click().run(timeout=MODEL_TIMEOUT)
    assert at.success
    with Store(store_url) as store:
        assert store.counts()["articles"] == 4
        assert {"Berlin", "Paris"} <= {e.place_name for e in store.events()}


@pytest.mark.model
@pytest.mark.gazetteer
def test_the_demo_story_can_be_followed_in_story_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Done-when walk-through: a first start loads the demo; Next visits its places in time order."""
    monkeypatch.setenv("GEOSTORY_DB_URL", f"sqlite:///{tmp_path / 'demo.sqlite'}")
    monkeypatch.setenv("GEOSTORY_DEMO", "true")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run(timeout=MODEL_TIMEOUT)
    assert not at.exception, [e.value for e in at.exception]
    total = len(json.loads(at.get("deck_gl_json_chart")[0].proto.json)["layers"][2]["data"])
    assert total > 0
    visited: list[str] = []
    for _ in range(200):  # bounded: the demo has far fewer events
        at.button(key="next").click().run()
        card = " ".join(m.value for m in at.markdown if m.value.startswith("**Place:**"))
        visited.append(card)
        if at.button(key="next").disabled:
            break
    # Each stop comes after the previous one (a place may also be mentioned earlier, as Doha is).
    position = -1
    for name in ("Kabul", "Panjshir", "Doha", "Ramstein"):
        later = [i for i, card in enumerate(visited) if name in card and i > position]
        assert later, f"story mode reached no {name} after step {position}"
        position = later[0]


def test_a_headless_start_asks_no_outside_service_for_its_address(tmp_path: Path) -> None:
    """`streamlit run app.py` on a server (headless, all interfaces) must not look up an external IP."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = tmp_path / "server.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    env.update(GEOSTORY_DB_URL=f"sqlite:///{tmp_path / 'empty.sqlite'}", GEOSTORY_DEMO="false")
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless",
                                 "true", "--server.port", str(port)], cwd=PROJECT_ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                        break
                except (URLError, OSError):
                    time.sleep(0.3)
            time.sleep(1.0)  # the banner is printed once the server is up
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    text = log.read_text()
    assert "URL: http://localhost" in text, text
    assert "External URL" not in text and "external IP" not in text, text


def test_a_very_large_view_draws_counts_per_place_and_lists_nothing(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above ui.data.MAX_DETAIL_EVENTS the map counts per place in SQL, and so do Timeline, Actors and
    Sources; Review asks for narrower filters."""
    import ui

    monkeypatch.setattr(ui.data, "MAX_DETAIL_EVENTS", 2)
    at = _app()
    assert not at.exception, [e.value for e in at.exception]
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    points = next(layer for layer in spec["layers"] if layer["id"] == "events")["data"]
    everything = [e for _a, evs, _x in story() for e in evs]
    # Each point says how many events it stands for ("2 events"); together they are all of them.
    assert sum(int(p["what"].split()[0].replace(",", "")) for p in points) == len(everything)
    # One point per place: the two Northtown mentions share theirs.
    assert len(points) == len({(e.lat, e.lon) for e in everything})
    assert any(f"{len(everything)} events match" in c.value for c in at.caption)
    assert not [b for b in at.button if b.key == "next"]  # no story mode over counts
    assert any(f"{len(everything)} events shown" in c.value for c in at.sidebar.caption)
    for page in ("pages/timeline.py", "pages/actors.py", "pages/sources.py", "pages/review.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert any("this page lists at most 2" in i.value for i in at.info) == (page == "pages/review.py")
        if page == "pages/timeline.py":
            assert at.get("vega_lite_chart") and "Events per day" in [h.value for h in at.main.subheader]
        elif page == "pages/actors.py":
            table = at.dataframe[0].value
            per_actor = {a: sum(a in e.actors for e in everything) for a in table["actor"]}
            assert dict(zip(table["actor"], table["events"], strict=True)) == per_actor
            assert any("No two actors share an event." in c.value for c in at.caption)  # counted in SQL
            busiest = table["actor"][0]  # more events than the limit: no itinerary, a reason
            assert any(f"{busiest} has {per_actor[busiest]} events" in c.value for c in at.caption)
        elif page == "pages/sources.py":
            sources = at.dataframe[0].value
            assert sources["events"].sum() == len(everything) and "Wire" in set(sources["source"])
            assert at.code[0].value.startswith("python -m geo events --format csv")
    # Narrowing the filters below the limit brings the event-by-event map back.
    at.switch_page("pages/map.py").run()
    at.multiselect(key="w_actors").select("Gamma Org").run()
    assert [b for b in at.button if b.key == "next"]


LANGUAGE_MODULES = ("geo.events", "geo.attribution", "geo.attribution_names", "geo.coref", "geo.clauses")


def test_the_map_of_a_stored_story_does_not_import_spacy(tmp_path: Path) -> None:
    """A warm start's map needs no language model: importing spaCy alone costs 0.5 CPU s, and the
    rules that build events 0.17 s more (the arcs come from geo.itinerary)."""
    db_url = f"sqlite:///{tmp_path / 'story.sqlite'}"
    with Store(db_url) as store:
        fill_story(store)
    code = ("import sys; sys.path.insert(0, '.'); from streamlit.testing.v1 import AppTest; "
            "at = AppTest.from_file('app.py', default_timeout=120).run(); "
            "assert not at.exception, [e.value for e in at.exception]; "
            "assert at.get('deck_gl_json_chart'), 'no map'; "
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in ('spacy', 'thinc') "
            f"or m in {LANGUAGE_MODULES!r}))")
    env = {**os.environ, "GEOSTORY_DB_URL": db_url, "GEOSTORY_DEMO": "false"}
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True,
                          text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"


# Keyed by what can never change under the same key (an article's id hashes its text).
IMMUTABLE_CACHES = {"ui.story._paragraphs"}


def test_data_changed_clears_every_data_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 12: a cache added to the ui package and forgotten by data_changed() fails here."""
    import importlib
    import pkgutil

    from streamlit.runtime.caching.cache_data_api import CachedDataFuncInfo

    import ui

    cleared: list[str] = []
    caches: list[str] = []
    for info in pkgutil.iter_modules(ui.__path__, "ui."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            cached = isinstance(getattr(value, "_info", None), CachedDataFuncInfo)
            if cached and value.__module__ == info.name:
                label = f"{info.name}.{name}"
                caches.append(label)
                monkeypatch.setattr(value, "clear", lambda label=label: cleared.append(label))
    assert {"ui.data.actor_facet", "ui.data.large_view"} <= set(caches)  # the search finds them
    ui.data_changed()
    assert sorted(set(caches) - IMMUTABLE_CACHES - set(cleared)) == []


def test_a_write_refreshes_every_cached_view(store_url: str) -> None:
    """Issue 12: after data_changed(), no cached query answers from before the write (large views too)."""

    def script(url: str) -> None:
        import streamlit as st

        import ui
        from geo.store import Store
        from tests.dashboard_events import background

        view = (url, (), None, None, (), (), ())

        def snapshot() -> list[int]:
            return [len(ui.query_events(*view)), ui.overview_of(*view).total,
                    int(ui.large_view("sources", *view)["events"].sum()), ui.large_view("placeless", *view),
                    len(ui.large_view("actors", *view)), len(ui.story_options(url)[0].actors)]

        before = snapshot()
        with Store(url) as store:
            store.add_article(*background())
        ui.data_changed()
        st.session_state["seen"] = (before, snapshot())

    at = AppTest.from_function(script, args=(store_url,), default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    before, after = at.session_state["seen"]
    assert after[:3] == [n + 2 for n in before[:3]]  # the background article's two events
    assert after[4:] == [n + 1 for n in before[4:]]  # and its actor
