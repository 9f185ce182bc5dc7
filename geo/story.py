"""Story mode: the filtered events as a short sequence of steps that tell the story.

One step per sentence made the demo 36 steps of two seconds each, most of them a
country merely named. A reader follows a story by scene: what happened on one day
at one place, or to one actor, or what one paragraph tells. So sentences are the
bricks (a sentence's places are shown together) and a step joins the sentences of
one day that share a place, an attributed actor or a paragraph. A sentence that
only names places, with nobody acting there, joins a neighbouring step of its day
rather than becoming a stop of its own. When the story is still longer than
``max_steps``, the same day's steps in one country are joined, then a whole day.

Background asides ("last month", "since 2013") never open the story: they are
told after it, as what led up to it. Planned events keep their own (future) dates.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from geo.models import Event

# Finer places say more about where something happened.
_PRECISION_RANK = {"point": 0, "city": 1, "admin1": 2, "country": 3}
MAX_STEPS = 15  # a stakeholder follows about this many scenes in a minute
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class StoryStep:
    """One step: the events of a few sentences that belong together, and the one the map flies to."""

    events: tuple[Event, ...]
    focus: Event
    # Every event of the step's sentences, shown or not: a link to a hidden country mention still finds it.
    sentence_ids: frozenset[str] = frozenset()
    background: bool = False  # an aside told after the story itself

    @property
    def date(self) -> date:
        return min(e.date for e in self.events)

    @property
    def last_date(self) -> date:
        return max(e.date_end or e.date for e in self.events)

    def actors(self) -> list[str]:
        """The actors the step puts at its places, the most active first."""
        counts = Counter(a for e in self.events for a in e.actors)
        return [a for a, _n in counts.most_common()]

    def places(self) -> list[str]:
        """The step's place names, the focus first, then in story order, once each."""
        names = [self.focus.place_name]
        for event in self.events:
            if event.place_name not in names:
                names.append(event.place_name)
        return names

    def others(self) -> list[str]:
        """The names of the step's other places, once each."""
        return self.places()[1:]


@dataclass(frozen=True)
class StoryIntro:
    """The title slide: what the story is, when, who, and where."""

    title: str
    first: date
    last: date
    actors: tuple[str, ...]
    places: tuple[str, ...]
    steps: int


def _rank(event: Event) -> int:
    return _PRECISION_RANK.get(event.place_precision, 2)


def _acts(event: Event) -> bool:
    """Something happens at the place, by or to someone the sentence names."""
    return event.locative and bool(event.actors)


def _departure(event: Event) -> bool:
    # "offers of help from Spain", "flew from Qatar": the step is not about where someone came from.
    roles = [role for _actor, role in event.actor_roles]
    return bool(roles) and all(role == "from" for role in roles)


def _focus_key(event: Event) -> tuple[bool, bool, bool, int, int]:
    return (not event.locative, not event.actors, _departure(event), _rank(event), event.place_start)


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
    """Where the step is: a place something happens at with its actors, before a place merely named.

    A country-wide focus gives way to a finer place of the step in that country where
    something happens ("Blinken flew to Germany" and "spoke from Ramstein Air Base").
    """
    best = min(events, key=_focus_key)
    if best.place_precision == "country" and best.country_code:
        finer = [e for e in events if e.country_code == best.country_code and e.locative
                 and _rank(e) < _rank(best)]
        if finer:
            return min(finer, key=_focus_key)
    return best


def _place_key(event: Event) -> tuple[float, float]:
    return (round(event.lat or 0.0, 2), round(event.lon or 0.0, 2))


def paragraph_starts(text: str) -> tuple[int, ...]:
    """Character offsets where the paragraphs of an article's text begin (a blank line between)."""
    return (0, *(m.end() for m in _PARAGRAPH_BREAK.finditer(text)))


@dataclass
class _Group:
    """A step being built: sentences (article, start) and their events."""

    day: date
    background: bool
    sentences: list[tuple[str, int]]
    events: list[Event]
    # What joins groups, kept as they grow: attributed actors, places acted at, paragraphs.
    actors: set[str] = field(default_factory=set)
    places: set[tuple[float, float]] = field(default_factory=set)
    paragraphs: set[tuple[str, int]] = field(default_factory=set)
    country: str = ""  # the focus's country, set before joining by country

    @classmethod
    def of(cls, key: tuple[str, int], events: list[Event], starts: Mapping[str, Sequence[int]]) -> _Group:
        article, sentence = key
        return cls(day=min(e.date for e in events), background=all(e.background for e in events),
                   sentences=[key], events=events, actors={a for e in events for a in e.actors},
                   places={_place_key(e) for e in events if e.locative or e.actors},
                   paragraphs={(article, bisect.bisect_right(starts[article], sentence))}
                   if article in starts else set())

    @property
    def focus(self) -> Event:
        return _focus(self.events)

    @property
    def minor(self) -> bool:
        return not any(_acts(e) for e in self.events)


def _merge(into: _Group, other: _Group) -> None:
    into.sentences += other.sentences
    into.events += other.events
    into.actors |= other.actors
    into.places |= other.places
    into.paragraphs |= other.paragraphs


def _join_while(groups: list[_Group], belongs: Callable[[_Group, _Group], bool]) -> list[_Group]:
    """Join each group into an earlier group of the same day (and background flag) it belongs with."""
    out: list[_Group] = []
    by_day: dict[tuple[date, bool], list[_Group]] = {}  # only the same day's groups are candidates
    for group in groups:
        same_day = by_day.setdefault((group.day, group.background), [])
        home = next((g for g in same_day if belongs(g, group)), None)
        if home is None:
            out.append(group)
            same_day.append(group)
        else:
            _merge(home, group)
    return out


def _together(a: _Group, b: _Group) -> bool:
    return bool(a.places & b.places or a.actors & b.actors or a.paragraphs & b.paragraphs)


def _absorb_minor(groups: list[_Group]) -> list[_Group]:
    """A sentence that only names places joins its day's step (in its article, if it has one)."""
    minor = {id(g): g.minor for g in groups}  # decided before any merge
    major: dict[tuple[date, bool], list[_Group]] = {}
    for group in groups:
        if not minor[id(group)]:
            major.setdefault((group.day, group.background), []).append(group)
    out: list[_Group] = []
    only_mentions: dict[tuple[date, bool], _Group] = {}
    for group in groups:
        day = (group.day, group.background)
        if not minor[id(group)]:
            out.append(group)
        elif day in major:
            articles = {a for a, _s in group.sentences}
            home = next((g for g in major[day] if articles & {a for a, _s in g.sentences}), major[day][0])
            _merge(home, group)
        elif day in only_mentions:
            _merge(only_mentions[day], group)  # a day with only mentions is one step of the story
        else:
            only_mentions[day] = group
            out.append(group)
    return out


def _same_country(a: _Group, b: _Group) -> bool:
    # The focus of the step the group joined so far: stable while it grows in one pass.
    return bool(a.country) and a.country == b.country


def _same_day(_a: _Group, _b: _Group) -> bool:
    return True


def story_steps(events: Sequence[Event], *, paragraphs: Mapping[str, Sequence[int]] | None = None,
                max_steps: int = MAX_STEPS) -> list[StoryStep]:
    """The story's steps: the story's own events in time order, then its background asides.

    ``events`` come in time order (as ``Store.events`` returns them); a sentence whose
    clauses carry different dates is placed by its first one. ``paragraphs`` maps an
    article id to its paragraph starts (``paragraph_starts``): sentences of one paragraph
    and one day form one step.
    """
    sentences: dict[tuple[str, int], list[Event]] = {}
    for event in events:
        if not event.has_place:  # a step is somewhere on the map
            continue
        sentences.setdefault((event.article_id, event.sentence_start), []).append(event)
    groups = [_Group.of(key, members, paragraphs or {}) for key, members in sentences.items()]
    # Time order, the story's own events before its asides; a stable sort keeps the text's order in a day.
    groups.sort(key=lambda g: (g.background, g.day))
    while True:  # until nothing more joins: C may link A and B that a single pass kept apart
        count = len(groups)
        groups = _join_while(groups, _together)
        if len(groups) == count:
            break
    groups = _absorb_minor(groups)
    if len(groups) > max_steps:
        for group in groups:
            group.country = group.focus.country_code
        groups = _join_while(groups, _same_country)
    if len(groups) > max_steps:
        groups = _join_while(groups, _same_day)
    steps = []
    for group in groups:
        members = sorted(group.events, key=lambda e: (e.date, e.article_id, e.place_start))
        shown = _shown_by_sentence(members)
        steps.append(StoryStep(events=shown, focus=_focus(shown),
                               sentence_ids=frozenset(e.event_id for e in members),
                               background=group.background))
    return steps


def _shown_by_sentence(events: Iterable[Event]) -> tuple[Event, ...]:
    by_sentence: dict[tuple[str, int], list[Event]] = {}
    for event in events:
        by_sentence.setdefault((event.article_id, event.sentence_start), []).append(event)
    return tuple(e for members in by_sentence.values() for e in _shown(members))


def story_intro(steps: Sequence[StoryStep], title: str = "", *, max_actors: int = 6) -> StoryIntro | None:
    """The title slide for ``steps`` (None when there is no step)."""
    if not steps:
        return None
    own = [s for s in steps if not s.background] or list(steps)
    counts = Counter(a for s in own for e in s.events for a in e.actors)
    places: dict[tuple[float, float], str] = {}  # one name a location: "United States", not also "U.S."
    for step in own:
        for event in (step.focus, *step.events):
            places.setdefault(_place_key(event), event.place_name)
    return StoryIntro(title=title, first=min(s.date for s in own), last=max(s.last_date for s in own),
                      actors=tuple(a for a, _n in counts.most_common(max_actors)),
                      places=tuple(dict.fromkeys(places.values())),
                      steps=len(steps))


def step_of_event(steps: Sequence[StoryStep], event_id: str | None) -> int | None:
    """The index of the step that shows ``event_id`` (a clicked or linked event), if any."""
    if not event_id:
        return None
    for index, step in enumerate(steps):
        if event_id in step.sentence_ids:
            return index
    return None


def _day(day: date, *, year: bool = True) -> str:
    return f"{day.day} {day.strftime('%B')}" + (f" {day.year}" if year else "")


def period_text(first: date, last: date) -> str:
    """A human period: "15 August 2021", "30–31 August 2021", "30 August – 9 September 2021"."""
    if first == last:
        return _day(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{_day(last)}"
    if first.year == last.year:
        return f"{_day(first, year=False)} – {_day(last)}"
    return f"{_day(first)} – {_day(last)}"


def step_heading(step: StoryStep) -> str:
    """The step's large date heading; a step only of plans or asides says so."""
    text = period_text(step.date, step.date)
    if all(e.modality == "planned" for e in step.events):
        return f"{text} (planned)"
    if step.background:
        return f"{text} (background)"
    return text


def step_seconds(step: StoryStep, base: float, *, per_sentence: float = 0.75, most: float = 6.0) -> float:
    """How long Play stays on a step: longer for a step that tells more."""
    sentences = len({(e.article_id, e.sentence_start) for e in step.events})
    return min(most, base + per_sentence * (sentences - 1))
