"""Actors: merging rules on hand-tagged docs (fast), then the real model and the seed article."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from geo.actors import ActorIndex, extract_actors, initials, is_acronym, merge_known
from geo.models import Actor

SEED = Path(__file__).resolve().parents[1].parent / "shared" / "seed" / "panjshir-ceasefire.txt"
DEMONYMS = {"afghan", "german", "qatari", "american", "soviet"}


def demonym(word: str) -> bool:
    return word.casefold() in DEMONYMS


@pytest.fixture(scope="module")
def blank() -> Language:
    return spacy.blank("en")


def tagged(nlp: Language, text: str, ents: Sequence[tuple[str, str] | tuple[str, str, int]]) -> Doc:
    """A doc whose entities are exactly ``ents``: (substring, label[, which occurrence])."""
    doc = nlp(text)
    spans: list[Span] = []
    for item in ents:
        sub, label = item[0], item[1]
        nth = item[2] if len(item) == 3 else 0
        at = -1
        for _ in range(nth + 1):
            at = text.index(sub, at + 1)
        span = doc.char_span(at, at + len(sub), label=label)
        assert span is not None, sub
        spans.append(span)
    doc.set_ents(spans)
    return doc


def by_name(index: ActorIndex) -> dict[str, Actor]:
    return {a.name: a for a in index.actors}


def ruler_doc(text: str, patterns: list[dict]) -> Doc:
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns(patterns)
    return nlp(text)


# -- pure merging logic ------------------------------------------------------


def test_surname_joins_full_name_and_possessive_is_stripped() -> None:
    doc = ruler_doc(
        "Blinken trip to Doha. Antony Blinken arrived on Monday. Blinken's aides said Blinken would stay.",
        [
            {"label": "PERSON", "pattern": "Antony Blinken"},
            {"label": "PERSON", "pattern": [{"TEXT": "Blinken"}, {"TEXT": "'s"}]},
            {"label": "PERSON", "pattern": "Blinken"},
        ],
    )
    index = extract_actors(doc)
    assert [(a.name, a.kind, a.aliases) for a in index.actors] == [("Antony Blinken", "person", ("Blinken",))]
    assert [m.text for m in index.mentions] == ["Blinken", "Antony Blinken", "Blinken", "Blinken"]
    assert all(doc.text[m.start : m.end] == m.text for m in index.mentions)


def test_ambiguous_surname_tie_goes_to_most_recent_full_name(blank: Language) -> None:
    text = (
        "Ahmad Shah Massoud fought the Soviets. His son Ahmad Massoud leads the front. "
        "Massoud said talks failed."
    )
    doc = tagged(blank, text, [("Ahmad Shah Massoud", "PERSON"), ("Ahmad Massoud", "PERSON"),
                               ("Massoud", "PERSON", 2)])
    index = extract_actors(doc)
    assert set(by_name(index)) == {"Ahmad Shah Massoud", "Ahmad Massoud"}
    assert index.mentions[-1].actor == "Ahmad Massoud"
    assert by_name(index)["Ahmad Massoud"].aliases == ("Massoud",)


def test_ambiguous_surname_goes_to_the_person_referred_to_most(blank: Language) -> None:
    text = ("The front is led by Ahmad Massoud. Massoud, whose father Ahmad Shah Massoud fought the "
            "Soviets, called for resistance. Amrullah Saleh joined Massoud in the valley.")
    doc = tagged(blank, text, [("Ahmad Massoud", "PERSON"), ("Massoud", "PERSON", 1),
                               ("Ahmad Shah Massoud", "PERSON"), ("Massoud", "PERSON", 3),
                               ("Amrullah Saleh", "PERSON")])
    index = extract_actors(doc)
    assert [m.actor for m in index.mentions if m.text == "Massoud"] == ["Ahmad Massoud", "Ahmad Massoud"]
    assert by_name(index)["Ahmad Shah Massoud"].aliases == ()


def test_ambiguous_surname_before_any_full_name_stays_separate(blank: Language) -> None:
    text = "Massoud spoke. Ahmad Massoud leads. Ahmad Shah Massoud fought."
    doc = tagged(blank, text, [("Massoud", "PERSON"), ("Ahmad Massoud", "PERSON"),
                               ("Ahmad Shah Massoud", "PERSON")])
    assert set(by_name(extract_actors(doc))) == {"Massoud", "Ahmad Massoud", "Ahmad Shah Massoud"}


def test_acronym_learned_from_parentheses_and_leading_the_stripped(blank: Language) -> None:
    text = "The National Resistance Front (NRF) proposed a ceasefire. The NRF has vowed to fight."
    doc = tagged(blank, text, [("The National Resistance Front", "ORG"), ("NRF", "ORG"),
                               ("NRF", "ORG", 1)])
    index = extract_actors(doc)
    assert [(a.name, a.kind, a.aliases) for a in index.actors] == [
        ("National Resistance Front", "organization", ("NRF",))
    ]
    assert index.mentions[0].text == "National Resistance Front"


def test_parenthesised_acronym_that_spells_nothing_still_joins(blank: Language) -> None:
    text = "Tehrik-e Taliban Pakistan (TTP) claimed the attack. TTP fighters fled."
    doc = tagged(blank, text, [("Tehrik-e Taliban Pakistan", "ORG"), ("TTP", "ORG", 1)])
    assert [(a.name, a.aliases) for a in extract_actors(doc).actors] == [
        ("Tehrik-e Taliban Pakistan", ("TTP",))
    ]


def test_acronym_joins_by_initials_only_when_unique(blank: Language) -> None:
    doc = tagged(blank, "The UN said the United Nations would help.",
                 [("UN", "ORG"), ("United Nations", "ORG")])
    assert [(a.name, a.aliases) for a in extract_actors(doc).actors] == [("United Nations", ("UN",))]
    text = "The UN met. The United Nations and the Union of Nurses both spoke."
    doc = tagged(blank, text, [("UN", "ORG"), ("United Nations", "ORG"), ("Union of Nurses", "ORG")])
    assert set(by_name(extract_actors(doc))) == {"UN", "United Nations", "Union of Nurses"}


def test_lone_acronym_stays_as_written(blank: Language) -> None:
    doc = tagged(blank, "UN chief Martin Griffiths arrived.", [("UN", "ORG"), ("Martin Griffiths", "PERSON")])
    assert [(a.name, a.kind) for a in extract_actors(doc).actors] == [
        ("UN", "organization"), ("Martin Griffiths", "person")
    ]


def test_demonyms_attributives_and_title_tails_are_not_actors(blank: Language) -> None:
    text = ("Afghan forces and anti-Taliban fighters met the Qataris. U.S. Secretary of State "
            "Antony Blinken spoke with the Islamists.")
    doc = tagged(blank, text, [("Afghan", "NORP"), ("anti-Taliban", "ORG"), ("Qataris", "NORP"),
                               ("State", "ORG"), ("Antony Blinken", "PERSON"), ("Islamists", "NORP")])
    index = extract_actors(doc, is_demonym=demonym)
    assert [(a.name, a.kind) for a in index.actors] == [("Antony Blinken", "person"), ("Islamists", "group")]
    mistagged = tagged(blank, "Emirati officials met the Taliban.", [("Emirati", "ORG"), ("Taliban", "ORG")])
    only = extract_actors(mistagged, is_demonym=lambda w: w == "Emirati")
    assert [a.name for a in only.actors] == ["Taliban"]
    # Without the callable the demonyms are taken as groups: the rule is the caller's.
    assert "Qataris" in by_name(extract_actors(doc))


def test_title_word_before_a_name_is_not_an_actor(blank: Language) -> None:
    text = "Defense Secretary Lloyd Austin met the Pentagon press. Pentagon staff listened."
    doc = tagged(blank, text, [("Defense", "ORG"), ("Lloyd Austin", "PERSON"), ("Pentagon", "ORG"),
                               ("Pentagon", "ORG", 1)])
    assert [a.name for a in extract_actors(doc).actors] == ["Lloyd Austin", "Pentagon"]


def test_title_tail_kept_when_the_word_is_an_actor_elsewhere(blank: Language) -> None:
    text = "The President of Microsoft spoke. Microsoft said it would pay."
    doc = tagged(blank, text, [("Microsoft", "ORG"), ("Microsoft", "ORG", 1)])
    assert [a.name for a in extract_actors(doc).actors] == ["Microsoft"]


def test_excluded_spans_are_skipped(blank: Language) -> None:
    text = "The Taliban stopped operations in Panjshir."
    doc = tagged(blank, text, [("Taliban", "ORG"), ("Panjshir", "ORG")])
    at = text.index("Panjshir")
    assert [a.name for a in extract_actors(doc, exclude={(at, at + 8)}).actors] == ["Taliban"]
    assert [a.name for a in extract_actors(doc).actors] == ["Taliban", "Panjshir"]


def test_place_tagged_surname_is_reclaimed(blank: Language) -> None:
    text = "Blinken trip to Qatar. Antony Blinken was due in Qatar."
    doc = tagged(blank, text, [("Blinken", "GPE"), ("Qatar", "GPE"), ("Antony Blinken", "PERSON"),
                               ("Qatar", "GPE", 1)])
    index = extract_actors(doc, exclude={(0, 7), (16, 21)})
    assert [(a.name, a.aliases) for a in index.actors] == [("Antony Blinken", ("Blinken",))]
    assert index.reclaimed == ((0, 7),)
    assert index.in_span(0, 22) == ("Antony Blinken",)


def test_org_after_role_noun_of_a_person_is_a_person(blank: Language) -> None:
    text = "UN spokesman Stephane Dujarric spoke. The group said spokesman Fahim Dashty was killed."
    doc = tagged(blank, text, [("UN", "ORG"), ("Stephane Dujarric", "PERSON"), ("Fahim Dashty", "ORG")])
    assert by_name(extract_actors(doc))["Fahim Dashty"].kind == "person"
    # The same ORG with no such role noun elsewhere keeps spaCy's label.
    lone = tagged(blank, "The group said spokesman Fahim Dashty was killed.", [("Fahim Dashty", "ORG")])
    assert by_name(extract_actors(lone))["Fahim Dashty"].kind == "organization"


def test_kind_is_the_majority_label(blank: Language) -> None:
    text = "The Taliban took Kabul. The Taliban said the Taliban would rule."
    doc = tagged(blank, text, [("Taliban", "NORP"), ("Taliban", "ORG", 1), ("Taliban", "ORG", 2)])
    assert [(a.name, a.kind) for a in extract_actors(doc).actors] == [("Taliban", "organization")]


def test_untagged_repeats_of_accepted_names_are_found(blank: Language) -> None:
    text = "The National Resistance Front (NRF) said so. Later the NRF denied it."
    doc = tagged(blank, text, [("National Resistance Front", "ORG"), ("NRF", "ORG")])
    index = extract_actors(doc)
    assert [m.start for m in index.mentions] == [4, 31, text.rindex("NRF")]
    assert index.in_span(45, len(text)) == ("National Resistance Front",)


def test_in_span_is_ordered_and_unique(blank: Language) -> None:
    text = "Heiko Maas met Antony Blinken. Maas and Blinken spoke again."
    doc = tagged(blank, text, [("Heiko Maas", "PERSON"), ("Antony Blinken", "PERSON"), ("Maas", "PERSON", 1),
                               ("Blinken", "PERSON", 1)])
    index = extract_actors(doc)
    assert index.in_span(0, len(text)) == ("Heiko Maas", "Antony Blinken")
    assert index.in_span(31, len(text)) == ("Heiko Maas", "Antony Blinken")
    assert index.in_span(0, 10) == ("Heiko Maas",)
    assert index.in_span(0, 9) == ()
    assert index.subject_before(31) == ()  # no parser, no subjects


def test_acronym_helpers() -> None:
    assert is_acronym("NRF") and is_acronym("U.N.") and is_acronym("DoD")
    assert not is_acronym("Taliban") and not is_acronym("A") and not is_acronym("NATIONAL")
    assert "NRF" in initials("National Resistance Front")
    assert "DOD" in initials("Department of Defense")
    assert "AQAP" in initials("Al-Qaeda in the Arabian Peninsula")
    assert initials("Taliban") == set()


# -- merging with the store --------------------------------------------------


def test_merge_known_maps_onto_store_names() -> None:
    known = [
        Actor("Antony Blinken", "person", ("Blinken",)),
        Actor("United Nations", "organization"),
        Actor("National Resistance Front", "organization", ("NRF",)),
        Actor("Ahmad Massoud", "person"),
        Actor("Ahmad Shah Massoud", "person"),
        Actor("Angela Merkel", "person"),
    ]
    mine = [
        Actor("Blinken", "person"),
        Actor("UN", "organization"),
        Actor("NRF", "group"),
        Actor("Massoud", "person"),
        Actor("Merkel", "person"),
        Actor("Taliban", "organization"),
        Actor("Maas", "organization"),  # an org never meets a person
    ]
    assert merge_known(mine, known) == {
        "Blinken": "Antony Blinken",
        "UN": "United Nations",
        "NRF": "National Resistance Front",
        "Massoud": "Massoud",  # two stored full names end with it: left alone
        "Merkel": "Angela Merkel",
        "Taliban": "Taliban",
        "Maas": "Maas",
    }


def test_merge_known_expansion_meets_stored_acronym_but_full_name_never_meets_surname() -> None:
    known = [Actor("NRF", "organization"), Actor("Massoud", "person")]
    mine = [Actor("National Resistance Front", "organization"), Actor("Ahmad Shah Massoud", "person")]
    assert merge_known(mine, known) == {
        "National Resistance Front": "NRF",
        "Ahmad Shah Massoud": "Ahmad Shah Massoud",
    }
    assert merge_known(mine, []) == {a.name: a.name for a in mine}


# -- the real model ----------------------------------------------------------


@pytest.mark.model
def test_model_title_and_place_tagged_surname(nlp: Language) -> None:
    doc = nlp("U.S. Secretary of State Antony Blinken met the emir on Monday. Blinken later flew to Germany.")
    index = extract_actors(doc)
    assert [(a.name, a.kind, a.aliases) for a in index.actors] == [("Antony Blinken", "person", ("Blinken",))]


@pytest.mark.model
def test_model_place_used_as_place_is_not_reclaimed(nlp: Language) -> None:
    doc = nlp("The UN envoy met Jordan officials in Amman. Michael Jordan flew to Jordan on Friday.")
    index = extract_actors(doc)
    assert set(by_name(index)) == {"UN", "Michael Jordan"}
    assert index.reclaimed == ()


@pytest.mark.model
def test_model_parenthesised_acronym_and_adjectival_norp(nlp: Language) -> None:
    doc = nlp("The Syrian Democratic Forces (SDF) attacked. The SDF said it won. "
              "Kurdish fighters joined the SDF.")
    index = extract_actors(doc, is_demonym=lambda w: False)  # "Kurdish" goes as an adjective anyway
    assert [(a.name, a.aliases) for a in index.actors] == [("Syrian Democratic Forces", ("SDF",))]
    assert len(index.mentions) == 4


@pytest.mark.model
def test_model_pronoun_subject_carries_back(nlp: Language) -> None:
    text = ("Angela Merkel spoke in Berlin on Sunday. The city was quiet. "
            "She called for dialogue with the Taliban. They did not answer.")
    index = extract_actors(nlp(text))
    assert index.subject_before(text.index("She")) == ("Angela Merkel",)
    assert index.subject_before(text.index("They")) == ("Angela Merkel",)  # "they" takes anyone
    assert index.subject_before(text.index("The city")) == ()  # not a pronoun subject
    assert index.subject_before(0) == ()


@pytest.mark.model
@pytest.mark.skipif(not SEED.exists(), reason=f"seed article not found at {SEED}")
def test_seed_article_actors(nlp: Language) -> None:
    text = SEED.read_text(encoding="utf-8")
    doc = nlp(text)
    # As the toponym stage would: every place-tagged span, plus "Panjshir" mistagged ORG.
    exclude = {(e.start_char, e.end_char) for e in doc.ents
               if e.label_ in ("GPE", "LOC") or e.text == "Panjshir"}
    index = extract_actors(doc, exclude=exclude, is_demonym=demonym)
    actors = by_name(index)
    for name in ("Taliban", "National Resistance Front", "Ahmad Massoud", "Ahmad Shah Massoud",
                 "Amrullah Saleh", "Antony Blinken", "Martin Griffiths", "Angela Merkel", "Heiko Maas", "UN"):
        assert name in actors, name
    assert actors["National Resistance Front"].aliases == ("NRF",)
    assert actors["Antony Blinken"].aliases == ("Blinken",)
    assert actors["Fahim Dashty"].kind == "person"
    assert actors["Taliban"].kind == "organization"
    for absent in ("Panjshir", "State", "anti-Taliban", "Afghan", "German", "Qataris", "Afghans", "NRF",
                   "Blinken", "Massoud", "Soviet", "anti-Soviet"):
        assert absent not in actors, absent
    people = {a.name for a in index.actors if a.kind == "person"}
    assert people == {"Ahmad Massoud", "Ahmad Shah Massoud", "Fahim Dashty", "Abdul Wudod Zara",
                      "Bill Roggio", "Amrullah Saleh", "Martin Griffiths", "Stephane Dujarric",
                      "Antony Blinken", "Heiko Maas", "Angela Merkel"}
    he = text.index("He will also speak")
    assert index.in_span(he, text.index(".", he)) == ()
    assert index.subject_before(he) == ("Antony Blinken",)
    assert merge_known(index.actors, [Actor("United Nations", "organization")])["UN"] == "United Nations"


def test_a_facility_tagged_org_is_not_an_actor():
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "ORG", "pattern": "Al Udeid Air Base"},
                        {"label": "ORG", "pattern": "Taliban"}])
    doc = nlp("Evacuees passed through Al Udeid Air Base, and the Taliban said nothing.")
    assert {e.label_ for e in doc.ents} == {"ORG"}
    names = {a.name for a in extract_actors(doc).actors}
    assert names == {"Taliban"}


@pytest.mark.parametrize("text", [
    "Evacuees passed through Al Udeid Air Base, and the Taliban said nothing.",
    "The Taliban pulled out of Andarab district on Sunday.",
    "The Taliban pulled out of the Andarab Valley on Sunday.",
])
def test_an_org_tag_on_the_name_of_a_facility_or_area_is_not_an_actor(text: str) -> None:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    # The tagger's mistake: only the name part tagged, the facility or area word left outside.
    ruler.add_patterns([{"label": "ORG", "pattern": "Al Udeid"}, {"label": "ORG", "pattern": "Andarab"},
                        {"label": "ORG", "pattern": "Taliban"}])
    names = {a.name for a in extract_actors(nlp(text)).actors}
    assert names == {"Taliban"}
    # The same name before any other word is still an organisation.
    assert {a.name for a in extract_actors(nlp("Andarab said on Sunday that it would talk.")).actors} \
        == {"Andarab"}


def test_the_two_points_back_like_they(nlp):
    doc = nlp("Antony Blinken and Heiko Maas met on Wednesday. The two spoke from Ramstein Air Base.")
    index = extract_actors(doc)
    second = list(doc.sents)[1]
    assert set(index.subject_before(second.start_char)) == {"Antony Blinken", "Heiko Maas"}


def test_name_before_a_lowercase_administrative_head_is_no_actor(blank: Language) -> None:
    # NER tags a province's name as a person; the head word after it says it is a place.
    text = "Hundreds died in Zorbi Quel province. Nadia Zorbi visited the Quel state dinner."
    doc = tagged(blank, text, [("Zorbi Quel", "PERSON"), ("Nadia Zorbi", "PERSON"), ("Quel", "PERSON", 1)])
    assert [a.name for a in extract_actors(doc).actors] == ["Nadia Zorbi", "Quel"]


@pytest.mark.model
def test_a_surname_the_parser_reads_as_a_name_refers_back_to_the_full_name(nlp):
    """"Saleh, from Linz," untagged by NER after "Walid Saleh": a mention of him; a verb that
    happens to spell a surname ("Said the judge" after "Ali Said") is not."""
    doc = nlp("Walid Saleh was charged on Monday. Saleh, from Linz, denied it.")
    assert "Saleh" not in [e.text for e in doc.ents]  # what the rule is for
    index = extract_actors(doc)
    assert [(m.text, m.actor) for m in index.mentions if m.actor != "Linz"] == [
        ("Walid Saleh", "Walid Saleh"), ("Saleh", "Walid Saleh")]
    doc = nlp("Ali Said was charged on Monday. Said the judge: no.")
    assert [m.text for m in extract_actors(doc).mentions] == ["Ali Said"]


@pytest.mark.model
def test_model_first_names_in_a_list_of_one_family(nlp: Language) -> None:
    # the model tags one member by surname alone and misses another: each keeps a first name
    text = ("Karl Brandt died on Monday. He leaves his children, Tobiah Brandt, Quilla Brandt and "
            "Ottilie Brandt.")
    doc = tagged(nlp, text, [("Karl Brandt", "PERSON"), ("Brandt", "PERSON", 2),
                             ("Ottilie Brandt", "PERSON")])
    index = extract_actors(doc)
    assert set(by_name(index)) == {"Karl Brandt", "Tobiah Brandt", "Quilla Brandt", "Ottilie Brandt"}
    # not a word of the sentence before a surname
    doc = tagged(nlp, "Karl Brandt resigned. Said Brandt left.",
                 [("Karl Brandt", "PERSON"), ("Brandt", "PERSON", 1)])
    assert set(by_name(extract_actors(doc))) == {"Karl Brandt"}


@pytest.mark.model
def test_model_label_and_residence_are_not_part_of_a_name(nlp: Language) -> None:
    text = "He leaves a son, Hans Vogel of Linz. Sisters: Maria Lopez, Anna Weber."
    doc = tagged(nlp, text, [("Hans Vogel of Linz", "PERSON"), ("Sisters: Maria Lopez", "PERSON"),
                             ("Anna Weber", "PERSON")])
    assert set(by_name(extract_actors(doc))) == {"Hans Vogel", "Maria Lopez", "Anna Weber"}


@pytest.mark.model
def test_model_a_name_after_a_word_for_a_relative_is_a_person(nlp: Language) -> None:
    text = "He leaves a brother, Karl Brandt, and his wife, Ottilie, of Graz."
    doc = tagged(nlp, text, [("Karl Brandt", "PERSON")])
    index = extract_actors(doc)
    assert by_name(index)["Ottilie"].kind == "person"
    assert set(by_name(index)) == {"Karl Brandt", "Ottilie"}


@pytest.mark.model
def test_model_a_place_tagged_name_after_a_word_for_a_relative_is_that_person(nlp: Language) -> None:
    text = "He leaves a son, Karl Brandt, and his wife, Tonya, of Graz."
    doc = tagged(nlp, text, [("Karl Brandt", "PERSON"), ("Tonya", "GPE"), ("Graz", "GPE")])
    index = extract_actors(doc)
    assert by_name(index)["Tonya"].kind == "person"
    at = text.index("Tonya")
    assert index.reclaimed == ((at, at + len("Tonya")),)  # Graz stays a place
