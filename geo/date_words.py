"""What the date rules share: the calendar's words, text cleaning and month arithmetic.

Split from ``geo.date_rules`` so that the period rules (``geo.date_periods``: seasons,
centuries, parts of a year, fiscal years, ranges) and the point rules can both use them.
The names of months, weekdays and small numbers are closed classes of English, not word lists
to tune, so they live here with the code that parses them.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Literal

Tense = Literal["past", "present", "future"]

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6, "tues": 1, "weds": 2, "thurs": 3,
}  # fmt: skip
NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100, "a hundred": 100, "a couple of": 2, "couple of": 2, "a couple": 2,
}  # fmt: skip
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "twenty-first": 21, "twenty first": 21,
}  # fmt: skip

MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
MONTH_RE = re.compile(r"\b(?P<month>" + MONTH_NAMES + r")\b\.?")
YEAR_RE = re.compile(r"(?<![\d,.])(\d{4})(?![\d,])")

_LEADING_RE = re.compile(
    r"^(?:on|in|at|by|since|from|until|till|during|of|around|about|circa|some|nearly|almost|roughly|"
    r"just|only|over|more than|less than|at least|up to|as of|as early as|as late as)\s+"
)


def clean(text: str) -> str:
    """Lower case, plain quotes and dashes, one space, no leading preposition ("in", "since")."""
    t = text.lower().replace("’", "'").replace("‘", "'")
    t = re.sub(r"[–—‒−]", "-", t)
    t = re.sub(r"(?<=[a-z])'s\b", "", t)  # "Sunday's"; "1990's" keeps its s
    t = re.sub(r"\s+", " ", t).strip(' \t\n,;:!?"()[]')
    previous = None
    while previous != t:
        previous, t = t, _LEADING_RE.sub("", t)
    return t


def as_date(value: date | None) -> date | None:
    """A datetime given as the published date counts by its day."""
    return value.date() if isinstance(value, datetime) else value


def shift_year(value: date, published: date, tense: Tense | None, *, by_month: bool = False) -> date:
    """A month or day named without a year: last year if past tense puts it in the future, and vice versa."""
    key = (lambda d: (d.year, d.month)) if by_month else (lambda d: (d.year, d.month, d.day))
    if tense == "past" and key(value) > key(published):
        return replace_year(value, value.year - 1)
    if tense == "future" and key(value) < key(published):
        return replace_year(value, value.year + 1)
    return value


def replace_year(value: date, year: int) -> date:
    if value.month == 2 and value.day == 29:
        return date(year, 3, 1)
    return value.replace(year=year)


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after ``day``'s."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    return add_months(day, 1) - timedelta(days=1)
