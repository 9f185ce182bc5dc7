"""Story mode's steps: one day's sentences about one place, actor or paragraph together; the country
beside a finer place hidden; asides last; the title slide and the headings."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from geo.models import Event
from geo.story import (
    paragraph_starts,
    period_text,
    step_heading,
    step_of_event,
    step_seconds,
    story_intro,
    story_steps,
)
from tests.dashboard_events import all_events


def _mention(base: Event, name: str, start: int, *, precision: str = "city", country: str = "AA",
             locative: bool = True, sentence: int = 0, article: str = "art", day: int = 1,
             actors: tuple[str, ...] = (), lat: float = 10.0, lon: float = 20.0, **more: object) -> Event:
    return replace(base, event_id=f"{article}-{sentence}-{start}", article_id=article, place_name=name,
                   place_start=start, place_end=start + len(name), place_precision=precision,  # type: ignore[arg-type]
                   country_code=country, locative=locative, sentence_start=sentence,
                   date=date(2021, 9, day), actors=actors, lat=lat, lon=lon, **more)


@pytest.fixture()
def base() -> Event:
    return all_events()[0]


def test_one_stop_per_sentence_in_story_order() -> None:
    events = all_events()
    steps = story_steps(events)
    # The fixture's two Northtown events share a sentence; so does an extra Southland mention.
    shared = replace(events[4], event_id="extra", place_start=events[4].place_start + 1)
    steps = story_steps([*events, shared])
    assert len(steps) == len({(e.article_id, e.sentence_start) for e in events}) == 4
    assert [s.focus.place_name for s in steps] == ["Northtown", "Easton", "Westville", "Southland"]
    assert [len(s.events) for s in steps] == [2, 1, 1, 2]
    assert [s.date for s in steps] == sorted(s.date for s in steps)


def test_a_country_beside_a_finer_place_in_it_is_not_a_stop_of_its_own(base: Event) -> None:
    city = _mention(base, "Capital City", 10, precision="city", country="AA")
    own_country = _mention(base, "Aland", 30, precision="country", country="AA", locative=False)
    other_country = _mention(base, "Bland", 50, precision="country", country="BB", locative=False)
    (step,) = story_steps([own_country, city, other_country])
    assert step.focus == city
    assert {e.place_name for e in step.events} == {"Capital City", "Bland"}
    assert step.others() == ["Bland"]
    # The hidden mention still leads to its stop (a shared link may name it).
    assert step_of_event([step], own_country.event_id) == 0


def test_a_sentence_of_countries_only_keeps_them_all(base: Event) -> None:
    first = _mention(base, "Aland", 5, precision="country", country="AA")
    second = _mention(base, "Bland", 20, precision="country", country="BB")
    (step,) = story_steps([first, second])
    assert set(step.events) == {first, second}
    assert step.focus == first  # both locative and equally fine: the first named


def test_the_focus_prefers_where_something_happens_then_the_finest_place(base: Event) -> None:
    named = _mention(base, "Old Town", 3, precision="city", locative=False)
    region = _mention(base, "North Province", 20, precision="admin1", locative=True)
    town = _mention(base, "Harbour", 40, precision="city", locative=True)
    (step,) = story_steps([named, region, town])
    assert step.focus == town
    assert step.others() == ["Old Town", "North Province"]


def test_sentences_are_ordered_by_their_first_event(base: Event) -> None:
    early = _mention(base, "Early", 5, sentence=100, day=1)
    late_same_sentence = _mention(base, "Later", 30, sentence=100, day=9)
    middle = _mention(base, "Middle", 5, sentence=0, article="other", day=4)
    steps = story_steps([early, middle, late_same_sentence])
    assert [s.focus.place_name for s in steps] == ["Early", "Middle"]
    assert steps[0].date == date(2021, 9, 1)


def test_unknown_or_missing_event_has_no_step() -> None:
    steps = story_steps(all_events())
    assert step_of_event(steps, None) is None
    assert step_of_event(steps, "no-such-event") is None
    assert step_of_event(steps, all_events()[-1].event_id) == 3
    assert story_steps([]) == []


# --- grouping: what belongs together ------------------------------------------------------------


def test_one_days_sentences_at_one_place_are_one_step(base: Event) -> None:
    first = _mention(base, "Harbour", 5, sentence=0, actors=("Crew",), lat=1.0, lon=2.0)
    second = _mention(base, "Harbour", 60, sentence=50, article="other", actors=("Mayor",), lat=1.0, lon=2.0)
    next_day = _mention(base, "Harbour", 5, sentence=90, day=2, actors=("Crew",), lat=1.0, lon=2.0)
    steps = story_steps([first, second, next_day])
    assert [len(s.events) for s in steps] == [2, 1]
    assert [s.date for s in steps] == [date(2021, 9, 1), date(2021, 9, 2)]


def test_one_days_sentences_about_one_actor_are_one_step(base: Event) -> None:
    arrives = _mention(base, "Harbour", 5, sentence=0, actors=("Envoy",), lat=1.0, lon=2.0)
    speaks = _mention(base, "Hilltown", 5, sentence=40, actors=("Envoy",), lat=3.0, lon=4.0)
    elsewhere = _mention(base, "Farfield", 5, sentence=80, actors=("Farmer",), lat=-5.0, lon=-6.0)
    steps = story_steps([arrives, speaks, elsewhere])
    assert [[e.place_name for e in s.events] for s in steps] == [["Harbour", "Hilltown"], ["Farfield"]]


def test_one_paragraphs_sentences_of_one_day_are_one_step(base: Event) -> None:
    text = "Crew sailed to Harbour. Farmers met in Farfield.\n\nLater, Miners struck in Hilltown."
    events = [_mention(base, name, text.index(name), sentence=text.index(first), actors=(who,),
                       lat=float(i), lon=float(i))
              for i, (name, first, who) in enumerate([("Harbour", "Crew", "Crew"),
                                                      ("Farfield", "Farmers", "Farmers"),
                                                      ("Hilltown", "Later", "Miners")])]
    assert len(story_steps(events)) == 3  # nothing shared, no paragraphs known
    steps = story_steps(events, paragraphs={"art": paragraph_starts(text)})
    assert [[e.place_name for e in s.events] for s in steps] == [["Harbour", "Farfield"], ["Hilltown"]]


def test_a_place_merely_named_joins_its_days_step(base: Event) -> None:
    acts = _mention(base, "Harbour", 5, sentence=0, actors=("Crew",), lat=1.0, lon=2.0)
    named = _mention(base, "Oldland", 5, sentence=40, precision="country", country="OO", locative=False,
                     lat=30.0, lon=40.0)
    only_named = [_mention(base, name, 5, sentence=100 + i, day=3, locative=False, lat=float(i), lon=1.0)
                  for i, name in enumerate(["Quiet", "Calm"])]
    steps = story_steps([acts, named, *only_named])
    assert len(steps) == 2
    assert steps[0].focus == acts and steps[0].others() == ["Oldland"]
    assert {e.place_name for e in steps[1].events} == {"Quiet", "Calm"}  # a day of mentions: one step


def test_a_long_story_joins_one_days_steps_in_one_country_then_the_day(base: Event) -> None:
    events = [_mention(base, f"Town {i}", 5, sentence=10 * i, day=1 + i // 4, actors=(f"Person {i}",),
                       country="AA" if i % 2 else "BB", lat=float(i), lon=float(i)) for i in range(16)]
    assert len(story_steps(events, max_steps=16)) == 16
    assert len(story_steps(events, max_steps=15)) == 8  # per day, one step per country
    assert len(story_steps(events, max_steps=5)) == 4  # per day
    assert [s.date for s in story_steps(events, max_steps=5)] == [date(2021, 9, d) for d in (1, 2, 3, 4)]


def test_background_asides_never_open_the_story(base: Event) -> None:
    aside = replace(_mention(base, "Oldport", 5, sentence=0, actors=("Union",), lat=1.0, lon=1.0),
                    date=date(2013, 1, 1), background=True)
    now = _mention(base, "Newport", 5, sentence=40, day=5, actors=("Union",), lat=2.0, lon=2.0)
    steps = story_steps([aside, now])  # the store's time order puts the aside first
    assert [s.focus.place_name for s in steps] == ["Newport", "Oldport"]
    assert [s.background for s in steps] == [False, True]
    assert step_heading(steps[1]) == "1 January 2013 (background)"


def test_planned_events_keep_their_future_dates(base: Event) -> None:
    plan = _mention(base, "Summit City", 5, sentence=0, day=20, actors=("Envoy",), modality="planned",
                    lat=1.0, lon=1.0)
    today = _mention(base, "Capital", 5, sentence=60, day=2, actors=("Envoy",), lat=2.0, lon=2.0)
    steps = story_steps([today, plan])
    assert [s.focus.place_name for s in steps] == ["Capital", "Summit City"]
    assert step_heading(steps[1]) == "20 September 2021 (planned)"


def test_the_focus_is_not_where_someone_came_from(base: Event) -> None:
    source = _mention(base, "Helpland", 30, precision="country", country="HH", actors=("Rescuers",),
                      actor_roles=(("Rescuers", "from"),), lat=1.0, lon=1.0)
    scene = _mention(base, "Quakeland", 5, precision="country", country="QQ", actors=("Rescuers",),
                     actor_roles=(("Rescuers", "at"),), lat=5.0, lon=5.0)
    (step,) = story_steps([source, scene])
    assert step.focus == scene


def test_a_country_focus_gives_way_to_a_finer_place_in_it(base: Event) -> None:
    country = _mention(base, "Aland", 5, precision="country", actors=("Envoy",), sentence=0, lat=1.0, lon=1.0)
    base_camp = _mention(base, "Camp Point", 5, precision="point", sentence=40, lat=1.5, lon=1.5)
    (step,) = story_steps([country, base_camp], paragraphs={"art": (0,)})
    assert step.focus == base_camp


# --- the title slide and the headings --------------------------------------------------------------


def test_the_intro_names_the_period_the_main_actors_and_every_place(base: Event) -> None:
    events = [_mention(base, "Harbour", 5, sentence=0, actors=("Crew", "Mayor"), lat=1.0, lon=1.0),
              _mention(base, "Hilltown", 5, sentence=40, day=4, actors=("Crew",), lat=2.0, lon=2.0),
              _mention(base, "Oldland", 20, sentence=40, day=4, precision="country", country="OO",
                       locative=False, lat=9.0, lon=9.0)]
    intro = story_intro(story_steps(events), "A test story")
    assert intro is not None
    assert (intro.title, intro.first, intro.last, intro.steps) == ("A test story", date(2021, 9, 1),
                                                                   date(2021, 9, 4), 2)
    assert intro.actors == ("Crew", "Mayor")
    assert set(intro.places) == {"Harbour", "Hilltown", "Oldland"}
    assert story_intro([]) is None


def test_periods_read_like_a_person_writes_them() -> None:
    assert period_text(date(2021, 8, 15), date(2021, 8, 15)) == "15 August 2021"
    assert period_text(date(2021, 8, 30), date(2021, 8, 31)) == "30–31 August 2021"
    assert period_text(date(2021, 8, 30), date(2021, 9, 9)) == "30 August – 9 September 2021"
    assert period_text(date(2020, 12, 30), date(2021, 1, 2)) == "30 December 2020 – 2 January 2021"


def test_play_stays_longer_on_a_step_that_tells_more(base: Event) -> None:
    one = story_steps([_mention(base, "Harbour", 5, actors=("Crew",))])[0]
    three = story_steps([_mention(base, "Harbour", 5, sentence=s, actors=("Crew",)) for s in (0, 40, 80)])[0]
    assert step_seconds(one, 2.0) == 2.0
    assert 2.0 < step_seconds(three, 2.0) <= 6.0


def test_a_sentence_that_links_two_steps_joins_them_all(base: Event) -> None:
    first = _mention(base, "Harbour", 5, sentence=0, actors=("Crew",), lat=1.0, lon=1.0)
    second = _mention(base, "Hilltown", 5, sentence=40, actors=("Miners",), lat=2.0, lon=2.0)
    link = _mention(base, "Harbour", 5, sentence=80, actors=("Miners",), lat=1.0, lon=1.0)
    (step,) = story_steps([first, second, link])
    assert len(step.events) == 3
