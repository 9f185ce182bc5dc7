"""Stops and movements (geo.itinerary) on events built here from tiny-gazetteer entries, so
every coordinate comes from the fixture."""

from __future__ import annotations

from datetime import date

import pytest

from geo.itinerary import Movement, movements, stops
from geo.models import Candidate, Event, feature_precision


def _cand(gaz, name: str, feature: str) -> Candidate:
    return next(c for c in gaz.lookup(name) if c.feature == feature)


@pytest.fixture(scope="module")
def at(tiny_gazetteer):
    """``at(name, feature, day, actors, ...)``: an event at a tiny-gazetteer entry."""

    def make(name: str, feature: str, day: int, actors: tuple[str, ...] = ("Envoy",), *,
             sentence: int | None = None, offset: int = 0, article: str = "a1", month: int = 9,
             locative: bool = True, role: str = "at", predicate: str = "", modality: str = "reported",
             mentioned: tuple[str, ...] = ()) -> Event:
        c = _cand(tiny_gazetteer, name, feature)
        start = day * 1000 if sentence is None else sentence
        return Event(
            event_id=f"{article}-{name}-{feature}-{day}-{start + offset}", article_id=article,
            date=date(2021, month, day), date_precision="day", place_name=name, lat=c.lat, lon=c.lon,
            place_precision=feature_precision(c.feature), geonameid=c.geonameid,
            country_code=c.country_code, actors=actors, quote="", sentence_start=start,
            sentence_end=start + 100, confidence=1.0, source="", url="", place_start=start + offset,
            place_end=start + offset + len(name), resolved_name=c.name, candidates=(c,),
            locative=locative, actor_roles=tuple((a, role) for a in actors), predicate=predicate,
            modality=modality, mentioned_actors=mentioned,
        )

    return make


def arcs(found: list[Movement]) -> list[tuple[str, str, str]]:
    return [(m.actor, m.from_name, m.to_name) for m in found]


def test_movements_follow_time_not_input_order(at):
    trip = [at("Kabul", "city", 15, month=8), at("Doha", "city", 20, month=8), at("Berlin", "city", 8)]
    found = movements(list(reversed(trip)))
    assert arcs(found) == [("Envoy", "Kabul", "Doha"), ("Envoy", "Doha", "Berlin")]
    first = found[0]
    assert (first.from_event, first.to_event) == (trip[0].event_id, trip[1].event_id)
    assert (first.from_lat, first.from_lon, first.to_lat, first.to_lon) == (
        trip[0].lat, trip[0].lon, trip[1].lat, trip[1].lon)
    assert (first.from_date, first.to_date) == (date(2021, 8, 15), date(2021, 8, 20))
    assert [m.from_date for m in found] == sorted(m.from_date for m in found)


def test_one_stop_per_sentence_the_most_precise(at):
    # "Germany's Ramstein" on the 8th: the country comes first in the sentence, the city is the stop.
    sentence = [at("Germany", "country", 8, sentence=500), at("Ramstein", "city", 8, sentence=500, offset=10)]
    found = movements([*sentence, at("Doha", "city", 9)])
    assert arcs(found) == [("Envoy", "Ramstein", "Doha")]


@pytest.mark.parametrize(("first", "then"), [
    (("Kabul", "city"), ("Afghanistan", "country")),
    (("Afghanistan", "country"), ("Kabul", "city")),
    (("Bazarak", "city"), ("Panjshir", "admin1")),
    (("Panjshir", "admin1"), ("Bazarak", "city")),
    (("Ramstein", "city"), ("Rhineland-Palatinate", "admin1")),
])
def test_no_arc_between_a_place_and_the_area_containing_it(at, first, then):
    assert movements([at(*first, 10), at(*then, 11)]) == []


@pytest.mark.parametrize(("first", "then"), [
    (("Doha", "city"), ("Kabul", "city")),
    (("Kabul", "city"), ("Charikar", "city")),  # same country, two cities
    (("Qatar", "country"), ("Germany", "country")),
    (("Panjshir", "admin1"), ("Doha", "city")),
])
def test_arc_between_different_places(at, first, then):
    assert arcs(movements([at(*first, 10), at(*then, 11)])) == [("Envoy", first[0], then[0])]


def test_arc_from_a_city_to_another_province_of_its_country(at):
    assert arcs(movements([at("Kabul", "city", 1), at("Panjshir", "admin1", 5)])) == [
        ("Envoy", "Kabul", "Panjshir")]


def test_staying_put_is_no_journey_but_coming_back_is(at):
    assert movements([at("Kabul", "city", 1), at("Kabul", "city", 2)]) == []
    found = movements([at("Kabul", "city", 1), at("Doha", "city", 2), at("Kabul", "city", 3)])
    assert arcs(found) == [("Envoy", "Kabul", "Doha"), ("Envoy", "Doha", "Kabul")]


def test_each_actor_has_its_own_path(at):
    both = ("Envoy", "Minister")
    found = movements([
        at("Kabul", "city", 1, both), at("Doha", "city", 2, ("Envoy",)), at("Berlin", "city", 3, both),
        at("Charikar", "city", 4, ("Fighters",)),
    ])
    assert sorted(arcs(found)) == [("Envoy", "Doha", "Berlin"), ("Envoy", "Kabul", "Doha"),
                                   ("Minister", "Kabul", "Berlin")]


def test_events_without_actors_make_no_movements(at):
    assert movements([at("Kabul", "city", 1, ()), at("Doha", "city", 2, ())]) == []


def test_same_day_stops_in_two_articles_are_kept_in_a_stable_order(at):
    day = [at("Doha", "city", 6, article="b", role="to", predicate="fly"),
           at("Kabul", "city", 6, article="a")]
    found = movements(day)
    assert len(found) == 1 and (found[0].from_name, found[0].to_name) == ("Kabul", "Doha")
    assert movements(list(reversed(day))) == found


def test_two_places_on_one_day_without_travel_draw_no_arc(at):
    """"Blinken thanked Qatar for ... evacuated from Kabul": named together, no journey."""
    assert movements([at("Doha", "city", 6, sentence=100), at("Kabul", "city", 6, sentence=200)]) == []
    assert movements([at("Doha", "city", 6, article="b"), at("Kabul", "city", 6, article="a")]) == []


@pytest.mark.parametrize(("first", "then"), [
    ({"role": "at"}, {"role": "to", "predicate": "fly"}),  # "... He then flew to Kabul."
    ({"role": "from", "predicate": "leave"}, {"role": "at"}),  # "He left Doha. ... in Kabul."
])
def test_stated_travel_draws_an_arc_on_the_same_day(at, first, then):
    found = movements([at("Doha", "city", 6, sentence=100, **first),
                       at("Kabul", "city", 6, sentence=200, **then)])
    assert arcs(found) == [("Envoy", "Doha", "Kabul")] and found[0].travel


def test_from_and_to_in_one_sentence_are_one_journey(at):
    """"flew from Qatar to Germany": two stops in one sentence, in that order."""
    trip = [at("Germany", "country", 8, sentence=100, offset=30, role="to", predicate="fly"),
            at("Qatar", "country", 8, sentence=100, offset=10, role="from", predicate="fly")]
    assert arcs(movements(trip)) == [("Envoy", "Qatar", "Germany")]
    assert [(s.event.place_name, s.role, s.travel) for s in stops(trip)] == [
        ("Qatar", "from", True), ("Germany", "to", True)]


def test_a_destination_without_a_verb_of_travel_is_a_plain_stop(at):
    """"a bridge to Kabul" has the role "to" but no travel: only a later day makes it a journey."""
    trip = [at("Doha", "city", 6, sentence=100), at("Kabul", "city", 6, sentence=200, role="to")]
    assert movements(trip) == []


def test_mentioned_and_denied_make_no_stop(at):
    only_named = at("Kabul", "city", 7, (), mentioned=("Envoy",))
    denied = at("Berlin", "city", 8, modality="negated")
    assert stops([at("Doha", "city", 6), only_named, denied]) == stops([at("Doha", "city", 6)])
    assert movements([at("Doha", "city", 6), only_named, denied]) == []


def test_a_place_that_only_modifies_makes_no_stop(at):
    """"Kabul's airport" in a sentence about the envoy does not put the envoy in Kabul."""
    trip = [at("Doha", "city", 6), at("Kabul", "city", 7, locative=False), at("Berlin", "city", 8)]
    assert arcs(movements(trip)) == [("Envoy", "Doha", "Berlin")]
