"""Grouping at world zoom: touching points become one numbered circle, never at a story step's zoom.

Checked on the deck's own JSON, with circles projected to pixels by a projection written here
(Web Mercator, 512 px world at zoom 0), independently of geo.camera.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import timedelta
from typing import Any

from geo.clusters import CLUSTER_BELOW_ZOOM, cluster_points, place_key
from geo.legend import SHARED, legend_html
from geo.mapview import build_deck, event_rows, has_groups
from geo.models import Event
from tests.dashboard_events import all_events
from tests.test_labels import overlapping


def _pixel(lat: float, lon: float, zoom: float) -> tuple[float, float]:
    size = 512 * 2 ** zoom
    siny = math.sin(math.radians(lat))
    return (lon / 360 + 0.5) * size, (0.5 - math.log((1 + siny) / (1 - siny)) / (4 * math.pi)) * size


def _region(n: int = 6, *, spread: float = 0.3, far: bool = True) -> list[Event]:
    """``n`` places a few tens of kilometres apart, each with 1-3 events on different days, and
    (``far``) one place on another continent, so that the fitted view is a world view."""
    base = all_events()[0]
    out = []
    for i in range(n):
        for k in range(1 + i % 3):
            out.append(replace(base, event_id=f"r{i}-{k}", place_name=f"Town {i}",
                               lat=34.0 + spread * (i % 3), lon=69.0 + spread * (i // 3),
                               date=base.date + timedelta(days=i + k),
                               actors=(f"Actor {i % 2}",), place_precision="city"))
    if far:
        out.append(replace(base, event_id="far", place_name="Far city", lat=40.0, lon=-75.0,
                           date=base.date, actors=("Actor 0",), place_precision="city"))
    return out


def _spec(events: list[Event], **kwargs: Any) -> dict[str, Any]:
    return json.loads(build_deck(events, **kwargs).to_json())


def _layer(spec: dict[str, Any], layer_id: str) -> list[dict[str, Any]]:
    """A layer's rows; none for a layer the deck leaves out (the counts, when nothing is grouped)."""
    return next((layer["data"] for layer in spec["layers"] if layer["id"] == layer_id), [])


def touching(spec: dict[str, Any]) -> list[tuple[str, str]]:
    """Pairs of drawn circles that touch, at the zoom the deck opens at."""
    zoom = spec["initialViewState"]["zoom"]
    points = [(p["place"], *_pixel(p["lat"], p["lon"], zoom), p["radius"]) for p in _layer(spec, "events")]
    spots: dict[tuple[float, float], tuple[str, float, float, float]] = {}
    for name, x, y, r in points:  # several events at one place are one circle
        spots[(round(x, 3), round(y, 3))] = (name, x, y, r)
    circles = list(spots.values())
    return [(a[0], b[0]) for i, a in enumerate(circles) for b in circles[i + 1:]
            if math.hypot(a[1] - b[1], a[2] - b[2]) < a[3] + b[3]]


def test_a_world_view_draws_touching_places_as_one_numbered_circle() -> None:
    events = _region()
    spec = _spec(events)
    assert spec["initialViewState"]["zoom"] < CLUSTER_BELOW_ZOOM
    groups = [p for p in _layer(spec, "events") if p.get("cluster")]
    assert len(groups) == 1
    group = groups[0]
    near = [e for e in events if e.event_id != "far"]
    assert group["cluster"] == len(near) and group["count"] == str(len(near))
    assert sorted(group["members"]) == sorted(e.event_id for e in near)
    # At the busiest place, picking its latest event (whose story step frames the region closer).
    most = max(sum(e.place_name == n for e in near) for n in {e.place_name for e in near})
    head = group["place"].removesuffix(f" and {len({e.place_name for e in near}) - 1} places nearby")
    assert head != group["place"] and sum(e.place_name == head for e in near) == most
    latest_there = max((e for e in near if e.place_name == head), key=lambda e: e.date)
    assert group["event_id"] == latest_there.event_id
    first, last = min(e.date for e in near), max(e.date for e in near)
    assert group["date"] == f"{first.isoformat()} → {last.isoformat()}"
    assert "Actor 0" in group["actors"] and "Actor 1" in group["actors"]
    # The count is written on the circle, and nothing touches at the zoom the map opens at.
    assert [c["count"] for c in _layer(spec, "cluster_counts")] == [group["count"]]
    assert not touching(spec)
    # The far place is its own point, and every event is counted once.
    assert sum(p.get("cluster", 1) for p in _layer(spec, "events")) == len(events)


def test_no_grouping_at_a_story_steps_zoom() -> None:
    events = _region(far=False)
    spec = _spec(events, selected=events[0], focus=True, highlight=[events[0]])
    assert spec["initialViewState"]["zoom"] >= CLUSTER_BELOW_ZOOM
    assert not any(p.get("cluster") for p in _layer(spec, "events"))
    assert _layer(spec, "cluster_counts") == []
    assert len(_layer(spec, "events")) == len(events)


def test_the_steps_places_and_the_selected_place_are_never_grouped() -> None:
    events = _region()
    kept = events[0]
    spec = _spec(events, selected=kept, highlight=[kept])
    assert spec["initialViewState"]["zoom"] < CLUSTER_BELOW_ZOOM
    mine = [p for p in _layer(spec, "events") if p["place"] == kept.place_name]
    assert mine and not any(p.get("cluster") for p in mine)
    assert all(kept.place_name not in g["place"] and kept.place_name not in g["quote"]
               for g in _layer(spec, "events") if g.get("cluster"))


def test_labels_name_a_group_at_its_circle_and_never_overlap() -> None:
    events = _region(12, spread=0.5)
    spec = _spec(events)
    zoom = spec["initialViewState"]["zoom"]
    drawn = {(round(p["lat"], 4), round(p["lon"], 4)) for p in _layer(spec, "events")}
    assert any(p.get("cluster") for p in _layer(spec, "events"))
    for label in _layer(spec, "labels"):
        spot = (round(label["lat"], 4), round(label["lon"], 4))
        assert spot in drawn, label  # no label beside an empty spot
    assert not overlapping(spec)
    assert zoom < CLUSTER_BELOW_ZOOM


def test_group_colours_agree_with_their_points() -> None:
    events = _region()
    rows = event_rows(events, "actor")
    grouped = cluster_points(rows, 1.0, color_by="actor", actors_of={e.event_id: e.actors for e in events})
    (group,) = grouped.groups
    assert group["color"][:3] == SHARED  # two actors inside: the neutral colour, not the first actor's
    one_actor = [replace(e, actors=("Actor 0",)) for e in events]
    rows = event_rows(one_actor, "actor")
    (group,) = cluster_points(rows, 1.0, color_by="actor").groups
    assert group["color"][:3] == rows[0]["color"][:3]
    rows = event_rows(events, "date")
    (group,) = cluster_points(rows, 1.0, color_by="date").groups
    latest = max((r for r in rows if r["event_id"] != "far"), key=lambda r: r["date"])
    assert group["color"][:3] == latest["color"][:3]  # by date: the latest event's colour


def test_grouped_places_are_reported_where_they_went() -> None:
    events = _region()
    rows = event_rows(events)
    grouped = cluster_points(rows, 1.0)
    (group,) = grouped.groups
    head = place_key(group["lat"], group["lon"])
    near = {place_key(e.lat, e.lon) for e in events if e.event_id != "far"}
    assert set(grouped.moved) == near - {head}
    assert set(grouped.moved.values()) == {head}
    assert cluster_points(rows, CLUSTER_BELOW_ZOOM).rows == rows  # at a close zoom, untouched


def test_the_legend_explains_groups_only_when_the_map_has_them() -> None:
    world = build_deck(_region())
    close = build_deck(_region(far=False))
    assert has_groups(world) and not has_groups(close)
    assert 'data-legend="groups"' in legend_html([], layers={"points"}, groups=True)
    assert 'data-legend="groups"' not in legend_html([], layers={"points"}, groups=False)
    assert 'data-legend="groups"' not in legend_html([], layers=set(), groups=True)  # points hidden


def test_hidden_points_hide_the_counts_too() -> None:
    spec = _spec(_region(), show_points=False)
    assert _layer(spec, "events") == [] and _layer(spec, "cluster_counts") == []


def test_tooltips_show_control_characters_as_marks() -> None:
    events = [replace(e, actors=("Omar\u202eX",)) for e in _region()]
    spec = _spec(events)
    (group,) = [p for p in _layer(spec, "events") if p.get("cluster")]
    assert "\u202e" not in group["actors"] and "‹U+202E›" in group["actors"]


def test_a_region_alone_is_not_grouped_when_its_fitted_view_is_close() -> None:
    events = _region(far=False)
    spec = _spec(events)
    assert spec["initialViewState"]["zoom"] >= CLUSTER_BELOW_ZOOM
    assert not has_groups(build_deck(events))
