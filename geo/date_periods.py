"""Date rules for periods: seasons, centuries, parts of a year or month, fiscal years, ranges.

Each rule takes the cleaned text of one date expression (``geo.date_words.clean``), the
publication date and the tense of the clause, and returns a ``Period`` (the first day, the
precision the text supports and, for a range, the last day) or None when the rule does not apply.
``geo.date_rules`` calls them in order. Conventions, beside those of ``geo.date_rules``:

- seasons are the meteorological ones of the northern hemisphere: spring from 1 March, summer
  from 1 June, autumn ("fall") from 1 September, winter from 1 December. "Winter 2010" is the
  winter whose January is in 2010 (from 2009-12-01). "Last summer" is the summer before this
  year's; "this winter", written in January or February, the one under way;
- "the 20th century" is 1900-01-01 at precision "century" (the popular reckoning, 1900-1999, as
  for decades), "the early/mid/late 19th century" 1800, 1840 and 1870; "the 1800s" is a century,
  "the 2000s" the decade (see ``geo.date_rules``);
- "the end of the year" is December at month precision, "the beginning of the year" January,
  "the middle of the year" July; "the end of the month" is its last seven days at week precision;
- a fiscal year differs by country and organisation (the U.S. government's runs October to
  September, the U.K.'s April to March), so "this fiscal year" and "fiscal 2010" are taken at year
  precision as the calendar year they are named by (the publication year for "this");
- "the last week" and "the past week" are the seven days before publication (week precision);
  "the past month" the month before (month precision), as "last week" and "last month" are;
- a range ("2009-2010", "June to August", "5-7 August") starts on its first day and ends
  (``Period.end``) on its last: 2010-12-31, the last day of August, 7 August.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from geo.date_words import MONTH_NAMES, MONTHS, ORDINALS, YEAR_RE, Tense, add_months, month_end, shift_year

SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
_PART_OF_CENTURY = {None: 0, "early": 0, "mid": 40, "late": 70}
_STEP = {None: 0, "this": 0, "current": 0, "last": -1, "past": -1, "next": 1, "coming": 1}

_AGE_RE = re.compile(r"^(?:(?:aged?|ages)\s+)?\d{1,3}(?:\s*(?:-|to|and)\s*\d{1,3})?$")
_SEASON_RE = re.compile(
    r"^(?:the\s+)?(?:(?P<qual>this|last|next|past|coming)\s+)?(?:(?:early|mid|late)[\s-]+)?"
    r"(?P<season>spring|summer|autumn|fall|winter)(?:\s+(?:of\s+)?(?P<year>\d{4}))?(?:\s+season)?$"
)
_ORDINAL_WORDS = "|".join(sorted(ORDINALS, key=len, reverse=True))
_CENTURY_RE = re.compile(
    r"^(?:the\s+)?(?:(?P<part>early|mid|late)[\s-]+)?(?:(?P<num>\d{1,2})(?:st|nd|rd|th)|(?P<word>"
    + _ORDINAL_WORDS + r"))[\s-]+century$"
)
_THIS_CENTURY_RE = re.compile(r"^(?:the\s+)?(?P<qual>this|last|next|current)\s+century$")
_HUNDREDS_RE = re.compile(r"^(?:the\s+)?(?:(?P<part>early|mid|late)[\s-]+)?(?P<hundreds>1\d|[1-9])00'?s$")
_UNIT_OF = r"(?:(?P<qual>this|last|next|current|coming|past)\s+)?(?P<unit>year|month)"
_PART_RE = re.compile(
    r"^(?:the\s+)?(?P<part>end|close|beginning|start|middle)\s+of\s+(?:the\s+)?(?:" + _UNIT_OF
    + r"|(?P<year>\d{4})|(?P<month>" + MONTH_NAMES + r")\.?(?:,?\s+(?P<myear>\d{4}))?)$"
)
_PART_MONTH = {"end": 12, "close": 12, "beginning": 1, "start": 1, "middle": 7}
_FISCAL_RE = re.compile(
    r"^(?:the\s+)?(?:(?P<qual>this|last|next|current|coming|past)\s+)?(?:(?P<lead>\d{4})\s+)?"
    r"(?:fiscal|financial)(?:\s+year)?(?:\s+'?(?P<year>\d{4}|\d{2}))?$|^fy\s*'?(?P<fy>\d{4}|\d{2})$"
)
_ROLLING_RE = re.compile(r"^the\s+(?:last|past)\s+(?P<unit>week|month)$")
_WEEK_OF_RE = re.compile(
    r"^(?:the\s+)?(?P<ord>first|second|third|fourth|last|final)\s+week\s+of\s+(?P<month>" + MONTH_NAMES
    + r")\.?(?:,?\s+(?P<year>\d{4}))?$"
)
_WEEK_START = {"first": 1, "second": 8, "third": 15, "fourth": 22}
_MONTH_RANGE_RE = re.compile(
    r"^(?:between\s+)?(?P<m1>" + MONTH_NAMES + r")\.?(?:\s+(?P<y1>\d{4}))?"
    r"\s*(?:-|to|and|through|until|till)\s*(?P<m2>" + MONTH_NAMES + r")\.?(?:,?\s+(?P<y2>\d{4}))?$"
)
YEAR_RANGE_RE = re.compile(r"\b(?P<a>\d{4})\s*(?:-|to|until|till|through|and|/)\s*(?P<b>\d{4}|\d{2})\b(?!-)")
_ORD = r"(?:st|nd|rd|th)?"
_TO_DAY = r"\s*(?:-|to|through|until|till)\s*"
_DAY_RANGE_ENDS = (  # the last day of "5-7 August", "Aug. 5 to 7", "30 August - 2 September"
    re.compile(r"\b\d{1,2}" + _ORD + r"\s*(?:-|and|to|through)\s*(?P<day>\d{1,2})" + _ORD
               + r"\s+(?:of\s+)?(?:" + MONTH_NAMES + r")\b"),
    re.compile(r"\b(?:" + MONTH_NAMES + r")\b\.?\s*\d{1,2}" + _ORD
               + r"\s*(?:-|and|to|through)\s*(?P<day>\d{1,2})\b"),
    re.compile(r"\b\d{1,2}" + _ORD + r"\s+(?:of\s+)?(?:" + MONTH_NAMES + r")\b\.?" + _TO_DAY
               + r"(?P<day>\d{1,2})" + _ORD + r"\s+(?:of\s+)?(?P<month>" + MONTH_NAMES + r")\b"),
    re.compile(r"\b(?:" + MONTH_NAMES + r")\b\.?\s*\d{1,2}" + _ORD + _TO_DAY
               + r"(?P<month>" + MONTH_NAMES + r")\b\.?\s*(?P<day>\d{1,2})\b"),
)


@dataclass(frozen=True)
class Period:
    value: date
    precision: str
    end: date | None = None


def is_age_or_count(t: str) -> bool:
    """A bare number of one to three digits ("48" in "Raymond Roth, 48,") or an age: never a year."""
    return bool(_AGE_RE.match(t))


def season(t: str, published: date | None, tense: Tense | None) -> Period | None:
    m = _SEASON_RE.match(t)
    if m is None:
        return None
    month = SEASONS[m["season"]]
    if m["year"]:
        year = int(m["year"])
        return Period(date(year - 1 if month == 12 else year, month, 1), "season")
    if published is None:
        return None
    # The occurrence of this season that belongs to the publication's year; a winter written in
    # January or February is the one under way.
    base = date(published.year - (1 if month == 12 and published.month <= 2 else 0), month, 1)
    qual = m["qual"]
    if qual in ("last", "past"):
        return Period(base.replace(year=base.year - 1), "season")
    if qual in ("next", "coming"):
        return Period(base if base > published else base.replace(year=base.year + 1), "season")
    if tense == "past" and base > published:
        base = base.replace(year=base.year - 1)
    elif tense == "future" and add_months(base, 3) <= published:
        base = base.replace(year=base.year + 1)
    return Period(base, "season")


def century(t: str, published: date | None) -> Period | None:
    if m := _CENTURY_RE.match(t):
        number = int(m["num"]) if m["num"] else ORDINALS[m["word"]]
        if not number:
            return None
        return Period(date((number - 1) * 100 + _PART_OF_CENTURY[m["part"]], 1, 1), "century")
    if m := _HUNDREDS_RE.match(t):
        return Period(date(int(m["hundreds"]) * 100 + _PART_OF_CENTURY[m["part"]], 1, 1), "century")
    if (m := _THIS_CENTURY_RE.match(t)) and published is not None:
        return Period(date(published.year // 100 * 100 + 100 * _STEP[m["qual"]], 1, 1), "century")
    return None


def part_of(t: str, published: date | None, tense: Tense | None) -> Period | None:
    """"the end of the year" (December), "the beginning of 2019", "the end of the month" (its last week)."""
    m = _PART_RE.match(t)
    if m is None:
        return None
    part = m["part"]
    if m["year"]:
        return Period(date(int(m["year"]), _PART_MONTH[part], 1), "month")
    if m["month"]:
        if m["myear"]:
            first = date(int(m["myear"]), MONTHS[m["month"]], 1)
        elif published is None:
            return None
        else:
            first = shift_year(date(published.year, MONTHS[m["month"]], 1), published, tense, by_month=True)
        return _part_of_month(first, part)
    if published is None:
        return None
    step = _STEP[m["qual"]]
    if m["unit"] == "year":
        value = date(published.year + step, _PART_MONTH[part], 1)
        if m["qual"] is None:
            value = shift_year(value, published, tense, by_month=True)
        return Period(value, "month")
    first = add_months(published, step)
    if m["qual"] is None:
        first = _shift_month(first, part, published, tense)
    return _part_of_month(first, part)


def _part_of_month(first: date, part: str) -> Period:
    if part in ("end", "close"):
        return Period(month_end(first) - timedelta(days=6), "week")
    return Period(first if part in ("beginning", "start") else first.replace(day=12), "week")


def _shift_month(first: date, part: str, published: date, tense: Tense | None) -> date:
    """"the end of the month" in the past tense, written before that week: last month's end."""
    start = _part_of_month(first, part).value
    if tense == "past" and start > published:
        return add_months(first, -1)
    if tense == "future" and start + timedelta(days=6) < published:
        return add_months(first, 1)
    return first


def fiscal_year(t: str, published: date | None) -> Period | None:
    m = _FISCAL_RE.match(t)
    if m is None:
        return None
    named = m["fy"] or m["year"] or m["lead"]
    if named:
        year = int(named) if len(named) == 4 else 2000 + int(named)
    elif published is None:
        return None
    else:
        year = published.year + _STEP[m["qual"]]
    return Period(date(year, 1, 1), "year")


def rolling(t: str, published: date | None) -> Period | None:
    """"the last week", "the past month": the period just before publication."""
    m = _ROLLING_RE.match(t)
    if m is None or published is None:
        return None
    if m["unit"] == "week":
        return Period(published - timedelta(days=7), "week")
    return Period(add_months(published, -1), "month")


def week_of_month(t: str, published: date | None, tense: Tense | None) -> Period | None:
    m = _WEEK_OF_RE.match(t)
    if m is None:
        return None
    if m["year"]:
        first = date(int(m["year"]), MONTHS[m["month"]], 1)
    elif published is None:
        return None
    else:
        first = shift_year(date(published.year, MONTHS[m["month"]], 1), published, tense, by_month=True)
    if m["ord"] in ("last", "final"):
        return Period(month_end(first) - timedelta(days=6), "week")
    return Period(first.replace(day=_WEEK_START[m["ord"]]), "week")


def month_range(t: str, published: date | None, tense: Tense | None) -> Period | None:
    m = _MONTH_RANGE_RE.match(t)
    if m is None:
        return None
    m1, m2 = MONTHS[m["m1"]], MONTHS[m["m2"]]
    y1 = int(m["y1"]) if m["y1"] else None
    y2 = int(m["y2"]) if m["y2"] else None
    if y1 is None and y2 is not None:
        y1 = y2 if m1 <= m2 else y2 - 1
    if y1 is None:
        if published is None:
            return None
        y1 = shift_year(date(published.year, m1, 1), published, tense, by_month=True).year
    if y2 is None:
        y2 = y1 if m2 >= m1 else y1 + 1
    start, last = date(y1, m1, 1), month_end(date(y2, m2, 1))
    return Period(start, "month", last) if last > start else None


def year_range(t: str) -> Period | None:
    m = YEAR_RANGE_RE.search(t)
    if m is None:
        return None
    start, end = int(m["a"]), m["b"]
    end_year = int(end) if len(end) == 4 else start // 100 * 100 + int(end)
    return Period(date(start, 1, 1), "year", date(end_year, 12, 31)) if end_year >= start else None


def first_of_range(t: str) -> str:
    """The text of a range's first day when the range runs across two months ("30 august - 2
    september 2019" gives "30 august 2019"); otherwise ``t`` itself."""
    for pattern in _DAY_RANGE_ENDS[2:]:
        m = pattern.search(t)
        if m is not None:
            left = re.split(_TO_DAY, m.group(0), maxsplit=1)[0]
            year = YEAR_RE.search(t[m.end():])
            return t[: m.start()] + left + (f" {year[1]}" if year else "")
    return t


def day_range_end(t: str, start: date) -> date | None:
    """The last day of a range of days whose first day is ``start`` ("5-7 August": 7 August)."""
    for pattern in _DAY_RANGE_ENDS:
        m = pattern.search(t)
        if m is None:
            continue
        month = MONTHS[m["month"]] if "month" in m.groupdict() and m["month"] else start.month
        year = start.year + (1 if month < start.month else 0)
        try:
            end = date(year, month, int(m["day"]))
        except ValueError:
            return None
        return end if end > start else None
    return None
