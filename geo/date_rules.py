"""Date rules: the text of one DATE/TIME entity -> an ``EventDate`` anchored on the published date.

dateparser is only ever given the text of one entity, never a whole sentence
(over free text it reads "we" as Wednesday). Our own rules run first for the
cases where dateparser 1.5 is wrong: ages ("Raymond Roth, 48," is not 1948),
decades (it returns "1990 seconds ago"), periods (seasons, centuries, parts of a
year, fiscal years and ranges, in ``geo.date_periods``), durations ("20 years"
becomes a date), weekdays (their direction depends on the verb's tense) and bare
month names.

Convention for ``EventDate.value``: the first day of the period the text names.
"last month" is the 1st of that month, "2019" is 1 January 2019, "the 1980s" is
1980-01-01, "the late 1990s" is 1997-01-01 and "the mid 1990s" 1994-01-01 (the
start of the part of the decade named; precision "decade"; "the 2000s" is the
decade too, "the 1800s" the century). A range gives its last day as well
(``EventDate.end``): "1996-2001" is 1996-01-01 to 2001-12-31, precision "year".
Weeks are counted back from the publication day ("three weeks ago" = published
- 21 days).

``EventDate.background``: a date whose period starts at least ``BACKGROUND_DAYS``
before publication and is over by then ("last month", "in 2013", "the 1980s") is an
aside to the story, not its own time; docs/dates.md gives the study on the dev corpora
behind the rule.

Split from ``geo.temporal``, which reads spans, sentences and tense from spaCy
and hands the text here: these rules need no parse and can be read alone.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, timedelta
from functools import lru_cache

from dateparser.date import DateDataParser

from geo import date_periods as periods
from geo.date_words import MONTH_NAMES as _MONTH_NAMES
from geo.date_words import MONTH_RE as _MONTH_RE
from geo.date_words import MONTHS as _MONTHS
from geo.date_words import NUMBERS as _NUMBERS
from geo.date_words import WEEKDAYS as _WEEKDAYS
from geo.date_words import YEAR_RE as _YEAR_RE
from geo.date_words import Tense, add_months, as_date, clean, month_end, shift_year
from geo.models import EventDate

__all__ = ["BACKGROUND_DAYS", "MAX_YEARS_AHEAD", "MIN_YEAR", "Tense", "as_date", "impossible_day",
           "resolve_text"]

log = logging.getLogger(__name__)


MAX_YEARS_AHEAD = 50  # a date further than this after publication is a misreading
MIN_YEAR = 1000

# Vague counts get a guess and one step coarser precision.
_VAGUE = {"a few": 3, "few": 3, "several": 3}
_DECADE_WORDS = {
    "twenties": 20, "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60, "seventies": 70,
    "eighties": 80, "nineties": 90,
}  # fmt: skip
_COARSER = {"day": "week", "week": "month", "month": "year", "season": "year", "year": "decade",
            "decade": "decade", "century": "century"}
BACKGROUND_DAYS = 28  # about a month: "last month" always reaches this far back, "three weeks ago" not

_WEEKDAY_RE = re.compile(r"\b(?P<day>" + "|".join(sorted(_WEEKDAYS, key=len, reverse=True)) + r")\b")
_DAYNUM_RE = re.compile(r"(?<![\d,])\d{1,2}(?:st|nd|rd|th)?(?![\d:])")
_NUMERIC_DATE_RE = re.compile(
    r"\b(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}(?:/\d{2,4})?|\d{1,2}\.\d{1,2}\.\d{4})\b"
)
_DECADE_RE = re.compile(
    r"(?:\b(?P<part>early|mid|late)[\s-]*)?(?:(?P<four>\b\d{3}0)'?s\b|(?:\bthe\s+'?|')(?P<two>\d0)'?s\b"
    r"|\bthe\s+(?P<word>" + "|".join(_DECADE_WORDS) + r")\b)"
)
_ORD = r"(?:st|nd|rd|th)?"
_TO = r"\s*(?:-|and|to|through)\s*"
_DAY_RANGE_RE = re.compile(  # "5-6 September", "Sept 5 and 6": keep the first day
    "".join(
        [
            r"(?P<keep>\b\d{1,2}", _ORD, ")", _TO, r"\d{1,2}", _ORD,
            r"(?=\s+(?:of\s+)?(?:", _MONTH_NAMES, r")\b)",
            r"|(?P<keep2>\b(?:", _MONTH_NAMES, r")\b\.?\s*\d{1,2}", _ORD, ")", _TO, r"\d{1,2}\b", _ORD,
        ]
    )
)  # fmt: skip
_PART_OF_DECADE = {None: 0, "early": 0, "mid": 4, "late": 7}
# A day and month written out, with a year perhaps: "31 February", "Feb. 30, 2021", "2021-02-30".
_YEAR_AFTER = r"(?:,?\s+(?P<year>\d{4})\b)?"
_DAY_MONTH_RES = (
    re.compile(r"\b(?P<day>\d{1,2})" + _ORD + r"\s+(?:of\s+)?(?P<month>" + _MONTH_NAMES + r")\b\.?"
               + _YEAR_AFTER),
    re.compile(r"\b(?P<month>" + _MONTH_NAMES + r")\b\.?\s+(?P<day>\d{1,2})" + _ORD + r"\b" + _YEAR_AFTER),
    re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})\b"),
)
_MONTH_LENGTHS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # February: in some year
_NOT_A_DATE_RE = re.compile(
    r"year-old|years? old|\b(?:daily|weekly|monthly|annual(?:ly)?|every|each|per|previous|same|that|"
    r"following|preceding|prior|earlier|later|before|after|recent|coming|past|century|centuries)\b"
)
_DAY_WORDS = {"today": 0, "tonight": 0, "this morning": 0, "this afternoon": 0, "this evening": 0,
              "yesterday": -1, "last night": -1, "tomorrow": 1, "the day before yesterday": -2,
              "the day after tomorrow": 2}  # fmt: skip
_DAY_WORDS_RE = re.compile(r"\b(" + "|".join(sorted(_DAY_WORDS, key=len, reverse=True)) + r")\b")
_UNIT = r"(?P<unit>hour|day|night|week|month|year|decade)s?"
_AGO_RE = re.compile(r"^(?P<n>[a-z\d, -]+?)[\s-]+" + _UNIT + r"\s+(?P<dir>ago|from now|hence)$")
_THIS_RE = re.compile(r"^(?:(?:earlier|later|early|late)\s+)?(?P<qual>this|last|next)\s+" + _UNIT + "$")
_UNIT_WORD_RE = re.compile(r"\b(?:hour|day|night|week|month|year|decade|centur(?:y|ie))s?\b")
_WEEKEND_RE = re.compile(r"\b(?:(?P<qual>this|last|next|the)\s+)?weekend\b")


def resolve_text(text: str, published: date | None, tense: Tense | None = None) -> EventDate | None:
    """The rules behind ``geo.temporal.resolve_date``, on plain text with the tense given by the caller."""
    return _resolve_text(text, as_date(published), tense)


# Pure in its arguments, and the same expression ("on Monday") recurs for every place of a
# sentence and across a day's articles: dateparser is the costly part of dating.
@lru_cache(maxsize=8192)
def _resolve_text(text: str, published: date | None, tense: Tense | None) -> EventDate | None:
    t = clean(text)
    if not t:
        return None
    try:
        found = _resolve(t, published, tense)
    except (ValueError, OverflowError) as err:  # date arithmetic out of range: not a real date
        log.debug("date %r not resolvable: %s", text, err)
        return None
    if found is None or not _plausible(found.value, published):
        return None
    value = _period_start(found.value, found.precision)
    end = found.end if found.end is not None and found.end > value else None
    return EventDate(value, found.precision, text.strip(), end=end,  # type: ignore[arg-type]
                     background=_background(value, found.precision, end, published))


def _background(value: date, precision: str, end: date | None, published: date | None) -> bool:
    """An aside to the story: its period began ``BACKGROUND_DAYS`` or more before publication
    and was over by then ("last month", "in 2013"; not "three weeks ago", not "this year")."""
    if published is None:
        return False
    return (published - value).days >= BACKGROUND_DAYS and (end or period_end(value, precision)) < published


def period_end(value: date, precision: str) -> date:
    """The last day of the period that starts at ``value`` with ``precision``."""
    if precision == "week":
        return value + timedelta(days=6)
    if precision == "month":
        return month_end(value)
    if precision == "season":
        return add_months(value, 3) - timedelta(days=1)
    if precision in ("year", "decade", "century"):
        span = {"year": 1, "decade": 10, "century": 100}[precision]
        return date(value.year // span * span + span - 1, 12, 31)
    return value


def impossible_day(text: str) -> tuple[int, int, int | None] | None:
    """(day, month, year or None) when ``text`` names a day its month never has ("31 February",
    "30 February 2021", "2021-04-31"); None for a real day or no day at all."""
    return _impossible_day(_DAY_RANGE_RE.sub(lambda m: m["keep"] or m["keep2"], clean(text)))


def _impossible_day(t: str) -> tuple[int, int, int | None] | None:
    for pattern in _DAY_MONTH_RES:
        for m in pattern.finditer(t):
            month = int(m["month"]) if m["month"].isdigit() else _MONTHS[m["month"]]
            if not 1 <= month <= 12:
                continue
            day, year = int(m["day"]), int(m["year"]) if m["year"] else None
            longest = _MONTH_LENGTHS[month - 1]
            if month == 2 and year is not None and not _leap(year):
                longest = 28
            if not 1 <= day <= longest:
                return day, month, year
    return None


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _resolve(t: str, published: date | None, tense: Tense | None) -> periods.Period | None:
    if periods.is_age_or_count(t):
        return None  # "Raymond Roth, 48," (dateparser reads 1948)
    impossible = _impossible_day(_DAY_RANGE_RE.sub(lambda m: m["keep"] or m["keep2"], t))
    if impossible is not None:
        # No such day, but the month is what the text says: keep it, at month precision.
        # (geo.temporal tells the user; dateparser alone fell back on the month, or the year.)
        _day, month, year = impossible
        value = date(year, month, 1) if year else _month(month, t, published, tense)
        return None if value is None else periods.Period(value, "month")
    if _NUMERIC_DATE_RE.search(t) or (_MONTH_RE.search(t) and _DAYNUM_RE.search(t)):
        value = _absolute_day(t, published, tense)
        if value is not None:
            return periods.Period(value, "day", periods.day_range_end(t, value))
    for rule in (
        lambda: periods.century(t, published),
        lambda: periods.season(t, published, tense),
        lambda: periods.part_of(t, published, tense),
        lambda: periods.fiscal_year(t, published),
        lambda: periods.rolling(t, published),
        lambda: periods.week_of_month(t, published, tense),
        lambda: periods.month_range(t, published, tense),
    ):
        if (found := rule()) is not None:
            return found
    if m := _DECADE_RE.search(t):
        return _period(_decade(m, published), "decade")
    if (found := periods.year_range(t)) is not None:
        return found
    if m := _DAY_WORDS_RE.search(t):
        return None if published is None else periods.Period(published + timedelta(_DAY_WORDS[m[1]]), "day")
    if m := _MONTH_RE.search(t):
        return _period(_month(_MONTHS[m["month"]], t, published, tense), "month")
    if m := _WEEKDAY_RE.search(t):
        return _period(_weekday(_WEEKDAYS[m["day"]], t, published, tense), "day")
    if m := _WEEKEND_RE.search(t):
        return _period(_weekday(5, f"{m['qual'] or ''} saturday", published, tense), "week")
    if m := _AGO_RE.match(t):
        return _period(*_ago(m, published))
    if m := _THIS_RE.match(t):
        return _period(*_this_last_next(m["qual"], m["unit"], published))
    if m := re.fullmatch(r"(?:the\s+year\s+)?(\d{4})", t):
        return periods.Period(date(int(m[1]), 1, 1), "year")
    if _UNIT_WORD_RE.search(t) or _NOT_A_DATE_RE.search(t):
        return None  # a duration ("20 years") or anaphora ("the previous day")
    parsed = _dateparser_answer(t, published, tense)
    if parsed is not None:
        return periods.Period(*parsed)
    if m := _YEAR_RE.search(t):
        return periods.Period(date(int(m[1]), 1, 1), "year")  # "late 2020"
    return None


def _period(value: date | None, precision: str | None) -> periods.Period | None:
    return None if value is None or precision is None else periods.Period(value, precision)


def _absolute_day(t: str, published: date | None, tense: Tense | None) -> date | None:
    """A day of a month via dateparser; the year, when missing, follows the tense."""
    t = _DAY_RANGE_RE.sub(lambda m: m["keep"] or m["keep2"], periods.first_of_range(t))  # the first day
    t = _WEEKDAY_RE.sub("", t).strip(" ,")  # "Monday, September 6": the date wins
    has_year = bool(_YEAR_RE.search(t) or re.search(r"\d{1,2}/\d{1,2}/\d{2}\b", t))
    if published is None and not has_year:
        return None
    base = published or date(2000, 1, 1)
    answer = _parser("current_period", base).get_date_data(t)
    if answer.date_obj is None or answer.period != "day":
        return None
    value = answer.date_obj.date()
    if not has_year and published is not None:
        value = shift_year(value, published, tense)
    return value


def _decade(m: re.Match[str], published: date | None) -> date | None:
    if m["four"]:
        start = int(m["four"])
    else:
        short = int(m["two"]) if m["two"] else _DECADE_WORDS[m["word"]]
        if published is None:
            return None  # "the '90s" needs a century, which only the publication date gives
        century = published.year // 100 * 100
        start = century + short if century + short <= published.year else century - 100 + short
    return date(start + _PART_OF_DECADE[m["part"]], 1, 1)


def _month(month: int, t: str, published: date | None, tense: Tense | None) -> date | None:
    if m := _YEAR_RE.search(t):
        return date(int(m[1]), month, 1)
    if published is None:
        return None
    return shift_year(date(published.year, month, 1), published, tense, by_month=True)


def _weekday(weekday: int, t: str, published: date | None, tense: Tense | None) -> date | None:
    """Same weekday as publication = that day (news convention), unless "last"/"next" says otherwise."""
    if published is None:
        return None
    back = (published.weekday() - weekday) % 7 or 7  # days back to the previous such weekday
    ahead = (weekday - published.weekday()) % 7 or 7
    if re.search(r"\b(?:last|past|previous)\b", t):
        return published - timedelta(back)
    if re.search(r"\b(?:next|coming)\b", t):
        return published + timedelta(ahead)
    if weekday == published.weekday():
        return published
    # Past, present or unknown tense looks back: news mostly reports what already happened.
    return published + timedelta(ahead) if tense == "future" else published - timedelta(back)


def _ago(m: re.Match[str], published: date | None) -> tuple[date | None, str | None]:
    count = _count(m["n"])
    if count is None or published is None:
        return None, None
    n, vague = count
    unit = m["unit"]
    sign = -1 if m["dir"] == "ago" else 1
    precision = {"hour": "day", "night": "day"}.get(unit, unit)
    if unit in ("hour",):
        value = (datetime.combine(published, datetime.min.time()) + sign * timedelta(hours=n)).date()
    elif unit in ("day", "night", "week"):
        value = published + sign * timedelta(days=n * (7 if unit == "week" else 1))
    elif unit == "month":
        value = add_months(published, sign * n)
    else:
        years = n * (10 if unit == "decade" else 1)
        value = date(published.year + sign * years, 1, 1)
    return value, _COARSER[precision] if vague else precision


def _this_last_next(qual: str, unit: str, published: date | None) -> tuple[date | None, str | None]:
    if published is None:
        return None, None
    step = {"this": 0, "last": -1, "next": 1}[qual]
    if unit in ("day", "night", "hour"):
        return None, None  # "the next day", "last hour": anaphoric or not a date
    if unit == "week":
        return published + timedelta(7 * step), "week"
    if unit == "month":
        return add_months(published, step), "month"
    if unit == "year":
        return date(published.year + step, 1, 1), "year"
    return date(published.year // 10 * 10 + 10 * step, 1, 1), "decade"


def _dateparser_answer(t: str, published: date | None, tense: Tense | None) -> tuple[date, str] | None:
    """Whatever our rules do not cover; answers that depend on the base need a published date."""
    prefer = {"past": "past", "future": "future"}.get(tense or "", "current_period")
    bases = [published] if published is not None else [date(2000, 1, 15), date(2010, 7, 15)]
    answers = {_dateparser_once(t, prefer, base) for base in bases}
    if len(answers) != 1:
        return None  # the answer moved with the base: relative, and no published date to anchor it
    return answers.pop()


def _dateparser_once(t: str, prefer: str, base: date) -> tuple[date, str] | None:
    answer = _parser(prefer, base).get_date_data(t)
    period = {"day": "day", "week": "week", "month": "month", "year": "year"}.get(answer.period or "")
    if answer.date_obj is None or period is None:
        # "time"/"part_of_day" answers are the seconds-before-base trap ("the 1980s") or a
        # clock time that says nothing about the day.
        log.debug("dateparser answer for %r dropped: %s (%s)", t, answer.date_obj, answer.period)
        return None
    value = answer.date_obj.date()
    if period == "month":
        value = value.replace(day=1)
    elif period == "year":
        value = date(value.year, 1, 1)
    return value, period


@lru_cache(maxsize=64)
def _parser(prefer: str, base: date) -> DateDataParser:
    # Settings are fixed per parser, so one parser per (preference, base date).
    settings = {
        "RELATIVE_BASE": datetime.combine(base, datetime.min.time()),
        "PREFER_DATES_FROM": prefer,
        "RETURN_TIME_AS_PERIOD": True,
        "PREFER_DAY_OF_MONTH": "first",
    }
    return DateDataParser(languages=["en"], settings=settings)


def _count(text: str) -> tuple[int, bool] | None:
    text = re.sub(r"^(?:about|nearly|almost|around|roughly|more than|over|just|only)\s+", "", text.strip())
    if text in _VAGUE:
        return _VAGUE[text], True
    if re.fullmatch(r"\d{1,3}(?:,\d{3})*|\d+", text):
        return int(text.replace(",", "")), False
    if text in _NUMBERS:
        return _NUMBERS[text], False
    parts = re.split(r"[\s-]+", text)
    if len(parts) == 2 and parts[0] in _NUMBERS and parts[1] in _NUMBERS and _NUMBERS[parts[1]] < 10:
        return _NUMBERS[parts[0]] + _NUMBERS[parts[1]], False  # "twenty-five"
    return None


def _period_start(value: date, precision: str) -> date:
    """Months and coarser are dated by their first day; weeks keep the day they were counted to."""
    if precision == "month":
        return value.replace(day=1)
    if precision in ("year", "decade", "century"):
        return value.replace(month=1, day=1)
    return value


def _plausible(value: date, published: date | None) -> bool:
    if value.year < MIN_YEAR:
        return False
    limit = (published or date.today()).year + MAX_YEARS_AHEAD
    return value.year <= limit
