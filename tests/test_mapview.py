"""The map's deck, asserted on its JSON: layers, rows, tooltip, no outside style."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from geo.labels import MAX_LABELS
from geo.legend import DATE_END, DATE_START, actor_colors, legend
from geo.mapview import (
    FIT_WIDTH,
    TOOLTIP,
    build_deck,
    event_rows,
    fit_view,
    picked_event_id,
)
from tests.dashboard_events import XSS, all_events


def _spec(deck) -> dict:
    return json.loads(deck.to_json())


def _layer(spec: dict, layer_id: str) -> dict:
    return next(layer for layer in spec["layers"] if layer["id"] == layer_id)


def test_layers_have_ids_and_points_carry_only_needed_columns() -> None:
    events = all_events()
    spec = _spec(build_deck(events))
    ids = [layer["id"] for layer in spec["layers"]]
    assert ids == ["countries", "areas", "events", "arcs", "labels"]
    rows = _layer(spec, "events")["data"]
    assert {r["event_id"] for r in rows} == {e.event_id for e in events}
    assert set(rows[0]) == {"event_id", "place", "date", "what", "actors", "quote", "lat", "lon", "precision",
                            "country_code", "mentions", "radius", "color"}
    assert all(isinstance(r["date"], str) for r in rows)  # never a Timestamp ({} in the browser)
    # Literal strings must stay literal, not become "@@=" expressions.
    assert _layer(spec, "events")["radiusUnits"] == "pixels"
    assert _layer(spec, "labels")["sizeUnits"] == "pixels"


def test_no_map_style_url_unless_configured() -> None:
    spec = _spec(build_deck(all_events()))
    assert "http" not in json.dumps(spec.get("mapStyle", ""))
    assert spec.get("mapProvider") in (None, "")
    styled = _spec(build_deck(all_events(), basemap_style="https://tiles.example/style.json"))
    assert styled["mapStyle"] == "https://tiles.example/style.json"


def test_tooltip_names_place_date_actors_quote() -> None:
    deck = build_deck(all_events())
    for field in ("{place}", "{date}", "{actors}", "{quote}"):
        assert field in TOOLTIP["html"]
    assert deck._tooltip == TOOLTIP


def test_mentions_size_the_points() -> None:
    rows = {r["place"]: r for r in event_rows(all_events())}
    assert rows["Northtown"]["mentions"] == 2
    assert rows["Easton"]["mentions"] == 1
    assert rows["Northtown"]["radius"] > rows["Easton"]["radius"]


def test_colour_by_date_runs_from_first_to_last() -> None:
    rows = event_rows(all_events(), "date")
    first = next(r for r in rows if r["date"] == "2021-08-15")
    last = next(r for r in rows if r["date"] == "2021-09-01")
    assert first["color"][:3] == DATE_START and last["color"][:3] == DATE_END
    assert [i.label for i in legend(all_events(), "date")] == ["2021-08-15", "2021-09-01"]


def test_colour_by_actor_uses_one_colour_per_actor() -> None:
    events = all_events()
    colors = actor_colors(events)
    assert next(iter(colors)) == "Alpha Person"  # most events first
    rows = event_rows(events, "actor")
    for row, event in zip(rows, events, strict=True):
        assert row["color"][:3] == colors[event.actors[0]]
    assert [i.label for i in legend(events, "actor")][:1] == ["Alpha Person"]


def test_arcs_follow_an_actor_between_places() -> None:
    arcs = _layer(_spec(build_deck(all_events())), "arcs")
    assert arcs["greatCircle"] is True
    alpha = [a for a in arcs["data"] if a["actors"] == "Alpha Person"]
    assert [a["place"] for a in alpha] == ["Northtown → Easton", "Easton → Southland"]


def test_labels_render_any_script() -> None:
    events = [replace(all_events()[0], place_name="كابل")]
    labels = _layer(_spec(build_deck(events)), "labels")
    assert labels["characterSet"] == "auto"
    assert labels["data"][0]["text"] == "كابل"


def test_the_story_steps_places_keep_their_labels_beyond_the_limit() -> None:
    base = all_events()[0]
    # Many busy places, each mentioned more often than the quiet one the story is at.
    busy = [replace(base, event_id=f"b{i}-{k}", place_name=f"Busy {i}", lat=float(i), lon=float(i))
            for i in range(MAX_LABELS + 3) for k in range(3)]
    quiet = replace(base, event_id="quiet", place_name="Quiet Town", lat=-40.0, lon=100.0)
    events = [*busy, quiet]
    texts = [r["text"] for r in _layer(_spec(build_deck(events)), "labels")["data"]]
    # Thinned (geo.labels, tested there): the busiest first, never more than the limit.
    assert 0 < len(texts) <= MAX_LABELS and texts[0].startswith("Busy")
    for deck in (build_deck(events, selected=quiet, focus=True), build_deck(events, highlight=[quiet])):
        texts = [r["text"] for r in _layer(_spec(deck), "labels")["data"]]
        assert texts[0] == "Quiet Town" and len(texts) <= MAX_LABELS + 1


@pytest.mark.gazetteer
def test_area_events_become_polygons_not_pins() -> None:
    from geo.boundaries import load_boundaries

    frame = load_boundaries("countries")
    row = frame[frame["iso_a2"] != ""].iloc[0]
    point = row.geometry.representative_point()
    area = replace(all_events()[0], place_precision="country", country_code=str(row["iso_a2"]),
                   lat=point.y, lon=point.x)
    spec = _spec(build_deck([area, all_events()[2]]))
    assert [r["event_id"] for r in _layer(spec, "events")["data"]] == [all_events()[2].event_id]
    features = _layer(spec, "areas")["data"]["features"]
    assert len(features) == 1
    assert features[0]["properties"]["event_id"] == area.event_id
    assert features[0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert _layer(spec, "countries")["data"]["features"]  # the offline base map is there


def test_untrusted_text_is_data_not_markup() -> None:
    rows = event_rows(all_events())
    easton = next(r for r in rows if r["place"] == "Easton")
    assert XSS[:20] in easton["quote"]  # raw in the data: Streamlit escapes tooltip values


def test_selected_event_gets_a_ring_and_focus() -> None:
    events = all_events()
    spec = _spec(build_deck(events, selected=events[2], focus=True))
    ring = _layer(spec, "selected")
    assert ring["data"] == [{"lat": events[2].lat, "lon": events[2].lon}]
    assert spec["initialViewState"]["latitude"] == events[2].lat


def test_fit_view_covers_the_events() -> None:
    view = fit_view(all_events())
    assert 10.0 < view.latitude < 49.0 and 7.0 < view.longitude < 60.0
    assert fit_view([]).zoom == 1.0
    wide = [replace(all_events()[0], lon=-100.0), replace(all_events()[1], lon=70.0)]
    # 170 degrees of longitude must fit into the assumed width: 512 * 2**zoom * 170 / 360 <= width
    assert 512 * 2 ** fit_view(wide).zoom * 170 / 360 <= FIT_WIDTH
    assert 512 * 2 ** fit_view(wide, width=900).zoom * 170 / 360 <= 900
    assert fit_view(wide, width=900).zoom > fit_view(wide).zoom


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        ({"selection": {"objects": {"events": [{"event_id": "abc"}]}}}, "abc"),
        ({"selection": {"objects": {"areas": [{"properties": {"event_id": "def"}}]}}}, "def"),
        ({"selection": {"objects": {}}}, None),
        ({"selection": {"objects": {"events": ["junk"]}}}, None),
        (None, None),
        ("nonsense", None),
    ],
)
def test_picked_event_id(selection: object, expected: str | None) -> None:
    assert picked_event_id(selection) == expected


def test_empty_story_still_builds() -> None:
    spec = _spec(build_deck([]))
    assert _layer(spec, "events")["data"] == []
    assert legend([], "date") == []


def test_dates_of_one_day_do_not_divide_by_zero() -> None:
    events = [replace(e, date=date(2021, 8, 15)) for e in all_events()]
    assert {tuple(r["color"][:3]) for r in event_rows(events)} == {tuple(DATE_START)}
