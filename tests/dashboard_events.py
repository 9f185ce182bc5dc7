"""Hand-made events for the dashboard tests: no pipeline, no gazetteer needed.

Coordinates are arbitrary test values, not looked up for any real place.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from geo.models import Actor, Article, Candidate, Event, make_event_id
from geo.overview import MapFilters
from geo.store import Store

XSS = '<img src=x onerror=alert(1)> <script>alert(2)</script> [link](javascript:alert(3)) $x$'


def _event(article: Article, text: str, place: str, when: date, lat: float, lon: float, *,
           precision: str = "city", country: str = "", actors: tuple[str, ...] = (),
           confidence: float = 0.9, candidates: tuple[Candidate, ...] = ()) -> Event:
    start = text.index(place)
    sentence_start = text.rfind(". ", 0, start)
    sentence_start = 0 if sentence_start < 0 else sentence_start + 2
    sentence_end = text.find(".", start) + 1 or len(text)
    return Event(
        event_id=make_event_id(article.article_id, start, start + len(place)),
        article_id=article.article_id, date=when, date_precision="day", place_name=place, lat=lat,
        lon=lon, place_precision=precision, geonameid=None, country_code=country, actors=actors,  # type: ignore[arg-type]
        quote=text[sentence_start:sentence_end], sentence_start=sentence_start,
        sentence_end=sentence_end, confidence=confidence, source=article.source, url=article.url,
        place_start=start, place_end=start + len(place), resolved_name=place, candidates=candidates,
        locative=True,
    )


def story() -> list[tuple[Article, list[Event], list[Actor]]]:
    """Three articles, three actors, one untrusted payload, one ambiguous place."""
    a1 = Article(text="Alpha Person arrived in Northtown. Beta Group met in Northtown.", title="First",
                 published=date(2021, 8, 15), source="Wire", url="https://example.org/1")
    a2 = Article(text=f"{XSS} happened as Alpha Person reached Easton. Later more.", title=f"Second {XSS}",
                 published=date(2021, 8, 20), source="Daily", url="javascript:alert(4)")
    a3 = Article(text="Gamma Org spoke in Westville. Alpha Person visited Southland.", title="Third",
                 published=date(2021, 9, 1), source="Wire", url="https://example.org/3")
    twins = (Candidate("Westville", 10.0, 10.0, "city", "AA", population=500),
             Candidate("Westville", -20.0, 40.0, "city", "BB", population=300))
    e1 = [_event(a1, a1.text, "Northtown", date(2021, 8, 15), 30.0, 60.0, country="AA",
                 actors=("Alpha Person",)),
          _event(a1, a1.text, "Northtown.", date(2021, 8, 15), 30.0, 60.0, country="AA",
                 actors=("Beta Group",))]
    e2 = [_event(a2, a2.text, "Easton", date(2021, 8, 20), 25.0, 50.0, country="BB",
                 actors=("Alpha Person",))]
    e3 = [_event(a3, a3.text, "Westville", date(2021, 9, 1), 10.0, 10.0, country="AA",
                 actors=("Gamma Org",), confidence=0.4, candidates=twins),
          _event(a3, a3.text, "Southland", date(2021, 9, 1), 49.0, 7.0, country="CC",
                 actors=("Alpha Person",))]
    actors = [Actor("Alpha Person", "person", ("Alpha",)), Actor("Beta Group", "group"),
              Actor("Gamma Org", "organization")]
    return [(a1, e1, actors[:2]), (a2, e2, actors[:1]), (a3, e3, [actors[0], actors[2]])]


def all_events() -> list[Event]:
    return [e for _a, evs, _act in story() for e in evs]


def background() -> tuple[Article, list[Event], list[Actor]]:
    """A later article recalling something years before the story (a background mention)."""
    article = Article(text="Delta Union has held talks in Oldport since 2013. Delta Union met in Newport.",
                      title="Fourth", published=date(2021, 9, 1), source="Wire", url="https://example.org/4")
    events = [_event(article, article.text, "Oldport", date(2013, 1, 1), 12.0, 14.0, country="AA",
                     actors=("Delta Union",)),
              _event(article, article.text, "Newport", date(2021, 9, 1), 13.0, 15.0, country="AA",
                     actors=("Delta Union",))]
    return article, events, [Actor("Delta Union", "organization")]


def fill_story(store: Store) -> Store:
    """Add ``story()`` to ``store``; returns the store."""
    for article, events, actors in story():
        store.add_article(article, events, actors)
    return store


def app_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A SQLite store holding ``story()``, set as the app's store with the demo load off.

    A page run on its own (a deep link on a fresh server) imports ui from the project root,
    so that goes on sys.path too.
    """
    from geo.config import PROJECT_ROOT

    url = f"sqlite:///{tmp_path / 'story.sqlite'}"
    with Store(url) as store:
        fill_story(store)
    monkeypatch.setenv("GEOSTORY_DB_URL", url)
    monkeypatch.setenv("GEOSTORY_DEMO", "false")
    monkeypatch.syspath_prepend(str(PROJECT_ROOT))
    return url


def filter_cases(store: Store) -> list[MapFilters]:
    """Filters built from the store's own data, as the sidebar offers them (for SQL paths' tests)."""
    actors = store.actors()
    busiest = actors[0][0]
    alias = next((a for a, _n in actors if a.aliases), busiest)
    low, high = store.date_range()  # type: ignore[misc]
    middle = low + (high - low) / 2
    country = max(store.countries(), key=lambda c: c[1])[0]
    source = store.sources()[0][0]
    return [
        MapFilters(),
        MapFilters.of(actors=[busiest.name]),
        MapFilters.of(actors=[(alias.aliases or (alias.name,))[0].upper()]),  # an alias, in another case
        MapFilters.of(date_from=middle - timedelta(days=60), date_to=middle),
        MapFilters.of(countries=[country.lower()]),
        MapFilters.of(sources=[source]),
        MapFilters.of(actors=[busiest.name], countries=[country], date_from=low, date_to=high),
        MapFilters.of(date_from=date(1900, 1, 1), date_to=date(1900, 1, 2)),  # nothing
        *wide_windows(store),
    ]


def wide_windows(store: Store) -> list[MapFilters]:
    """Date windows that keep most events but not all (a story's period): SQLite counts them
    without the date index (geo.overview.wide_window), and actors by what is left out."""
    days = sorted(e.date for e in store.events())
    low, high = days[len(days) // 10], days[len(days) * 9 // 10]
    return [MapFilters.of(date_from=low, date_to=high), MapFilters.of(date_from=low),
            MapFilters.of(date_to=high)]


def events_of(store: Store, f: MapFilters) -> list[Event]:
    return store.events(actors=f.actors or None, date_from=f.date_from, date_to=f.date_to,
                        countries=f.countries or None, sources=f.sources or None)


def modelled() -> tuple[Article, list[Event], list[Actor]]:
    """An article whose events carry the event model (schema version 3): who was there and who is
    only mentioned, roles, a predicate and its type, a planned trip with a date range, and one
    event without a place."""
    from dataclasses import replace

    article = Article(text="Epsilon Envoy will fly from Westville to Northtown, Zeta Bureau said. "
                           "Epsilon Envoy called for calm.",
                      title="Fifth", published=date(2021, 8, 25), source="Daily", url="https://example.org/5")
    text = article.text
    leave = _event(article, text, "Westville", date(2021, 8, 26), 10.0, 10.0, country="AA",
                   actors=("Epsilon Envoy",))
    arrive = _event(article, text, "Northtown", date(2021, 8, 26), 30.0, 60.0, country="AA",
                    actors=("Epsilon Envoy",))
    common = dict(mentioned_actors=("Zeta Bureau",), predicate="fly", event_type="travel",
                  modality="planned", date_end=date(2021, 8, 27))
    leave = replace(leave, actor_roles=(("Epsilon Envoy", "from"),), **common)  # type: ignore[arg-type]
    arrive = replace(arrive, actor_roles=(("Epsilon Envoy", "to"),), **common)  # type: ignore[arg-type]
    start = text.index("Epsilon Envoy called")
    placeless = Event(
        event_id=make_event_id(article.article_id, start, start + len("Epsilon Envoy")),
        article_id=article.article_id, date=date(2021, 8, 25), date_precision="article", place_name="",
        lat=None, lon=None, place_precision="", geonameid=None, country_code="", actors=(),
        quote="Epsilon Envoy called for calm.", sentence_start=start, sentence_end=len(text),
        confidence=1.0, source=article.source, url=article.url, place_start=start, place_end=start,
        mentioned_actors=("Epsilon Envoy",), predicate="call for", event_type="statement",
    )
    actors = [Actor("Epsilon Envoy", "person"), Actor("Zeta Bureau", "organization")]
    return article, [leave, arrive, placeless], actors
