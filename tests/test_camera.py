"""The story camera on our own events: the focus in frame, context around it, mentions ignored."""

from __future__ import annotations

from dataclasses import replace

import pytest

from geo.camera import (
    AREA_CONTEXT,
    MAX_ZOOM,
    MIN_SPAN,
    VIEW_HEIGHT,
    VIEW_WIDTH,
    Frame,
    View,
    fit,
    screen_pixel,
    step_frame,
    step_view,
    visible_span,
)
from geo.models import Event
from tests.dashboard_events import all_events


def _at(name: str, lat: float, lon: float, *, precision: str = "city", actors: tuple[str, ...] = ("Envoy",),
        locative: bool = True, country: str = "AA") -> Event:
    return replace(all_events()[0], event_id=name, place_name=name, lat=lat, lon=lon,
                   place_precision=precision, actors=actors, locative=locative, country_code=country)  # type: ignore[arg-type]


def _on_screen(view: View, event: Event, margin: float = 0.0) -> bool:
    x, y = screen_pixel(view, event.lat, event.lon)  # type: ignore[arg-type]
    return margin <= x <= VIEW_WIDTH - margin and margin <= y <= VIEW_HEIGHT - margin


@pytest.mark.parametrize(("lat", "lon"), [(0.0, 0.0), (34.5, 69.2), (-33.9, 151.2), (64.1, -21.9)])
def test_a_city_step_is_framed_with_its_neighbourhood(lat: float, lon: float) -> None:
    town = _at("Town", lat, lon)
    view = step_view(town)
    assert _on_screen(view, town, margin=VIEW_WIDTH * 0.1)
    assert view.zoom <= MAX_ZOOM
    assert visible_span(view) >= MIN_SPAN  # never a street map without a border in sight
    frame = step_frame(town)
    assert frame.east - frame.west >= MIN_SPAN and frame.north - frame.south >= MIN_SPAN - 1e-6


def test_an_area_never_fills_the_frame() -> None:
    land = _at("Bigland", 40.0, -100.0, precision="country")
    bounds = Frame(-125.0, 25.0, -67.0, 49.0)  # our own test box, not a real outline
    view = step_view(land, area_bounds=lambda _e: bounds)
    west, north = screen_pixel(view, bounds.north, bounds.west)
    east, south = screen_pixel(view, bounds.south, bounds.east)
    # At most 1/AREA_CONTEXT of the map's width or height: its neighbours show around it.
    assert east - west <= VIEW_WIDTH / AREA_CONTEXT + 1 or south - north <= VIEW_HEIGHT / AREA_CONTEXT + 1
    assert east - west <= VIEW_WIDTH and south - north <= VIEW_HEIGHT
    assert _on_screen(view, land)


def test_a_journey_keeps_both_ends_and_ignores_a_place_merely_named() -> None:
    arrival = _at("Arrival", 50.0, 8.0)
    departure = _at("Departure", 25.0, 51.0)
    named = _at("Faraway", -35.0, -60.0, actors=(), locative=False)
    view = step_view(arrival, [arrival, departure, named])
    assert _on_screen(view, arrival) and _on_screen(view, departure)
    assert not _on_screen(view, named)


def test_fit_is_centred_on_the_frame_and_bounded() -> None:
    view = fit(Frame(10.0, -10.0, 30.0, 10.0))
    assert abs(view.latitude) < 1e-6 and view.longitude == 20.0
    assert visible_span(view) >= 20.0
    assert fit(Frame(-180.0, -80.0, 180.0, 80.0)).zoom >= 0.5


@pytest.mark.gazetteer
def test_a_real_country_step_shows_the_country_with_its_neighbours() -> None:
    from geo.boundaries import load_boundaries
    from geo.mapview import area_bounds

    frame = load_boundaries("countries")
    rows = frame[frame["iso_a2"] != ""]
    for _i, row in rows.iloc[:: max(1, len(rows) // 12)].iterrows():
        point = row.geometry.representative_point()
        country = _at(str(row["iso_a2"]), point.y, point.x, precision="country", country=str(row["iso_a2"]))
        bounds = area_bounds(country)
        assert bounds is not None
        view = step_view(country, area_bounds=area_bounds)
        assert _on_screen(view, country)
        width = screen_pixel(view, bounds.south, bounds.east)[0] - screen_pixel(view, bounds.south,
                                                                                  bounds.west)[0]
        assert width <= VIEW_WIDTH / AREA_CONTEXT + 1 or view.zoom <= 0.5, (row["iso_a2"], width)
