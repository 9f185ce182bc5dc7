"""The sentence rules that tell a place name from the same word used otherwise (geo.place_rules).

Run on blank English docs (tokens only) where a rule needs no parse; the rules that read the
parse are tested through the finder on the real model in tests/test_extract.py.
"""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from geo.models import Candidate
from geo.place_rules import (
    admin_head_after,
    admin_head_in_text,
    admin_heads,
    hyphen_partners,
    name_chains,
    only_towns,
    spans_across,
    thing_determiner,
)

NLP = spacy.blank("en")


def doc(text: str) -> Doc:
    return NLP(text)


def town(name: str, feature: str = "city") -> Candidate:
    return Candidate(name=name, lat=1.0, lon=2.0, feature=feature, country_code="AA")


def test_admin_heads_come_from_the_data_file():
    assert {"province", "district", "governorate"} <= admin_heads()
    assert not {"valley", "airport", "city"} & admin_heads()  # kinds of place, not of area


@pytest.mark.parametrize(("text", "end", "head"), [
    ("in Quill province.", len("in Quill"), "province"),
    ("in Quill district, officials said", len("in Quill"), "district"),
    ("in Quill Province.", len("in Quill"), None),  # capitalised: part of the name, not a head
    ("in Quill provincial", len("in Quill"), None),  # whole words only
    ("the Quill state dinner", len("the Quill"), None),  # "state" before a noun modifies it
    ("the Quill state, officials said", len("the Quill"), "state"),
    ("Quill, province", len("Quill"), None),
])
def test_admin_head_in_text(text, end, head):
    assert admin_head_in_text(text, end) == head


def test_admin_head_after_reads_the_next_token():
    d = doc("Hundreds died in Al Quillaz province.")
    assert admin_head_after(d, 5) == "province"
    assert admin_head_after(d, 4) is None
    assert admin_head_after(d, len(d)) is None


@pytest.mark.parametrize(("text", "start", "end", "partners"), [
    ("The Mercedes-Benz plant", 1, 2, ["Benz"]),
    ("The Mercedes-Benz plant", 3, 4, ["Mercedes"]),
    ("on the Dallas-Fort Worth road", 2, 3, ["Fort"]),
    ("Rep. Ann Lee, D-Charleston, spoke", 8, 9, []),  # a one-letter party label
    ("the Kabul-based group", 1, 2, []),  # lowercase: a modifier, not a name
    ("from Kabul - Doha", 1, 2, []),  # spaced: a dash between two names
])
def test_hyphen_partners(text, start, end, partners):
    d = doc(text)
    assert [p.text for p in hyphen_partners(d, start, end)] == partners


def test_name_chains_cross_short_lowercase_words_and_hyphens():
    d = doc("floods hit Rio Grande do Sul; later Stratford-upon-Avon, then Paris and Lyon in France.")
    names = [t.text[:1].isupper() for t in d]
    chains = [d[starts[0]:ends[-1]].text for starts, ends in name_chains(d, names)]
    # the gazetteer, not the chain, decides which spans are names: "Paris and Lyon in France" is tried
    assert chains == ["Rio Grande do Sul", "Stratford-upon-Avon", "Paris and Lyon in France"]


def test_spans_across_try_the_whole_name_first_and_never_a_part_alone():
    d = doc("Rio Grande do Sul")
    spans = [s.text for s in spans_across(d, [0, 3], [2, 4], limit=8)]
    assert spans[0] == "Rio Grande do Sul"
    assert set(spans) == {"Rio Grande do Sul", "Grande do Sul"}  # every span crosses "do"
    assert [s.text for s in spans_across(d, [0, 3], [2, 4], limit=3)] == ["Grande do Sul"]


@pytest.mark.parametrize(("found", "determiner", "words", "ruled_out"), [
    ([(town("Lincoln"), True)], "indefinite", 1, True),  # "a Lincoln"
    ([(town("Lincoln"), True), (town("Lincolnshire", "admin1"), False)], "indefinite", 1, False),
    ([(town("Sudan", "country"), True)], "definite", 1, False),  # "the Sudan"
    ([(town("The Hague"), True)], "definite", 1, False),  # the article is part of the name
    ([(town("Gold Coast"), True)], "definite", 2, False),  # "the Gold Coast" is the town's own name
    ([(town("Casablanca"), False)], "definite", 2, True),  # "the White House", a translated name
    ([], "definite", 1, False),  # unknown: nothing to say
])
def test_only_towns(found, determiner, words, ruled_out):
    assert only_towns(found, determiner, words) is ruled_out


def test_thing_determiner_needs_a_parse():
    d = doc("She sold her Toyota.")
    assert thing_determiner(d[3:4]) == ""
