"""Place labels that never overlap: chosen on the server for the zoom the map opens at.

Kabul, Bagram, Nangarhar and Afghanistan piled up in one unreadable smear. Each
place's label is placed at its anchor projected to pixels (Web Mercator at the
deck's zoom), its text box estimated from the characters and the font size, and
the labels are taken in order of priority (the step's focus, the step's places,
then the most mentioned and the finest places) while they do not touch a label
already taken or the focus ring. What is left out is still a point with a tooltip.

The boxes are estimates, a little wider than Helvetica's average glyph, so that
a real rendering stays within them.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from geo.camera import world_pixel
from geo.cards import visible
from geo.legend import point_radius
from geo.models import Event

LABEL_SIZE = 13  # pixels, the TextLayer's size
LABEL_GAP = 4  # pixels between a label and its point (or the ring)
OUTLINE = 3  # pixels of white halo around the glyphs
RING_RADIUS = 22  # pixels: the focus ring around the selected place
RING_WIDTH = 3
MAX_LABELS = 12
CLUSTER_PIXELS = 48  # a hidden label counts towards a kept one this close (pixels)
_PRECISION_RANK = {"point": 0, "city": 1, "admin1": 2, "country": 3}


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels (y grows downwards)."""

    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Box) -> bool:
        return (self.left < other.right and other.left < self.right
                and self.top < other.bottom and other.top < self.bottom)

    def distance_to(self, x: float, y: float) -> float:
        """How far the point (x, y) is from the box (0 inside it)."""
        dx = max(self.left - x, 0.0, x - self.right)
        dy = max(self.top - y, 0.0, y - self.bottom)
        return math.hypot(dx, dy)


def marker_radius(mentions: int) -> float:
    """A point's radius in pixels, as the map draws it (geo.legend.point_radius)."""
    return point_radius(mentions)


def text_width(text: str, size: float = LABEL_SIZE) -> float:
    """An upper estimate of the rendered width: wide (East Asian) characters take a full em."""
    ems = sum(1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.62 for ch in text)
    return ems * size + 2 * OUTLINE


def label_box(text: str, x: float, y: float, offset_y: float, size: float = LABEL_SIZE) -> Box:
    """The box of a label centred at (x, y + offset_y), as deck.gl's TextLayer draws it by default."""
    half_w = text_width(text, size) / 2
    half_h = size * 0.6 + OUTLINE
    cy = y + offset_y
    return Box(x - half_w, cy - half_h, x + half_w, cy + half_h)


def label_offset(mentions: int, *, focus: bool = False, size: float = LABEL_SIZE) -> float:
    """Pixels above the anchor: clear of the point, and of the ring for the focus."""
    half_h = size * 0.6 + OUTLINE
    if focus:
        return -(RING_RADIUS + RING_WIDTH + LABEL_GAP + half_h)
    # Areas too: one without a polygon (a sea, a region) is drawn as a point.
    return -(marker_radius(mentions) + LABEL_GAP + half_h)


def ring_box(x: float, y: float) -> Box:
    reach = RING_RADIUS + RING_WIDTH
    return Box(x - reach, y - reach, x + reach, y + reach)


def _key(event: Event) -> tuple[float, float]:
    return (round(event.lat or 0.0, 2), round(event.lon or 0.0, 2))


def candidate_rows(events: Sequence[Event]) -> list[dict[str, Any]]:
    """One candidate label per location, the name most often used for it ("Panjshir", not also
    "Panjshir Valley"), with its mentions and finest precision."""
    names: dict[tuple[float, float], Counter[str]] = {}
    first: dict[tuple[float, float], Event] = {}
    for e in events:
        names.setdefault(_key(e), Counter())[e.place_name] += 1
        first.setdefault(_key(e), e)
    return [{"text": visible(counts.most_common(1)[0][0]), "lat": first[key].lat, "lon": first[key].lon,
             "mentions": sum(counts.values()), "precision": first[key].place_precision}
            for key, counts in names.items()]


def place_labels(events: Sequence[Event], zoom: float, *, focus: Event | None = None,
                 highlight: Sequence[Event] = (), limit: int = MAX_LABELS) -> list[dict[str, Any]]:
    """The labels to draw at ``zoom``: none overlaps another or the focus ring.

    Priority: the focus, the step's places (``highlight``), then the most mentioned,
    then the finest. ``limit`` caps the labels beyond the focus and the step's places.
    """
    rows = candidate_rows(events)
    focus_key = _key(focus) if focus is not None else None
    wanted = {_key(e) for e in highlight}

    def priority(row: dict[str, Any]) -> tuple[int, int, int, int, str]:
        key = (round(row["lat"], 2), round(row["lon"], 2))
        return (key != focus_key, key not in wanted, -row["mentions"],
                _PRECISION_RANK.get(row["precision"], 2), row["text"])

    taken: list[Box] = []
    if focus is not None and focus.lat is not None and focus.lon is not None:
        taken.append(ring_box(*world_pixel(focus.lat, focus.lon, zoom)))
    out: list[dict[str, Any]] = []
    hidden: list[tuple[float, float]] = []  # anchors (pixels) of labels left out for lack of room
    extra = 0
    for row in sorted(rows, key=priority):
        key = (round(row["lat"], 2), round(row["lon"], 2))
        special = key == focus_key or key in wanted
        if not special and extra >= limit:
            continue
        offset = label_offset(row["mentions"], focus=key == focus_key)
        x, y = world_pixel(row["lat"], row["lon"], zoom)
        box = label_box(row["text"], x, y, offset)
        if any(box.overlaps(other) for other in taken):
            hidden.append((x, y))
            continue
        taken.append(box)
        extra += not special
        out.append({**row, "label": row["text"], "offset": [0, round(offset, 1)], "box": box, "xy": (x, y)})
    _count_hidden(out, hidden, taken)
    for row in out:
        del row["box"], row["xy"]
    return out


def _count_hidden(out: list[dict[str, Any]], hidden: Sequence[tuple[float, float]], taken: list[Box]) -> None:
    """A label tells how many nearby places lost theirs ("Kabul +3"), when the longer text still fits.

    At world zoom a region's places crowd into one spot: the count is the aggregate, and
    zooming in (or a story step) names them.
    """
    if not out:
        return
    counts = [0] * len(out)
    for hx, hy in hidden:
        nearest = min(range(len(out)), key=lambda i: math.dist(out[i]["xy"], (hx, hy)))
        if math.dist(out[nearest]["xy"], (hx, hy)) <= CLUSTER_PIXELS:
            counts[nearest] += 1
    for index, row in enumerate(out):
        if not counts[index]:
            continue
        label = f"{row['text']} +{counts[index]}"
        box = label_box(label, *row["xy"], row["offset"][1])
        others = [b for b in taken if b is not row["box"]]
        if not any(box.overlaps(other) for other in others):
            taken[taken.index(row["box"])] = box
            row["box"], row["label"] = box, label
