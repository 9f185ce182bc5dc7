"""Modality: whether a clause reports, plans or denies its act, on sentences of our own."""

from __future__ import annotations

import pytest

from geo.clauses import describe

pytestmark = pytest.mark.model


def _modality(nlp, sentence: str, place: str) -> str:  # type: ignore[no-untyped-def]
    doc = nlp(sentence)
    start = sentence.index(place)
    span = doc.char_span(start, start + len(place), alignment_mode="expand")
    assert span is not None
    return describe(span).modality


@pytest.mark.parametrize(
    ("sentence", "place"),
    [
        ("The prime minister will fly to Warsaw on Thursday.", "Warsaw"),
        ("The prime minister is due to travel to Warsaw.", "Warsaw"),
        ("The prime minister plans to visit Warsaw.", "Warsaw"),
        ("The prime minister is expected to arrive in Warsaw.", "Warsaw"),
        ("The prime minister is scheduled to speak in Warsaw.", "Warsaw"),
        ("The prime minister is to visit Warsaw.", "Warsaw"),
        ("The prime minister is going to travel to Warsaw.", "Warsaw"),
        ("The prime minister travels to Warsaw next week.", "Warsaw"),
        ("The prime minister flies to Warsaw tomorrow.", "Warsaw"),
        ("The prime minister said he would visit Warsaw.", "Warsaw"),
        ("Talks may resume in Warsaw.", "Warsaw"),
        ("The summit is scheduled for Friday in Warsaw.", "Warsaw"),
        # the second verb shares the first one's "will"
        ("The prime minister will fly to Warsaw and meet the president in Krakow.", "Krakow"),
    ],
)
def test_planned(nlp, sentence: str, place: str) -> None:  # type: ignore[no-untyped-def]
    assert _modality(nlp, sentence, place) == "planned"


@pytest.mark.parametrize(
    ("sentence", "place"),
    [
        ("The prime minister did not travel to Warsaw.", "Warsaw"),
        ("The prime minister didn't travel to Warsaw.", "Warsaw"),
        ("The prime minister never visited Warsaw.", "Warsaw"),
        ("The prime minister will not travel to Warsaw.", "Warsaw"),  # a denial wins over a plan
        ("The prime minister refused to travel to Warsaw.", "Warsaw"),
        ("The prime minister failed to reach Warsaw.", "Warsaw"),
        ("The prime minister was unable to attend the summit in Warsaw.", "Warsaw"),
        ("The prime minister is not expected to meet the rebels in Warsaw.", "Warsaw"),
        ("The prime minister said he had no plans to visit Warsaw.", "Warsaw"),
        ("The prime minister cancelled a trip to Warsaw.", "Warsaw"),
        ("Nobody was hurt in the fire in Warsaw.", "Warsaw"),
        ("No injuries were reported in Warsaw.", "Warsaw"),
    ],
)
def test_negated(nlp, sentence: str, place: str) -> None:  # type: ignore[no-untyped-def]
    assert _modality(nlp, sentence, place) == "negated"


@pytest.mark.parametrize(
    ("sentence", "place"),
    [
        ("The prime minister flew to Warsaw on Thursday.", "Warsaw"),
        ("The prime minister went to visit Warsaw.", "Warsaw"),  # "went to": a journey, not "going to"
        ("The prime minister has arrived in Warsaw.", "Warsaw"),
        ("The prime minister flew to Warsaw last week.", "Warsaw"),
        ("Officials said the prime minister did not know that troops had entered Warsaw.", "Warsaw"),
        ("Infections in Warsaw declined sharply.", "Warsaw"),  # "decline" denies nothing here
        ("The quartet performed Rhapsody No. 2 in Warsaw.", "Warsaw"),  # "No." is no negation
    ],
)
def test_reported(nlp, sentence: str, place: str) -> None:  # type: ignore[no-untyped-def]
    assert _modality(nlp, sentence, place) == "reported"


def test_the_seed_article_blinken_sentences(nlp, seed_text: str) -> None:  # type: ignore[no-untyped-def]
    doc = nlp(seed_text)

    def clause(needle: str, place: str):  # type: ignore[no-untyped-def]
        start = seed_text.index(place, seed_text.index(needle))
        return describe(doc.char_span(start, start + len(place), alignment_mode="expand"))

    flew = clause("as the top U.S. diplomat flew to Qatar", "Qatar")
    assert (flew.predicate, flew.event_type, flew.modality) == ("fly to", "travel", "reported")
    due = clause("Antony Blinken was due on Monday in Qatar", "Qatar")
    assert (due.event_type, due.modality) == ("travel", "planned")
    head = clause("Blinken will then head on Wednesday", "Ramstein")
    assert (head.predicate, head.event_type, head.modality) == ("head to", "travel", "planned")
