"""Colours and the legend: what each colour on the map means, the same on every page.

Split from ``geo.mapview`` (the deck) so that the colours the Timeline, the legend and the map
share have one home. Every colour is keyed by identity, never by order: an actor's colour comes
from a hash of its name, an event type's from the taxonomy, so neither changes when data is added
and each is the same on the map, the Timeline and the Actors page. An event several actors share
takes a neutral colour (the tooltip names them and says how many), so the legend and the points
never disagree.
"""

from __future__ import annotations

import hashlib
import html
import math
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from geo.cards import type_label, visible
from geo.models import Event

RGB = list[int]
# Early events cool, late ones warm, so the direction of the story shows.
DATE_START: RGB = [44, 123, 182]
DATE_END: RGB = [215, 48, 39]
NO_ACTOR: RGB = [140, 140, 140]
SHARED_LABEL = "several actors (the tooltip names them)"
# Several actors at one event: dark and unsaturated, unlike any palette colour.
SHARED: RGB = [55, 55, 70]
# A qualitative palette of 20 saturated hues (no greys: those mean "no actor" and "several");
# an actor's colour is picked by a hash of its name, so two actors may share one.
PALETTE: tuple[RGB, ...] = (
    [228, 26, 28], [55, 126, 184], [77, 175, 74], [152, 78, 163], [255, 127, 0],
    [166, 86, 40], [247, 129, 191], [0, 160, 160], [190, 170, 0], [100, 100, 220],
    [141, 211, 199], [251, 128, 114], [128, 177, 211], [253, 180, 98], [179, 222, 105],
    [188, 128, 189], [31, 120, 80], [180, 30, 110], [110, 60, 20], [0, 90, 160],
)


@dataclass(frozen=True)
class LegendItem:
    label: str
    color: tuple[int, int, int]
    # "swatch": a colour for a category; "ramp": one end of a continuous date ramp.
    kind: str = "swatch"


# -- colours -------------------------------------------------------------------------


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return [round(x + (y - x) * t) for x, y in zip(a, b, strict=True)]


def _hashed(name: str) -> RGB:
    # casefold: "Taliban" and "TALIBAN" are one actor to a reader, so one colour.
    digest = hashlib.sha256(name.casefold().encode("utf-8")).digest()
    return list(PALETTE[int.from_bytes(digest[:4], "big") % len(PALETTE)])


def actor_color(actor: str) -> RGB:
    """An actor's colour, from its name alone: the same on every page and whatever else the store holds."""
    return _hashed(actor)


def actor_colors(events: Sequence[Event]) -> dict[str, RGB]:
    """Each actor of the events with its colour, the most frequent first (the legend's order)."""
    counts = Counter(a for e in events for a in e.actors)
    ranked = sorted(counts, key=lambda a: (-counts[a], a))
    return {a: actor_color(a) for a in ranked}


def hex_color(color: Sequence[int]) -> str:
    """``#rrggbb`` for charts (Vega-Lite takes CSS colours)."""
    r, g, b = (int(v) for v in color[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


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
    return _hashed(event_type)


def date_span(events: Sequence[Event]) -> tuple[int, int]:
    """The first and last day (ordinals) of the events: the ends of the date colour ramp."""
    days = [e.date.toordinal() for e in events]
    return min(days), max(days)


def event_color(event: Event, events: Sequence[Event], color_by: str,
                colors: dict[str, RGB] | None = None, span: tuple[int, int] | None = None) -> RGB:
    """The event's colour; pass ``colors`` or ``span`` when colouring many events (computed once)."""
    if color_by == "actor":
        # One actor: its colour. Several: the neutral colour the legend explains, never the first
        # actor's (which would make the point disagree with the legend for the others).
        named = set(event.actors)
        if len(named) > 1:
            return SHARED
        return actor_color(next(iter(named))) if named else NO_ACTOR
    if color_by == "type":
        return type_color(event.event_type)
    low, high = span if span is not None else date_span(events)
    t = 0.0 if high == low else (event.date.toordinal() - low) / (high - low)
    return _mix(DATE_START, DATE_END, t)


def legend(events: Sequence[Event], color_by: str, limit: int = 10) -> list[LegendItem]:
    """What the colours mean: the date ramp's ends, or the leading actors (and "several actors"),
    or the event types."""
    if not events:
        return []
    if color_by == "actor":
        colors = actor_colors(events)
        items = [LegendItem(a, tuple(c)) for a, c in list(colors.items())[:limit]]  # type: ignore[arg-type]
        if any(len(set(e.actors)) > 1 for e in events):
            items.append(LegendItem(SHARED_LABEL, tuple(SHARED)))  # type: ignore[arg-type]
        if any(not e.actors for e in events):
            items.append(LegendItem("no actor named", tuple(NO_ACTOR)))  # type: ignore[arg-type]
        return items
    if color_by == "type":
        counts = Counter(e.event_type for e in events)
        return [LegendItem(type_label(t), tuple(type_color(t)))  # type: ignore[arg-type]
                for t, _n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]]
    first, last = min(e.date for e in events), max(e.date for e in events)
    return list(date_ramp(first.isoformat(), last.isoformat()))


def date_ramp(first: str, last: str) -> tuple[LegendItem, LegendItem]:
    """The two ends of the continuous date ramp (drawn as one gradient bar)."""
    return (LegendItem(first, tuple(DATE_START), "ramp"),  # type: ignore[arg-type]
            LegendItem(last, tuple(DATE_END), "ramp"))  # type: ignore[arg-type]


def max_mentions(events: Sequence[Event]) -> int:
    """The most events at one place: the legend's largest point (as ``geo.mapview`` counts places)."""
    counts = Counter((round(e.lat, 4), round(e.lon, 4), e.place_precision)
                     for e in events if e.lat is not None and e.lon is not None)
    return max(counts.values(), default=0)


def point_radius(mentions: int) -> float:
    """A point's radius in pixels: its area grows with the mentions of its place."""
    return round(5 + 4 * math.sqrt(max(mentions, 1)), 2)


def _swatch(item: LegendItem) -> str:
    r, g, b = (int(v) for v in item.color)
    return (f'<span style="display:inline-block;margin-right:12px;white-space:nowrap">'
            f'<span style="display:inline-block;width:12px;height:12px;border-radius:6px;'
            f'background:rgb({r},{g},{b});margin-right:4px;vertical-align:middle"></span>'
            f"{html.escape(visible(item.label))}</span>")


def _ramp(first: LegendItem, last: LegendItem) -> str:
    # One continuous bar: every day between the ends has its own colour on the map.
    a, b = (",".join(str(int(v)) for v in item.color) for item in (first, last))
    return ('<span data-legend="ramp" style="display:inline-flex;align-items:center;gap:6px;'
            'margin-right:12px;white-space:nowrap">'
            f"{html.escape(visible(first.label))}"
            f'<span style="display:inline-block;width:140px;height:10px;border-radius:3px;'
            f'background:linear-gradient(to right, rgb({a}), rgb({b}))"></span>'
            f"{html.escape(visible(last.label))}</span>")


def _sizes(most: int) -> str:
    sizes = sorted({1, max(1, round(most / 2)), most}) if most > 1 else [1]
    circles = "".join(
        f'<span style="display:inline-flex;align-items:center;gap:3px;margin-right:8px">'
        f'<span style="display:inline-block;width:{2 * point_radius(n):.0f}px;'
        f'height:{2 * point_radius(n):.0f}px;'
        f'border-radius:50%;border:1px solid #555;background:rgba(120,120,120,0.25)"></span>{n}</span>'
        for n in sizes)
    return (f'<span data-legend="size" style="display:inline-flex;align-items:center;margin-right:12px">'
            f'<span style="margin-right:6px">Point size: mentions of the place</span>{circles}</span>')


_ARC = ('<span data-legend="arcs" style="display:inline-flex;align-items:center;gap:4px;margin-right:12px">'
        '<span style="display:inline-block;width:28px;height:10px;border-top:3px solid #666;'
        'border-radius:50% 50% 0 0"></span>Arc: an actor\'s trip, coloured by the actor</span>')
_GROUP = ('<span data-legend="groups" '
          'style="display:inline-flex;align-items:center;gap:4px;margin-right:12px">'
          '<span style="display:inline-flex;align-items:center;justify-content:center;width:20px;height:20px;'
          'border-radius:50%;background:rgb(55,55,70);color:#fff;font-size:10px;font-weight:bold">12</span>'
          'Numbered circle: events at nearby places, grouped at this zoom; click one to zoom in</span>')
_AREA = ('<span data-legend="areas" style="display:inline-flex;align-items:center;gap:4px;margin-right:12px">'
         '<span style="display:inline-block;width:14px;height:10px;border:1px solid #666;'
         'background:rgba(120,120,120,0.3)"></span>Shaded area: a country or province named, '
         'darker with more events</span>')


def legend_html(items: Sequence[LegendItem], *, layers: Collection[str] = (), most_mentions: int = 0,
                groups: bool = False) -> str:
    """The legend as HTML with escaped labels (labels are actor names from articles): the colours
    (swatches, or one gradient bar for the date ramp), and for each shown layer in ``layers``
    ("points", "arcs", "areas") what its marks mean; ``groups`` when the map draws nearby places
    as numbered circles (``geo.clusters``)."""
    colours, ramp = [], [i for i in items if i.kind == "ramp"]
    for item in items:
        if item.kind != "ramp":
            colours.append(_swatch(item))
    if len(ramp) >= 2:
        colours.insert(0, _ramp(ramp[0], ramp[-1]))
    marks = []
    if "points" in layers:
        marks.append(_sizes(most_mentions))
        if groups:
            marks.append(_GROUP)
    if "arcs" in layers:
        marks.append(_ARC)
    if "areas" in layers:
        marks.append(_AREA)
    rows = [f"<div>{''.join(colours)}</div>"] if colours else []
    if marks:
        rows.append(f'<div style="margin-top:4px;color:#444">{"".join(marks)}</div>')
    return '<div data-testid="geostory-legend" style="font-size:0.85rem">' + "".join(rows) + "</div>"
