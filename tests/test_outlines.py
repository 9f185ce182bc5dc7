"""The base map's outlines: finer when zoomed in, clipped to the view, small enough to send."""

from __future__ import annotations

import json
from datetime import date

import shapely

from geo.gazetteer import load_gazetteer
from geo.mapview import FIT_HEIGHT, FIT_WIDTH, build_deck
from geo.models import Event
from geo.outlines import LEVELS, level_for, outlines, view_box


def _vertices(collection: dict) -> int:
    return sum(shapely.get_num_coordinates(shapely.geometry.shape(f["geometry"]))
               for f in collection["features"])


def _city(name: str) -> tuple[float, float]:
    hit = load_gazetteer().lookup(name)[0]
    return hit.lat, hit.lon


def test_the_level_rises_with_the_zoom() -> None:
    levels = [level_for(z) for z in (0.0, 1.0, 3.0, 3.5, 5.0, 5.5, 9.0, 20.0)]
    assert levels == sorted(levels) and levels[0] == 0 and levels[-1] == len(LEVELS) - 1
    assert [lv.tolerance for lv in LEVELS] == sorted((lv.tolerance for lv in LEVELS), reverse=True)


def test_a_city_view_gets_finer_outlines_than_the_world_view() -> None:
    lat, lon = _city("Lyon")
    box = shapely.box(*view_box(lat, lon, 7.0, 800, 600, screens=1.0))
    world = [shapely.geometry.shape(f["geometry"]) for f in outlines(lat, lon, 1.0)["features"]]
    near = [shapely.geometry.shape(f["geometry"]) for f in outlines(lat, lon, 7.0)["features"]]
    coarse = sum(shapely.get_num_coordinates(shapely.clip_by_rect(g, *box.bounds)) for g in world)
    fine = sum(shapely.get_num_coordinates(shapely.clip_by_rect(g, *box.bounds)) for g in near)
    assert fine > 4 * max(coarse, 1)  # the same screen, many more vertices


def test_finer_levels_are_clipped_to_the_views_surroundings() -> None:
    lat, lon = _city("Tokyo")
    box = view_box(lat, lon, 7.0, 800, 600)
    near = outlines(lat, lon, 7.0)
    assert near["features"]
    shapes = [shapely.geometry.shape(f["geometry"]) for f in near["features"]]
    bounds = shapely.bounds(shapely.union_all(shapes))
    assert bounds[0] >= box[0] - 1e-9 and bounds[1] >= box[1] - 1e-9
    assert bounds[2] <= box[2] + 1e-9 and bounds[3] <= box[3] + 1e-9
    # Small enough to travel with every rerun: well under the coarse world map.
    assert len(json.dumps(near)) < len(json.dumps(outlines(lat, lon, 1.0)))


def test_the_deck_takes_outlines_for_its_own_view() -> None:
    lat, lon = _city("Lyon")
    event = Event(event_id="e1", article_id="a1", date=date(2024, 5, 1), date_precision="day",
                  place_name="Lyon", lat=lat, lon=lon,
                  place_precision="city", country_code="FR", geonameid=None, actors=(), quote="In Lyon.",
                  sentence_start=0, sentence_end=8, confidence=0.9, source="s", url="", place_start=3)
    focused = build_deck([event], selected=event, focus=True)
    overview = build_deck([event])
    layer = {d.id: d for d in focused.layers}["countries"]
    view = focused.initial_view_state
    assert _vertices(layer.data) > 0
    assert level_for(view.zoom) > 0  # a frame on one city is never drawn with the world's outlines
    assert layer.data == outlines(view.latitude, view.longitude, view.zoom,
                                  width=FIT_WIDTH, height=FIT_HEIGHT)
    world = {d.id: d for d in overview.layers}["countries"]
    assert world.data is not layer.data
