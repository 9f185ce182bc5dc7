"""The review queue's order: far places, everyday words, low confidence, single mentions."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from geo.config import PROJECT_ROOT
from geo.models import Article, Candidate, Event
from geo.summaries import review_items
from geo.suspicion import FAR_KM, common_words, suspects
from tests.dashboard_events import _event

WORDS = frozenset({"red", "nice"})


Place = tuple[str, float, float, str]  # name, lat, lon, country: invented places


def _article(text: str, places: list[Place], *, confidence: float = 0.9) -> list[Event]:
    """One article's events, the n-th mention of a repeated name at its n-th occurrence."""
    article = Article(text=text, title="t", published=date(2021, 9, 1), source="Wire")
    out: list[Event] = []
    for name, lat, lon, cc in places:
        event = _event(article, text, name, date(2021, 9, 1), lat, lon, country=cc, confidence=confidence)
        earlier = sum(e.place_name == name for e in out)
        start = event.place_start
        for _ in range(earlier):
            start = text.index(name, start + 1)
        out.append(replace(event, place_start=start, place_end=start + len(name)))
    return out


NEAR: list[Place] = [("Northtown", 30.0, 60.0, "AA"), ("Easton", 31.0, 62.0, "AA"),
                     ("Southby", 29.0, 58.0, "BB")]
TEXT = "Envoys met in Northtown and Easton, then Southby. The Red team and Farport helped."


def test_a_place_far_from_its_article_and_an_everyday_word_comes_first() -> None:
    # Three places close together in two countries, and "Red" resolved far away in a third.
    events = _article(TEXT, [*NEAR, ("Red", 10.0, 110.0, "ZZ")])
    found = suspects(events, words=WORDS)
    assert found[0].key == "red" and found[0].signals[:2] == ("far", "common word")
    assert found[0].nearest_km is not None and found[0].nearest_km > FAR_KM
    assert [s.key for s in found if s.queued] == ["red"]  # the places that agree with each other are fine
    items = review_items(events, words=WORDS)
    assert [i.name for i in items] == ["Red"]
    assert "far from the article's other places" in items[0].reason and "common word" in items[0].reason


def _signals(events: list[Event], key: str) -> tuple[str, ...]:
    return next(s for s in suspects(events, words=WORDS) if s.key == key).signals


def test_far_needs_another_country_and_two_other_places() -> None:
    assert "far" in _signals(_article(TEXT, [*NEAR, ("Farport", 10.0, 110.0, "ZZ")]), "farport")
    # As far, but in a country the article names: a capital abroad, not a misreading.
    assert "far" not in _signals(_article(TEXT, [*NEAR, ("Farport", 10.0, 110.0, "BB")]), "farport")
    # Only one other place: which of the two is wrong cannot be told.
    assert "far" not in _signals(_article(TEXT, [NEAR[0], ("Farport", 10.0, 110.0, "ZZ")]), "farport")


def test_a_country_is_never_far() -> None:
    events = _article(TEXT, [*NEAR, ("Farport", 10.0, 110.0, "ZZ")])
    events[-1] = replace(events[-1], place_precision="country")
    assert "far" not in _signals(events, "farport")


def test_low_confidence_and_candidates_queue_a_name_and_a_single_mention_orders_it() -> None:
    twins = (Candidate("Westville", 10.0, 10.0, "city", "AA"),
             Candidate("Westville", -20.0, 40.0, "city", "BB"))
    once = _article("Westville.", [("Westville", 10.0, 10.0, "AA")], confidence=0.5)
    twice = _article("Eastville. Eastville again.",
                     [("Eastville", 12.0, 12.0, "AA"), ("Eastville", 12.0, 12.0, "AA")], confidence=0.5)
    events = [replace(once[0], candidates=twins), *twice]
    found = suspects(events, words=WORDS)
    assert [s.key for s in found] == ["westville", "eastville"]
    assert found[0].signals == ("low confidence", "candidates", "single mention")
    assert found[1].signals == ("low confidence",)
    assert suspects(events, words=WORDS, overridden=["WESTVILLE"])[0].key == "eastville"
    # Confident, one candidate, near its neighbours: not in the queue at all.
    assert review_items(_article(TEXT, NEAR), words=WORDS) == []


def test_place_less_events_are_not_reviewed() -> None:
    events = [replace(e, lat=None, lon=None, place_name="", place_precision="") for e in _article(TEXT, NEAR)]
    assert suspects(events, words=WORDS) == []


@pytest.mark.model
def test_everyday_words_come_from_the_shipped_model() -> None:
    words = common_words()
    assert {"red", "nice", "split"} <= words
    assert not {"kabul", "paris", "doha"} & words  # proper names are in its noun list, which is left out


@pytest.mark.model
def test_the_word_list_is_kept_so_a_new_process_does_not_import_spacy(tmp_path: Path) -> None:
    """The Review page's first visit in a server process read the list through spaCy's import (1 s)."""
    script = ("import sys; from geo.suspicion import common_words; words = common_words(); "
              "print(len(words), 'spacy' in sys.modules, 'red' in words)")
    env = {**os.environ, "GEOSTORY_CACHE_DIR": str(tmp_path)}

    def run() -> str:
        done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, env=env, capture_output=True,
                              text=True, timeout=120, check=True)
        return done.stdout.split()

    first = run()
    assert first[1:] == ["True", "True"] and int(first[0]) > 1000  # read through spaCy, then kept
    assert len(list(tmp_path.glob("common-words-*.txt"))) == 1
    assert run() == [first[0], "False", "True"]  # the same list, and spaCy never imported
