"""Page tables computed from events."""

from __future__ import annotations

from datetime import date

from geo.summaries import (
    NO_ACTOR,
    actor_table,
    co_occurrence,
    itinerary,
    period_from_selection,
    period_within,
    review_items,
    timeline_frame,
)
from tests.dashboard_events import all_events


def test_timeline_has_a_row_per_event_and_actor() -> None:
    frame = timeline_frame(all_events())
    assert len(frame) == sum(max(1, len(e.actors)) for e in all_events())
    assert set(frame["actor"]) == {"Alpha Person", "Beta Group", "Gamma Org"}
    assert NO_ACTOR not in set(frame["actor"])


def test_actor_table_and_itinerary() -> None:
    table = actor_table(all_events())
    assert table.iloc[0]["actor"] == "Alpha Person" and table.iloc[0]["events"] == 3
    route = itinerary(all_events(), "Alpha Person")
    assert list(route["place"]) == ["Northtown", "Easton", "Southland"]


def test_co_occurrence_counts_shared_events() -> None:
    assert co_occurrence(all_events()).empty
    from dataclasses import replace

    both = [replace(all_events()[0], actors=("A", "B")), replace(all_events()[1], actors=("B", "A"))]
    pairs = co_occurrence(both)
    assert pairs.to_dict("records") == [{"actor": "A", "with": "B", "shared events": 2}]


def test_review_lists_uncertain_places_only() -> None:
    items = review_items(all_events())
    assert [i.name for i in items] == ["Westville"]
    assert "low confidence" in items[0].reason and "2 candidates" in items[0].reason
    assert review_items(all_events(), overridden={"westville"}) == []


def test_period_from_selection() -> None:
    assert period_from_selection([1630454400000, 1629072000000]) == (date(2021, 8, 16), date(2021, 9, 1))
    assert period_from_selection(["2021-09-01", "2021-08-16T00:00"]) == (date(2021, 8, 16), date(2021, 9, 1))
    assert period_from_selection([1]) is None
    assert period_from_selection([None, None]) is None


def test_period_within_clamps_a_brush_to_the_story() -> None:
    bounds = (date(2021, 8, 15), date(2021, 9, 9))
    assert period_within((date(2021, 8, 1), date(2021, 12, 1)), bounds) == bounds
    inside = (date(2021, 8, 20), date(2021, 8, 25))
    assert period_within(inside, bounds) == inside
    assert period_within(inside, None) == inside


def test_tables_keep_hostile_text_exactly_as_written() -> None:
    """Tables and chart data are shown as text (dataframe cells, Vega labels and tooltips):
    they must hold the article's own characters, neither escaped twice nor stripped."""
    from dataclasses import replace

    from tests.dashboard_events import XSS

    names = ("John Carter~~x~~", "Peter Novak`<script>", "Omar Haidari&lt;script&gt;alert(1)&lt;/script&gt")
    events = [replace(e, actors=names) for e in all_events()]
    hostile = next(e for e in events if XSS in e.quote)
    frame = timeline_frame(events)
    assert set(frame["actor"]) == set(names)
    assert hostile.quote[:200] in set(frame["quote"])
    assert set(actor_table(events)["actor"]) == set(names)
    assert set(itinerary(events, names[1])["place"]) == {e.place_name for e in events}
    pairs = co_occurrence(events)
    assert {(r["actor"], r["with"]) for r in pairs.to_dict("records")} == {
        tuple(sorted(p)) for p in [(names[0], names[1]), (names[0], names[2]), (names[1], names[2])]}
    review = review_items([replace(e, confidence=0.1) for e in events])
    assert hostile.quote in {i.example for i in review}
