"""Toponym resolution: each ranking term, the context an article gives, overrides, confidence.

Made-up places (with made-up codes and coordinates) isolate one ranking term
at a time; the tiny fixture checks the same rules on real names.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pytest

from geo.models import Candidate, Place, Toponym
from geo.resolve import Context, RankWeights, Resolver

NO_CONTEXT = Context(countries={}, admin1s={})


def cand(name: str, feature: str = "city", cc: str = "AA", admin1: str = "01", population: int = 0,
         gid: int | None = None, lat: float = 10.0, lon: float = 20.0) -> Candidate:
    return Candidate(name=name, lat=lat, lon=lon, feature=feature, country_code=cc, admin1_code=admin1,
                     population=population, geonameid=gid)


def source(*cands: Candidate):
    """A candidate source over made-up entries, matched on the name ignoring case."""
    def lookup(name: str) -> list[Candidate]:
        return [c for c in cands if c.name.casefold() == name.casefold()]
    return lookup


def mentions(text: str, *names: str, label: str = "GPE") -> list[Toponym]:
    """Toponyms for each name, found left to right in the text."""
    out, pos = [], 0
    for name in names:
        start = text.index(name, pos)
        out.append(Toponym(name, start, start + len(name), label))
        pos = start + len(name)
    return out


def resolve(resolver: Resolver, text: str, *names: str, label: str = "GPE",
            nationalities: Sequence[str] = ()) -> list[Place | None]:
    return resolver.resolve(mentions(text, *names, label=label), text=text, nationalities=nationalities)


@pytest.fixture(scope="module")
def tiny_resolver(tiny_gazetteer) -> Resolver:
    return Resolver(tiny_gazetteer.lookup, is_primary=tiny_gazetteer.is_primary,
                    is_capital=tiny_gazetteer.is_capital)


# --- single ranking terms -----------------------------------------------------------------------


def test_larger_population_wins():
    small = cand("Millbrook", gid=1, population=5_000)
    big = cand("Millbrook", gid=2, cc="BB", population=80_000)
    ranked = Resolver(source(small, big)).rank("Millbrook", [small, big], NO_CONTEXT)
    assert [c.geonameid for c in ranked] == [2, 1]
    assert ranked[0].score - ranked[1].score == pytest.approx(math.log10(16), abs=1e-3)


def test_country_beats_a_larger_city_of_the_same_name():
    country = cand("Ruritania", feature="country", cc="RR", admin1="", population=1_000_000, gid=1)
    city = cand("Ruritania", cc="BB", population=5_000_000, gid=2)
    (place,) = resolve(Resolver(source(country, city)), "Ruritania voted.", "Ruritania")
    assert (place.geonameid, place.precision, place.feature) == (1, "country", "country")


def test_context_country_picks_the_city_in_it():
    here = cand("Millbrook", cc="AA", population=50_000, gid=1)
    there = cand("Millbrook", cc="BB", population=100_000, gid=2)
    aland = cand("Aland", feature="country", cc="AA", admin1="", population=3_000_000, gid=3)
    resolver = Resolver(source(here, there, aland))
    assert resolve(resolver, "Millbrook voted.", "Millbrook")[0].geonameid == 2
    places = resolve(resolver, "Millbrook voted, the first town in Aland to do so.", "Millbrook", "Aland")
    assert [p.geonameid for p in places] == [1, 3]


def test_nationality_words_count_as_context():
    here = cand("Millbrook", cc="AA", population=50_000, gid=1)
    there = cand("Millbrook", cc="BB", population=100_000, gid=2)
    resolver = Resolver(source(here, there))
    assert resolve(resolver, "Millbrook voted.", "Millbrook", nationalities=["AA"])[0].geonameid == 1


def test_ambiguous_names_give_no_context():
    here = cand("Millbrook", cc="AA", population=50_000, gid=1)
    there = cand("Millbrook", cc="BB", population=100_000, gid=2)
    # "Twin" is as big in AA as in BB: it says nothing about which country the story is in.
    twins = [cand("Twin", cc="AA", population=70_000, gid=3), cand("Twin", cc="BB", population=60_000, gid=4)]
    resolver = Resolver(source(here, there, *twins), weights=RankWeights(in_context_country=10.0))
    places = resolve(resolver, "Millbrook and Twin voted.", "Millbrook", "Twin")
    assert places[0].geonameid == 2


def test_context_province_picks_the_city_in_it():
    east = cand("Hollow", admin1="01", population=100_000, gid=1)
    west = cand("Hollow", admin1="02", population=60_000, gid=2)
    shire = cand("Westshire", feature="admin1", admin1="02", population=900_000, gid=3)
    resolver = Resolver(source(east, west, shire))
    assert resolve(resolver, "Hollow voted.", "Hollow")[0].geonameid == 1
    assert resolve(resolver, "In Westshire, Hollow voted.", "Westshire", "Hollow")[1].geonameid == 2


def test_qualifier_springfield_illinois(tiny_resolver, tiny_gazetteer):
    illinois = next(c for c in tiny_gazetteer.lookup("Springfield") if c.admin1_code == "IL")
    place = resolve(tiny_resolver, "Springfield, Illinois, said no.", "Springfield", "Illinois")[0]
    assert (place.lat, place.lon, place.geonameid) == (illinois.lat, illinois.lon, illinois.geonameid)
    # Without the state the largest Springfield wins.
    biggest = max(tiny_gazetteer.lookup("Springfield"), key=lambda c: c.population)
    assert resolve(tiny_resolver, "Springfield said no.", "Springfield")[0].geonameid == biggest.geonameid


def test_qualifier_needs_the_comma(tiny_gazetteer):
    # Context terms off, so only the qualifier can move Springfield to Illinois.
    resolver = Resolver(tiny_gazetteer.lookup,
                        weights=RankWeights(in_context_country=0.0, in_context_admin1=0.0))
    with_comma = resolve(resolver, "Springfield, Illinois, said no.", "Springfield", "Illinois")[0]
    without = resolve(resolver, "Springfield and Illinois said no.", "Springfield", "Illinois")[0]
    assert with_comma.admin1_code == "IL"
    assert without.admin1_code != "IL"


@pytest.mark.parametrize(("text", "name", "qualifier", "cc", "feature"), [
    ("Doha, Qatar, hosted the talks.", "Doha", "Qatar", "QA", "city"),
    ("Paris, Texas, hosted the talks.", "Paris", "Texas", "US", "city"),
])
def test_country_and_state_qualifiers(tiny_resolver, text, name, qualifier, cc, feature):
    place = resolve(tiny_resolver, text, name, qualifier)[0]
    assert (place.country_code, place.feature) == (cc, feature)


def test_province_named_after_its_city_means_the_city(tiny_resolver, tiny_gazetteer):
    city = next(c for c in tiny_gazetteer.lookup("Kabul") if c.feature == "city")
    province = next(c for c in tiny_gazetteer.lookup("Kabul") if c.feature == "admin1")
    assert province.population > city.population  # so population alone would pick the province
    place = resolve(tiny_resolver, "Kabul fell.", "Kabul")[0]
    assert (place.feature, place.lat, place.lon) == ("city", city.lat, city.lon)


def test_province_of_the_same_name_elsewhere_is_not_penalised():
    province = cand("Capitol", feature="admin1", admin1="05", population=2_000_000, gid=1)
    far_city = cand("Capitol", admin1="09", population=1_900_000, gid=2)
    near_city = cand("Capitol", admin1="05", population=1_900_000, gid=3)
    assert resolve(Resolver(source(province, far_city)), "Capitol voted.", "Capitol")[0].geonameid == 1
    assert resolve(Resolver(source(province, near_city)), "Capitol voted.", "Capitol")[0].geonameid == 3


def test_province_whose_full_name_is_an_old_name_of_a_city_is_the_province():
    # "Rio Grande do Sul" is also an old name of the city of Rio Grande: the full name still means
    # the state; only a city whose own name holds the name ("New York City") takes a bare name.
    province = cand("Vale Quill do Nord", feature="admin1", admin1="05", population=2_000_000, gid=1)
    city = cand("Vale Quill", admin1="05", population=190_000, gid=2)
    aka = Resolver(lambda name: [province, city] if name == "Vale Quill do Nord" else [],
                   is_primary=lambda name, c: c.name == name)
    assert resolve(aka, "Floods hit Vale Quill do Nord.", "Vale Quill do Nord")[0].geonameid == 1
    town = cand("Vale Quill City", admin1="05", population=190_000, gid=3)
    short = Resolver(lambda name: [province, town], is_primary=lambda name, c: c.name == name)
    assert resolve(short, "Floods hit Vale Quill do Nord.", "Vale Quill do Nord")[0].geonameid == 1
    bare = cand("Vale Quill", feature="admin1", admin1="05", population=2_000_000, gid=4)
    named = Resolver(lambda name: [bare, town], is_primary=lambda name, c: c.name == name)
    assert resolve(named, "Floods hit Vale Quill.", "Vale Quill")[0].geonameid == 3


@pytest.mark.parametrize(("written", "feature"), [
    ("Quill province", "admin1"),
    ("Quill Valley", "admin1"),
    ("Quill", "city"),
    ("Quill City", "city"),
])
def test_area_head_picks_the_province(written, feature):
    province = cand("Quill", feature="admin1", admin1="07", population=500_000, gid=1)
    city = cand("Quill", admin1="07", population=400_000, gid=2)
    resolver = Resolver(source(province, city))
    place = resolve(resolver, f"Fighting in {written} went on.", written)[0]
    assert place.feature == feature
    assert place.name == written and place.resolved_name == "Quill"


@pytest.mark.parametrize("head", ["province", "district", "governorate"])
def test_lowercase_administrative_head_after_the_name_picks_the_area(head):
    # The toponym is the bare name (the head is trimmed for matching); the text still says it.
    province = cand("Quill", feature="admin1", admin1="07", population=500_000, gid=1)
    city = cand("Quill", admin1="07", population=400_000, gid=2)
    district = cand("Wend", feature="admin2", admin1="07", population=0, gid=3)
    town = cand("Wend", admin1="07", population=90_000, gid=4)
    resolver = Resolver(source(province, city, district, town))
    text = f"Fighting in Quill {head} and in Wend {head} went on."
    assert [p.geonameid for p in resolve(resolver, text, "Quill", "Wend")] == [1, 3]
    bare = "Fighting in Quill and in Wend went on."
    assert [p.geonameid for p in resolve(resolver, bare, "Quill", "Wend")] == [2, 4]


def test_area_spelt_otherwise_is_found_for_an_administrative_head():
    # "Taroudant province" where the gazetteer spells the province "Taroudannt".
    town = cand("Kessaba", cc="AA", admin1="09", population=87_000, gid=1)
    province = cand("Kessabba", feature="admin2", cc="AA", admin1="09", population=0, gid=2)
    resolver = Resolver(source(town), areas=lambda name: [province] if name == "Kessaba" else [])
    assert resolve(resolver, "Quakes hit Kessaba province.", "Kessaba")[0].geonameid == 2
    assert resolve(resolver, "Quakes hit Kessaba.", "Kessaba")[0].geonameid == 1


def test_administrative_head_does_not_move_a_place_abroad():
    # "Hamilton County" in an article about Ohio: no county of the name at home, and a district
    # of the name in another country does not win.
    town = cand("Hamlin", cc="AA", admin1="05", population=60_000, gid=1)
    state = cand("Ardena", feature="admin1", cc="AA", admin1="05", population=5_000_000, gid=2)
    abroad = cand("Hamlin", feature="admin2", cc="BB", admin1="03", population=0, gid=3)
    resolver = Resolver(source(town, state, abroad), areas=lambda name: [abroad])
    text = "Two men were held in the Hamlin county jail in Ardena."
    assert resolve(resolver, text, "Hamlin", "Ardena")[0].geonameid == 1


def test_administrative_head_with_only_a_town_abroad_is_left_unresolved():
    # "X district" where no area has the name and the only town of it lies in a country the
    # article does not otherwise name: an area is meant, and it is not that town.
    town = cand("Wend", cc="BB", admin1="02", population=3_000, gid=1)
    home = cand("Ardena", feature="country", cc="AA", admin1="", population=9_000_000, gid=2)
    there = cand("Brune", feature="country", cc="BB", admin1="", population=9_000_000, gid=3)
    resolver = Resolver(source(town, home, there), areas=lambda name: [])
    assert resolve(resolver, "Ardena said Wend district fell.", "Ardena", "Wend")[1] is None
    assert resolve(resolver, "Brune said Wend district fell.", "Brune", "Wend")[1].geonameid == 1
    assert resolve(resolver, "Ardena said Wend fell.", "Ardena", "Wend")[1].geonameid == 1  # no head


@pytest.fixture(scope="module")
def hamlets() -> Resolver:
    return Resolver(source(
        cand("Marsby", admin1="01", population=1_000, gid=1),
        cand("Ardena", feature="admin1", admin1="01", population=3_000_000, gid=2),
        cand("Brune", feature="admin1", admin1="02", population=3_000_000, gid=3),
        cand("Loughton", admin1="01", population=60_000, gid=4),
    ))


@pytest.mark.parametrize(("text", "names", "label", "resolved"), [
    # NER says "location" (a planet, a sea, a range) and only a hamlet has the name: not it
    ("The crew returned to Marsby.", ("Marsby",), "LOC", False),
    ("Marsby was seen from Brune.", ("Marsby", "Brune"), "LOC", False),  # same country, other province
    # unless the article points to the hamlet's own province, or qualifies it
    ("Marsby, in Ardena, flooded.", ("Marsby", "Ardena"), "LOC", True),
    ("Marsby flooded; Ardena sent help.", ("Marsby", "Ardena"), "LOC", True),
    # NER's place label, or a town big enough to stand on its name, needs no support
    ("The crew returned to Marsby.", ("Marsby",), "GPE", True),
    ("The crew returned to Loughton.", ("Loughton",), "LOC", True),
])
def test_loc_named_only_like_an_unsupported_hamlet_is_left_unresolved(hamlets, text, names, label, resolved):
    place = resolve(hamlets, text, *names, label=label)[0]
    assert (place is not None) is resolved


def test_panjshir_valley_is_the_province(tiny_resolver):
    text = "Fighting in the Panjshir Valley went on."
    place = resolve(tiny_resolver, text, "Panjshir Valley", label="LOC")[0]
    assert (place.resolved_name, place.precision, place.country_code) == ("Panjshir", "admin1", "AF")


def test_alternate_name_ranks_below_the_own_name():
    own = cand("Fairhaven", gid=1, population=20_000)
    alias = cand("Oldport", gid=2, cc="BB", population=20_000)  # also called Fairhaven

    def lookup(name: str) -> list[Candidate]:
        return [alias, own] if name.casefold() == "fairhaven" else []

    resolver = Resolver(lookup, is_primary=lambda key, c: c.name.casefold() == key.casefold())
    place = resolve(resolver, "Fairhaven voted.", "Fairhaven")[0]
    assert place.geonameid == 1
    assert [c.geonameid for c in place.candidates] == [1, 2]


def test_bare_washington_is_the_capital(tiny_resolver):
    place = resolve(tiny_resolver, "In Washington, officials said the talks would go on.", "Washington")[0]
    assert (place.country_code, place.admin1_code, place.feature) == ("US", "DC", "city")


# --- the Place: overrides, candidates, confidence -----------------------------------------------


def test_override_wins_over_the_gazetteer(tiny_gazetteer):
    target = tiny_gazetteer.lookup("Kaiserslautern")[0]
    fixed = Place(name="Ramstein", lat=target.lat, lon=target.lon, precision="point", confidence=1.0,
                  resolved_name="Ramstein Air Base", method="override")
    resolver = Resolver(tiny_gazetteer.lookup, overrides={"ramstein": fixed})
    place = resolve(resolver, "Troops landed at RAMSTEIN on Monday.", "RAMSTEIN")[0]
    assert place == Place(name="RAMSTEIN", lat=target.lat, lon=target.lon, precision="point",
                          confidence=1.0, resolved_name="Ramstein Air Base", method="override")


def test_override_resolves_a_name_the_gazetteer_lacks():
    fixed = Place(name="Zanderport", lat=1.5, lon=2.5, precision="city", confidence=1.0, method="override")
    resolver = Resolver(source(), overrides={"zanderport": fixed}, normalize=str.casefold)
    places = resolve(resolver, "Zanderport and Nowhere voted.", "Zanderport", "Nowhere")
    assert places[0] is not None and (places[0].lat, places[0].lon) == (1.5, 2.5)
    assert places[1] is None


def test_one_place_per_toponym_in_order(tiny_resolver):
    text = "From Doha to Zanderport and on to Kabul."
    places = resolve(tiny_resolver, text, "Doha", "Zanderport", "Kabul")
    assert [p and p.resolved_name for p in places] == ["Doha", None, "Kabul"]
    assert [p and p.name for p in places] == ["Doha", None, "Kabul"]


def test_candidates_are_kept_sorted_and_capped():
    cands = [cand("Millbrook", cc=cc, population=pop, gid=i)
             for i, (cc, pop) in enumerate([("AA", 3_000), ("BB", 90_000), ("CC", 40_000), ("DD", 7_000)])]
    resolver = Resolver(source(*cands), weights=RankWeights(max_candidates=3))
    place = resolve(resolver, "Millbrook voted.", "Millbrook")[0]
    assert [c.geonameid for c in place.candidates] == [1, 2, 3]
    scores = [c.score for c in place.candidates]
    assert scores == sorted(scores, reverse=True)
    assert place.geonameid == place.candidates[0].geonameid


def test_ties_are_broken_deterministically():
    a, b = cand("Twin", cc="AA", gid=7, population=1_000), cand("Twin", cc="BB", gid=3, population=1_000)
    forward = Resolver(source(a, b)).rank("Twin", [a, b], NO_CONTEXT)
    backward = Resolver(source(b, a)).rank("Twin", [b, a], NO_CONTEXT)
    assert [c.geonameid for c in forward] == [c.geonameid for c in backward] == [3, 7]


@pytest.mark.parametrize(("label", "trust"), [("GPE", 1.0), ("LOC", 0.9), ("scan", 0.75), ("dateline", 0.7)])
def test_confidence_of_a_sure_match_follows_the_label(label, trust):
    only = cand("Lonely", population=100_000)  # a town big enough to need no support, even as LOC
    place = Resolver(source(only)).resolve([Toponym("Lonely", 0, 6, label)], text="Lonely")[0]
    assert place.confidence == pytest.approx(trust)


def test_confidence_is_in_zero_one_and_drops_with_ambiguity(tiny_resolver):
    tie = Resolver(source(cand("Twin", cc="AA", population=1_000, gid=1),
                          cand("Twin", cc="BB", population=1_000, gid=2)))
    assert resolve(tie, "Twin voted.", "Twin")[0].confidence == pytest.approx(0.5)
    text = "Kabul, Doha, Springfield, Washington, Paris and Germany met in Europe."
    places = resolve(tiny_resolver, text, "Kabul", "Doha", "Springfield", "Washington", "Paris", "Germany",
                     "Europe")
    assert all(p is not None and 0 < p.confidence <= 1 for p in places)
    by_name = {p.name: p.confidence for p in places}
    assert by_name["Springfield"] < by_name["Germany"]


@pytest.mark.parametrize(("feature", "precision"), [
    ("continent", "country"), ("country", "country"), ("admin1", "admin1"), ("admin2", "admin1"),
    ("city", "city"), ("point", "point"),
])
def test_precision_follows_the_feature(feature, precision):
    only = cand("Lonely", feature=feature, population=10)
    assert resolve(Resolver(source(only)), "Lonely.", "Lonely")[0].precision == precision


def test_lookup_tries_the_name_without_its_generic_head():
    quill = cand("Quill", feature="admin1")
    resolver = Resolver(source(quill))
    assert resolver.lookup("the Quill Valley") == ("Quill", [quill])
    assert resolver.lookup("Zanderport") == ("Zanderport", [])


# --- the real gazetteer ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_resolver(real_gazetteer) -> Resolver:
    return Resolver(real_gazetteer.lookup, is_primary=real_gazetteer.is_primary)


@pytest.mark.gazetteer
@pytest.mark.parametrize(("text", "names", "wanted"), [
    ("Springfield, Illinois, said no.", ("Springfield", "Illinois"), ("US", "city")),
    ("Kabul fell.", ("Kabul",), ("AF", "city")),
    ("Floods hit Sichuan province.", ("Sichuan province",), ("CN", "admin1")),
    ("Paris, Texas, said no.", ("Paris", "Texas"), ("US", "city")),
    ("Floods hit Rio Grande do Sul.", ("Rio Grande do Sul",), ("BR", "admin1")),
    ("Traffic in New York slowed.", ("New York",), ("US", "city")),
])
def test_real_gazetteer_rankings(real_resolver, text: str, names: Sequence[str], wanted):
    place = resolve(real_resolver, text, *names)[0]
    assert (place.country_code, place.feature) == wanted
    if names[-1] in ("Illinois", "Texas"):
        state = resolve(real_resolver, text, *names)[1]
        assert place.admin1_code == state.admin1_code
