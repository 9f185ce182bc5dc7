"""Date rules on plain text, no parse: points, periods (seasons, centuries, parts of a year, fiscal
years, ranges), ages, and the background flag. The sentences are our own."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from geo.date_rules import BACKGROUND_DAYS, impossible_day, period_end, resolve_text
from geo.models import DATE_PRECISIONS, EventDate

MONDAY = date(2021, 9, 6)  # a Monday in September


def _point(result: EventDate | None) -> tuple[date, str, str] | None:
    return None if result is None else (result.value, result.precision, result.text)


# --- points: days, weeks, months, years, decades -----------------------------------------------


@pytest.mark.parametrize(
    ("text", "tense", "value", "precision"),
    [
        ("the late 1990s", None, date(1997, 1, 1), "decade"),
        ("the 1980s", None, date(1980, 1, 1), "decade"),
        ("the early 2000s", "past", date(2000, 1, 1), "decade"),
        ("the mid-1970s", None, date(1974, 1, 1), "decade"),
        ("the '60s", None, date(1960, 1, 1), "decade"),
        ("the nineties", None, date(1990, 1, 1), "decade"),
        ("1979", None, date(1979, 1, 1), "year"),
        ("in 2019", None, date(2019, 1, 1), "year"),
        ("late 2018", None, date(2018, 1, 1), "year"),
        ("September 2021", None, date(2021, 9, 1), "month"),
        ("last month", None, date(2021, 8, 1), "month"),
        ("next month", None, date(2021, 10, 1), "month"),
        ("earlier this year", None, date(2021, 1, 1), "year"),
        ("last year", None, date(2020, 1, 1), "year"),
        ("three weeks ago", None, date(2021, 8, 16), "week"),
        ("last week", None, date(2021, 8, 30), "week"),
        ("this week", None, date(2021, 9, 6), "week"),
        ("20 years ago", None, date(2001, 1, 1), "year"),
        ("two days ago", None, date(2021, 9, 4), "day"),
        ("twenty-five years ago", None, date(1996, 1, 1), "year"),
        ("a few weeks ago", None, date(2021, 8, 1), "month"),  # vague count: one step coarser
        ("today", None, date(2021, 9, 6), "day"),
        ("yesterday", None, date(2021, 9, 5), "day"),
        ("tomorrow", None, date(2021, 9, 7), "day"),
        ("last night", None, date(2021, 9, 5), "day"),
        ("September 5", None, date(2021, 9, 5), "day"),
        ("5 September 2021", None, date(2021, 9, 5), "day"),
        ("Sept. 5", None, date(2021, 9, 5), "day"),
        ("2021-09-05", None, date(2021, 9, 5), "day"),
        ("Sept 5 and 6", None, date(2021, 9, 5), "day"),
        ("5-7 August", None, date(2021, 8, 5), "day"),
        ("Friday, September 3", None, date(2021, 9, 3), "day"),
        ("in August", "past", date(2021, 8, 1), "month"),
        ("in October", "past", date(2020, 10, 1), "month"),  # past tense: not a future October
        ("in October", None, date(2021, 10, 1), "month"),
        ("in March", "future", date(2022, 3, 1), "month"),  # future tense: not a past March
        ("September 10", "past", date(2020, 9, 10), "day"),
        ("mid-August", None, date(2021, 8, 1), "month"),
    ],
)
def test_resolve_text(text: str, tense: str | None, value: date, precision: str) -> None:
    result = resolve_text(text, MONDAY, tense=tense)  # type: ignore[arg-type]
    assert _point(result) == (value, precision, text)


@pytest.mark.parametrize(
    ("text", "tense", "value"),
    [
        ("Sunday", "past", date(2021, 9, 5)),
        ("Sunday", None, date(2021, 9, 5)),
        ("Wednesday", "future", date(2021, 9, 8)),
        ("Wednesday", "past", date(2021, 9, 1)),
        ("Monday", "past", MONDAY),  # the publication weekday is the publication day
        ("Monday", "future", MONDAY),
        ("last Monday", None, date(2021, 8, 30)),
        ("next Monday", None, date(2021, 9, 13)),
        ("this coming Friday", "past", date(2021, 9, 10)),
        ("last Friday", "future", date(2021, 9, 3)),
        ("Saturday night", "past", date(2021, 9, 4)),
        ("Sunday's", "past", date(2021, 9, 5)),
    ],
)
def test_weekdays(text: str, tense: str | None, value: date) -> None:
    result = resolve_text(text, MONDAY, tense=tense)  # type: ignore[arg-type]
    assert result is not None
    assert (result.value, result.precision) == (value, "day")


@pytest.mark.parametrize(
    "text",
    [
        "20 years",
        "several days",
        "years",
        "for two weeks",
        "decades",
        "24 hours",
        "20-year",
        "1,000 years",
        "a year",
        "the past two weeks",
        "three days later",
        "the previous day",
        "48-year-old",
        "annual",
        "10 a.m.",
        "the year 3000",  # more than 50 years after publication
        "2080",
        "",
    ],
)
def test_durations_and_nonsense_do_not_date(text: str) -> None:
    assert resolve_text(text, MONDAY) is None


def test_decade_is_not_a_seconds_trap() -> None:
    # dateparser alone answers "1990 seconds before the base" for this.
    result = resolve_text("the late 1990s", MONDAY)
    assert result is not None and result.value.year == 1997


def test_without_published_only_absolute_dates_resolve() -> None:
    for relative in ("Sunday", "last month", "three weeks ago", "yesterday", "September 5", "in August"):
        assert resolve_text(relative, None, tense="past") is None, relative
    assert _point(resolve_text("5 September 2021", None)) == (date(2021, 9, 5), "day", "5 September 2021")
    assert _point(resolve_text("2021-09-05", None)) == (date(2021, 9, 5), "day", "2021-09-05")
    assert _point(resolve_text("the 1980s", None)) == (date(1980, 1, 1), "decade", "the 1980s")
    assert _point(resolve_text("1996-2001", None)) == (date(1996, 1, 1), "year", "1996-2001")
    assert _point(resolve_text("March 2019", None)) == (date(2019, 3, 1), "month", "March 2019")


def test_datetime_published_is_accepted() -> None:
    result = resolve_text("yesterday", datetime(2021, 9, 6, 14, 30))  # type: ignore[arg-type]
    assert _point(result) == (date(2021, 9, 5), "day", "yesterday")


def test_year_boundaries() -> None:
    new_year = date(2022, 1, 3)
    assert _point(resolve_text("last month", new_year)) == (date(2021, 12, 1), "month", "last month")
    december = resolve_text("December 28", new_year, tense="past")
    assert _point(december) == (date(2021, 12, 28), "day", "December 28")
    leap = date(2024, 3, 1)
    leap_day = resolve_text("February 29", leap, tense="past")
    assert _point(leap_day) == (date(2024, 2, 29), "day", "February 29")


# --- impossible days (issue 10, item 13) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "day_month"),
    [
        ("31 February", date(2021, 2, 1), (31, 2, None)),
        ("on 31 February", date(2021, 2, 1), (31, 2, None)),
        ("February 30", date(2021, 2, 1), (30, 2, None)),
        ("30 February 2021", date(2021, 2, 1), (30, 2, 2021)),
        ("Feb. 30, 2019", date(2019, 2, 1), (30, 2, 2019)),
        ("29 February 2021", date(2021, 2, 1), (29, 2, 2021)),  # not a leap year
        ("Monday, April 31", date(2021, 4, 1), (31, 4, None)),
        ("the 31st of June", date(2021, 6, 1), (31, 6, None)),
        ("32 March", date(2021, 3, 1), (32, 3, None)),
        ("2021-02-30", date(2021, 2, 1), (30, 2, 2021)),  # was read as the year 2021
    ],
)
def test_an_impossible_day_keeps_its_month_and_is_recognised(text: str, value: date, day_month) -> None:
    assert _point(resolve_text(text, MONDAY, "past")) == (value, "month", text)
    assert impossible_day(text) == day_month


@pytest.mark.parametrize(
    ("text", "value"),
    [("29 February 2020", date(2020, 2, 29)), ("28 February 2021", date(2021, 2, 28)),
     ("30 April 2021", date(2021, 4, 30)), ("5-31 August", date(2021, 8, 5)),
     ("2021-09-05", date(2021, 9, 5))],
)
def test_real_days_are_not_impossible(text: str, value: date) -> None:
    assert impossible_day(text) is None
    assert _point(resolve_text(text, MONDAY, "past")) == (value, "day", text)




# --- ages are never years (issue 11) ----------------------------------------------------------------


@pytest.mark.parametrize("text", ["48", "7", "101", "aged 48", "age 9", "ages 5 to 10", "25-30"])
def test_an_age_or_a_count_is_never_a_year(text: str) -> None:
    # dateparser alone reads "48" as 1948 and "7" as the 7th of the month
    assert resolve_text(text, MONDAY, "past") is None
    assert resolve_text(text, None) is None


def test_a_four_digit_year_still_dates() -> None:
    assert _point(resolve_text("1948", MONDAY)) == (date(1948, 1, 1), "year", "1948")


# --- periods at their own precision (issue 11) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "published", "tense", "value"),
    [
        ("last summer", MONDAY, "past", date(2020, 6, 1)),
        ("this summer", MONDAY, "past", date(2021, 6, 1)),
        ("the summer", MONDAY, "past", date(2021, 6, 1)),
        ("next summer", MONDAY, None, date(2022, 6, 1)),
        ("this autumn", MONDAY, "future", date(2021, 9, 1)),
        ("in the fall", MONDAY, "future", date(2021, 9, 1)),
        ("last spring", MONDAY, "past", date(2020, 3, 1)),
        ("in spring", MONDAY, "future", date(2022, 3, 1)),  # this year's spring is over
        ("this winter", MONDAY, "future", date(2021, 12, 1)),
        ("this winter", date(2022, 1, 20), "past", date(2021, 12, 1)),  # the winter under way
        ("last winter", date(2022, 1, 20), "past", date(2020, 12, 1)),
        ("last winter", date(2021, 3, 15), "past", date(2020, 12, 1)),  # the one just over
        ("the summer of 2016", None, None, date(2016, 6, 1)),
        ("summer 2019", MONDAY, "past", date(2019, 6, 1)),
        ("winter 2010", None, None, date(2009, 12, 1)),  # the winter whose January is in 2010
        ("late summer", MONDAY, "past", date(2021, 6, 1)),
    ],
)
def test_seasons(text: str, published: date | None, tense: str | None, value: date) -> None:
    assert _point(resolve_text(text, published, tense)) == (value, "season", text)  # type: ignore[arg-type]


def test_a_relative_season_needs_a_published_date() -> None:
    assert resolve_text("last summer", None, "past") is None
    assert resolve_text("the previous summer", MONDAY, "past") is None  # anaphora: the story's, not ours


@pytest.mark.parametrize(
    ("text", "published", "tense", "value", "precision"),
    [
        ("the last week", MONDAY, "past", date(2021, 8, 30), "week"),
        ("the past week", MONDAY, "past", date(2021, 8, 30), "week"),
        ("over the last week", MONDAY, "past", date(2021, 8, 30), "week"),
        ("the past month", MONDAY, "past", date(2021, 8, 1), "month"),
        ("the first week of September", MONDAY, "past", date(2021, 9, 1), "week"),
        ("the last week of August", MONDAY, "past", date(2021, 8, 25), "week"),
        ("the last week of February 2024", MONDAY, None, date(2024, 2, 23), "week"),  # a leap year
        ("the end of the year", MONDAY, "future", date(2021, 12, 1), "month"),
        ("by the end of the year", MONDAY, "future", date(2021, 12, 1), "month"),
        ("the end of the year", date(2021, 2, 10), "past", date(2020, 12, 1), "month"),  # past: last December
        ("the end of last year", MONDAY, "past", date(2020, 12, 1), "month"),
        ("the beginning of next year", MONDAY, None, date(2022, 1, 1), "month"),
        ("the middle of the year", MONDAY, "past", date(2021, 7, 1), "month"),
        ("the end of 2019", None, None, date(2019, 12, 1), "month"),
        ("the start of 2019", None, None, date(2019, 1, 1), "month"),
        ("the end of the month", MONDAY, "future", date(2021, 9, 24), "week"),
        ("the end of the month", MONDAY, "past", date(2021, 8, 25), "week"),  # not yet reached: last month's
        ("the end of August", MONDAY, "past", date(2021, 8, 25), "week"),
        ("the beginning of March 2020", None, None, date(2020, 3, 1), "week"),
        ("this fiscal year", MONDAY, "present", date(2021, 1, 1), "year"),
        ("the current fiscal year", MONDAY, None, date(2021, 1, 1), "year"),
        ("last fiscal year", MONDAY, "past", date(2020, 1, 1), "year"),
        ("next fiscal year", MONDAY, "future", date(2022, 1, 1), "year"),
        ("fiscal 2010", None, None, date(2010, 1, 1), "year"),
        ("fiscal year 2010", None, None, date(2010, 1, 1), "year"),
        ("FY2012", None, None, date(2012, 1, 1), "year"),
        ("the 2019 fiscal year", None, None, date(2019, 1, 1), "year"),
        ("the 20th century", None, None, date(1900, 1, 1), "century"),
        ("the twentieth century", None, None, date(1900, 1, 1), "century"),
        ("the 19th century", MONDAY, "past", date(1800, 1, 1), "century"),
        ("the late 19th century", MONDAY, "past", date(1870, 1, 1), "century"),
        ("the early 20th-century", MONDAY, "past", date(1900, 1, 1), "century"),
        ("the mid-19th century", MONDAY, "past", date(1840, 1, 1), "century"),
        ("the 1800s", None, None, date(1800, 1, 1), "century"),
        ("the late 1800s", None, None, date(1870, 1, 1), "century"),
        ("the 21st century", MONDAY, None, date(2000, 1, 1), "century"),
        ("last century", MONDAY, "past", date(1900, 1, 1), "century"),
        ("this century", MONDAY, None, date(2000, 1, 1), "century"),
        ("the 2000s", None, None, date(2000, 1, 1), "decade"),  # the decade, as news writes it
    ],
)
def test_periods_at_their_own_precision(
    text: str, published: date | None, tense: str | None, value: date, precision: str
) -> None:
    assert _point(resolve_text(text, published, tense)) == (value, precision, text)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["the 10th century", "the fifth century", "the 0th century", "centuries",
                                  "two centuries", "the turn of the century"])
def test_centuries_out_of_range_or_durations_do_not_date(text: str) -> None:
    assert resolve_text(text, MONDAY, "past") is None  # before the year 1000, or no point in time


def test_every_precision_the_rules_give_is_a_known_one() -> None:
    found = {resolve_text(t, MONDAY, "past").precision for t in  # type: ignore[union-attr]
             ("today", "last week", "last month", "last summer", "2019", "the 1990s", "the 20th century")}
    assert found <= set(DATE_PRECISIONS)
    assert DATE_PRECISIONS.index("season") < DATE_PRECISIONS.index("year") < DATE_PRECISIONS.index("century")


# --- ranges give both ends (issue 11) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "published", "tense", "value", "end", "precision"),
    [
        ("2009-2010", None, None, date(2009, 1, 1), date(2010, 12, 31), "year"),
        ("2009–2010", None, None, date(2009, 1, 1), date(2010, 12, 31), "year"),
        ("1996-2001", None, None, date(1996, 1, 1), date(2001, 12, 31), "year"),
        ("between 2003 and 2007", None, None, date(2003, 1, 1), date(2007, 12, 31), "year"),
        ("from 2003 to 2007", None, None, date(2003, 1, 1), date(2007, 12, 31), "year"),
        ("2014-15", None, None, date(2014, 1, 1), date(2015, 12, 31), "year"),
        ("the 2009-10 fiscal year", None, None, date(2009, 1, 1), date(2010, 12, 31), "year"),
        ("June to August 2021", None, None, date(2021, 6, 1), date(2021, 8, 31), "month"),
        ("between March and May", MONDAY, "past", date(2021, 3, 1), date(2021, 5, 31), "month"),
        ("November-February", MONDAY, "past", date(2020, 11, 1), date(2021, 2, 28), "month"),
        ("5-7 August", MONDAY, "past", date(2021, 8, 5), date(2021, 8, 7), "day"),
        ("Aug. 5 to 7", MONDAY, "past", date(2021, 8, 5), date(2021, 8, 7), "day"),
        ("Sept 5 and 6", MONDAY, "past", date(2021, 9, 5), date(2021, 9, 6), "day"),
        ("30 August - 2 September", MONDAY, "past", date(2021, 8, 30), date(2021, 9, 2), "day"),
        ("August 30 to September 2, 2019", None, None, date(2019, 8, 30), date(2019, 9, 2), "day"),
    ],
)
def test_a_range_gives_both_ends(
    text: str, published: date | None, tense: str | None, value: date, end: date, precision: str
) -> None:
    result = resolve_text(text, published, tense)  # type: ignore[arg-type]
    assert result is not None
    assert (result.value, result.end, result.precision) == (value, end, precision)


@pytest.mark.parametrize("text", ["2019", "September 5", "last month", "the 1990s", "2010-2008"])
def test_a_single_date_has_no_end(text: str) -> None:
    result = resolve_text(text, MONDAY, "past")
    assert result is None or result.end is None  # "2010-2008" runs backwards: not a range


# --- a clock time with a weekday follows the tense like the bare weekday (issue 11) -----------------------


@pytest.mark.parametrize("text", ["15:00 GMT Saturday", "1500 GMT Saturday", "3 p.m. Saturday",
                                  "at 15:00 GMT on Saturday"])
def test_a_clock_time_and_weekday_follow_the_tense(text: str) -> None:
    for tense, value in (("past", date(2021, 9, 4)), ("present", date(2021, 9, 4)), (None, date(2021, 9, 4)),
                         ("future", date(2021, 9, 11))):
        assert _point(resolve_text(text, MONDAY, tense)) == (value, "day", text), tense  # type: ignore[arg-type]
        assert _point(resolve_text(text, MONDAY, tense)) == (  # type: ignore[arg-type]
            resolve_text("Saturday", MONDAY, tense).value, "day", text)  # type: ignore[arg-type, union-attr]


# --- background asides (issue 11) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tense", "background"),
    [
        ("last month", "past", True),  # began 36 days before publication, over by then
        ("in 2013", "past", True),
        ("the 1980s", "past", True),
        ("last summer", "past", True),
        ("last year", "past", True),
        ("the 20th century", "past", True),
        ("2009-2010", "past", True),
        ("four weeks ago", "past", True),  # 28 days
        ("three weeks ago", "past", False),  # the story's own recent past
        ("last week", "past", False),
        ("yesterday", "past", False),
        ("Sunday", "past", False),
        ("earlier this year", "past", False),  # the period holds the publication day
        ("this summer", "past", True),  # written in September: June to August, over before publication
        ("next month", "future", False),
        ("the end of the year", "future", False),
        ("this century", None, False),
    ],
)
def test_background_asides(text: str, tense: str | None, background: bool) -> None:
    result = resolve_text(text, MONDAY, tense)  # type: ignore[arg-type]
    assert result is not None
    assert result.background is background


def test_background_needs_a_published_date() -> None:
    result = resolve_text("2013", None)
    assert result is not None and result.background is False  # nothing to be an aside to


def test_background_threshold_is_about_a_month() -> None:
    for days, expected in ((BACKGROUND_DAYS - 1, False), (BACKGROUND_DAYS, True)):
        day = MONDAY - timedelta(days=days)
        result = resolve_text(day.isoformat(), MONDAY)
        assert result is not None and result.background is expected, days


@pytest.mark.parametrize(
    ("value", "precision", "last"),
    [(date(2021, 8, 30), "week", date(2021, 9, 5)), (date(2021, 2, 1), "month", date(2021, 2, 28)),
     (date(2020, 12, 1), "season", date(2021, 2, 28)), (date(1997, 1, 1), "decade", date(1999, 12, 31)),
     (date(1900, 1, 1), "century", date(1999, 12, 31)), (date(2019, 1, 1), "year", date(2019, 12, 31))],
)
def test_period_end(value: date, precision: str, last: date) -> None:
    assert period_end(value, precision) == last


def test_datetime_for_published_is_taken_by_its_day() -> None:
    assert resolve_text("last summer", datetime(2021, 9, 6, 23, 0), "past") == resolve_text(  # type: ignore[arg-type]
        "last summer", MONDAY, "past")
