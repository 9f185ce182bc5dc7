"""Who is named where in one article: its actors' mentions and each sentence's subject, indexed
by character offset for the events of ``geo.events``.

Split from ``geo.actors``, which finds and merges the mentions. Lookups bisect sorted offsets,
so asking for every place of a long article costs the mentions near each place, not all of the
article's (issue 10, item 5: this was quadratic in the article's length).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from geo.models import Actor

_LOOKBACK_SENTENCES = 3


@dataclass(frozen=True)
class ActorMention:
    actor: str  # canonical name
    start: int  # char offsets in the doc text
    end: int
    text: str


@dataclass(frozen=True)
class SubjectInfo:
    """One sentence's grammatical subject: a personal pronoun, or the actors it names."""

    start: int
    end: int
    pronoun: str  # "he" / "she" / "they", or "" when the subject is not one
    actors: tuple[str, ...]


@dataclass(frozen=True)
class ActorIndex:
    """One article's actors, their mentions, and what pronoun subjects point back to.

    Lookups bisect sorted offsets, so asking for every place of a long article costs
    the mentions near each place, not all of the article's.
    """

    actors: tuple[Actor, ...]
    mentions: tuple[ActorMention, ...]
    subjects: tuple[SubjectInfo, ...] = ()  # per sentence, in order; empty without a parser
    reclaimed: tuple[tuple[int, int], ...] = ()  # place-tagged spans that are actors ("Blinken" GPE)
    _by_start: tuple[ActorMention, ...] = field(init=False, repr=False, compare=False)
    _starts: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _subject_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _kinds: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_start = tuple(sorted(self.mentions, key=lambda m: m.start))  # stable: ties keep their order
        object.__setattr__(self, "_by_start", by_start)
        object.__setattr__(self, "_starts", tuple(m.start for m in by_start))
        object.__setattr__(self, "_subject_starts", tuple(s.start for s in self.subjects))
        object.__setattr__(self, "_kinds", {a.name: a.kind for a in self.actors})

    def in_span(self, start: int, end: int) -> tuple[str, ...]:
        """Canonical names mentioned inside [start, end), in order, unique."""
        names = []
        for i in range(bisect_left(self._starts, start), bisect_left(self._starts, end)):
            if self._by_start[i].end <= end:
                names.append(self._by_start[i].actor)
        return tuple(dict.fromkeys(names))

    def subject_before(self, start: int) -> tuple[str, ...]:
        """Who "he"/"she"/"they" refers to, for the sentence containing ``start``.

        Only when that sentence's subject is such a pronoun: the actors named in
        the subject of the nearest preceding sentence (up to three back) whose
        subject names a fitting actor -- a person for he/she, anyone for they.
        Skipping sentences whose subject is a place or another pronoun is what
        carries "He will also speak..." back to "...Antony Blinken was due...".
        """
        found = self.antecedent(start)
        return () if found is None else found[1]

    def antecedent(self, start: int) -> tuple[SubjectInfo, tuple[str, ...]] | None:
        """The earlier sentence a pronoun subject points back to, with the actors it names."""
        i = bisect_right(self._subject_starts, start) - 1
        if i < 0 or start >= self.subjects[i].end or not self.subjects[i].pronoun:
            return None
        pronoun = self.subjects[i].pronoun
        kinds = self._kinds
        for prev in reversed(self.subjects[max(0, i - _LOOKBACK_SENTENCES) : i]):
            fit = tuple(a for a in prev.actors if pronoun == "they" or kinds.get(a) == "person")
            if fit:
                return prev, fit
        return None
