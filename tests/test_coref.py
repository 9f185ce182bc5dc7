"""References within an article (geo.coref) on texts of our own, with the real spaCy pipeline."""

from __future__ import annotations

import pytest

from geo.actors import extract_actors
from geo.coref import References, resolve_references


def refs_of(nlp, text: str) -> tuple[object, References]:
    doc = nlp(text)
    return doc, resolve_references(doc, extract_actors(doc))


def refers(nlp, text: str, word: str, nth: int = 0) -> tuple[str, ...]:
    """What the ``nth`` token spelled ``word`` stands for."""
    doc, refs = refs_of(nlp, text)
    tokens = [t for t in doc if t.text == word]
    return refs.actors(tokens[nth].i)


@pytest.mark.model
@pytest.mark.parametrize(("text", "word", "expected"), [
    # a pronoun subject: the subject before it, in its sentence or the ones before
    ("Karl Brandt resigned on Monday. He flew to Vienna on Tuesday.", "He", ("Karl Brandt",)),
    ("Angela Merkel spoke on Sunday. \"We must talk,\" she told reporters.", "she", ("Angela Merkel",)),
    ("Karl Brandt said he would resign.", "he", ("Karl Brandt",)),
    ("Karl Brandt resigned. The weather was bad. It rained. He left.", "He", ("Karl Brandt",)),
    # owners
    ("Karl Brandt resigned on Monday. His home is for sale.", "His", ("Karl Brandt",)),
    # an organisation: "it" one sentence back, group nouns further
    ("The Alpine Bank cut its rates. It opened an office in Graz.", "It", ("Alpine Bank",)),
    ("The Alpine Bank cut its rates on Monday. The bank opened an office in Graz.", "bank", ("Alpine Bank",)),
    # plural: a group, or two people or more
    ("The Taliban said on Monday that they had entered Kabul.", "they", ("Taliban",)),
    ("Karl Brandt and Maria Lopez met on Monday. The two later flew to Vienna.", "two",
     ("Karl Brandt", "Maria Lopez")),
    # a described person: only the one introduced with that word
    ("Foreign Minister Karl Brandt met Maria Lopez. The minister later flew to Vienna.", "minister",
     ("Karl Brandt",)),
    ("Police arrested Karl Brandt, the suspect in the case, on Monday. The suspect was taken to Vienna.",
     "suspect", ("Karl Brandt",)),  # the first "suspect" is his own apposition
    ("The National Resistance Front rejected the claim on Monday. The group said its fighters held out.",
     "group", ("National Resistance Front",)),
])
def test_references_resolve_within_the_article(nlp, text, word, expected):
    assert refers(nlp, text, word) == expected


@pytest.mark.model
@pytest.mark.parametrize(("text", "word"), [
    # a description nobody was introduced with
    ("Karl Brandt met Maria Lopez on Monday. The suspect later flew to Vienna.", "suspect"),
    # "it" is most often a thing: never further than one sentence, never to a person
    ("The Alpine Bank cut its rates. The weather was bad. It rained.", "It"),
    ("Karl Brandt resigned on Monday. It was raining.", "It"),
    # an object pronoun holds no place and seldom means the subject before it
    ("Karl Brandt said police were worried about her.", "her"),
    # someone else's representative
    ("The Taliban said on Monday that they had won. The Taliban spokesman flew to Doha.", "spokesman"),
    # a pronoun with nobody before it
    ("He flew to Vienna on Tuesday.", "He"),
])
def test_references_that_stay_unresolved(nlp, text, word):
    assert refers(nlp, text, word) == ()


@pytest.mark.model
def test_the_suspect_is_the_one_introduced_as_the_suspect(nlp):
    text = "Police arrested Karl Brandt, the suspect in the case, on Monday. The suspect was taken to Vienna."
    assert refers(nlp, text, "suspect", nth=1) == ("Karl Brandt",)


@pytest.mark.model
def test_she_never_means_a_man_the_text_has_shown(nlp):
    text = "Mr. Karl Brandt met the board on Monday. She flew to Vienna on Tuesday."
    assert refers(nlp, text, "She") == ()
    text = "Karl Brandt met the board on Monday. He said so. Maria Lopez arrived. Later she left."
    assert refers(nlp, text, "she") == ("Maria Lopez",)


@pytest.mark.model
def test_he_means_the_one_the_article_names_most(nlp):
    text = ("Karl Brandt won the race. Brandt was happy. Brandt and Hans Vogel shared the podium. "
            "He thanked the team.")
    assert refers(nlp, text, "He") == ("Karl Brandt",)


@pytest.mark.model
def test_a_paragraph_opening_pronoun_looks_to_the_paragraph_before(nlp):
    text = ("Karl Brandt, 70, of Graz died on Monday. The funeral is on Friday. "
            "Father Hans Vogel will lead the service.\n\nHe was born in Linz.")
    assert refers(nlp, text, "He") == ("Karl Brandt",)


@pytest.mark.model
def test_names_stand_for_their_actor_on_every_token(nlp):
    doc, refs = refs_of(nlp, "Karl Brandt met the Alpine Bank.")
    assert [refs.actors(t.i) for t in doc][:2] == [("Karl Brandt",), ("Karl Brandt",)]
    assert refs.kinds["Karl Brandt"] == "person"
