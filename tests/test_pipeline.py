"""The whole pipeline: text -> events -> store -> GeoDataFrame, on the tiny and the real gazetteer."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from geopandas.testing import assert_geodataframe_equal
from geopy.distance import great_circle
from shapely.geometry import Point

from geo.boundaries import province_at
from geo.errors import InputError
from geo.frames import events_frame
from geo.models import EVENT_FIELDS, Article
from geo.pipeline import Pipeline, ingest
from geo.readers import article_from_text
from geo.store import Store

STORY = (
    "Kabul fell to the Taliban on Sunday. "
    "Two days later, Taliban fighters were seen in Charikar, north of Kabul.\n\n"
    "Foreign ministers will meet in Doha, Qatar, on Wednesday to discuss the crisis. "
    "Antony Blinken will then fly to Ramstein in Germany."
)
PUBLISHED = date(2021, 8, 16)  # a Monday

# Ramstein Air Base, from its published coordinates (49°26′12″N 7°36′01″E):
# the reference the seed's Ramstein event is checked against, not an input.
RAMSTEIN_AIR_BASE = (49.4367, 7.6003)


@pytest.fixture(scope="module")
def tiny_pipeline(nlp, tiny_gazetteer):
    return Pipeline(nlp, tiny_gazetteer)


def test_text_to_events_to_geodataframe(tiny_pipeline, tiny_gazetteer):
    article = Article(text=STORY, title="t", published=PUBLISHED, source="desk", url="https://example.org/a")
    analysis = tiny_pipeline.analyse(article)
    by_place = {}
    for e in analysis.events:
        by_place.setdefault(e.place_name, e)  # the first mention of each place
    assert {"Kabul", "Charikar", "Doha", "Qatar", "Ramstein", "Germany"} <= set(by_place)

    # Coordinates come from the gazetteer, never from the text or the code.
    kabul_city = next(c for c in tiny_gazetteer.lookup("Kabul") if c.feature == "city")
    assert (by_place["Kabul"].lat, by_place["Kabul"].lon) == (kabul_city.lat, kabul_city.lon)
    assert by_place["Kabul"].place_precision == "city"
    assert by_place["Qatar"].place_precision == "country"
    # "Doha, Qatar": the city, not the municipality of the same name.
    assert by_place["Doha"].place_precision == "city"

    assert by_place["Kabul"].date == date(2021, 8, 15)  # "on Sunday", looking back
    assert by_place["Doha"].date == date(2021, 8, 18)  # "will meet ... on Wednesday"
    assert by_place["Doha"].date_precision == "day"
    assert by_place["Charikar"].actors == ("Taliban",)
    assert "Antony Blinken" in by_place["Ramstein"].actors

    for event in analysis.events:
        assert STORY[event.sentence_start : event.sentence_end].strip() == event.quote
        assert STORY[event.place_start : event.place_end] == event.place_name
        assert 0 < event.confidence <= 1
        assert event.source == "desk" and event.url == "https://example.org/a"

    frame = events_frame(analysis.events)
    assert list(frame.columns) == [*EVENT_FIELDS, "geometry"]
    assert frame.crs.to_epsg() == 4326
    row = frame.set_index("place_name").loc["Ramstein"]
    assert row.geometry == Point(row.lon, row.lat)
    assert_geodataframe_equal(frame, events_frame(tiny_pipeline.analyse(article).events))


def test_event_ids_are_stable_across_runs(tiny_pipeline):
    article = Article(text=STORY, published=PUBLISHED)
    first = [e.event_id for e in tiny_pipeline.analyse(article).events]
    again = [e.event_id for e in tiny_pipeline.analyse(article).events]
    assert first == again and len(set(first)) == len(first)


def test_ingest_is_idempotent_and_keeps_overrides(tmp_path, tiny_pipeline, tiny_gazetteer):
    store = Store(f"sqlite:///{tmp_path / 'g.sqlite'}")
    article = Article(text=STORY, published=PUBLISHED, origin="story.txt")
    summary = ingest([article], tiny_pipeline, store)
    assert summary.ok and len(summary.added) == 1 and summary.events > 0
    # The planner's statistics were gathered after the batch: they count the new events.
    stats = sqlite3.connect(tmp_path / "g.sqlite")
    rows = stats.execute("SELECT stat FROM sqlite_stat1 WHERE idx = 'ix_events_map'").fetchall()
    stats.close()
    assert rows and int(rows[0][0].split()[0]) == summary.events
    assert ingest([article], tiny_pipeline, store).skipped == (article.article_id,)
    assert store.counts()["events"] == summary.events

    # Correct "Ramstein" to Kaiserslautern's candidate: kept across a re-ingest.
    target = tiny_gazetteer.lookup("Kaiserslautern")[0]
    assert store.set_override_candidate("Ramstein", target) >= 1
    store.delete_article(article.article_id)
    ingest([article], tiny_pipeline, store)
    ramstein = [e for e in store.events() if e.place_name == "Ramstein"]
    assert ramstein and all((e.lat, e.lon) == (target.lat, target.lon) for e in ramstein)
    store.close()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   \n\t  ", "empty"),
        ("The committee met for three hours and agreed on nothing at all.", "no places"),
    ],
)
def test_bad_articles_change_nothing(tmp_path, tiny_pipeline, text, message):
    store = Store(f"sqlite:///{tmp_path / 'g.sqlite'}")
    good = Article(text=STORY, published=PUBLISHED)
    ingest([good], tiny_pipeline, store)
    before = (store.counts(), [e.event_id for e in store.events()])
    try:
        items = [article_from_text(text, published=PUBLISHED, origin="bad.txt")]
    except InputError as err:
        items = [err]
    summary = ingest(items, tiny_pipeline, store)
    assert len(summary.failed) == 1 and message in summary.failed[0][1]
    assert (store.counts(), [e.event_id for e in store.events()]) == before
    store.close()


# --- the seed article, on the real model and gazetteer ---------------------------------


@pytest.fixture(scope="module")
def seed_events(nlp, real_gazetteer, seed_text):
    pipeline = Pipeline(nlp, real_gazetteer)
    article = Article(text=seed_text, title="seed", published=date(2021, 9, 6), source="AFP")
    analysis = pipeline.analyse(article)
    return analysis


@pytest.mark.gazetteer
def test_seed_places(seed_events):
    events = seed_events.events
    panjshir = [e for e in events if e.place_name.startswith("Panjshir")]
    assert panjshir and all(province_at(e.lat, e.lon) == ("AF", "Panjshir") for e in panjshir)
    kabul = [e for e in events if e.place_name == "Kabul"]
    assert kabul and all(e.place_precision == "city" for e in kabul)
    assert all("Kabul" in province_at(e.lat, e.lon)[1] for e in kabul)
    assert any(e.country_code == "QA" for e in events if e.place_name == "Qatar")
    ramstein = [e for e in events if e.place_name == "Ramstein"]
    assert ramstein
    assert all(great_circle((e.lat, e.lon), RAMSTEIN_AIR_BASE).km < 15 for e in ramstein)


@pytest.mark.gazetteer
def test_seed_dates_follow_the_text(seed_events):
    events = seed_events.events
    blinken = [e for e in events if "Antony Blinken" in e.actors]
    in_qatar = {e.date for e in blinken if e.place_name == "Qatar" and e.date_precision == "day"}
    assert date(2021, 9, 6) in in_qatar
    assert {e.date for e in blinken if e.place_name == "Ramstein"} == {date(2021, 9, 8)}
    # Her sentence names no place; the next one's "she" goes on at its date, and neither puts her
    # anywhere ("people who have worked for Germany" are not she).
    merkel = [e for e in events if "Angela Merkel" in (*e.actors, *e.mentioned_actors)]
    assert len(merkel) == 2 and {e.date for e in merkel} == {date(2021, 9, 5)}
    assert all(not e.actors for e in merkel)


@pytest.mark.gazetteer
def test_seed_actors(seed_events):
    names = {a.name for a in seed_events.actors}
    aliases = {alias: a.name for a in seed_events.actors for alias in a.aliases}
    for wanted in ("Taliban", "Ahmad Massoud", "Amrullah Saleh", "Antony Blinken", "Martin Griffiths",
                   "Angela Merkel", "Heiko Maas"):
        assert wanted in names
    assert aliases.get("NRF") == "National Resistance Front"
    assert aliases.get("Blinken") == "Antony Blinken"
    assert not names & {"Afghan", "German", "Qataris", "Panjshir", "State"}


def _bad_files(folder):
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "latin1.txt").write_bytes("Caf\xe9 in Kabul".encode("latin-1"))
    with open(folder / "huge.txt", "wb") as fh:
        fh.write(b"Kabul is a city. " * (10 * 1024 * 1024 // 17 + 1))
    (folder / "baddate.md").write_text("---\ntitle: x\npublished: 6 September\n---\nKabul fell.\n")
    (folder / "future.md").write_text("---\ntitle: x\npublished: 2999-01-01\n---\nKabul fell.\n")
    return sorted(folder.iterdir())


def test_bad_files_name_the_file_and_change_nothing(tmp_path, tiny_pipeline):
    from geo.readers import read_article

    store = Store(f"sqlite:///{tmp_path / 'g.sqlite'}")
    ingest([Article(text=STORY, published=PUBLISHED)], tiny_pipeline, store)
    before = (store.counts(), [e.event_id for e in store.events()])
    bad = tmp_path / "bad"
    bad.mkdir()
    items = []
    for path in _bad_files(bad):
        try:
            items.append(read_article(path))
        except InputError as err:
            items.append(err)
    summary = ingest(items, tiny_pipeline, store)
    assert len(summary.failed) == 5 and not summary.added
    for path in bad.iterdir():
        assert any(path.name in message for _origin, message in summary.failed), path.name
    assert (store.counts(), [e.event_id for e in store.events()]) == before
    store.close()


def test_an_unreachable_online_geocoder_falls_back_to_the_gazetteer(tmp_path, nlp, tiny_gazetteer):
    """With a service configured but refusing connections, events come out as offline."""
    from dataclasses import replace as dc_replace

    from geo.config import Settings
    from geo.geocode import make_geocoder

    with socket_free_port() as port:  # nothing listens there once the block ends
        pass
    settings = dc_replace(Settings(), geocoder="photon", geocoder_domain=f"127.0.0.1:{port}",
                          geocoder_scheme="http", geocoder_min_delay=0.0, geocoder_timeout=1.0,
                          cache_dir=tmp_path)
    geocoder = make_geocoder(settings, tiny_gazetteer)
    online = Pipeline(nlp, tiny_gazetteer, candidates=geocoder.candidates)
    offline = Pipeline(nlp, tiny_gazetteer)
    article = Article(text=STORY, published=PUBLISHED)
    assert online.analyse(article).events == offline.analyse(article).events
    stats = geocoder.stats
    assert stats.requests > 0 and stats.failure_count == stats.requests and stats.fallbacks > 0


class socket_free_port:
    """A port that was free a moment ago (bound, then released)."""

    def __enter__(self) -> int:
        import socket

        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        return self._sock.getsockname()[1]

    def __exit__(self, *exc) -> None:
        self._sock.close()


@pytest.mark.gazetteer
def test_seed_journey_of_blinken(seed_events):
    from geo.itinerary import movements

    trips = [(m.from_name, m.to_name, m.to_date) for m in movements(seed_events.events)
             if m.actor == "Antony Blinken"]
    assert ("Qatar", "Ramstein", date(2021, 9, 8)) in trips
    assert all("Kabul" not in (a, b) for a, b, _d in trips)  # "Kabul's airport" is no stop of his


# --- "X province" on the real model and gazetteer (issue 11, section 4) ------------------------


@pytest.fixture(scope="module")
def real_pipeline(nlp, real_gazetteer):
    return Pipeline(nlp, real_gazetteer)


@pytest.mark.model
@pytest.mark.gazetteer
@pytest.mark.parametrize(("text", "name", "feature", "cc"), [
    ("The earthquake killed hundreds in Al Haouz province, officials said.", "Al Haouz", "admin2", "MA"),
    ("Rescuers reached Taroudant province on Sunday.", "Taroudant", "admin2", "MA"),  # "Taroudannt"
    ("Rescuers reached villages in Chichaoua province on Sunday.", "Chichaoua", "admin2", "MA"),
    ("Fighting spread across Kunduz province.", "Kunduz", "admin1", "AF"),
    ("Convoys left Idlib province at dawn.", "Idlib", "admin1", "SY"),
    ("Floods hit Rio Grande do Sul on Tuesday.", "Rio Grande do Sul", "admin1", "BR"),
])
def test_real_province_mentions_resolve_to_the_area(real_pipeline, text, name, feature, cc):
    found = {r.toponym.text: r.place for r in real_pipeline.geoparse_doc(real_pipeline.parse(text))}
    place = found[name]
    assert (place.feature, place.country_code, place.precision) == (feature, cc, "admin1")


@pytest.mark.model
@pytest.mark.gazetteer
def test_real_district_known_only_as_a_town_abroad_is_put_nowhere(real_pipeline):
    # The gazetteer has no Egyptian area called Haram, only a town in Norway.
    text = "Clashes spread to Haram district near Cairo, Egyptian officials said."
    found = {r.toponym.text: r.place for r in real_pipeline.geoparse_doc(real_pipeline.parse(text))}
    assert found.get("Haram") is None
    assert found["Cairo"].country_code == "EG"


@pytest.mark.model
@pytest.mark.gazetteer
def test_real_province_tagged_as_a_person_is_no_actor(real_pipeline):
    text = "The earthquake killed hundreds in Al Haouz province and Taroudant province, officials said."
    analysis = real_pipeline.analyse(Article(text=text, title="quake", published=PUBLISHED, source="test"))
    assert {a.name for a in analysis.actors} == set()
    assert [t.text for t in analysis.toponyms] == ["Al Haouz", "Taroudant"]


@pytest.mark.model
@pytest.mark.gazetteer
@pytest.mark.parametrize("text", [
    "The crew will return to Earth in March.",
    "Life on Earth began early, NASA scientists in Washington said.",
    "The probe reached Mars after a seven-month journey.",
])
def test_real_planets_are_put_nowhere(real_pipeline, text):
    placed = [r.toponym.text for r in real_pipeline.geoparse_doc(real_pipeline.parse(text)) if r.place]
    assert not {"Earth", "Mars"} & set(placed)


def test_the_doc_text_is_taken_from_the_text_it_was_parsed_from() -> None:
    import spacy

    from geo.pipeline import _doc_text

    nlp = spacy.blank("en")  # only the tokenizer matters here: the helper reads token offsets
    text = "  Rain fell on Lyon.\n\nIt stopped by noon. "
    doc = nlp(text)
    assert _doc_text(doc, text) is text
    assert _doc_text(doc, text + "!") == text  # not parsed from that: rebuilt from the tokens
    assert _doc_text(nlp(""), "") == ""
