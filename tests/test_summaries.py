"""Page tables computed from events."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pandas as pd

from geo.summaries import (
    NO_ACTOR,
    actor_table,
    by_period,
    co_occurrence,
    itinerary,
    period_from_selection,
    period_within,
    review_items,
    timeline_counts,
    timeline_frame,
)
from tests.dashboard_events import all_events


def test_timeline_has_a_row_per_event_and_actor() -> None:
    frame = timeline_frame(all_events())
    assert len(frame) == sum(max(1, len(e.actors)) for e in all_events())
    assert set(frame["actor"]) == {"Alpha Person", "Beta Group", "Gamma Org"}
    assert NO_ACTOR not in set(frame["actor"])


def test_timeline_counts_and_day_totals_count_each_event_once_per_actor_and_day() -> None:
    from geo.summaries import day_totals

    events = [replace(e, actors=("A", "B")) for e in all_events()]  # two actors: two chart rows, one event
    counts = timeline_counts(events)
    assert counts["events"].sum() == 2 * len(events)
    assert set(counts.columns) == {"date", "actor", "events"}
    totals = day_totals(events)
    assert totals["events"].sum() == len(events)
    assert list(totals["date"]) == sorted({e.date.isoformat() for e in events})


def _days(first: date, n_days: int, step: int = 1) -> pd.DataFrame:
    days = [(first + timedelta(days=i)).isoformat() for i in range(0, n_days, step)]
    return pd.DataFrame({"date": days, "actor": ["A", "B"] * (len(days) // 2) + ["A"] * (len(days) % 2),
                         "events": range(1, len(days) + 1)})


def test_by_period_keeps_short_spans_by_day_and_sums_long_ones() -> None:
    short = _days(date(2021, 8, 1), 100)
    assert by_period(short) == (short, "day")
    for n_days, unit in ((400, "week"), (4 * 365, "month")):
        frame = _days(date(2021, 8, 4), n_days)  # a Wednesday
        summed, got = by_period(frame)
        assert got == unit
        assert summed["events"].sum() == frame["events"].sum()
        per_actor = lambda f: f.groupby("actor")["events"].sum().to_dict()  # noqa: E731
        assert per_actor(summed) == per_actor(frame)
        starts = pd.to_datetime(summed["date"])
        if unit == "week":
            assert (starts.dt.day_of_week == 0).all() and starts.min() == pd.Timestamp("2021-08-02")
        else:
            assert (starts.dt.day == 1).all() and starts.min() == pd.Timestamp("2021-08-01")
        assert not summed.duplicated(["date", "actor"]).any()
    empty = _days(date(2021, 8, 1), 0)
    assert by_period(empty)[1] == "day"


def test_actor_table_and_itinerary() -> None:
    table = actor_table(all_events())
    assert table.iloc[0]["actor"] == "Alpha Person" and table.iloc[0]["events"] == 3
    route = itinerary(all_events(), "Alpha Person")
    assert list(route["place"]) == ["Northtown", "Easton", "Southland"]


def test_co_occurrence_counts_shared_events() -> None:
    assert co_occurrence(all_events()).empty

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
