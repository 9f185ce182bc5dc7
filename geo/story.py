"""Story mode: the filtered events as a sequence of stops, one per sentence.

Stepping through every mention made the demo story 69 steps long, with each
country named in a sentence its own stop ("flew from Qatar to Germany" beside
"Doha"). A reader follows a story sentence by sentence, so a stop is one
sentence of one article: its places are shown together and the map moves to
the one the sentence is about.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from geo.models import Event

# Finer places say more about where something happened.
_PRECISION_RANK = {"point": 0, "city": 1, "admin1": 2, "country": 3}


@dataclass(frozen=True)
class StoryStep:
    """One stop: the events of one sentence, and the one the map moves to."""

    events: tuple[Event, ...]
    focus: Event
    # Every event of the sentence, shown or not: a link to a hidden country mention still finds its stop.
    sentence_ids: frozenset[str] = frozenset()

    @property
    def date(self) -> date:
        return min(e.date for e in self.events)

    def others(self) -> list[str]:
        """The names of the step's other places, in sentence order, once each."""
        seen = {self.focus.place_name}
        names = []
        for event in sorted(self.events, key=lambda e: e.place_start):
            if event.place_name not in seen:
                seen.add(event.place_name)
                names.append(event.place_name)
        return names


def _rank(event: Event) -> int:
    return _PRECISION_RANK.get(event.place_precision, 2)


def _shown(events: Sequence[Event]) -> tuple[Event, ...]:
    """A sentence's events without country mentions that sit beside a finer place in that country.

    "Taliban fighters entered Kabul, Afghanistan's capital" is a stop in Kabul;
    the country adds nothing to the map at that step.
    """
    country = _PRECISION_RANK["country"]
    finer_countries = {e.country_code for e in events if e.country_code and _rank(e) < country}
    kept = tuple(e for e in events
                 if not (e.place_precision == "country" and e.country_code in finer_countries))
    return kept or tuple(events)


def _focus(events: Sequence[Event]) -> Event:
    # What the sentence is about: a place something happens in/at/from (locative)
    # before a place merely named, then the finest, then the first in the sentence.
    return min(events, key=lambda e: (not e.locative, _rank(e), e.place_start))


def story_steps(events: Sequence[Event]) -> list[StoryStep]:
    """Stops in story order: each sentence at the position of its earliest event.

    ``events`` come in time order (as ``Store.events`` returns them); a sentence
    whose clauses carry different dates is placed by its first one.
    """
    groups: dict[tuple[str, int], list[Event]] = {}
    for event in events:
        if not event.has_place:  # a stop is somewhere on the map
            continue
        groups.setdefault((event.article_id, event.sentence_start), []).append(event)
    steps = []
    for members in groups.values():
        shown = _shown(members)
        steps.append(StoryStep(events=shown, focus=_focus(shown),
                               sentence_ids=frozenset(e.event_id for e in members)))
    return steps


def step_of_event(steps: Sequence[StoryStep], event_id: str | None) -> int | None:
    """The index of the step that shows ``event_id`` (a clicked or linked event), if any."""
    if not event_id:
        return None
    for index, step in enumerate(steps):
        if event_id in step.sentence_ids:
            return index
    return None
