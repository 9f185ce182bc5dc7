"""Labels on the deck never overlap: the deck's label positions projected to pixels at its zoom.

The projection here is written independently of geo.camera (Web Mercator, 512 px world at zoom 0),
so a wrong projection in the product would let overlaps through this test.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from typing import Any

import pytest

from geo.labels import (
    LABEL_SIZE,
    MAX_LABELS,
    RING_RADIUS,
    RING_WIDTH,
    label_box,
    place_labels,
    text_width,
)
from geo.mapview import build_deck
from geo.models import Event
from tests.dashboard_events import all_events


def _pixel(lat: float, lon: float, zoom: float) -> tuple[float, float]:
    size = 512 * 2 ** zoom
    siny = math.sin(math.radians(lat))
    return (lon / 360 + 0.5) * size, (0.5 - math.log((1 + siny) / (1 - siny)) / (4 * math.pi)) * size


def label_boxes(spec: dict[str, Any]) -> list[tuple[str, Any]]:
    """(text, box) of every label of a deck's JSON, at its initial zoom."""
    zoom = spec["initialViewState"]["zoom"]
    labels = next(layer for layer in spec["layers"] if layer["id"] == "labels")
    assert labels["getPixelOffset"] == "@@=offset"  # each row carries its own offset
    assert labels["getText"] == "@@=label"
    return [(row["label"], label_box(row["label"], *_pixel(row["lat"], row["lon"], zoom), row["offset"][1]))
            for row in labels["data"]]


def overlapping(spec: dict[str, Any]) -> list[tuple[str, str]]:
    boxes = label_boxes(spec)
    return [(a, b) for i, (a, box_a) in enumerate(boxes) for b, box_b in boxes[i + 1:]
            if box_a.overlaps(box_b)]


def _crowd(n: int = 40) -> list[Event]:
    """Places a few kilometres apart around our own test point, each mentioned a different number of times."""
    base = all_events()[0]
    out = []
    for i in range(n):
        lat, lon = 30.0 + (i % 7) * 0.15, 60.0 + (i // 7) * 0.2
        out += [replace(base, event_id=f"p{i}-{k}", place_name=f"Place number {i}", lat=lat, lon=lon)
                for k in range(1 + i % 4)]
    return out


def _spec(deck: Any) -> dict[str, Any]:
    return json.loads(deck.to_json())


def test_a_crowd_of_places_gets_labels_that_do_not_overlap() -> None:
    events = _crowd()
    spec = _spec(build_deck(events))
    assert label_boxes(spec), "some labels are drawn"
    assert overlapping(spec) == []
    # The thinning is real: without it these labels would pile up at this zoom.
    zoom = spec["initialViewState"]["zoom"]
    every = place_labels(events, zoom, limit=1000)
    raw = [label_box(r["text"], *_pixel(r["lat"], r["lon"], zoom), -16) for r in
           [{"text": e.place_name, "lat": e.lat, "lon": e.lon} for e in events]]
    assert any(a.overlaps(b) for i, a in enumerate(raw) for b in raw[i + 1:])
    assert len(every) < len({e.place_name for e in events})


def test_the_story_steps_focus_keeps_its_label_and_the_ring_never_hides_it() -> None:
    events = _crowd()
    quiet = events[0]  # mentioned once: the busiest would take its label in a plain view
    spec = _spec(build_deck(events, selected=quiet, focus=True, highlight=[quiet]))
    boxes = label_boxes(spec)
    assert boxes[0][0].startswith(quiet.place_name)
    assert overlapping(spec) == []
    zoom = spec["initialViewState"]["zoom"]
    cx, cy = _pixel(quiet.lat, quiet.lon, zoom)  # type: ignore[arg-type]
    reach = RING_RADIUS + RING_WIDTH
    for text, box in boxes:  # no label under the ring, its own least of all
        assert box.distance_to(cx, cy) > reach, text
    ring = next(layer for layer in spec["layers"] if layer["id"] == "selected")
    assert ring["getRadius"] == RING_RADIUS


def test_priority_is_focus_then_the_steps_places_then_mentions() -> None:
    base = all_events()[0]
    far = [replace(base, event_id=f"f{i}-{k}", place_name=f"Far {i}", lat=-50.0 + 8 * i, lon=-150.0 + 20 * i)
           for i in range(MAX_LABELS + 4) for k in range(i + 1)]
    step_place = replace(base, event_id="s", place_name="Step Place", lat=70.0, lon=170.0)
    labels = place_labels([*far, step_place], zoom=6.0, highlight=[step_place])
    texts = [r["text"] for r in labels]
    assert texts[0] == "Step Place"
    assert texts[1:] == [f"Far {i}" for i in range(MAX_LABELS + 3, 3, -1)]  # busiest first, up to the limit


def test_text_boxes_are_generous_estimates() -> None:
    # Helvetica's widest capitals are about 0.72 em and its average near 0.55 em; CJK glyphs one em.
    assert text_width("Kabul") >= 5 * 0.55 * LABEL_SIZE
    assert text_width("北京市") >= 3 * LABEL_SIZE
    assert text_width("كابل") >= 4 * 0.5 * LABEL_SIZE
    box = label_box("Kabul", 100.0, 100.0, -20.0)
    assert box.bottom < 100.0 and box.top < box.bottom and box.left < 100.0 < box.right


@pytest.mark.parametrize("zoom", [0.5, 2.0, 5.0, 8.0])
def test_no_overlap_at_any_zoom(zoom: float) -> None:
    events = _crowd(60)
    labels = place_labels(events, zoom)
    boxes = [label_box(r["label"], *_pixel(r["lat"], r["lon"], zoom), r["offset"][1]) for r in labels]
    assert labels
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_a_label_counts_the_nearby_places_it_stands_for() -> None:
    events = _crowd()
    zoom = 2.0  # a world view: the crowd is one spot
    labels = place_labels(events, zoom)
    names = {e.place_name for e in events}
    counted = [r for r in labels if r["label"] != r["text"]]
    assert counted, [r["label"] for r in labels]
    total = sum(int(r["label"].rsplit("+", 1)[1]) for r in counted)
    # Every place is either named or counted by a label near it.
    assert len(labels) + total == len(names)
    boxes = [label_box(r["label"], *_pixel(r["lat"], r["lon"], zoom), r["offset"][1]) for r in labels]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
