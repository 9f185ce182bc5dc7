"""Synthetic event stores for the dashboard benchmark: seeded, cached, written through the real schema.

    python -m bench.synth 100000 [--seed 0]

Places are real gazetteer entries (a seeded sample of the built index, the
larger cities likelier), each with a Zipf-like popularity so a few places are
hot; actors are a few hundred made-up names with skewed frequencies; articles
hold several events each and are spread over three years with a few bursts of
news. Nothing here names a place: every coordinate comes from the index.

Rows are produced as the model's own values (``Article``, ``Event``, ``Actor``)
and turned into rows by ``geo.schema.event_row``, then bulk-inserted with
sqlite3 into a file that ``Store`` created, so ``Store`` reads them back as it
reads its own. A store is cached under ``var/bench/`` by (events, seed,
generator version); reruns reuse it.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import logging
import math
import os
import random
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Generic, TypeVar
from urllib.request import pathname2url

import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.schema import CreateIndex

from geo.config import VAR_DIR, Settings
from geo.gazetteer import load_gazetteer
from geo.models import Actor, Article, Candidate, Event, make_event_id
from geo.schema import actors_table, articles, event_actors, event_row, events, meta
from geo.store import Store

log = logging.getLogger(__name__)

SYNTH_VERSION = 3  # bump when the generator changes: cached stores are keyed by it
BENCH_DIR = VAR_DIR / "bench"
SIZES = (10_000, 100_000, 1_000_000)
FIRST_DAY = date(2019, 1, 1)
DAYS = 3 * 365
ZIPF_S = 1.1
SOURCES = ("Global Wire", "Daily Ledger", "Evening Courier", "Harbor Times", "Metro Gazette",
           "Northern Dispatch", "Plains Observer", "Coastal Record")
_SYLLABLES = ("ka", "ri", "mo", "sa", "le", "na", "tor", "vin", "da", "el", "ro", "su", "ban", "fi", "go",
              "ha", "ja", "lu", "me", "no", "pa", "qui", "ra", "si", "ta", "vo", "ya", "zel", "mir", "dor")
_BODIES = ("Army", "Foreign Ministry", "Parliament", "Central Bank", "Interior Ministry", "Supreme Court",
           "Election Commission", "Police", "Red Crescent", "Coast Guard")
_GROUP_WORDS = (("People's", "National", "United", "Free", "Democratic", "Popular", "Patriotic"),
                ("Front", "Alliance", "Movement", "Council", "Union", "Coalition", "League"))
# (sentence, whether the place is where the actors are: Event.locative)
_WITH_ACTORS = (("{who} arrived in {place} on {day}.", True), ("{who} met officials in {place}.", True),
                ("{who} spoke to reporters in {place}.", True), ("{who} left {place} after the talks.", True),
                ("{who} criticised the decision taken in {place}.", False),
                ("{who} visited {place} last week.", True))
_NO_ACTORS = (("Fighting was reported near {place}.", True), ("Talks hosted in {place} ended without a deal.",
              True), ("Prices rose sharply in {place}.", True), ("Roads out of {place} were closed.", True))
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class SynthPlace:
    """A gazetteer entry events are put at."""

    name: str
    lat: float
    lon: float
    feature: str
    country_code: str
    admin1_code: str
    population: int
    geonameid: int | None

    def candidate(self) -> Candidate:
        return Candidate(name=self.name, lat=self.lat, lon=self.lon, feature=self.feature,
                         country_code=self.country_code, admin1_code=self.admin1_code,
                         population=self.population, geonameid=self.geonameid, score=1.0)


T = TypeVar("T")


@dataclass(frozen=True)
class Weighted(Generic[T]):
    """Items with cumulative Zipf weights over their order: the first ones are hot."""

    items: tuple[T, ...]
    cum: tuple[float, ...]

    @classmethod
    def zipf(cls, items: Sequence[T], s: float = ZIPF_S) -> Weighted[T]:
        return cls(tuple(items), tuple(itertools.accumulate(1.0 / (r + 1) ** s for r in range(len(items)))))

    def pick(self, rng: random.Random) -> T:
        return self.items[bisect.bisect_left(self.cum, rng.random() * self.cum[-1])]


def sizes_for(n_events: int) -> dict[str, int]:
    """How many places and actors a store of ``n_events`` draws from (more events, more places)."""
    root = math.sqrt(max(n_events, 1))
    return {"city": int(15 * root), "admin1": int(1.5 * root), "country": min(250, int(1.2 * root)),
            "actors": 200 + int(root / 2)}


# -- places and actors ----------------------------------------------------------------


def _gazetteer_file(settings: Settings | None = None) -> Path:
    gaz = load_gazetteer(settings)  # builds the index on first use
    path = gaz.path
    gaz.close()
    if path is None:
        raise RuntimeError("the gazetteer has no file")
    return Path(path)


def sample_places(gazetteer_db: Path, feature: str, k: int, rng: np.random.Generator) -> list[SynthPlace]:
    """``k`` distinct entries of one feature, populous ones likelier, in popularity order."""
    uri = f"file:{pathname2url(str(gazetteer_db.resolve()))}?mode=ro"
    with sqlite3.connect(uri, uri=True) as conn:
        rows = conn.execute("SELECT name, lat, lon, feature, country_code, admin1_code, population, "
                            "geonameid FROM entries WHERE feature = ? ORDER BY id", (feature,)).fetchall()
    if not rows:
        raise RuntimeError(f"the gazetteer at {gazetteer_db} has no {feature} entries")
    weight = np.sqrt(np.array([r[6] for r in rows], dtype=float) + 1000.0)
    # Without replacement, heavier entries tend to come out first: the draw order is the popularity rank.
    chosen = rng.choice(len(rows), size=min(k, len(rows)), replace=False, p=weight / weight.sum())
    return [SynthPlace(*rows[i]) for i in chosen]


def _word(rng: random.Random, low: int, high: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(low, high))).capitalize()


def make_actors(rng: random.Random, n: int, countries: Sequence[SynthPlace]) -> list[Actor]:
    """People (with their surname as an alias), national bodies and groups, ``n`` distinct names."""
    out: dict[str, Actor] = {}
    while len(out) < n:
        roll = rng.random()
        if roll < 0.65:
            surname = _word(rng, 2, 3)
            actor = Actor(f"{_word(rng, 2, 2)} {surname}", "person", (surname,))
        elif roll < 0.9 and countries:
            actor = Actor(f"{rng.choice(countries).name} {rng.choice(_BODIES)}", "organization")
        else:
            actor = Actor(f"{rng.choice(_GROUP_WORDS[0])} {rng.choice(_GROUP_WORDS[1])} of "
                          f"{_word(rng, 2, 3)}", "group")
        out.setdefault(actor.name, actor)
    return list(out.values())


# -- articles and events --------------------------------------------------------------


class Generator:
    """Yields (article, events, actors) in a fixed order for a seed."""

    def __init__(self, n_events: int, seed: int, gazetteer_db: Path) -> None:
        self.n_events, self.seed = n_events, seed
        counts = sizes_for(n_events)
        nrng = np.random.default_rng(seed)
        self.rng = random.Random(seed)
        by_feature = {f: sample_places(gazetteer_db, f, counts[f], nrng)
                      for f in ("city", "admin1", "country")}
        self.places = {f: Weighted.zipf(p) for f, p in by_feature.items()}
        self.by_country: dict[str, list[SynthPlace]] = {}
        for place in by_feature["city"] + by_feature["admin1"]:
            self.by_country.setdefault(place.country_code, []).append(place)
        self.actors = make_actors(self.rng, counts["actors"], by_feature["country"])
        self.cast = Weighted.zipf(self.actors)
        self.sources = Weighted.zipf(SOURCES, s=0.8)
        self.bursts = sorted(self.rng.randrange(DAYS) for _ in range(12))

    def _place(self) -> SynthPlace:
        roll = self.rng.random()
        feature = "city" if roll < 0.72 else "country" if roll < 0.9 else "admin1"
        return self.places[feature].pick(self.rng)

    def _published(self) -> date:
        if self.rng.random() < 0.3:  # news comes in bursts around a few big stories
            day = int(self.rng.gauss(self.rng.choice(self.bursts), 5))
        else:
            day = self.rng.randrange(DAYS)
        return FIRST_DAY + timedelta(days=min(max(day, 0), DAYS - 1))

    def _stops(self, k: int) -> list[SynthPlace]:
        """An article's places: half of them in its main place's country, as news clusters."""
        main = self._place()
        near = self.by_country.get(main.country_code, [])
        return [main] + [self.rng.choice(near) if near and self.rng.random() < 0.5 else self._place()
                         for _ in range(k - 1)]

    def article(self, serial: int, k: int) -> tuple[Article, list[Event], list[Actor]]:
        rng = self.rng
        published = self._published()
        source = self.sources.pick(rng)
        cast = list(dict.fromkeys(self.cast.pick(rng) for _ in range(rng.randint(1, 4))))
        stops = self._stops(k)
        sentences: list[tuple[str, int, int, SynthPlace, tuple[str, ...], bool]] = []
        text = f"{stops[0].name.upper()} ({source}) - "
        for place in stops:
            n_actors = rng.choices((0, 1, 2, 3), weights=(20, 50, 25, 5))[0]
            who = tuple(a.name for a in rng.sample(cast, min(n_actors, len(cast))))
            pattern, locative = rng.choice(_WITH_ACTORS if who else _NO_ACTORS)
            values = {"who": " and ".join(who), "place": place.name, "day": rng.choice(_WEEKDAYS)}
            sentence = pattern.format(**values)
            # Where the placeholder put the name: an actor's name may contain it too ("Chad Army ... Chad").
            offset = len(pattern.split("{place}")[0].format(**values))
            sentences.append((sentence, len(text), offset, place, who, locative))
            text += sentence + " "
        text += f"Dispatch {serial} for {source}."
        url = f"https://news.example/{source.lower().replace(' ', '-')}/{serial}"
        article = Article(text=text, title=f"{stops[0].name}: report {serial}", published=published,
                          source=source, url=url, origin="synthetic")
        aid = article.article_id
        out = []
        for sentence, start, offset, place, who, locative in sentences:
            p_start = start + offset
            when, precision, date_text = published, "article", ""
            roll = rng.random()
            if roll < 0.25:
                when, precision, date_text = published - timedelta(days=rng.randint(1, 6)), "day", "last week"
            elif roll < 0.28:  # background mention, years before the news
                when = date(published.year - rng.randint(2, 6), 1, 1)
                precision, date_text = "year", f"in {when.year}"
            out.append(Event(
                event_id=make_event_id(aid, p_start, p_start + len(place.name)), article_id=aid, date=when,
                date_precision=precision,  # type: ignore[arg-type]
                place_name=place.name, lat=place.lat, lon=place.lon,
                place_precision=place.candidate().precision, geonameid=place.geonameid,
                country_code=place.country_code, actors=who, quote=sentence, sentence_start=start,
                sentence_end=start + len(sentence), confidence=round(0.4 + 0.6 * rng.random(), 3),
                source=source, url=url, place_start=p_start, place_end=p_start + len(place.name),
                resolved_name=place.name, date_text=date_text, locative=locative,
                candidates=(place.candidate(),),
            ))
        used = {a for e in out for a in e.actors}
        return article, out, [a for a in cast if a.name in used]

    def __iter__(self) -> Iterator[tuple[Article, list[Event], list[Actor]]]:
        made, serial = 0, 0
        while made < self.n_events:
            k = min(self.rng.randint(3, 12), self.n_events - made)
            serial += 1
            item = self.article(serial, k)
            made += len(item[1])
            yield item


def new_articles(n_articles: int, seed: int, settings: Settings | None = None
                 ) -> list[tuple[Article, list[Event], list[Actor]]]:
    """``n_articles`` more articles in the same style, from another seed than the stores' own."""
    items = iter(Generator(n_articles * 12, 10_000 + seed, _gazetteer_file(settings)))  # 12: most per article
    return list(itertools.islice(items, n_articles))


# -- writing ----------------------------------------------------------------------------


def _insert_sql(table: sa.Table) -> str:
    return str(table.insert().compile(dialect=sqlite_dialect.dialect()))


def write_store(path: Path, items: Iterator[tuple[Article, list[Event], list[Actor]]],
                params: dict[str, object], batch: int = 20_000) -> dict[str, int]:
    """Fill a new store at ``path`` in bulk; rows are built by the schema's own conversion."""
    Store(f"sqlite:///{path}").close()  # tables, indexes and schema version, as the app makes them
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("PRAGMA synchronous=OFF")
    indexes = [ix for table in (events, event_actors) for ix in table.indexes]
    conn.execute("BEGIN")
    for ix in indexes:  # building an index once at the end is much faster than row by row
        conn.execute(f"DROP INDEX {ix.name}")
    ev_cols = [c.name for c in events.columns]
    sql = {t.name: _insert_sql(t) for t in (articles, events, event_actors)}
    stamp = datetime(2026, 1, 1, tzinfo=UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    actors: dict[str, Actor] = {}
    rows: dict[str, list[tuple[object, ...]]] = {"articles": [], "events": [], "event_actors": []}
    totals = {"articles": 0, "events": 0, "event_actors": 0}

    def flush() -> None:
        for name, pending in rows.items():
            conn.executemany(sql[name], pending)
            totals[name] += len(pending)
            pending.clear()

    for article, evs, cast in items:
        rows["articles"].append((article.article_id, article.title, article.published.isoformat()
                                 if article.published else None, article.source, article.url, article.origin,
                                 article.text, stamp, article.story))
        for ev in evs:
            row = event_row(ev)
            row["date"] = ev.date.isoformat()
            row["locative"] = int(ev.locative)
            rows["events"].append(tuple(row[c] for c in ev_cols))
            rows["event_actors"].extend((ev.event_id, a) for a in ev.actors)
        for actor in cast:
            actors.setdefault(actor.name, actor)
        if len(rows["events"]) >= batch:
            flush()
    flush()
    conn.executemany(_insert_sql(actors_table), [(a.name, a.kind, json.dumps(list(a.aliases)))
                                                 for a in actors.values()])
    conn.execute(_insert_sql(meta), ("synth", json.dumps(params, sort_keys=True)))
    for ix in indexes:
        conn.execute(str(CreateIndex(ix).compile(dialect=sqlite_dialect.dialect())))
    conn.execute("COMMIT")
    conn.close()
    with Store(f"sqlite:///{path}") as store:
        store.refresh_statistics()  # as ingest leaves a store
    totals["actors"] = len(actors)
    return totals


def store_path(n_events: int, seed: int = 0, folder: Path = BENCH_DIR) -> Path:
    return folder / f"synth-v{SYNTH_VERSION}-n{n_events}-s{seed}.sqlite"


def store_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _cached_params(path: Path) -> dict[str, object] | None:
    try:
        with sqlite3.connect(f"file:{pathname2url(str(path.resolve()))}?mode=ro", uri=True) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'synth'").fetchone()
    except sqlite3.Error:
        return None
    return json.loads(row[0]) if row else None


def synth_store(n_events: int, seed: int = 0, *, folder: Path = BENCH_DIR,
                settings: Settings | None = None) -> Path:
    """The path of a synthetic store with ``n_events`` events, generated on first use."""
    path = store_path(n_events, seed, folder)
    params: dict[str, object] = {"events": n_events, "seed": seed, "version": SYNTH_VERSION}
    if path.is_file() and _cached_params(path) == params:
        return path
    folder.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    log.info("generating a synthetic store of %d events (seed %d) at %s", n_events, seed, path)
    totals = write_store(tmp, iter(Generator(n_events, seed, _gazetteer_file(settings))), params)
    for leftover in (Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    os.replace(tmp, path)  # readers never see a half-written store
    log.info("synthetic store ready: %s", totals)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("events", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for n in args.events:
        path = synth_store(n, args.seed)
        log.info("%s (%.1f MB)", path, path.stat().st_size / 1e6)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
