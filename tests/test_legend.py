"""Colours and the legend (geo.legend): keyed by identity, shared events neutral, a continuous ramp."""

from __future__ import annotations

import re
from dataclasses import replace

from geo.legend import (
    DATE_END,
    DATE_START,
    NO_ACTOR,
    PALETTE,
    SHARED,
    SHARED_LABEL,
    actor_color,
    actor_colors,
    event_color,
    legend,
    legend_html,
    max_mentions,
    point_radius,
    type_color,
)
from tests.dashboard_events import XSS, all_events, background, modelled


def test_an_actors_colour_does_not_change_when_data_is_added() -> None:
    events = all_events()
    before = actor_colors(events)
    # Another story with new actors, many of them: the order and the counts change, not the colours.
    more = [*background()[1], *modelled()[1]]
    crowd = [replace(more[0], event_id=f"{i:08x}", actors=(f"Newcomer {i}",)) for i in range(30)]
    after = actor_colors([*crowd, *more, *events])
    assert list(after) != list(before)  # the ranking did change
    for actor, colour in before.items():
        assert after[actor] == colour == actor_color(actor)


def test_actor_colours_come_from_the_palette_and_ignore_case() -> None:
    assert actor_color("Alpha Person") in [list(c) for c in PALETTE]
    assert actor_color("ALPHA PERSON") == actor_color("Alpha Person")
    colours = {tuple(actor_color(f"Actor {i}")) for i in range(200)}
    assert len(colours) > len(PALETTE) // 2  # spread over the palette, not one colour


def test_an_event_of_several_actors_takes_the_shared_colour_and_the_legend_says_so() -> None:
    events = all_events()
    shared = replace(events[0], actors=("Alpha Person", "Beta Group"))
    nobody = replace(events[1], actors=())
    view = [shared, nobody, *events[2:]]
    assert event_color(shared, view, "actor") == SHARED
    assert event_color(nobody, view, "actor") == NO_ACTOR
    assert event_color(events[2], view, "actor") == actor_color(events[2].actors[0])
    labels = {item.label: list(item.color) for item in legend(view, "actor")}
    assert labels[SHARED_LABEL] == SHARED
    assert SHARED not in [list(c) for c in PALETTE] and NO_ACTOR not in [list(c) for c in PALETTE]
    # Every point's colour is one the legend explains.
    assert {tuple(event_color(e, view, "actor")) for e in view} <= {tuple(c) for c in labels.values()}


def test_the_date_legend_is_one_gradient_bar_with_both_ends() -> None:
    events = all_events()
    items = legend(events, "date")
    assert [i.kind for i in items] == ["ramp", "ramp"]
    page = legend_html(items)
    assert page.count("linear-gradient") == 1
    first, last = min(e.date for e in events), max(e.date for e in events)
    ramp = re.search(r'data-legend="ramp".*?</span></span>|data-legend="ramp".*', page).group(0)
    assert first.isoformat() in ramp and last.isoformat() in ramp
    assert f"rgb({','.join(map(str, DATE_START))})" in page and f"rgb({','.join(map(str, DATE_END))})" in page
    assert "border-radius:6px" not in page  # no dots


def test_the_full_legend_explains_sizes_arcs_and_areas_for_the_layers_shown() -> None:
    events = all_events()
    most = max_mentions(events)
    assert most == 2  # two events at one place in the fixture
    page = legend_html(legend(events, "type"), layers={"points", "arcs", "areas"}, most_mentions=most)
    for part in ("size", "arcs", "areas"):
        assert f'data-legend="{part}"' in page
    assert f"width:{2 * point_radius(most):.0f}px" in page
    only_points = legend_html(legend(events, "type"), layers={"points"}, most_mentions=most)
    assert 'data-legend="arcs"' not in only_points and 'data-legend="areas"' not in only_points


def test_legend_labels_are_escaped() -> None:
    hostile = replace(all_events()[0], actors=(XSS,))
    page = legend_html(legend([hostile], "actor"))
    assert "<img" not in page and "<script" not in page and "&lt;img" in page


def test_type_colours_are_keyed_by_the_type() -> None:
    assert type_color("travel") == type_color("travel")
    assert type_color("no-such-type") == type_color("no-such-type")
    assert type_color("") == type_color("other")
