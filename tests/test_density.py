"""The large-store map: one point per place below the threshold, density cells above it."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from geo.density import (
    CELL_PIXELS,
    DENSITY_LAYERS,
    MAX_COUNT_LABELS,
    OVERVIEW_TOOLTIP,
    PLACE_LAYERS,
    bin_places,
    density_notice,
    fit_bounds,
    map_overview,
    named_places,
    overview_deck,
    short_count,
)
from geo.legend import DATE_END, DATE_START
from geo.mapview import FIT_WIDTH, picked_event_id
from geo.overview import MapFilters, Overview, place_counts
from geo.store import Store
from tests.dashboard_events import XSS, fill_story, story


@pytest.fixture
def story_db(tmp_path: Path):
    with Store(f"sqlite:///{tmp_path / 'story.sqlite'}") as store:
        fill_story(store)
        yield store


def _grid(n_side: int, per_place: int = 1) -> Overview:
    """Places on a regular lat/lon grid, counts falling with the index (busiest first)."""
    lat = np.repeat(np.linspace(-60, 60, n_side), n_side)
    lon = np.tile(np.linspace(-170, 170, n_side), n_side)
    n = n_side * n_side
    count = np.arange(n, 0, -1, dtype=np.int64) * per_place
    first = np.array([date(2020, 1, 1)] * n, dtype="datetime64[D]") + np.arange(n) % 30
    last = first + 10
    described = {i: (f"Place {i}", "AA", f"{i:016x}") for i in range(n)}
    return Overview(MapFilters(), lat, lon, ("city",) * n, count, first, last, described)


def _spec(result) -> dict:
    return json.loads(result.deck.to_json())


def _layer(spec: dict, layer_id: str) -> dict:
    return next(layer for layer in spec["layers"] if layer["id"] == layer_id)


def test_below_the_threshold_each_place_is_one_point(story_db: Store) -> None:
    overview = map_overview(story_db)
    result = overview_deck(overview)
    spec = _spec(result)
    assert result.mode == "places" and result.notice == "" and result.cells == 0
    assert [layer["id"] for layer in spec["layers"]] == [i for i in PLACE_LAYERS if i != "selected"]
    rows = _layer(spec, "events")["data"]
    features = _layer(spec, "areas")["data"]["features"]
    assert len(rows) + len(features) == len(overview) == result.places
    assert sum(int(r["what"].split()[0]) for r in rows) == overview.total == 5
    northtown = next(r for r in rows if r["place"].startswith("Northtown"))  # two mentions, one place
    assert northtown["what"] == "2 events" and northtown["radius"] > min(r["radius"] for r in rows)
    # The latest place is the warmest colour, as in geo.mapview.
    latest = max(rows, key=lambda r: r["when"])
    assert latest["color"][:3] == DATE_END
    assert [i.color for i in result.legend] == [tuple(DATE_START), tuple(DATE_END)]
    # A click on a point opens its latest event, through the page's existing picker.
    pick = {"selection": {"objects": {"events": [northtown]}}}
    assert picked_event_id(pick) == northtown["event_id"] == overview.place(0).event_id


def test_above_the_threshold_places_become_density_cells() -> None:
    overview = _grid(30)  # 900 places
    result = overview_deck(overview, place_limit=100)
    spec = _spec(result)
    assert result.mode == "density" and 0 < result.cells < len(overview)
    assert [layer["id"] for layer in spec["layers"]] == [i for i in DENSITY_LAYERS if i != "selected"]
    cells = _layer(spec, "density")["data"]
    assert len(cells) == result.cells
    assert sum(int(c["what"].split()[0].replace(",", "")) for c in cells) == overview.total
    assert all("event_id" not in c for c in cells)  # a cell is not one event: no card opens
    binned = bin_places(overview, fit_bounds(overview.lat, overview.lon).zoom)
    top = int(np.argmax(binned.count))
    assert int(cells[0]["what"].split()[0].replace(",", "")) == binned.count.max()  # busiest cell first
    members = np.flatnonzero(binned.of_place == top)
    assert cells[0]["place"].startswith(f"Place {members.min()} and {len(members) - 1} other")
    counts = _layer(spec, "cell_counts")["data"]
    busiest = int(cells[0]["what"].split()[0].replace(",", ""))
    assert counts[0]["text"] == short_count(busiest) and len(counts) == min(MAX_COUNT_LABELS, len(cells))
    assert result.notice == density_notice(overview.total, len(overview), result.cells)
    assert "density cells" in result.notice and f"{len(overview):,} places" in result.notice
    # The same overview under the threshold is drawn place by place.
    assert overview_deck(overview, place_limit=len(overview)).mode == "places"


def test_cells_are_bounded_by_the_screen_not_the_store() -> None:
    small, large = _grid(20), _grid(120)  # 400 and 14,400 places over the same area
    for overview in (small, large):
        view = fit_bounds(overview.lat, overview.lon)
        cells = bin_places(overview, view.zoom)
        assert cells.count.sum() == overview.total
        summed = np.bincount(cells.of_place, weights=overview.count).astype(np.int64)
        assert np.array_equal(summed, cells.count)
        # At most one cell per CELL_PIXELS square of a world that is 512 * 2**zoom pixels wide.
        world = 512 * 2**view.zoom
        assert len(cells) <= (world / CELL_PIXELS + 1) ** 2
        assert len(cells) <= (min(FIT_WIDTH * 2, world) / CELL_PIXELS + 2) * (world / CELL_PIXELS + 2)
    assert len(bin_places(large, fit_bounds(large.lat, large.lon).zoom)) < 1000


def test_density_deck_json_stays_small_whatever_the_number_of_places() -> None:
    sizes = [len(overview_deck(_grid(n), place_limit=100).deck.to_json()) for n in (40, 120)]
    assert sizes[1] < sizes[0] * 1.5  # 9x the places, about the same deck


def test_named_places_are_all_or_each_cells_busiest() -> None:
    overview = _grid(30)
    assert named_places(overview, place_limit=1000) == list(range(900))
    named = named_places(overview, place_limit=100)
    cells = bin_places(overview, fit_bounds(overview.lat, overview.lon).zoom)
    assert named == sorted(set(cells.busiest.tolist())) and 0 in named


def test_deck_carries_no_article_text_and_untrusted_names_only_as_data(story_db: Store) -> None:
    overview = map_overview(story_db)
    raw = overview_deck(overview).deck.to_json()
    for article, events, _actors in story():
        for event in events:
            assert event.quote not in raw  # no sentence reaches the browser
        assert article.text not in raw and article.title not in raw
    assert XSS not in raw
    # Tooltips interpolate data fields (Streamlit escapes them); the template names fields only.
    assert OVERVIEW_TOOLTIP["html"] == "<b>{place}</b> · {when}<br/>{what}"


def test_an_untrusted_place_name_is_a_data_value_not_markup(tmp_path: Path) -> None:
    article, events, actors = story()[0]
    hostile = [replace(e, place_name=XSS, resolved_name=XSS) for e in events]
    with Store(f"sqlite:///{tmp_path / 'x.sqlite'}") as store:
        store.add_article(article, hostile, actors)
        result = overview_deck(map_overview(store))
    spec = _spec(result)
    names = [r["place"] for r in _layer(spec, "events")["data"]]
    names += [r["text"] for r in _layer(spec, "labels")["data"]]
    assert XSS in names  # drawn as text by deck.gl, shown in the tooltip through Streamlit's escaping
    assert XSS not in json.dumps(spec["layers"][0]) and "<" not in result.notice
    assert XSS not in result.notice


def test_selected_event_gets_a_ring_and_focus(story_db: Store) -> None:
    selected = story_db.events()[0]
    result = overview_deck(map_overview(story_db), selected=selected, focus=True)
    spec = _spec(result)
    ring = _layer(spec, "selected")["data"][0]
    assert (ring["lat"], ring["lon"]) == (selected.lat, selected.lon)
    assert spec["initialViewState"]["latitude"] == selected.lat


def test_filters_change_the_map(story_db: Store) -> None:
    every = overview_deck(map_overview(story_db))
    one = overview_deck(map_overview(story_db, MapFilters.of(actors=["Gamma Org"])))
    assert (every.total, one.total) == (5, 1)
    assert [r["place"] for r in _layer(_spec(one), "events")["data"]] == ["Westville"]
    none = overview_deck(place_counts(story_db, MapFilters.of(sources=["nobody"])))
    assert none.total == 0 and none.mode == "places" and none.legend == ()


def test_an_overview_survives_pickling_for_streamlits_cache(story_db: Store) -> None:
    import pickle

    overview = map_overview(story_db, MapFilters.of(actors=["Alpha Person"]))
    again = pickle.loads(pickle.dumps(overview))
    assert again.places == overview.places and again.filters == overview.filters
