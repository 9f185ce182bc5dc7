"""Dates: rules on plain text (fast), then on sentences parsed by the real spaCy model."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from geo.models import EventDate
from geo.temporal import clause_tense, resolve_date, resolve_text, sentence_date

MONDAY = date(2021, 9, 6)  # the seed article's publication day
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "panjshir-ceasefire.txt"


# --- rules on plain text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tense", "value", "precision"),
    [
        ("the late 1990s", None, date(1997, 1, 1), "decade"),
        ("the 1980s", None, date(1980, 1, 1), "decade"),
        ("the early 2000s", "past", date(2000, 1, 1), "decade"),
        ("the mid-1970s", None, date(1974, 1, 1), "decade"),
        ("the '60s", None, date(1960, 1, 1), "decade"),
        ("the nineties", None, date(1990, 1, 1), "decade"),
        ("1996-2001", None, date(1996, 1, 1), "year"),
        ("1996–2001", None, date(1996, 1, 1), "year"),
        ("between 2003 and 2007", None, date(2003, 1, 1), "year"),
        ("2014-15", None, date(2014, 1, 1), "year"),
        ("1979", None, date(1979, 1, 1), "year"),
        ("in 2019", None, date(2019, 1, 1), "year"),
        ("late 2018", None, date(2018, 1, 1), "year"),
        ("the summer of 2016", None, date(2016, 1, 1), "year"),
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
    assert result == EventDate(value, precision, text)  # type: ignore[arg-type]


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
    assert resolve_text("5 September 2021", None) == EventDate(date(2021, 9, 5), "day", "5 September 2021")
    assert resolve_text("2021-09-05", None) == EventDate(date(2021, 9, 5), "day", "2021-09-05")
    assert resolve_text("the 1980s", None) == EventDate(date(1980, 1, 1), "decade", "the 1980s")
    assert resolve_text("1996-2001", None) == EventDate(date(1996, 1, 1), "year", "1996-2001")
    assert resolve_text("March 2019", None) == EventDate(date(2019, 3, 1), "month", "March 2019")


def test_datetime_published_is_accepted() -> None:
    result = resolve_text("yesterday", datetime(2021, 9, 6, 14, 30))  # type: ignore[arg-type]
    assert result == EventDate(date(2021, 9, 5), "day", "yesterday")


def test_year_boundaries() -> None:
    new_year = date(2022, 1, 3)
    assert resolve_text("last month", new_year) == EventDate(date(2021, 12, 1), "month", "last month")
    assert resolve_text("December 28", new_year, tense="past") == EventDate(
        date(2021, 12, 28), "day", "December 28"
    )
    leap = date(2024, 3, 1)
    expected = EventDate(date(2024, 2, 29), "day", "February 29")
    assert resolve_text("February 29", leap, tense="past") == expected


# --- with the real model ------------------------------------------------------------------------------


def _date_ent(doc, text: str):  # type: ignore[no-untyped-def]
    matches = [e for e in doc.ents if e.label_ in ("DATE", "TIME") and e.text == text]
    assert matches, f"spaCy found no DATE {text!r} in {doc.text!r}: {[(e.text, e.label_) for e in doc.ents]}"
    return matches[0]


@pytest.mark.model
@pytest.mark.parametrize(
    ("sentence", "expression", "tense", "value", "precision"),
    [
        ("The minister will head on Wednesday to Berlin.", "Wednesday", "future", date(2021, 9, 8), "day"),
        ("The envoy flew out on Wednesday.", "Wednesday", "past", date(2021, 9, 1), "day"),
        ("The troops flew out on Monday.", "Monday", "past", MONDAY, "day"),
        ("The envoy on Sunday called for talks.", "Sunday", "past", date(2021, 9, 5), "day"),
        ("She is due to arrive in Paris on Friday.", "Friday", "future", date(2021, 9, 10), "day"),
        ("The delegation plans to visit Lagos on Thursday.", "Thursday", "future", date(2021, 9, 9), "day"),
        ("He is going to travel to Lima on Tuesday.", "Tuesday", "future", date(2021, 9, 7), "day"),
        ("They'll meet in Oslo on Thursday.", "Thursday", "future", date(2021, 9, 9), "day"),
        ("The council met last Monday in Vienna.", "last Monday", "past", date(2021, 8, 30), "day"),
        ("Rebels seized the town three weeks ago.", "three weeks ago", "past", date(2021, 8, 16), "week"),
        ("Elections were held in Lima in October.", "October", "past", date(2020, 10, 1), "month"),
        ("Elections will be held in Lima in August.", "August", "future", date(2022, 8, 1), "month"),
        ("Fighting broke out in the late 1990s.", "the late 1990s", "past", date(1997, 1, 1), "decade"),
        ("The summit opened today in Madrid.", "today", "past", MONDAY, "day"),
        ("The storm hit the coast on Sunday night.", "Sunday night", "past", date(2021, 9, 5), "day"),
    ],
)
def test_resolve_date_follows_the_tense(  # type: ignore[no-untyped-def]
    nlp, sentence: str, expression: str, tense: str, value: date, precision: str
) -> None:
    ent = _date_ent(nlp(sentence), expression)
    assert clause_tense(ent) == tense
    assert resolve_date(ent, MONDAY) == EventDate(value, precision, expression)  # type: ignore[arg-type]


@pytest.mark.model
def test_durations_fall_through_to_the_article_date(nlp) -> None:  # type: ignore[no-untyped-def]
    for sentence in ("The war lasted 20 years.", "The group has been in Kabul for years."):
        sent = next(nlp(sentence).sents)
        assert any(e.label_ == "DATE" for e in sent.ents), sentence
        assert sentence_date(sent, MONDAY) == EventDate(MONDAY, "article", "")


@pytest.mark.model
def test_duration_skipped_for_a_point(nlp) -> None:  # type: ignore[no-untyped-def]
    sent = next(nlp("He spent several days in Kigali before flying to Nairobi on Sunday.").sents)
    assert sentence_date(sent, MONDAY) == EventDate(date(2021, 9, 5), "day", "Sunday")


@pytest.mark.model
def test_sentence_date_prefers_the_expression_nearest_the_place(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "The rebels held Herat in the 1980s and took Kandahar last month."
    sent = next(nlp(text).sents)
    assert sentence_date(sent, MONDAY, near=text.index("Herat")).text == "the 1980s"
    assert sentence_date(sent, MONDAY, near=text.index("Kandahar")).text == "last month"
    # Without a place, the finer precision wins.
    assert sentence_date(sent, MONDAY).text == "last month"


@pytest.mark.model
def test_sentence_without_date(nlp) -> None:  # type: ignore[no-untyped-def]
    sent = next(nlp("We will go there with the delegation.").sents)
    assert sentence_date(sent, MONDAY) == EventDate(MONDAY, "article", "")
    assert sentence_date(sent, None) is None


@pytest.mark.model
def test_sentence_date_without_published(nlp) -> None:  # type: ignore[no-untyped-def]
    sent = next(nlp("The envoy flew to Doha on Sunday.").sents)
    assert sentence_date(sent, None) is None
    sent = next(nlp("The envoy flew to Doha on 5 September 2021.").sents)
    assert sentence_date(sent, None) == EventDate(date(2021, 9, 5), "day", "5 September 2021")


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
    from geo.date_rules import impossible_day

    assert resolve_text(text, MONDAY, "past") == EventDate(value, "month", text)
    assert impossible_day(text) == day_month


@pytest.mark.parametrize(
    ("text", "value"),
    [("29 February 2020", date(2020, 2, 29)), ("28 February 2021", date(2021, 2, 28)),
     ("30 April 2021", date(2021, 4, 30)), ("5-31 August", date(2021, 8, 5)),
     ("2021-09-05", date(2021, 9, 5))],
)
def test_real_days_are_not_impossible(text: str, value: date) -> None:
    from geo.date_rules import impossible_day

    assert impossible_day(text) is None
    assert resolve_text(text, MONDAY, "past") == EventDate(value, "day", text)


@pytest.mark.model
def test_doc_dates_warn_once_per_impossible_expression(nlp) -> None:  # type: ignore[no-untyped-def]
    from geo.temporal import DocDates

    text = "Troops left Kabul on 31 February. Aid reached Herat on 31 February. They met on 30 April 2021."
    doc = nlp(text)
    dates = DocDates(doc, MONDAY)
    assert dates.warnings == ()  # nothing asked yet
    first = dates.pick(0, len(text), text.index("Kabul"))
    assert (first.value, first.precision) == (date(2021, 2, 1), "month")
    for sent in doc.sents:
        dates.pick(sent.start_char, sent.end_char)
    assert dates.warnings == (
        "'31 February' names a day February does not have (day 31); dated to February 2021, month precision",
    )


# --- the seed article ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_sents(nlp):  # type: ignore[no-untyped-def]
    if not SEED.exists():
        pytest.skip(f"seed article not found at {SEED} (../shared is absent)")
    return list(nlp(SEED.read_text(encoding="utf-8")).sents)


def _sentence(sents, needle: str):  # type: ignore[no-untyped-def]
    found = [s for s in sents if needle in s.text]
    assert found, f"no seed sentence contains {needle!r}"
    return found[0]


@pytest.mark.model
@pytest.mark.parametrize(
    ("needle", "place", "value", "precision"),
    [
        ("Antony Blinken was due on Monday in Qatar", "Qatar", MONDAY, "day"),
        ("Blinken will then head on Wednesday", "Ramstein", date(2021, 9, 8), "day"),
        ("Angela Merkel on Sunday called for dialogue", None, date(2021, 9, 5), "day"),
        ("rolling into Kabul three weeks ago", "Kabul", date(2021, 8, 16), "week"),
        ("resistance to Soviet forces in the 1980s", "Panjshir Valley", date(1980, 1, 1), "decade"),
        ("Taliban in the late 1990s", "the late 1990s", date(1997, 1, 1), "decade"),
        ("under the Taliban's 1996-2001 rule", "Afghanistan", date(1996, 1, 1), "year"),
        ("the Soviet invasion of 1979", "1979", date(1979, 1, 1), "year"),
        ("has arrived in Kabul for several days", "Kabul", MONDAY, "article"),
        ("efforts alongside Turkey to reopen Kabul", "Turkey", MONDAY, "article"),
    ],
)
def test_seed_article(seed_sents, needle: str, place: str | None, value: date, precision: str) -> None:  # type: ignore[no-untyped-def]
    sent = _sentence(seed_sents, needle)
    near = None if place is None else sent.doc.text.index(place, sent.start_char)
    result = sentence_date(sent, MONDAY, near=near)
    assert result is not None
    assert (result.value, result.precision) == (value, precision)


@pytest.mark.model
def test_seed_late_1990s_resolves_alone(seed_sents) -> None:  # type: ignore[no-untyped-def]
    sent = _sentence(seed_sents, "the late 1990s")
    ent = _date_ent(sent.doc, "the late 1990s")
    assert resolve_date(ent, MONDAY) == EventDate(date(1997, 1, 1), "decade", "the late 1990s")
    twenty = _date_ent(sent.doc, "20 years")
    assert resolve_date(twenty, MONDAY) is None  # "after 20 years of war" is a duration


@pytest.mark.timeout(30)
def test_a_sentence_without_a_finite_verb_ends(nlp_for_headline):
    """A headline like "Monday storm in Texas" has no finite verb; the tense walk must stop at the root."""
    from datetime import date as _date

    doc = nlp_for_headline("Monday storm in Texas")
    sent = next(iter(doc.sents))
    found = sentence_date(sent, _date(2021, 9, 6))
    assert found is not None


@pytest.fixture(scope="module")
def nlp_for_headline(nlp):  # type: ignore[no-untyped-def]
    return nlp  # the pipeline ingest loads (tests/conftest.py)
