"""Filter state <-> query parameters: bounded, validated, never raising."""

from __future__ import annotations

import random
import re
import time
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from geo.viewstate import (
    COLOR_CHOICES,
    KNOWN_PARAMS,
    MAX_ACTORS,
    MAX_COUNTRIES,
    MAX_NOTICES,
    MAX_SOURCES,
    MAX_STEP,
    MAX_VALUE_LENGTH,
    WIDGET_FIRST_DAY,
    WIDGET_LAST_DAY,
    Options,
    ViewState,
    beyond_slider,
    clamp_step,
    effective_dates,
    from_slider,
    includes_background,
    parse_query,
    query_string,
    share_link,
    shift_day,
    slider_bounds,
    slider_value,
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


# --- dates at the edges of what a date can be (issue 10, item 1) ----------------------------------

HISTORY = Options(date_range=(date.min, date.max), default_range=story_period(date.min, (date.min, date.max)))
ASIDE = Options(date_range=(date(1221, 3, 2), date(2021, 9, 9)),
                default_range=story_period(date(2021, 8, 15), (date(1221, 3, 2), date(2021, 9, 9))))


def test_day_arithmetic_stops_at_the_first_and_last_day() -> None:
    assert shift_day(date.min, -31) == date.min and shift_day(date.max, 1) == date.max
    assert shift_day(date(2021, 3, 1), -1) == date(2021, 2, 28)
    # An article published on the first day Python has: the story opens on that day.
    assert story_period(date.min, (date.min, date.max)) == (date.min, date.max)
    assert story_period(date(1, 1, 20), (date.min, date(1, 2, 1))) == (date.min, date(1, 2, 1))


def test_the_slider_clamps_into_the_widgets_range_and_says_what_lies_beyond() -> None:
    assert slider_bounds(ViewState(), HISTORY) == (WIDGET_FIRST_DAY, WIDGET_LAST_DAY)
    assert slider_value(ViewState(), HISTORY) == (WIDGET_FIRST_DAY, WIDGET_LAST_DAY)
    assert beyond_slider(HISTORY) == (date.min, date.max)
    # A link into the year 1221 shows the slider at its limit, never the year itself.
    link = ViewState(date_from=date(1221, 1, 1), date_to=date(1221, 12, 31))
    assert slider_value(link, ASIDE) == (WIDGET_FIRST_DAY, WIDGET_FIRST_DAY)
    assert includes_background(link, ASIDE) and slider_bounds(link, ASIDE)[0] == WIDGET_FIRST_DAY
    # A story inside the widgets' range is untouched.
    assert beyond_slider(STORY) is None
    assert slider_value(ViewState(), STORY) == (date(2021, 7, 15), date(2021, 9, 9))


def test_an_end_held_at_the_widgets_limit_takes_in_every_event_beyond() -> None:
    assert from_slider(WIDGET_FIRST_DAY, WIDGET_LAST_DAY, HISTORY) == (date.min, date.max)
    assert from_slider(WIDGET_FIRST_DAY, date(2100, 1, 1), HISTORY) == (date.min, date(2100, 1, 1))
    assert from_slider(date(1700, 1, 1), WIDGET_LAST_DAY, HISTORY) == (date(1700, 1, 1), date.max)
    assert from_slider(WIDGET_FIRST_DAY, date(2021, 9, 9), ASIDE) == (date(1221, 3, 2), date(2021, 9, 9))
    # Nothing lies beyond a story inside the range: the slider's values are taken as they are.
    assert from_slider(date(2021, 7, 15), date(2021, 8, 1), STORY) == (date(2021, 7, 15), date(2021, 8, 1))


# --- hostile links (issue 5, item 3) ---------------------------------------------------------------

# The longest query a parsed state can give: every list full of values as long as allowed,
# each character percent-encoded as 4 UTF-8 bytes (12 characters).
MAX_QUERY = (MAX_ACTORS + MAX_SOURCES) * (len("&source=") + 12 * MAX_VALUE_LENGTH) + MAX_COUNTRIES * 11 + 300
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _check_state(state: ViewState, notices: list[str]) -> None:
    """What any parsed link must satisfy, however it was crafted."""
    assert len(notices) <= MAX_NOTICES and all(isinstance(n, str) and len(n) < 200 for n in notices)
    assert not any(UNSAFE.search(n) for n in notices)
    for values, limit in ((state.actors, MAX_ACTORS), (state.sources, MAX_SOURCES)):
        assert len(values) <= limit and len(set(values)) == len(values)
        assert all(0 < len(v) <= MAX_VALUE_LENGTH and v == v.strip() and not UNSAFE.search(v) for v in values)
    assert len(state.countries) <= MAX_COUNTRIES
    assert all(re.fullmatch("[A-Z]{2}", c) for c in state.countries)
    assert state.event is None or re.fullmatch("[0-9a-f]{8,64}", state.event)
    assert state.color in COLOR_CHOICES
    assert state.step is None or 0 <= state.step <= MAX_STEP
    if state.date_from and state.date_to:
        assert state.date_from <= state.date_to
    # The link written back is bounded, encodes, and reads back as the same view, silently.
    assert len(query_string(state)) <= MAX_QUERY
    assert parse_query(to_query(state)) == (state, [])
    checked, more = validate(state, OPTIONS)
    assert len(query_string(checked, OPTIONS)) <= MAX_QUERY and all(isinstance(n, str) for n in more)


def _fuzz_text(rng: random.Random) -> str:
    kind = rng.randrange(7)
    size = rng.choice((0, 1, 2, 8, 40, 130, 600))
    if kind == 0:  # raw bytes read as Latin-1: every C0 and C1 control
        return rng.randbytes(size).decode("latin-1")
    if kind == 1:  # raw bytes as a file system would decode them: lone surrogates
        return rng.randbytes(size).decode("utf-8", "surrogateescape")
    if kind == 2:  # any code point, surrogates and private use included
        return "".join(chr(rng.randrange(0x110000)) for _ in range(size))
    if kind == 3:
        return str(rng.randint(-(10**12), 10**12))
    if kind == 4:  # near misses of valid values
        return rng.choice(["2021-09-01", "2021-13-01", "２０２１-09-01", "²", "١٢", "0123abcd0123abcd",
                           "0123ABCD0123ABCD", "actor", "ACTOR", " date ", "Taliban", "af", "QA", "Q\u0410",
                           "blinken", "\u202eTaliban", "Tali\u200bban", "1e3", "+3", "-0", "0x10", ""])
    if kind == 5:  # markup and escapes
        return rng.choice(["<script>alert(1)</script>", "javascript:alert(1)", "[x](javascript:y)", "%00",
                           "%E2%80%AE", "&amp;", "\\u0000", "`code`", "**bold**", "$x$"])
    return "".join(rng.choice(" \t\r\n\x0bab-_.~") for _ in range(size))


def _fuzz_value(rng: random.Random) -> object:
    roll = rng.random()
    if roll < 0.45:
        return _fuzz_text(rng)
    if roll < 0.75:
        return [_fuzz_text(rng) for _ in range(rng.choice((0, 1, 2, 5, 20, 200)))]
    if roll < 0.85:
        return rng.choice([None, 0, -5, 3.5, float("nan"), True, b"\xff\x00", {"actor": "x"}, ("x", 1),
                           set()])
    return [rng.choice([None, 7, b"x", ["nested"], _fuzz_text(rng)]) for _ in range(rng.randrange(4))]


def _fuzz_key(rng: random.Random) -> object:
    roll = rng.random()
    if roll < 0.7:
        return rng.choice(KNOWN_PARAMS)
    if roll < 0.95:
        return _fuzz_text(rng)
    return rng.choice([None, 1, b"actor", 2.5, ("actor",)])


def test_seeded_fuzz_of_links_never_raises_and_stays_bounded() -> None:
    """A few thousand random links, the same ones every run: bytes, any code point, wrong types."""
    rng = random.Random(5_0003)  # issue 5, item 3
    with_notices = 0
    for _case in range(4000):
        params = {_fuzz_key(rng): _fuzz_value(rng) for _ in range(rng.randrange(8))}
        state, notices = parse_query(params)
        _check_state(state, notices)
        with_notices += bool(notices)
    assert with_notices > 2000  # the generator does produce mostly bad links


def test_fuzz_of_near_valid_links_round_trips() -> None:
    """Valid links with one part damaged: the rest of the view survives."""
    rng = random.Random(5_0033)
    good = {"actor": ["Taliban", "Antony Blinken"], "from": "2021-08-20", "to": "2021-09-01",
            "country": ["AF"], "source": "Wire", "event": "0123abcd0123abcd", "color": "actor", "step": "2"}
    for _case in range(1000):
        params: dict[object, object] = dict(good)
        broken = rng.choice(KNOWN_PARAMS)
        params[broken] = _fuzz_value(rng)
        state, notices = parse_query(params)
        _check_state(state, notices)
        if broken not in ("actor", "country", "source", "from", "to"):
            assert state.actors == ("Taliban", "Antony Blinken") and state.countries == ("AF",)
            assert (state.date_from, state.date_to) == (date(2021, 8, 20), date(2021, 9, 1))


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"actor": "Nobody at all"}, "not in this story"),
        ({"from": "2021-9-1"}, "`from`"),
        ({"from": "2021-09-01T00:00"}, "`from`"),
        ({"to": "２０２１-０９-０１"}, "`to`"),  # full-width digits
        ({"from": "2021-09-09", "to": "2021-08-15"}, "ends before"),
        ({"actor": ["Taliban"] * 10_000}, None),  # one value, repeated: no notice needed
        ({"actor": [f"Name {i}" for i in range(10_000)]}, f"first {MAX_ACTORS}"),
        ({"actor": "x" * 100_000}, "over-long"),
        ({"source": "y" * 100_000, "to": "2" * 100_000}, "over-long"),
        ({"event": "f" * 65}, "event"),
        ({"event": "0123abcd" + "\u0660" * 8}, "event"),
        ({"zoom": "4", "": "x", "a" * 100_000: "b"}, "unknown"),
        ({"step": "two"}, "step"),
        ({"step": "-3"}, "step"),
        ({"step": "²"}, "step"),
        ({"step": "١٢"}, "step"),
        ({"step": str(MAX_STEP + 1)}, "step"),
        ({"color": "date\x00actor"}, "color"),
        ({"actor": "\x1b[31mTaliban\x07"}, None),  # control characters are dropped, the name stays
        ({"actor": "Tal\ud800iban"}, None),  # so are lone surrogates
    ],
)
def test_hostile_link_values(params: dict[str, object], fragment: str | None) -> None:
    start = time.perf_counter()
    state, notices = parse_query(params)
    checked, more = validate(state, OPTIONS)
    assert time.perf_counter() - start < 0.5  # a crafted link costs no more than a few ms
    _check_state(state, notices)
    every = notices + more
    if fragment is None:
        assert checked.actors in ((), ("Taliban",))
    else:
        assert any(fragment in n for n in every), every
    # Whatever was wrong, the view falls back to the default for that part.
    assert checked.actors in ((), ("Taliban",)) and checked.step in (None,)


def test_layer_toggles_live_in_the_link() -> None:
    from geo.viewstate import LAYER_CHOICES

    assert "layers" in KNOWN_PARAMS
    assert "layers" not in to_query(ViewState())  # every layer shown: the plain link stays plain
    state, notices = parse_query({"layers": "arcs,points"})
    assert state.layers == ("points", "arcs") and not notices  # the legend's order, whatever the link's
    assert to_query(state)["layers"] == "points,arcs"
    assert parse_query(to_query(state))[0] == state
    hidden = ViewState(layers=())
    assert to_query(hidden)["layers"] == "none" and parse_query(to_query(hidden))[0].layers == ()
    for junk in ("", ",", "points,<script>", "x" * 50):  # never hides the data by accident
        odd, notices = parse_query({"layers": junk})
        assert odd.layers == LAYER_CHOICES
        assert any("layers" in n for n in notices) or not junk.strip(",")
    assert ViewState().layers == LAYER_CHOICES
