"""The story pipeline: article text -> toponyms, places, dates, actors -> events -> store."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from spacy.language import Language
from spacy.tokens import Doc

from geo import temporal
from geo.actors import KnownActors, extract_actors
from geo.area_names import AreaNames
from geo.config import Settings, load_settings
from geo.errors import AnalysisError, GeoError, InputError
from geo.extract import RecoveryRules, find_demonyms, find_toponyms, load_nlp
from geo.gazetteer import Gazetteer, load_gazetteer, normalize_name
from geo.geocode import GazetteerGeocoder, make_geocoder
from geo.longtext import BATCH_CHARS, parse_texts
from geo.models import Actor, Article, Candidate, Event, Place, Toponym
from geo.resolve import RankWeights, Resolver

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Analysis:
    """Everything the pipeline found in one article, before it is stored."""

    article: Article
    events: tuple[Event, ...]
    actors: tuple[Actor, ...]
    toponyms: tuple[Toponym, ...]
    places: tuple[Place | None, ...]
    nationalities: tuple[tuple[Toponym, str], ...] = ()
    # For the user, not stored: the article's reading warnings, then what the analysis noticed.
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Toponymy:
    """A geoparse result: a mention and what it resolved to (None: not in the gazetteer)."""

    toponym: Toponym
    place: Place | None
    kind: str = "place"  # or "demonym": a nationality word, located at its country


@dataclass(frozen=True)
class IngestSummary:
    added: tuple[str, ...] = ()  # article ids
    skipped: tuple[str, ...] = ()  # already in the store
    failed: tuple[tuple[str, str], ...] = ()  # (origin, message)
    events: int = 0
    extra: Mapping[str, int] = field(default_factory=dict)
    warnings: tuple[tuple[str, str], ...] = ()  # (origin, message), for articles analysed

    @property
    def ok(self) -> bool:
        return not self.failed


def _doc_text(doc: Doc, parsed_from: str) -> str:
    """``doc.text`` without rebuilding it from every token (a few ms an article) when the doc
    was parsed from ``parsed_from``, as the ingest path does: its ends and length agree."""
    if len(doc) == 0:
        return doc.text
    first, last = doc[0], doc[-1]
    if (last.idx + len(last.text_with_ws) == len(parsed_from)
            and parsed_from.startswith(first.text, first.idx)
            and parsed_from.startswith(last.text, last.idx)):
        return parsed_from
    return doc.text


class Pipeline:
    """Holds the loaded model and gazetteer; cheap to call, expensive to build."""

    def __init__(
        self,
        nlp: Language,
        gazetteer: Gazetteer,
        *,
        candidates: Callable[[str], list[Candidate]] | None = None,
        overrides: Mapping[str, Place] | None = None,
        rules: RecoveryRules | None = None,
        weights: RankWeights | None = None,
    ) -> None:
        self.nlp = nlp
        self.gazetteer = gazetteer
        self.rules = rules or RecoveryRules()
        if candidates is None:
            # Resolution goes through geopy's interface; offline, the gazetteer's geocoder.
            candidates = GazetteerGeocoder(gazetteer).candidates
        self.resolver = Resolver(
            candidates,
            areas=AreaNames(gazetteer.area_names, normalize_name).like,
            weights=weights,
            is_primary=gazetteer.is_primary,
            is_capital=gazetteer.is_capital,
            overrides=overrides,
            normalize=normalize_name,
        )

    @classmethod
    def from_settings(
        cls, settings: Settings | None = None, *, progress: Progress | None = None
    ) -> Pipeline:
        settings = settings or load_settings()
        gazetteer = load_gazetteer(settings, progress=progress)
        nlp = load_nlp(settings.spacy_model)
        geocoder = make_geocoder(settings, gazetteer)  # offline unless a service is configured
        return cls(nlp, gazetteer, candidates=geocoder.candidates)

    def with_overrides(self, overrides: Mapping[str, Place]) -> Pipeline:
        """The same loaded components, with corrections applied by place name."""
        clone = object.__new__(Pipeline)
        clone.nlp, clone.gazetteer, clone.rules = self.nlp, self.gazetteer, self.rules
        clone.resolver = Resolver(
            self.resolver._candidates,
            areas=self.resolver._areas,
            weights=self.resolver.weights,
            is_primary=self.gazetteer.is_primary,
            is_capital=self.gazetteer.is_capital,
            overrides={normalize_name(k): v for k, v in overrides.items()},
            normalize=normalize_name,
        )
        return clone

    # -- geoparsing -------------------------------------------------------

    def geoparse_doc(self, doc: Doc, text: str | None = None) -> list[Toponymy]:
        # doc.text is rebuilt from the tokens on every access: callers that hold it pass it.
        text = doc.text if text is None else text
        toponyms = find_toponyms(doc, self.gazetteer, self.rules)
        demonyms = find_demonyms(doc, self.gazetteer)
        places = self.resolver.resolve(
            toponyms, text=text, nationalities=[c for _t, c in demonyms if len(c) == 2]
        )
        out = [Toponymy(t, p) for t, p in zip(toponyms, places, strict=True)]
        for tp, _code in demonyms:
            area = self.gazetteer.demonym_place(tp.text)
            place = None
            if area is not None:
                place = Place(
                    name=tp.text, lat=area.lat, lon=area.lon, precision="country",
                    confidence=0.9, resolved_name=area.name, geonameid=area.geonameid,
                    country_code=area.country_code, feature=area.feature, candidates=(area,),
                )
            out.append(Toponymy(tp, place, kind="demonym"))
        out.sort(key=lambda r: r.toponym.start)
        return out

    def geoparse(self, texts: Iterable[str], *, batch_size: int = 16) -> Iterator[list[Toponymy]]:
        for doc in self.parse_many(texts, batch_size=batch_size):
            yield self.geoparse_doc(doc)

    # -- parsing ------------------------------------------------------------

    def parse(self, text: str) -> Doc:
        """spaCy's doc for one text of any length (a long one is parsed in pieces, see geo.longtext)."""
        return next(parse_texts(self.nlp, [text]))

    def parse_many(self, texts: Iterable[str], *, batch_size: int = 8) -> Iterator[Doc]:
        return parse_texts(self.nlp, texts, batch_size=batch_size)

    # -- events -------------------------------------------------------------

    def analyse_doc(self, article: Article, doc: Doc) -> Analysis:
        from geo.events import build_events

        text = _doc_text(doc, article.text)
        found = self.geoparse_doc(doc, text)
        toponyms = [r.toponym for r in found if r.kind == "place"]
        places = [r.place for r in found if r.kind == "place"]
        nationalities = [(r.toponym, r.place.country_code) for r in found
                         if r.kind == "demonym" and r.place is not None]
        actor_index = extract_actors(
            doc,
            text=text,
            exclude={(t.start, t.end) for t in toponyms},
            is_demonym=lambda w: self.gazetteer.demonym(w) is not None,
        )
        if actor_index.reclaimed:  # a surname tagged as a place is the person, not a place
            reclaimed = set(actor_index.reclaimed)
            kept = [(t, p) for t, p in zip(toponyms, places, strict=True)
                    if (t.start, t.end) not in reclaimed]
            toponyms, places = [t for t, _p in kept], [p for _t, p in kept]
        dates = temporal.DocDates(doc, article.published)
        events = build_events(article, doc, toponyms, places, actor_index, dates, nationalities, text=text)
        return Analysis(
            article=article,
            events=tuple(events),
            actors=tuple(actor_index.actors),
            toponyms=tuple(toponyms),
            places=tuple(places),
            nationalities=tuple(nationalities),
            warnings=article.warnings + dates.warnings,
        )

    def analyse(self, article: Article) -> Analysis:
        """The analysis of one article; any failure is a GeoError (AnalysisError if unexpected)."""
        outcome = self._analyse_guarded(article, None)
        if isinstance(outcome, GeoError):
            raise outcome
        return outcome

    def analyse_each(
        self, articles: Sequence[Article], *, batch_size: int = 8
    ) -> Iterator[tuple[Article, Analysis | GeoError]]:
        """Each article with its analysis, or with the error that stopped it: one article's
        failure, even inside a spaCy batch, never loses another's analysis."""
        for group in _groups(articles, batch_size):
            try:
                docs: list[Doc | None] = list(self.parse_many([a.text for a in group], batch_size=batch_size))
            except Exception:  # a fault anywhere in the batch: parse its articles one at a time
                log.warning("spaCy failed on a batch of %d article(s); parsing them one by one",
                            len(group), exc_info=True)
                docs = [None] * len(group)
            for article, doc in zip(group, docs, strict=True):
                yield article, self._analyse_guarded(article, doc)

    def _analyse_guarded(self, article: Article, doc: Doc | None) -> Analysis | GeoError:
        """The fault barrier of one article: anything unexpected becomes a short AnalysisError,
        its traceback goes to the log."""
        origin = article.origin or article.title or article.article_id
        try:
            return self.analyse_doc(article, self.parse(article.text) if doc is None else doc)
        except GeoError as err:
            return err
        except Exception as err:  # the barrier: whatever it is, it is this article's failure alone
            log.exception("analysis of %s failed", origin)
            reason = str(err).strip().splitlines()[0][:100] if str(err).strip() else ""
            shown = f"{type(err).__name__}: {reason}" if reason else type(err).__name__
            failure = AnalysisError(f"could not be analysed ({shown}); the details are in the log",
                                    source=origin)
            failure.__cause__ = err
            return failure


def _groups(articles: Sequence[Article], size: int) -> Iterator[Sequence[Article]]:
    """Runs of at most ``size`` articles and BATCH_CHARS characters (a longer article goes alone),
    so that a batch's docs held at once stay bounded in memory as well as in number."""
    group: list[Article] = []
    length = 0
    for article in articles:
        if group and (len(group) >= size or length + len(article.text) > BATCH_CHARS):
            yield group
            group, length = [], 0
        group.append(article)
        length += len(article.text)
    if group:
        yield group


def rename_actors(analysis: Analysis, known: KnownActors | Sequence[Actor]) -> Analysis:
    """Use the store's names for actors it knows already ("Blinken" -> "Antony Blinken")."""
    index = known if isinstance(known, KnownActors) else KnownActors(known)
    mapping = index.mapping(analysis.actors)
    if not any(k != v for k, v in mapping.items()):
        return analysis
    actors: dict[str, Actor] = {}
    for actor in analysis.actors:
        name = mapping.get(actor.name, actor.name)
        aliases = set(actor.aliases) | ({actor.name} if name != actor.name else set())
        prev = actors.get(name)
        if prev is not None:
            aliases |= set(prev.aliases)
        actors[name] = Actor(name, actor.kind, tuple(sorted(aliases - {name})))
    events = tuple(
        replace(e, actors=tuple(dict.fromkeys(mapping.get(a, a) for a in e.actors)))
        for e in analysis.events
    )
    return replace(analysis, events=events, actors=tuple(actors.values()))


def why_no_events(analysis: Analysis) -> str:
    """Why an analysis gave no events, in words a user can act on."""
    if not analysis.toponyms:
        return "no places found in the text, so there is nothing to map"
    if not any(place is not None for place in analysis.places):
        return "no place named in the text could be located, so there is nothing to map"
    if analysis.article.published is None:
        # Without a published date only absolute dates ("7 September 2021") can date an event.
        return ("places were found but none could be dated: give the published date "
                "(front matter, a .json sidecar, --published or the form's field)")
    return "no event could be built from the places found, so there is nothing to map"


def partition(
    items: Iterable[Article | InputError], stored: Callable[[str], bool] = lambda _id: False
) -> tuple[list[Article], list[str], list[tuple[str, str]]]:
    """Split ingest input into articles to analyse, ids to skip (repeats, already stored),
    and (origin, message) failures for input that could not be read."""
    todo: list[Article] = []
    skipped: list[str] = []
    failed: list[tuple[str, str]] = []
    seen: set[str] = set()
    for item in items:
        if isinstance(item, InputError):
            failed.append((item.source, str(item)))
        elif item.article_id in seen or stored(item.article_id):
            skipped.append(item.article_id)
        else:
            seen.add(item.article_id)
            todo.append(item)
    return todo, skipped, failed


def ingest(
    articles: Iterable[Article | InputError],
    pipeline: Pipeline,
    store,  # geo.store.Store; not imported at module level to keep the CLI light
    *,
    progress: Progress | None = None,
    batch_size: int = 8,
) -> IngestSummary:
    """Analyse and store each article in its own transaction; one bad article stops nothing.

    Articles already in the store are skipped before any analysis; the rest go
    through spaCy in batches (``nlp.pipe``), each stored as soon as it is done.
    """
    todo, skipped, failed = partition(articles, store.has_article)
    overrides = store.override_places()
    if overrides:
        pipeline = pipeline.with_overrides(overrides)
    known = KnownActors([a for a, _n in store.actors()])
    added: list[str] = []
    warnings: list[tuple[str, str]] = []
    n_events = 0
    for i, (item, outcome) in enumerate(pipeline.analyse_each(todo, batch_size=batch_size)):
        origin = item.origin or item.title or item.article_id
        try:
            if isinstance(outcome, GeoError):
                raise outcome
            warnings.extend((origin, w) for w in outcome.warnings)
            if not outcome.events:
                # Nothing to map: storing it would only hide the problem from the user.
                raise InputError(why_no_events(outcome), source=origin)
            analysis = rename_actors(outcome, known)
            if store.add_article(item, analysis.events, analysis.actors):
                added.append(item.article_id)
                n_events += len(analysis.events)
                known.add(analysis.actors)
            else:
                skipped.append(item.article_id)
        except GeoError as err:
            log.warning("ingest failed for %s: %s", origin, err)
            failed.append((origin, str(err)))
        if progress is not None:
            progress((i + 1) / len(todo), origin)
    if added:
        store.refresh_statistics()  # so the dashboard's queries keep using their indexes
    return IngestSummary(tuple(added), tuple(skipped), tuple(failed), n_events, warnings=tuple(warnings))

