"""Colours and the legend: what each colour on the map means, the same on every page.

Split from ``geo.mapview`` (the deck) so that the colours the Timeline, the legend and the map
share have one home. Actor colours follow the actors' weight in the view; an event type's
colour is keyed by the type itself, so it never changes when data is added.
"""

from __future__ import annotations

import hashlib
import html
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from geo.cards import type_label, visible
from geo.models import Event

RGB = list[int]
# Early events cool, late ones warm, so the direction of the story shows.
DATE_START: RGB = [44, 123, 182]
DATE_END: RGB = [215, 48, 39]
NO_ACTOR: RGB = [140, 140, 140]
# A qualitative palette (ColorBrewer "Set1"-like), repeated when actors outnumber it.
PALETTE: tuple[RGB, ...] = (
    [228, 26, 28], [55, 126, 184], [77, 175, 74], [152, 78, 163], [255, 127, 0],
    [166, 86, 40], [247, 129, 191], [0, 160, 160], [190, 170, 0], [100, 100, 220],
)


@dataclass(frozen=True)
class LegendItem:
    label: str
    color: tuple[int, int, int]


# -- colours -------------------------------------------------------------------------


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return [round(x + (y - x) * t) for x, y in zip(a, b, strict=True)]


def actor_colors(events: Sequence[Event]) -> dict[str, RGB]:
    """One colour per actor, the most frequent first, stable for a given set of events."""
    counts = Counter(a for e in events for a in e.actors)
    ranked = sorted(counts, key=lambda a: (-counts[a], a))
    return {a: PALETTE[i % len(PALETTE)] for i, a in enumerate(ranked)}


def type_color(event_type: str) -> RGB:
    """An event type's colour, from the taxonomy (data/event_types.toml): the same on every page
    and whatever else the store holds. A type the taxonomy does not know (an imported export's)
    takes a palette colour keyed by its name; no type at all is the grey of "other"."""
    from geo.lexicon import OTHER, load_taxonomy

    if not event_type:
        event_type = OTHER
    for known in load_taxonomy().types:
        if known.id == event_type:
            return list(known.color)
    digest = hashlib.sha256(event_type.encode("utf-8")).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def date_span(events: Sequence[Event]) -> tuple[int, int]:
    """The first and last day (ordinals) of the events: the ends of the date colour ramp."""
    days = [e.date.toordinal() for e in events]
    return min(days), max(days)


def event_color(event: Event, events: Sequence[Event], color_by: str,
                colors: dict[str, RGB] | None = None, span: tuple[int, int] | None = None) -> RGB:
    """The event's colour; pass ``colors`` or ``span`` when colouring many events (computed once)."""
    if color_by == "actor":
        colors = colors if colors is not None else actor_colors(events)
        for actor in event.actors:
            if actor in colors:
                return colors[actor]
        return NO_ACTOR
    if color_by == "type":
        return type_color(event.event_type)
    low, high = span if span is not None else date_span(events)
    t = 0.0 if high == low else (event.date.toordinal() - low) / (high - low)
    return _mix(DATE_START, DATE_END, t)


def legend(events: Sequence[Event], color_by: str, limit: int = 10) -> list[LegendItem]:
    """What the colours mean: the story's first and last dates, or the leading actors."""
    if not events:
        return []
    if color_by == "actor":
        colors = actor_colors(events)
        items = [LegendItem(a, tuple(c)) for a, c in list(colors.items())[:limit]]  # type: ignore[arg-type]
        if any(not e.actors for e in events):
            items.append(LegendItem("no actor named", tuple(NO_ACTOR)))  # type: ignore[arg-type]
        return items
    if color_by == "type":
        counts = Counter(e.event_type for e in events)
        return [LegendItem(type_label(t), tuple(type_color(t)))  # type: ignore[arg-type]
                for t, _n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]]
    first, last = min(e.date for e in events), max(e.date for e in events)
    return [LegendItem(first.isoformat(), tuple(DATE_START)),  # type: ignore[arg-type]
            LegendItem(last.isoformat(), tuple(DATE_END))]  # type: ignore[arg-type]


def legend_html(items: Sequence[LegendItem]) -> str:
    """Colour swatches with escaped labels (labels are actor names from articles)."""
    parts = []
    for item in items:
        r, g, b = (int(v) for v in item.color)
        parts.append(
            f'<span style="display:inline-block;margin-right:12px;white-space:nowrap">'
            f'<span style="display:inline-block;width:12px;height:12px;border-radius:6px;'
            f'background:rgb({r},{g},{b});margin-right:4px;vertical-align:middle"></span>'
            f"{html.escape(visible(item.label))}</span>"
        )
    return '<div style="font-size:0.85rem">' + "".join(parts) + "</div>"
