"""Dates: rules on plain text (fast), then on sentences parsed by the real spaCy model."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from geo.models import EventDate
from geo.temporal import DocDates, clause_tense, resolve_date, sentence_date

MONDAY = date(2021, 9, 6)  # the seed article's publication day
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "panjshir-ceasefire.txt"


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
    found = resolve_date(ent, MONDAY)
    assert found is not None and (found.value, found.precision, found.text) == (value, precision, expression)


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


@pytest.mark.model
def test_doc_dates_warn_once_per_impossible_expression(nlp) -> None:  # type: ignore[no-untyped-def]
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
    expected = EventDate(date(1997, 1, 1), "decade", "the late 1990s", background=True)
    assert resolve_date(ent, MONDAY) == expected
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


# --- issue 11: the date rules in parsed sentences of our own ------------------------------------------------


@pytest.mark.model
@pytest.mark.parametrize(
    "sentence",
    ["Raymond Roth, 48, was arrested in Manorville on Sunday.",
     "Police said Maria Lopez, 67, of Boston, died in the fire on Sunday.",
     "The mayor, 52, flew to Denver."],
)
def test_an_age_beside_a_name_is_never_the_date(nlp, sentence: str) -> None:  # type: ignore[no-untyped-def]
    doc = nlp(sentence)
    sent = next(doc.sents)
    found = sentence_date(sent, MONDAY)
    assert found is not None
    assert found.value.year == 2021, found  # never 1948, 1967 or 1952
    assert found.precision in ("day", "article")


@pytest.mark.model
@pytest.mark.parametrize(
    ("sentence", "tense", "value"),
    [
        ("The ceasefire took effect at 15:00 GMT Saturday in Aleppo.", "past", date(2021, 9, 4)),
        ("The ceasefire will take effect at 15:00 GMT Saturday in Aleppo.", "future", date(2021, 9, 11)),
        ("A truce is due to begin at 15:00 GMT Saturday in Aleppo.", "future", date(2021, 9, 11)),
        ("Rebels said the truce that began at 15:00 GMT Saturday was broken.", "past", date(2021, 9, 4)),
    ],
)
def test_a_clock_time_with_a_weekday_follows_the_tense(  # type: ignore[no-untyped-def]
    nlp, sentence: str, tense: str, value: date
) -> None:
    doc = nlp(sentence)
    ent = _date_ent(doc, "15:00 GMT Saturday")
    assert clause_tense(ent) == tense
    found = resolve_date(ent, MONDAY)
    assert found is not None and (found.value, found.precision) == (value, "day")
    bare = nlp(sentence.replace("15:00 GMT Saturday", "Saturday"))
    assert resolve_date(_date_ent(bare, "Saturday"), MONDAY).value == value  # type: ignore[union-attr]


@pytest.mark.model
@pytest.mark.parametrize(
    ("sentence", "expression", "value", "precision", "background"),
    [
        ("The envoy visited Kabul last summer.", "last summer", date(2020, 6, 1), "season", True),
        ("Sales in Ohio rose sharply in the last week.", "the last week", date(2021, 8, 30), "week", False),
        ("The plant in Toledo will close by the end of the year.", "the end of the year", date(2021, 12, 1),
         "month", False),
        ("The city of Dayton expects a deficit this fiscal year.", "this fiscal year", date(2021, 1, 1),
         "year", False),
        ("The town of Lodi was founded in the 20th century.", "the 20th century", date(1900, 1, 1), "century",
         True),
        ("The rebels held Herat last month.", "last month", date(2021, 8, 1), "month", True),
        ("The rebels held Herat three weeks ago.", "three weeks ago", date(2021, 8, 16), "week", False),
    ],
)
def test_periods_in_sentences(  # type: ignore[no-untyped-def]
    nlp, sentence: str, expression: str, value: date, precision: str, background: bool
) -> None:
    found = resolve_date(_date_ent(nlp(sentence), expression), MONDAY)
    assert found is not None
    assert (found.value, found.precision, found.background) == (value, precision, background)


@pytest.mark.model
def test_a_range_in_a_sentence_gives_both_ends(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp("She served as mayor of Fresno in 2009-2010.")
    found = sentence_date(next(doc.sents), MONDAY)
    assert found is not None
    assert (found.value, found.end, found.precision) == (date(2009, 1, 1), date(2010, 12, 31), "year")


@pytest.mark.model
def test_the_story_date_wins_over_a_background_aside_nearer_nothing(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "The minister, who first visited Basra in 2013, arrived in Baghdad on Sunday."
    doc = nlp(text)
    dates = DocDates(doc, MONDAY)
    near_baghdad = dates.pick(0, len(text), text.index("Baghdad"))
    near_basra = dates.pick(0, len(text), text.index("Basra"))
    assert near_baghdad is not None and near_basra is not None
    assert (near_baghdad.value, near_baghdad.background) == (date(2021, 9, 5), False)
    assert (near_basra.value, near_basra.background) == (date(2013, 1, 1), True)


@pytest.mark.model
@pytest.mark.parametrize(
    ("sentence", "expression", "value"),
    [
        # intention words are data/modality.toml's, shared with geo.modality: these point ahead
        ("The envoy has promised to visit Lagos on Thursday.", "Thursday", date(2021, 9, 9)),
        ("The rebels want to meet in Oslo on Friday.", "Friday", date(2021, 9, 10)),
        ("The minister is set to arrive in Lima on Wednesday.", "Wednesday", date(2021, 9, 8)),
        ("The envoy arrived in Lagos on Thursday.", "Thursday", date(2021, 9, 2)),
    ],
)
def test_intentions_date_ahead(nlp, sentence: str, expression: str, value: date) -> None:  # type: ignore[no-untyped-def]
    assert resolve_date(_date_ent(nlp(sentence), expression), MONDAY).value == value  # type: ignore[union-attr]


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "place", "value", "precision"),
    [
        # the date of a clause that describes a noun is that noun's aside, not the place's time
        ("The envoy thanked Norway on Tuesday for taking in refugees evacuated from Kabul last month.",
         "Norway", date(2021, 8, 31), "day"),
        ("The envoy thanked Norway on Tuesday for taking in refugees evacuated from Kabul last month.",
         "Kabul", date(2021, 8, 1), "month"),
        ("The envoy thanked Norway for taking in refugees evacuated from Kabul last month.",
         "Norway", MONDAY, "article"),
        ("The ministers met in Oslo on Friday with envoys who had flown in from Lima in June.",
         "Oslo", date(2021, 9, 3), "day"),
        ("The ministers met in Oslo on Friday with envoys who had flown in from Lima in June.",
         "Lima", date(2021, 6, 1), "month"),
        # a date that governs the place's clause, or completes it, still dates it
        ("On Sunday, officials said that troops had entered Herat.", "Herat", date(2021, 9, 5), "day"),
        ("The valley is famed for being the site of a revolt in the 1980s.", "valley", date(1980, 1, 1),
         "decade"),
    ],
)
def test_a_place_takes_the_date_of_its_own_clause(  # type: ignore[no-untyped-def]
    nlp, text: str, place: str, value: date, precision: str
) -> None:
    doc = nlp(text)
    found = DocDates(doc, MONDAY).pick(0, len(text), text.index(place))
    assert found is not None and (found.value, found.precision) == (value, precision)


@pytest.mark.model
def test_a_clause_that_describes_the_date_takes_it(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "The last soldiers left late on Monday, when a plane lifted off from Kabul's airport."
    found = DocDates(nlp(text), date(2021, 8, 31)).pick(0, len(text), text.index("Kabul"))
    assert found is not None and (found.value, found.precision) == (date(2021, 8, 30), "day")
