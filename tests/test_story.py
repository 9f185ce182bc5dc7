"""Story mode's stops: one per sentence, the country beside a finer place hidden."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from geo.models import Event
from geo.story import step_of_event, story_steps
from tests.dashboard_events import all_events


def _mention(base: Event, name: str, start: int, *, precision: str = "city", country: str = "AA",
             locative: bool = True, sentence: int = 0, article: str = "art", day: int = 1) -> Event:
    return replace(base, event_id=f"{article}-{start}", article_id=article, place_name=name,
                   place_start=start, place_end=start + len(name), place_precision=precision,  # type: ignore[arg-type]
                   country_code=country, locative=locative, sentence_start=sentence,
                   date=date(2021, 9, day))


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
