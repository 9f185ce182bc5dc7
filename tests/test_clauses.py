"""The "what" of an event: predicate and event type from the real parse, on sentences of our own."""

from __future__ import annotations

import pytest

from geo.clauses import Clause, describe, type_of_predicate
from geo.lexicon import load_taxonomy

pytestmark = pytest.mark.model


def _at(nlp, sentence: str, place: str | None = None) -> Clause:  # type: ignore[no-untyped-def]
    """``describe`` for ``place`` in ``sentence``, or for the whole sentence (an event without a place)."""
    doc = nlp(sentence)
    if place is None:
        return describe(doc[:])
    start = sentence.index(place)
    span = doc.char_span(start, start + len(place), alignment_mode="expand")
    assert span is not None
    return describe(span)


@pytest.mark.parametrize(
    ("sentence", "place", "predicate"),
    [
        ("The envoy flew to Lisbon on Monday.", "Lisbon", "fly to"),
        ("The delegation flew from Oslo to Rome.", "Oslo", "fly from"),
        ("The delegation flew from Oslo to Rome.", "Rome", "fly to"),
        ("Thousands fled from Mosul.", "Mosul", "flee from"),
        ("The minister returned to Dakar.", "Dakar", "return to"),
        ("Rebels captured Goma.", "Goma", "capture"),
        ("The rebels met with the envoy in Nairobi.", "Nairobi", "meet with"),
        ("The militia pulled out of Sirte.", "Sirte", "pull out of"),
        ("The town of Kunduz fell to the insurgents.", "Kunduz", "fall to"),
        ("The two sides held talks in Geneva.", "Geneva", "hold talks"),
        ("Gunmen opened fire on a bus in Peshawar.", "Peshawar", "open fire on"),
        ("The president is due in Accra on Friday.", "Accra", "be due in"),
        ("The crowd in Lima demanded his resignation.", "Lima", "demand"),
        ("The warehouse caught fire in Lagos.", "Lagos", "catch fire"),
        ("The rebels must stop their operations in Tigray.", "Tigray", "stop"),  # not "stop in": an object
    ],
)
def test_predicate_is_the_governing_verb_phrase(nlp, sentence: str, place: str, predicate: str) -> None:  # type: ignore[no-untyped-def]
    assert _at(nlp, sentence, place).predicate == predicate


def test_predicate_of_an_event_without_a_place(nlp) -> None:  # type: ignore[no-untyped-def]
    clause = _at(nlp, "The chancellor called for dialogue with the rebels.")
    assert (clause.predicate, clause.event_type, clause.modality) == ("call for", "statement", "reported")
    clause = _at(nlp, "The chancellor on Sunday called for dialogue.")  # "on Sunday" makes no "call on"
    assert (clause.predicate, clause.event_type) == ("call for", "statement")
    clause = _at(nlp, "The king declared three days of national mourning.")
    assert (clause.predicate, clause.event_type) == ("declare", "statement")


@pytest.mark.parametrize(
    ("sentence", "place", "event_type"),
    [
        ("The foreign minister visited Hanoi last week.", "Hanoi", "travel"),
        ("The envoy arrived in Kigali on Sunday.", "Kigali", "travel"),
        ("The two leaders met in Helsinki.", "Helsinki", "meeting"),
        ("Both sides signed a ceasefire in Addis Ababa.", "Addis Ababa", "meeting"),
        ("The governor said in Austin that the plan had failed.", "Austin", "statement"),
        ("Officials in Manila urged residents to stay indoors.", "Manila", "statement"),
        ("Militants attacked a checkpoint near Kandahar.", "Kandahar", "attack"),
        ("Troops clashed with rebels outside Bamako.", "Bamako", "attack"),
        ("Government forces recaptured Palmyra.", "Palmyra", "seizure"),
        ("The army deployed tanks to Donetsk.", "Donetsk", "seizure"),
        ("Thousands protested in Minsk against the result.", "Minsk", "protest"),
        ("Farmers marched through Delhi.", "Delhi", "protest"),
        ("Helicopters evacuated villagers from Tacloban.", "Tacloban", "aid"),
        ("Volunteers delivered food to Aleppo.", "Aleppo", "aid"),
        ("Police arrested three men in Leeds.", "Leeds", "arrest"),
        ("A court in Ankara sentenced the journalist to five years.", "Ankara", "arrest"),
        ("A tanker capsized off Mumbai.", "Mumbai", "disaster"),
        ("Floods swept through Dhaka, and the river burst its banks.", "Dhaka", "disaster"),
        ("The company opened a new office in Leeds.", "Leeds", "other"),
        ("She was born in Perth.", "Perth", "other"),
    ],
)
def test_event_types(nlp, sentence: str, place: str, event_type: str) -> None:  # type: ignore[no-untyped-def]
    assert _at(nlp, sentence, place).event_type == event_type


@pytest.mark.parametrize(
    ("sentence", "place", "event_type"),
    [
        # the place hangs on an event noun: the noun says what happened there
        ("Officials called the earthquake in Haiti the worst in decades.", "Haiti", "disaster"),
        ("Reporters covered the protests in Minsk.", "Minsk", "protest"),
        ("The talks in Doha ended without a deal.", "Doha", "meeting"),
        ("He condemned the attack on Kabul.", "Kabul", "attack"),
        ("She cancelled a trip to Kabul.", "Kabul", "travel"),
        # a verb whose type depends on its clause
        ("Two people were killed in a crash near Reno.", "Reno", "disaster"),
        ("Gunmen killed two people in Reno.", "Reno", "attack"),
        ("A storm hit Galveston on Monday.", "Galveston", "disaster"),
        ("Health officials in Ohio reported an outbreak of measles.", "Ohio", "disaster"),
        ("Fighting broke out in Tripoli.", "Tripoli", "attack"),
        ("A fire broke out in Tripoli.", "Tripoli", "disaster"),
        # a word of a name is not an event: "Fire" in a department's name
        ("The Ogden Fire Department said the road was closed.", "Ogden", "statement"),
    ],
)
def test_event_nouns_and_context(nlp, sentence: str, place: str, event_type: str) -> None:  # type: ignore[no-untyped-def]
    assert _at(nlp, sentence, place).event_type == event_type


def test_every_type_the_rules_give_is_in_the_taxonomy(nlp) -> None:  # type: ignore[no-untyped-def]
    ids = set(load_taxonomy().ids)
    doc = nlp("Rebels seized the town, police arrested the mayor and crowds protested in the square.")
    for token in doc:
        assert describe(doc[token.i : token.i + 1]).event_type in ids


def test_a_headline_without_a_verb_is_other_unless_an_event_noun_says(nlp) -> None:  # type: ignore[no-untyped-def]
    assert _at(nlp, "Storm damage in Tulsa.", "Tulsa").event_type == "disaster"
    assert _at(nlp, "Schools: Lincoln Elementary, Tulsa.", "Tulsa") == Clause("", "other", "reported")
    assert _at(nlp, "Protests in Tehran.").event_type == "protest"  # an event without a place, no verb


@pytest.mark.parametrize(
    ("predicate", "event_type"),
    [("fly to", "travel"), ("call for", "statement"), ("take over", "seizure"), ("capture", "seizure"),
     ("meet with", "meeting"), ("swim", "other"), ("", "other")],
)
def test_type_of_predicate(predicate: str, event_type: str) -> None:
    assert type_of_predicate(predicate) == event_type


def test_a_noun_listed_beside_the_place_s_noun_does_not_type_it(nlp) -> None:  # type: ignore[no-untyped-def]
    clause = _at(nlp, "The ministers discussed terrorism and the reopening of Kabul's airport.", "Kabul")
    assert clause.event_type == "meeting"  # "discuss", not the attack "terrorism" would say
