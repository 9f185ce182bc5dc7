"""Events: one per place mentioned in a sentence, with who the sentence puts there and what they did.

The journeys between an actor's places are read from stored events in ``geo.itinerary``."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import TYPE_CHECKING

from geo.attribution import Attributor
from geo.clauses import Clause, describe
from geo.coref import resolve_references
from geo.models import Article, Event, EventDate, Place, Toponym, make_event_id

if TYPE_CHECKING:  # types only: spaCy loads with the pipeline, not with this module
    from spacy.tokens import Doc, Span

    from geo.actors import ActorIndex, SubjectInfo
    from geo.temporal import DocDates

# A sentence longer than this is no sentence a reporter wrote (the longest in the four evaluation
# corpora has 614 characters): its events each take a window of the text around their place.
MAX_SENTENCE_CHARS = 1_000
CONTEXT_CHARS = 250


# Prepositions that put someone or something at, into or out of a place.
LOCATIVE_PREPOSITIONS = frozenset({
    "in", "to", "at", "from", "into", "toward", "towards", "via", "near", "inside", "outside",
    "across", "through", "around", "over", "within", "onto",
})


def is_locative(span: Span) -> bool:
    """Whether a place is where the sentence happens ("arrived in Kabul", "head to the air
    base in Ramstein, Germany", "visited Qatar") rather than a modifier ("Kabul's airport",
    "defending the Panjshir Valley"): the object of a locative preposition, or of a verb of
    travel, through conjuncts and appositions.
    """
    from geo.wordlists import load_words

    tok = span.root
    for _ in range(4):
        if tok.dep_ in ("conj", "appos", "compound", "npadvmod") and tok.head.i != tok.i:
            tok = tok.head
        else:
            break
    if tok.dep_ == "dobj":  # "visited Qatar", "left Kabul"
        return load_words().motion_verbs.get(tok.head.lemma_.lower()) is not None
    return tok.dep_ == "pobj" and tok.head.lower_ in LOCATIVE_PREPOSITIONS


def build_events(
    article: Article,
    doc: Doc,
    toponyms: Sequence[Toponym],
    places: Sequence[Place | None],
    actors: ActorIndex,
    dates: DocDates,
    nationalities: Sequence[tuple[Toponym, str]] = (),
    *,
    text: str | None = None,
) -> list[Event]:
    """One event per resolved toponym, carrying its sentence, date and actors; and one per
    unresolved toponym the text puts a named actor at ("Karl Brandt, 40, of Fire Island"),
    without coordinates: who was where is kept, and the map never guesses it.

    An event's context is its sentence; in a sentence longer than ``MAX_SENTENCE_CHARS`` it is
    a window of about ``CONTEXT_CHARS`` either side of the place, so that each event's quote,
    actors and date cost the same however long the sentence runs. Everything asked per
    sentence (its bounds, the pronoun's antecedent and its date) is worked out once.
    """
    text = doc.text if text is None else text
    article_id = article.article_id
    sentences = _Sentences(doc)
    nation_starts = sorted((t.start, code) for t, code in nationalities)
    earlier_dates: dict[int, EventDate | None] = {}  # antecedent sentence start -> its date
    antecedents: dict[int, tuple[SubjectInfo, tuple[str, ...]] | None] = {}  # per sentence start
    attributor = Attributor(doc, resolve_references(doc, actors, text=text),
                            places=_place_tokens(doc, toponyms), text=text)
    events: list[Event] = []
    for tp, place in zip(toponyms, places, strict=True):
        span = doc.char_span(tp.start, tp.end, alignment_mode="expand")
        if span is None:
            continue
        s_start, s_end = sentences.around(span.start)
        start, end = s_start, s_end
        if s_end - s_start > MAX_SENTENCE_CHARS:
            start, end = _window(text, s_start, s_end, tp.start, tp.end)
        when = dates.pick(start, end, tp.start)
        names = actors.in_span(start, end)
        if s_start not in antecedents:
            antecedents[s_start] = actors.antecedent(s_start)
        antecedent = antecedents[s_start]
        if antecedent is not None:
            # "she told reporters": an undated sentence carries on at the date of the one it refers to.
            info, _subject = antecedent
            if when is None or when.precision == "article":
                if info.start not in earlier_dates:
                    earlier_dates[info.start] = dates.pick(info.start, info.end)
                earlier = earlier_dates[info.start]
                if earlier is not None and earlier.precision != "article":
                    when = earlier
        if when is None:  # no published date and nothing absolute in the sentence
            continue
        first = bisect.bisect_left(nation_starts, (start, ""))
        last = bisect.bisect_left(nation_starts, (end, ""))
        nations = tuple(sorted({code for _s, code in nation_starts[first:last]}))
        who = attributor.attribute(span, (start, end), names)
        what = describe(span)
        if what.modality == "negated":
            # "did not travel to Kabul": the text puts nobody there, and the map must not either;
            # but "Karl Brandt of Graz did not travel to Vienna" still says where he lives
            who = who.denied()
            if who.actors:
                what = Clause()
        if place is None and (not who.actors or what.modality == "negated"):
            # a name the gazetteer could not place is kept only where the text puts someone
            # there ("Karl Brandt, 40, of Fire Island"): who was where, without coordinates
            continue
        mentioned = tuple(a for a in dict.fromkeys((*who.mentioned, *names)) if a not in who.actors)
        located = place if what.modality != "negated" else None  # None: not on the map
        events.append(
            Event(
                event_id=make_event_id(article_id, tp.start, tp.end),
                article_id=article_id,
                date=when.value,
                date_precision=when.precision,
                place_name=tp.text,
                lat=located.lat if located else None,
                lon=located.lon if located else None,
                place_precision=located.precision if located else "",
                geonameid=located.geonameid if located else None,
                country_code=located.country_code if located else "",
                actors=who.actors,
                quote=text[start:end].strip(),
                sentence_start=start,
                sentence_end=end,
                confidence=place.confidence if place else 0.0,
                source=article.source,
                url=article.url,
                place_start=tp.start,
                place_end=tp.end,
                resolved_name=place.resolved_name if place else "",
                date_text=when.text,
                nationalities=nations,
                locative=is_locative(span),
                candidates=located.candidates if located else (),
                mentioned_actors=mentioned,
                actor_roles=who.roles,
                predicate=what.predicate,
                event_type=what.event_type,
                modality=what.modality,
                background=when.background,
                date_end=when.end,
            )
        )
    placed = {e.sentence_start for e in events}
    events.extend(_placeless(article, doc, text, sentences, actors, dates, placed, attributor))
    return events


def _placeless(article: Article, doc: Doc, text: str, sentences: _Sentences, actors: ActorIndex,
               dates: DocDates, placed: set[int], attributor: Attributor) -> list[Event]:
    """One event per sentence that names actors and no place ("Merkel called for dialogue").

    It has no coordinates and is never drawn; its actors are "mentioned" (no one is put at a
    place), the clause's agent first, a pronoun agent resolved ("He called for calm"), so the
    Timeline, the Actors page and the exports count it and no map guesses it.
    """
    out: list[Event] = []
    for s_start, s_end in sentences.bounds():
        if s_start in placed or s_end - s_start > MAX_SENTENCE_CHARS:
            continue
        span = doc.char_span(s_start, s_end, alignment_mode="expand")
        agents = attributor.agents(span) if span is not None else ()
        names = tuple(dict.fromkeys((*agents, *actors.in_span(s_start, s_end))))
        if not names:
            continue
        when = dates.pick(s_start, s_end)
        if when is None:
            continue
        what = describe(span) if span is not None else None
        out.append(Event(
            event_id=make_event_id(article.article_id, s_start, s_end), article_id=article.article_id,
            date=when.value, date_precision=when.precision, place_name="", lat=None, lon=None,
            place_precision="", geonameid=None, country_code="", actors=(),
            quote=text[s_start:s_end].strip(), sentence_start=s_start, sentence_end=s_end,
            confidence=1.0, source=article.source, url=article.url, place_start=s_start,
            place_end=s_start, date_text=when.text, mentioned_actors=names,
            predicate=what.predicate if what else "", event_type=what.event_type if what else "other",
            modality=what.modality if what else "reported", background=when.background, date_end=when.end,
        ))
    return out


def _place_tokens(doc: Doc, toponyms: Sequence[Toponym]) -> frozenset[int]:
    """The token indices of every place name, resolved or not."""
    out: set[int] = set()
    for tp in toponyms:
        span = doc.char_span(tp.start, tp.end, alignment_mode="expand")
        if span is not None:
            out.update(range(span.start, span.end))
    return frozenset(out)


class _Sentences:
    """A doc's sentence bounds, found once: ``span.sent`` walks the tokens back to the
    sentence's start on every call, which is quadratic in a long sentence."""

    def __init__(self, doc: Doc) -> None:
        sents = list(doc.sents)
        self._token_starts = [s.start for s in sents]
        self._chars = [(s.start_char, s.end_char) for s in sents]

    def bounds(self) -> list[tuple[int, int]]:
        """Every sentence's (start, end) in characters, in order."""
        return list(self._chars)

    def around(self, token: int) -> tuple[int, int]:
        """(start, end) in characters of the sentence holding the token at index ``token``."""
        return self._chars[bisect.bisect_right(self._token_starts, token) - 1]


def _window(text: str, s_start: int, s_end: int, p_start: int, p_end: int) -> tuple[int, int]:
    """About CONTEXT_CHARS either side of the place, inside its sentence, never cutting a word."""
    start = max(s_start, p_start - CONTEXT_CHARS)
    end = min(s_end, p_end + CONTEXT_CHARS)
    while start > s_start and start < p_start and not text[start - 1].isspace():
        start += 1  # forward to the start of a word (bounded: at most CONTEXT_CHARS steps)
    while end < s_end and end > p_end and not text[end].isspace():
        end -= 1
    while start < p_start and text[start].isspace():
        start += 1
    while end > p_end and text[end - 1].isspace():
        end -= 1
    return start, end
