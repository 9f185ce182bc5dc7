"""Filter state <-> query parameters: bounded, validated, never raising."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from geo.viewstate import (
    MAX_ACTORS,
    MAX_VALUE_LENGTH,
    Options,
    ViewState,
    clamp_step,
    effective_dates,
    includes_background,
    parse_query,
    query_string,
    share_link,
    slider_bounds,
    story_period,
    to_query,
    validate,
)

OPTIONS = Options(
    actors=("Antony Blinken", "Taliban", "Heiko Maas"),
    countries=("AF", "QA", "DE"),
    sources=("Wire", "Daily"),
    date_range=(date(2021, 8, 15), date(2021, 9, 9)),
    aliases={"blinken": "Antony Blinken"},
)


def test_full_link_round_trips() -> None:
    params = {"actor": ["Antony Blinken", "Taliban"], "from": "2021-08-20", "to": "2021-09-08",
              "country": ["qa", "AF"], "source": "Wire", "event": "0123abcd0123abcd",
              "color": "actor", "step": "3"}
    state, notices = parse_query(params)
    assert notices == []
    assert state == ViewState(("Antony Blinken", "Taliban"), date(2021, 8, 20), date(2021, 9, 8),
                              ("QA", "AF"), ("Wire",), "0123abcd0123abcd", "actor", 3)
    again, _ = parse_query(to_query(state))
    assert again == state


def test_empty_params_give_default_view() -> None:
    assert parse_query({}) == (ViewState(), [])
    assert to_query(ViewState()) == {}
    assert query_string(ViewState()) == ""


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"from": "15/08/2021"}, "from"),
        ({"to": "2021-02-30"}, "to"),
        ({"from": "2021-09-09", "to": "2021-08-01"}, "ends before"),
        ({"event": "<script>"}, "event"),
        ({"color": "purple"}, "color"),
        ({"step": "-1"}, "step"),
        ({"step": "99999999999"}, "step"),
        ({"country": "Afghanistan"}, "country"),
        ({"zoom": "4"}, "unknown"),
        ({"actor": "x" * (MAX_VALUE_LENGTH + 1)}, "over-long"),
    ],
)
def test_malformed_values_are_dropped_with_a_notice(params: dict[str, str], fragment: str) -> None:
    state, notices = parse_query(params)
    assert any(fragment in n for n in notices), notices
    assert state.date_from is None and state.date_to is None
    assert state.event is None and state.color == "date" and state.step is None
    assert state.actors == () and state.countries == ()


def test_actor_count_is_bounded() -> None:
    state, notices = parse_query({"actor": [f"a{i}" for i in range(MAX_ACTORS + 5)]})
    assert len(state.actors) == MAX_ACTORS
    assert notices


def test_control_characters_and_duplicates_are_removed() -> None:
    state, _ = parse_query({"actor": ["Tali\x00ban", "Taliban", "  "]})
    assert state.actors == ("Taliban",)


def test_validate_keeps_known_values_and_maps_aliases() -> None:
    state = ViewState(actors=("blinken", "Nobody", "taliban"), countries=("AF", "ZZ"),
                      sources=("Wire", "Fake"), date_from=date(2020, 1, 1), date_to=date(2030, 1, 1))
    checked, notices = validate(state, OPTIONS)
    assert checked.actors == ("Antony Blinken", "Taliban")
    assert checked.countries == ("AF",)
    assert checked.sources == ("Wire",)
    assert checked.date_from == date(2021, 8, 15) and checked.date_to == date(2021, 9, 9)
    assert len(notices) == 3


def test_dates_equal_to_story_range_stay_out_of_the_link() -> None:
    state = ViewState(date_from=date(2021, 8, 15), date_to=date(2021, 9, 1))
    assert to_query(state, OPTIONS) == {"to": "2021-09-01"}


def test_share_link_encodes_repeated_actors() -> None:
    state = ViewState(actors=("Antony Blinken", "A&B"), date_from=date(2021, 9, 1))
    link = share_link("http://host:8501/", "/actors", state)
    parts = urlsplit(link)
    assert parts.path == "/actors"
    assert parse_qs(parts.query) == {"actor": ["Antony Blinken", "A&B"], "from": ["2021-09-01"]}
    assert share_link("http://host:8501", "", ViewState()) == "http://host:8501/"


@pytest.mark.parametrize(("step", "count", "expected"),
                         [(None, 5, None), (7, 5, 4), (-2, 5, 0), (2, 5, 2), (3, 0, None)])
def test_clamp_step(step: int | None, count: int, expected: int | None) -> None:
    assert clamp_step(step, count) == expected


# A story whose articles start on 2021-08-15 but mention events back to 2013.
BOUNDS = (date(2013, 1, 1), date(2021, 9, 9))
STORY = Options(date_range=BOUNDS, default_range=story_period(date(2021, 8, 15), BOUNDS))


@pytest.mark.parametrize(
    ("first_published", "bounds", "expected"),
    [
        # A month before the first article; the background mentions stay outside.
        (date(2021, 8, 15), BOUNDS, (date(2021, 7, 15), date(2021, 9, 9))),
        # The first event is later than a month before: the range starts at it.
        (date(2021, 8, 15), (date(2021, 8, 1), date(2021, 9, 9)), (date(2021, 8, 1), date(2021, 9, 9))),
        # No published dates: the whole story.
        (None, BOUNDS, BOUNDS),
        # Articles published after every event they report: the range still ends at the last event.
        (date(2022, 1, 1), BOUNDS, (date(2021, 9, 9), date(2021, 9, 9))),
        (date(2021, 8, 15), None, None),
    ],
)
def test_story_period(first_published: date | None, bounds: tuple[date, date] | None,
                      expected: tuple[date, date] | None) -> None:
    assert story_period(first_published, bounds) == expected


def test_the_default_view_uses_the_story_period_and_links_stay_plain() -> None:
    assert effective_dates(ViewState(), STORY) == (date(2021, 7, 15), date(2021, 9, 9))
    assert to_query(ViewState(date_from=date(2021, 7, 15)), STORY) == {}
    # Widening to the first background mention is a choice the link must carry.
    wide = ViewState(date_from=date(2013, 1, 1))
    assert to_query(wide, STORY) == {"from": "2013-01-01"}
    assert effective_dates(wide, STORY) == (date(2013, 1, 1), date(2021, 9, 9))


def test_link_dates_override_the_default_and_are_clamped_to_every_event() -> None:
    state, _ = parse_query({"from": "2010-05-01", "to": "2020-06-01"})
    checked, _ = validate(state, STORY)
    assert (checked.date_from, checked.date_to) == (date(2013, 1, 1), date(2020, 6, 1))
    assert effective_dates(checked, STORY) == (date(2013, 1, 1), date(2020, 6, 1))
    # Only "to", before the default start: the range opens at the first event, not an empty range.
    only_to = ViewState(date_to=date(2020, 6, 1))
    assert effective_dates(only_to, STORY) == (date(2013, 1, 1), date(2020, 6, 1))


def test_effective_dates_without_a_default_range() -> None:
    assert effective_dates(ViewState(), OPTIONS) == OPTIONS.date_range
    assert effective_dates(ViewState(), Options()) == (None, None)


def test_the_slider_spans_the_story_period_until_the_view_reaches_back() -> None:
    assert slider_bounds(ViewState(), STORY) == (date(2021, 7, 15), date(2021, 9, 9))
    assert not includes_background(ViewState(), STORY)
    wide = ViewState(date_from=date(2013, 1, 1))
    assert includes_background(wide, STORY)
    assert slider_bounds(wide, STORY) == (date(2013, 1, 1), date(2021, 9, 9))
    # A link to the background period alone reaches back too.
    assert slider_bounds(ViewState(date_to=date(2020, 6, 1)), STORY)[0] == date(2013, 1, 1)
    # No story period (no publication dates): every event.
    assert slider_bounds(ViewState(), OPTIONS) == OPTIONS.date_range
    assert not includes_background(ViewState(), OPTIONS)
    assert slider_bounds(ViewState(), Options()) is None
