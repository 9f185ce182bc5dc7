"""Toponym extraction: spaCy's place entities plus the gazetteer-backed recovery rules.

Covers ``geo.extract`` with the modules it was split into, ``geo.names`` (lookup keys, the words
around a name) and ``geo.recovery`` (the passes), through :func:`find_toponyms`; the sentence
rules of ``geo.place_rules`` are also tested alone in tests/test_place_rules.py.

Most tests run a blank English pipeline whose entities come from an entity
ruler, so each rule is tested on exactly the entities it needs. Made-up
places borrow the coordinates of a record of the tiny fixture; only their
names and populations are the test's own.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
import spacy
from spacy.tokens import Doc

from geo.extract import (
    RecoveryRules,
    clean_span,
    find_demonyms,
    find_toponyms,
    place_keys,
)
from geo.gazetteer import Gazetteer
from geo.models import Toponym

TINY = json.loads((Path(__file__).parent / "data" / "tiny_gazetteer.json").read_text(encoding="utf-8"))


def borrowed(like: str, **changes: Any) -> dict[str, Any]:
    """A record copied from the tiny fixture's ``like`` city, renamed or resized as the test needs."""
    base = next(r for r in TINY if r["name"] == like and r["feature"] == "city")
    return {**base, "geonameid": None, "names": [], **changes}


def gazetteer(*extra: Mapping[str, Any], with_tiny: bool = True) -> Gazetteer:
    return Gazetteer.from_records([*(TINY if with_tiny else []), *extra])


def parse(text: str, ents: Iterable[tuple[str, str]] = ()) -> Doc:
    """A blank English doc with sentences and exactly the entities given as (label, phrase)."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    patterns = [{"label": label, "pattern": phrase} for label, phrase in ents]
    if patterns:  # a ruler without patterns only warns
        nlp.add_pipe("entity_ruler").add_patterns(patterns)
    return nlp(text)


def found(doc: Doc, places: Gazetteer, rules: RecoveryRules | None = None) -> list[tuple[str, str]]:
    tops = find_toponyms(doc, places, rules)
    for t in tops:
        assert doc.text[t.start : t.end] == t.text  # offsets always slice the text to the name
    return [(t.text, t.label) for t in tops]


def names(doc: Doc, places: Gazetteer, rules: RecoveryRules | None = None) -> list[str]:
    return [text for text, _label in found(doc, places, rules)]


@pytest.fixture(scope="module")
def tiny() -> Gazetteer:
    return gazetteer()


# --- place-labelled entities ---------------------------------------------------------------


def test_place_entities_are_toponyms_with_their_label(tiny):
    doc = parse("Talks moved from Doha to the Panjshir Valley and Kabul Airport.",
                [("GPE", "Doha"), ("LOC", "the Panjshir Valley"), ("FAC", "Kabul Airport")])
    assert found(doc, tiny) == [("Doha", "GPE"), ("Panjshir Valley", "LOC"), ("Kabul Airport", "FAC")]


def test_place_entity_needs_no_gazetteer_entry(tiny):
    # NER's own place labels are trusted; resolution decides later whether it is known.
    doc = parse("Rain fell on Zanderport.", [("GPE", "Zanderport")])
    assert found(doc, tiny) == [("Zanderport", "GPE")]


def test_clean_span_drops_article_and_possessive():
    doc = parse("The Germany's envoy.", [("GPE", "The Germany's")])
    assert clean_span(doc.ents[0]).text == "Germany"
    doc = parse("Was it the 's ?", [("GPE", "the 's")])
    assert clean_span(doc.ents[0]) is None


def test_possessive_place_keeps_the_name_only(tiny):
    doc = parse("Germany's chancellor called.", [("GPE", "Germany's")])
    assert found(doc, tiny) == [("Germany", "GPE")]


@pytest.mark.parametrize(("label", "phrase"), [("GPE", "Panjshir province"), ("LOC", "Panjshir valley"),
                                               ("FAC", "Kabul airport")])
def test_lowercase_kind_word_is_trimmed(tiny, label, phrase):
    doc = parse(f"Fighting spread across {phrase} overnight.", [(label, phrase)])
    assert found(doc, tiny) == [(phrase.split()[0], label)]


def test_capitalised_kind_word_is_part_of_the_name(tiny):
    doc = parse("Fighting spread across Panjshir Province.", [("GPE", "Panjshir Province")])
    assert names(doc, tiny) == ["Panjshir Province"]


def test_two_word_lowercase_head_is_trimmed_whole(tiny):
    doc = parse("He flew to Ramstein air base on Monday.", [("FAC", "Ramstein air base")])
    assert names(doc, tiny) in (["Ramstein"], ["Ramstein air base"])


def test_place_entity_that_is_a_surname_is_skipped(tiny):
    doc = parse("Antony Blinken landed in Qatar. Blinken met the emir.",
                [("PERSON", "Antony Blinken"), ("GPE", "Blinken"), ("GPE", "Qatar")])
    assert names(doc, tiny) == ["Qatar"]


def test_place_entity_without_a_matching_person_is_kept(tiny):
    # The guard is about surnames of people named in this text, not one-word places in general.
    doc = parse("Antony Blinken landed in Qatar. Doha welcomed him.",
                [("PERSON", "Antony Blinken"), ("GPE", "Qatar"), ("GPE", "Doha")])
    assert names(doc, tiny) == ["Qatar", "Doha"]


def test_demonym_is_a_nationality_not_a_toponym(tiny):
    doc = parse("Afghan and German officials met in Doha.",
                [("GPE", "Afghan"), ("NORP", "German"), ("GPE", "Doha")])
    assert names(doc, tiny) == ["Doha"]
    demonyms = [(t.text, code) for t, code in find_demonyms(doc, tiny)]
    assert demonyms == [("Afghan", "AF"), ("German", "DE")]


def test_demonym_outside_entities_is_found_by_find_demonyms(tiny):
    doc = parse("The Canadian Press and a German broadcaster reported it.", [("ORG", "Canadian Press")])
    got = find_demonyms(doc, tiny)
    assert [(t.text, t.label, code) for t, code in got] == [("Canadian", "demonym", "CA"),
                                                          ("German", "demonym", "DE")]
    assert all(doc.text[t.start : t.end] == t.text for t, _c in got)


def test_demonym_is_not_scanned_even_if_a_town_shares_the_name():
    places = gazetteer(borrowed("Charikar", name="Afghan", population=200_000))
    doc = parse("Afghan officials said the road was open.")
    assert names(doc, places) == []


# --- entities of other labels that are places ------------------------------------------------


def test_org_that_is_a_province_is_reclaimed(tiny):
    doc = parse("The resistance in Panjshir said it would fight on.", [("ORG", "Panjshir")])
    assert found(doc, tiny) == [("Panjshir", "ORG>place")]


def test_org_that_is_a_large_city_is_reclaimed():
    places = gazetteer(borrowed("Charikar", name="Quillmouth", population=150_000))
    doc = parse("Officials said Quillmouth would reopen.", [("ORG", "Quillmouth")])
    assert found(doc, places) == [("Quillmouth", "ORG>place")]


def test_org_that_is_a_small_town_is_not_a_place():
    places = gazetteer(borrowed("Charikar", name="Quillmouth", population=10_000))
    doc = parse("Officials said Quillmouth would reopen.", [("ORG", "Quillmouth")])
    assert names(doc, places) == []


def test_spatial_cue_lowers_the_reclaim_threshold():
    places = gazetteer(borrowed("Charikar", name="Quillmouth", population=10_000))
    doc = parse("Officials in Quillmouth said the road would reopen.", [("ORG", "Quillmouth")])
    assert found(doc, places) == [("Quillmouth", "ORG>place")]


def test_org_between_embedded_and_reclaim_thresholds_is_not_a_place():
    places = gazetteer(borrowed("Charikar", name="Quillmouth", population=30_000))
    doc = parse("Quillmouth said its profits rose.", [("ORG", "Quillmouth")])
    assert names(doc, places) == []


def test_person_that_is_a_large_place_is_reclaimed():
    places = gazetteer(borrowed("Charikar", name="Hollowmere", population=60_000))
    doc = parse("Hollowmere hosted the summit.", [("PERSON", "Hollowmere")])
    assert found(doc, places) == [("Hollowmere", "PERSON>place")]


def test_person_that_is_a_small_place_stays_a_person():
    places = gazetteer(borrowed("Charikar", name="Hollowmere", population=40_000))
    doc = parse("Hollowmere hosted the summit.", [("PERSON", "Hollowmere")])
    assert names(doc, places) == []


def test_full_person_name_hides_the_places_inside_it(tiny):
    doc = parse("Paris Hilton visited Berlin.", [("PERSON", "Paris Hilton")])
    assert names(doc, tiny) == ["Berlin"]


def test_surname_of_a_named_person_is_not_scanned():
    places = gazetteer(borrowed("Charikar", name="Hollowmere", population=500_000))
    doc = parse("Mara Hollowmere spoke first. Later Hollowmere left for Doha.",
                [("PERSON", "Mara Hollowmere")])
    assert names(doc, places) == ["Doha"]


def test_name_embedded_in_an_org_is_found():
    places = gazetteer(borrowed("London", name="Oxford", population=150_000),
                       borrowed("Berlin", name="Police", population=150_000))
    doc = parse("The Oxford Police Department said the suspect fled.",
                [("ORG", "The Oxford Police Department")])
    assert found(doc, places) == [("Oxford", "scan")]


def test_name_embedded_in_an_org_must_be_known_as_big_enough():
    small = gazetteer(borrowed("London", name="Oxford", population=5_000))
    doc = parse("The Oxford Police Department said the suspect fled.",
                [("ORG", "The Oxford Police Department")])
    assert names(doc, small) == []


def test_embedded_threshold_is_lower_than_a_bare_scan():
    places = gazetteer(borrowed("London", name="Oxford", population=30_000))
    inside = parse("The Oxford Police Department said so.", [("ORG", "The Oxford Police Department")])
    bare = parse("Oxford officials said so.")
    assert names(inside, places) == ["Oxford"]
    assert names(bare, places) == []


def test_non_name_entities_and_calendar_words_are_not_places():
    places = gazetteer(*(borrowed("Berlin", name=word, population=900_000)
                         for word in ("August", "Monday", "Police", "Union", "University")))
    doc = parse("In August the Police Union met on Monday. University staff flew to Doha.",
                [("DATE", "August"), ("DATE", "Monday"), ("GPE", "Doha")])
    assert names(doc, places) == ["Doha"]


def test_institution_word_tagged_org_is_not_reclaimed():
    places = gazetteer(borrowed("Berlin", name="Police", population=900_000))
    doc = parse("Officials in Police said nothing.", [("ORG", "Police")])
    assert names(doc, places) == []


# --- names inside organisation names (issue 11, section 4) -----------------------------------


def test_cue_before_a_longer_name_does_not_reach_its_first_word():
    # "of Quill Cross": the cue introduces "Quill Cross", a name the gazetteer does not know;
    # "Quill" alone is then only a small town's name at the start of another name.
    places = gazetteer(borrowed("Charikar", name="Quill", population=2_000))
    assert names(parse("Volunteers of the Quill Cross Society arrived."), places) == []
    doc = parse("The Federation of Quill Cross Societies sent tents.",
                [("ORG", "The Federation of Quill Cross Societies")])
    assert names(doc, places) == []


@pytest.mark.parametrize("text", ["Volunteers of Quill arrived.", "Officials in Quill County said so.",
                                  "Officials in the Quill City Council said so."])
def test_cue_still_reaches_a_name_followed_only_by_kind_words(text):
    places = gazetteer(borrowed("Charikar", name="Quill", population=2_000))
    assert names(parse(text), places) == ["Quill"]


# --- names joined by short words or hyphens ------------------------------------------------


@pytest.fixture(scope="module")
def joined() -> Gazetteer:
    return gazetteer(
        borrowed("Charikar", name="Vale Quill", population=80_000),
        borrowed("Charikar", name="Nord", population=60_000),
        borrowed("Charikar", name="Vale Quill do Nord", population=0, feature="admin1"),
        borrowed("Charikar", name="Brack upon Tarn", population=9_000),
        borrowed("Charikar", name="Tarn", population=70_000),
        borrowed("Charikar", name="Ost-Kellin", population=6_000),
    )


@pytest.mark.parametrize(("text", "expected"), [
    ("Floods hit Vale Quill do Nord on Monday.", ["Vale Quill do Nord"]),
    ("The club plays in Brack upon Tarn.", ["Brack upon Tarn"]),
    ("Rain fell on Ost-Kellin overnight.", ["Ost-Kellin"]),
    ("Floods hit Vale Quill and Nord.", ["Vale Quill", "Nord"]),  # two names, not one
])
def test_name_across_short_lowercase_words_is_found_whole(joined, text, expected):
    assert names(parse(text), joined) == expected


def test_joined_name_wins_over_a_place_entity_on_its_part(joined):
    doc = parse("Floods hit Vale Quill do Nord on Monday.", [("GPE", "Vale Quill"), ("PERSON", "Nord")])
    assert found(doc, joined) == [("Vale Quill do Nord", "joined")]


def test_joined_name_that_ner_calls_one_person_stays_a_person():
    places = gazetteer(borrowed("Charikar", name="Mara da Quill", population=200_000))
    doc = parse("Mara da Quill sailed at dawn.", [("PERSON", "Mara da Quill")])
    assert names(doc, places) == []


def test_directions_joined_by_a_hyphen_are_no_name():
    places = gazetteer(borrowed("Charikar", name="North Western", population=0, feature="admin1"))
    assert names(parse("Rain fell in North-Western Hollowmere."), places) == []


# --- "X province": an administrative head after the name ------------------------------------


@pytest.fixture(scope="module")
def districts() -> Gazetteer:
    return gazetteer(
        borrowed("Charikar", name="Al Quillaz", population=0, feature="admin2"),
        borrowed("Charikar", name="Tarnby", population=2_000),
        borrowed("Charikar", name="Wend", population=0, feature="admin2"),
        borrowed("Charikar", name="Northern", population=0, feature="admin1"),
        with_tiny=False,
    )


@pytest.mark.parametrize(("text", "ents", "expected"), [
    # NER calls the name a person or an organisation: the head says it is an area
    ("Hundreds died in Al Quillaz province.", [("PERSON", "Al Quillaz")], [("Al Quillaz", "headed")]),
    ("Hundreds died in Al Quillaz district.", [("ORG", "Al Quillaz district")], [("Al Quillaz", "headed")]),
    # untagged: a district the gazetteer has without a population, a town below the scan threshold
    ("Hundreds died in Wend district overnight.", [], [("Wend", "scan")]),
    ("Tarnby district officials said so.", [], [("Tarnby", "scan")]),
])
def test_name_before_an_administrative_head_is_a_place(districts, text, ents, expected):
    assert found(parse(text, ents), districts) == expected


@pytest.mark.parametrize(("text", "ents"), [
    ("Hundreds died in Al Quillaz.", [("PERSON", "Al Quillaz")]),  # no head: NER's person stays
    ("Wend officials said so.", []),  # a district without the head word is not scanned
    ("Tarnby officials said so.", []),
    ("Hundreds died in the Northern province.", [("NORP", "Northern")]),  # a direction
])
def test_without_the_head_the_usual_thresholds_hold(districts, text, ents):
    assert names(parse(text, ents), districts) == []


# --- datelines --------------------------------------------------------------------------------


def test_dateline_opening_the_text_is_found(tiny):
    doc = parse("PARIS — The talks resumed on Monday.")
    assert found(doc, tiny) == [("PARIS", "dateline")]


@pytest.mark.parametrize(
    "text",
    [
        "QUILLMOUTH — Officials said the road was open.",
        "QUILLMOUTH: Officials said the road was open.",
        "QUILLMOUTH, Germany — Officials said the road was open.",
        "The first report came late.\n\nQUILLMOUTH -- Officials said the road was open.",
    ],
)
def test_dateline_accepts_any_known_place(text):
    # Even a hamlet: a dateline names where the story was filed.
    places = gazetteer(borrowed("Charikar", name="Quillmouth", population=200))
    assert ("QUILLMOUTH", "dateline") in found(parse(text), places)


def test_capitals_inside_a_sentence_are_no_dateline():
    places = gazetteer(borrowed("Charikar", name="Quillmouth", population=200))
    assert names(parse("Officials said QUILLMOUTH — and nobody else — was ready."), places) == []


def test_dateline_needs_a_mark_after_the_name():
    places = gazetteer(borrowed("Charikar", name="Quillmouth", population=200))
    assert names(parse("QUILLMOUTH officials said the road was open."), places) == []


def test_datelines_can_be_switched_off():
    places = gazetteer(borrowed("Charikar", name="Quillmouth", population=200))
    doc = parse("QUILLMOUTH — Officials said the road was open.")
    assert names(doc, places, RecoveryRules(datelines=False)) == []


# --- capitalised runs outside entities ------------------------------------------------------


@pytest.fixture(scope="module")
def towns() -> Gazetteer:
    return gazetteer(
        borrowed("Charikar", name="Hollowmere", population=60_000),
        borrowed("Charikar", name="Brackenfold", population=40_000),
        borrowed("Charikar", name="Dunmarrow Heath", population=6_000),
        borrowed("Charikar", name="Fenwick", population=6_000),
        borrowed("Charikar", name="Tarnby", population=2_000),
        borrowed("Charikar", name="Wychcombe", population=500),
        with_tiny=False,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hollowmere officials met at noon.", ["Hollowmere"]),  # one word, >= 50k
        ("Brackenfold officials met at noon.", []),  # one word, < 50k
        ("Dunmarrow Heath officials met at noon.", ["Dunmarrow Heath"]),  # several words, >= 5k
        ("Fenwick officials met at noon.", []),  # one word at the same 6k
        ("Officials met in Tarnby at noon.", ["Tarnby"]),  # after a cue, >= 1k
        ("Troops camped near the Tarnby road.", ["Tarnby"]),  # the cue reaches over "the"
        ("Tarnby officials met at noon.", []),  # same town, no cue
        ("Officials met in Wychcombe at noon.", []),  # after a cue, but < 1k
        ("officials met in tarnby at noon.", []),  # only capitalised words are names
    ],
)
def test_scan_thresholds(towns, text, expected):
    doc = parse(text)
    assert names(doc, towns) == expected
    assert all(label == "scan" for _t, label in found(doc, towns))


def test_scan_thresholds_are_settings(towns):
    doc = parse("Brackenfold officials met at noon.")
    assert names(doc, towns, RecoveryRules(scan_city_population=30_000)) == ["Brackenfold"]


def test_scan_can_be_switched_off(towns):
    assert names(parse("Hollowmere officials met at noon."), towns, RecoveryRules(scan=False)) == []


def test_scan_prefers_the_longest_known_run():
    places = gazetteer(borrowed("Charikar", name="Dunmarrow", population=60_000),
                       borrowed("Charikar", name="Dunmarrow Heath", population=60_000))
    assert names(parse("Dunmarrow Heath officials met."), places) == ["Dunmarrow Heath"]


@pytest.mark.parametrize(("text", "expected"), [
    ("Officials in the U.S. said so.", "U.S."),
    ("US troops left at dawn.", "US"),
])
def test_abbreviations_are_scanned(tiny, text, expected):
    assert found(parse(text), tiny) == [(expected, "scan")]


def test_capitalised_stop_word_is_not_a_name():
    # "The" and "It" open sentences in capitals; towns of those names exist, but not in running text.
    places = gazetteer(*(borrowed("Berlin", name=word, population=900_000) for word in ("The", "It")))
    assert names(parse("The talks ended. It was over."), places) == []


def test_toponyms_are_sorted_and_disjoint(tiny):
    text = ("KABUL — Antony Blinken flew from Doha to Germany. Blinken then met "
            "Panjshir elders in Charikar, and US officials stayed in Kabul province.")
    doc = parse(text, [("PERSON", "Antony Blinken"), ("GPE", "Blinken"), ("GPE", "Doha"),
                       ("GPE", "Germany"), ("ORG", "Panjshir"), ("GPE", "Kabul province")])
    tops: list[Toponym] = find_toponyms(doc, tiny)
    assert [t.text for t in tops] == ["KABUL", "Doha", "Germany", "Panjshir", "Charikar", "US", "Kabul"]
    assert all(a.end <= b.start for a, b in itertools.pairwise(tops))


# --- lookup keys ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("Kabul", ["Kabul"]),
        ("the Panjshir Valley", ["Panjshir Valley", "Panjshir"]),
        ("Kabul province", ["Kabul province", "Kabul"]),
        ("Ramstein Air Base", ["Ramstein Air Base", "Ramstein"]),
        ("City of London", ["City of London", "London"]),
        ("Germany's", ["Germany"]),
        ("Valley", ["Valley"]),  # a head alone is not stripped to nothing
    ],
)
def test_place_keys(text, keys):
    assert place_keys(text) == keys


def test_place_keys_can_keep_generic_heads():
    assert place_keys("the Panjshir Valley", strip_generic_heads=False) == ["Panjshir Valley"]


# --- the real model ------------------------------------------------------------------------


def _real(nlp, places: Gazetteer, text: str) -> Sequence[str]:
    return [t.text for t in find_toponyms(nlp(text), places)]


@pytest.mark.model
def test_real_model_places_and_offsets(nlp, tiny):
    text = "Kabul fell to the Taliban on Sunday. Fighters were seen in Charikar, north of Kabul."
    doc = nlp(text)
    tops = find_toponyms(doc, tiny)
    assert [t.text for t in tops] == ["Kabul", "Charikar", "Kabul"]
    assert all(text[t.start : t.end] == t.text for t in tops)


@pytest.mark.model
def test_real_model_mislabelled_province_is_reclaimed(nlp, tiny):
    assert _real(nlp, tiny, "The resistance in Panjshir said it would keep fighting the Taliban.") == [
        "Panjshir"]


@pytest.mark.model
def test_real_model_demonyms_and_dateline(nlp, tiny):
    doc = nlp("PARIS — French and German police said on Monday that they had met.")
    assert [t.text for t in find_toponyms(doc, tiny)] == ["PARIS"]
    assert [code for _t, code in find_demonyms(doc, tiny)] == ["FR", "DE"]


@pytest.mark.model
@pytest.mark.gazetteer
def test_real_gazetteer_province_head_is_trimmed(nlp, real_gazetteer):
    assert _real(nlp, real_gazetteer, "Floods hit Sichuan province on Monday.") == ["Sichuan"]


@pytest.mark.model
@pytest.mark.gazetteer
def test_real_gazetteer_embedded_city(nlp, real_gazetteer):
    assert _real(nlp, real_gazetteer, "The Oxford Police Department said the suspect fled.") == ["Oxford"]


@pytest.mark.model
@pytest.mark.gazetteer
def test_real_taliban_after_to_is_not_a_place(nlp, real_gazetteer):
    assert "Taliban" not in _real(nlp, real_gazetteer, "Berlin would keep talking to the Taliban.")


@pytest.mark.model
@pytest.mark.gazetteer
def test_real_military_rank_is_not_a_place(nlp, real_gazetteer):
    text = "The Pentagon published a picture of Major General Chris Donahue."
    assert "Major" not in _real(nlp, real_gazetteer, text)


@pytest.mark.model
@pytest.mark.gazetteer
def test_real_sentence_initial_verb_is_not_a_place(nlp, real_gazetteer):
    assert _real(nlp, real_gazetteer, "Reading the report, officials said the plan had failed.") == []


# -- ingest and the tests read text with one pipeline (issue 11) --------------------------------------


@pytest.mark.model
@pytest.mark.gazetteer
def test_ingest_and_the_tests_load_the_same_pipeline(nlp) -> None:  # type: ignore[no-untyped-def]
    """The pipeline ingest builds (Pipeline.from_settings) is the one the tests use, component for
    component and setting for setting; the lemmatizer, which the tense rules read, among them."""
    from geo.config import Settings
    from geo.pipeline import Pipeline

    production = Pipeline.from_settings(Settings()).nlp
    assert production.pipe_names == nlp.pipe_names
    assert "lemmatizer" in production.pipe_names
    assert production.config.to_str() == nlp.config.to_str()
    assert [t.lemma_ for t in production("She is due to travel.")][2] == "due"


def test_no_test_loads_spacy_its_own_way() -> None:
    """A test with its own spacy.load() could pass on a pipeline ingest never runs."""
    from tests.conftest import TESTS

    offenders = [p.name for p in TESTS.rglob("*.py")
                 if p.name != "conftest.py" and "spacy.load(" in p.read_text(encoding="utf-8")
                 and p.name != "test_extract.py"]
    assert offenders == []


@pytest.mark.model
@pytest.mark.gazetteer
def test_a_trip_due_on_wednesday_is_dated_ahead_through_ingest(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Published on a Tuesday, "is due to travel ... on Wednesday" is the next day, as ingest dates it."""
    from datetime import date

    from geo.config import Settings
    from geo.pipeline import Pipeline, ingest
    from geo.readers import article_from_text
    from geo.store import Store

    article = article_from_text("The minister is due to travel to Paris on Wednesday for talks.",
                                published="2021-09-07")
    with Store(f"sqlite:///{tmp_path / 's.sqlite'}") as store:
        ingest([article], Pipeline.from_settings(Settings()), store)
        paris = [e for e in store.events() if e.place_name == "Paris"]
    assert [e.date for e in paris] == [date(2021, 9, 8)]


@pytest.mark.model
@pytest.mark.gazetteer
@pytest.mark.parametrize(("text", "absent"), [
    ("The International Federation of Red Cross and Red Crescent Societies sent tents.", "Red"),
    ("The Brotherhood of Friendly Hands met on Monday.", "Friendly"),
])
def test_real_model_word_inside_an_organisation_name_is_no_place(nlp, real_gazetteer, text, absent):
    assert absent not in _real(nlp, real_gazetteer, text)


@pytest.mark.model
@pytest.mark.gazetteer
@pytest.mark.parametrize(("text", "whole"), [
    ("Floods hit Rio Grande do Sul on Tuesday.", "Rio Grande do Sul"),
    ("He was born in Mato Grosso do Sul.", "Mato Grosso do Sul"),
    ("The club is based in Newcastle upon Tyne.", "Newcastle upon Tyne"),
    ("Prices rose in Santa Cruz de la Sierra.", "Santa Cruz de la Sierra"),
    ("Police in Stratford-upon-Avon arrested a man.", "Stratford-upon-Avon"),
])
def test_real_model_split_names_are_found_whole(nlp, real_gazetteer, text, whole):
    assert _real(nlp, real_gazetteer, text) == [whole]


@pytest.mark.model
@pytest.mark.gazetteer
@pytest.mark.parametrize(("text", "expected"), [
    # a car or a planet: the name heads a noun phrase with an article or a possessive
    ("She sold her Toyota to a dealer in Leeds.", ["Leeds"]),
    ("Police found the Toyota near Oxford.", ["Oxford"]),
    ("He parked his Lincoln outside the bank.", []),
    ("A Lincoln was found burned out near Leeds.", ["Leeds"]),
    ("He drove the Lincoln to Leeds.", ["Leeds"]),
    ("The Earth is warming faster than expected.", []),
    # a part of a hyphenated name
    ("The Mercedes-Benz plant in Alabama will close.", ["Alabama"]),
])
def test_real_model_things_named_like_towns_are_no_places(nlp, real_gazetteer, text, expected):
    assert _real(nlp, real_gazetteer, text) == expected


@pytest.mark.model
@pytest.mark.gazetteer
@pytest.mark.parametrize(("text", "expected"), [
    # the article belongs to another noun, or the name carries it, or an area takes it
    ("A Chicago native, she lives in the Kabul area.", ["Chicago", "Kabul"]),
    ("He flew to the Hague.", ["Hague"]),
    ("Thousands fled the Sudan.", ["Sudan"]),
    # hyphens between places, or after a party letter
    ("Talks on the Israel-Gaza ceasefire and the Dallas-Fort Worth airport.",
     ["Israel", "Gaza", "Dallas", "Fort Worth"]),
    ("Rep. Ann Lee, D-Charleston, spoke.", ["Charleston"]),
])
def test_real_model_places_with_articles_and_hyphens_stay_places(nlp, real_gazetteer, text, expected):
    assert _real(nlp, real_gazetteer, text) == expected
