"""Which resolved places most deserve a human look: the review queue, ordered by suspicion.

Confidence alone listed correct places (a well-known city with a namesake abroad) and missed
wrong ones ("Red" of "Red Cross" as a town in India, at 0.75). A wrong resolution usually shows
in other ways, so each place name is weighed on four signals:

- **far**: it lies far from every other place of its article (two at least) and in a country
  none of them is in (the article is about Kabul and Doha; "Red" lands in India);
- **common word**: its name is also an everyday English word (an adjective, verb or adverb);
- **low confidence**: the resolver's own doubt;
- **single mention**: a name the view mentions once has less context behind it;
and, as before, several candidates of the name. The first three put a name in the queue; the
others only order it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from geopy.distance import great_circle

from geo.models import Event

logger = logging.getLogger(__name__)

REVIEW_CONFIDENCE = 0.7  # below this, a resolution is worth a human look
FAR_KM = 2_500.0  # further than this from every other place of its article (and in another country)
WEIGHTS = {"far": 3.0, "common word": 2.0, "low confidence": 1.0, "candidates": 0.5, "single mention": 0.5}
QUEUEING = ("far", "common word", "low confidence", "candidates")
# Parts of speech whose word lists mark a name as an everyday word. Nouns are left out: the
# lemmatizer's noun list holds proper names too ("paris", "kabul").
_COMMON_POS = ("adj", "adv", "verb")


@lru_cache(maxsize=2)
def common_words(model: str = "") -> frozenset[str]:
    """Everyday English adjectives, verbs and adverbs: the word index of the spaCy pipeline's own
    lemmatizer (its ``lemma_index`` table, shipped with the model), read without loading the
    pipeline. Empty, with a warning, if the model has no such table.

    The list is kept in the cache folder, keyed by the table file's path, size and date: reading
    the table needs spaCy's import (1 s), which the Review page's first visit in each server
    process paid before."""
    from geo.config import load_settings

    settings = load_settings()
    name = model or settings.spacy_model
    try:
        source = _lookups_folder(name)
        table = source / "lookups.bin"
        stat = table.stat()
        # The parts of speech read are in the key too: a changed rule must not read an old list.
        stamp = f"{table.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{','.join(_COMMON_POS)}"
        key = hashlib.sha256(stamp.encode()).hexdigest()[:16]
        kept = settings.cache_dir / f"common-words-{key}.txt"
        if kept.is_file():
            return frozenset(kept.read_text(encoding="utf-8").split())
        words = _read_words(source)
    except (OSError, KeyError, ValueError, ImportError) as err:
        logger.warning("no word lists in spaCy pipeline %r (%s): the review queue leaves out the "
                       "'common word' signal", name, err)
        return frozenset()
    _keep(kept, words)
    return words


def _lookups_folder(name: str) -> Path:
    # Found like spaCy's get_package_path, without importing spaCy.
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"no package {name!r}")
    found = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*/lemmatizer/lookups"))
    if not found:
        raise FileNotFoundError("no lemmatizer/lookups folder")
    return found[0]


def _read_words(folder: Path) -> frozenset[str]:
    from spacy.lookups import Lookups
    from spacy.strings import get_string_id

    index = Lookups().from_disk(folder).get_table("lemma_index")
    words: set[str] = set()
    for pos in _COMMON_POS:
        words.update(str(w) for w in index.get(get_string_id(pos), ()))
    return frozenset(words)


def _keep(path: Path, words: frozenset[str]) -> None:
    # Written whole, then renamed: a concurrent reader sees the old state or the new file.
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        partial.write_text("\n".join(sorted(words)), encoding="utf-8")
        os.replace(partial, path)
    except OSError as err:  # a read-only cache folder: the list is read again next time
        logger.info("could not keep the common-word list at %s: %s", path, err)


@dataclass(frozen=True)
class Suspect:
    """A place name of the view, its events and why it may be wrong."""

    key: str  # the name folded: one entry per name however it is written
    events: tuple[Event, ...]
    signals: tuple[str, ...]  # in the order of ``WEIGHTS``
    score: float
    nearest_km: float | None  # to the nearest other place of its articles, when they have others

    @property
    def queued(self) -> bool:
        return any(s in QUEUEING for s in self.signals)

    def describe(self) -> str:
        """The signals as a reviewer reads them."""
        words = []
        lowest = min(e.confidence for e in self.events)
        for signal in self.signals:
            if signal == "far" and self.nearest_km is not None:
                words.append(f"far from the article's other places ({self.nearest_km:,.0f} km)")
            elif signal == "low confidence":
                words.append(f"low confidence ({lowest:.2f})")
            elif signal == "candidates":
                words.append(f"{max(len(e.candidates) for e in self.events)} candidates")
            else:
                words.append(signal)
        return ", ".join(words)


def name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _nearest_foreign(event: Event, others: Iterable[Event]) -> tuple[float | None, bool]:
    """(distance to the nearest other place, whether every other place is in another country)."""
    nearest: float | None = None
    foreign = True
    for other in others:
        if other.country_code and other.country_code == event.country_code:
            foreign = False
        km = great_circle((event.lat, event.lon), (other.lat, other.lon)).km
        nearest = km if nearest is None else min(nearest, km)
    return nearest, foreign


def suspects(events: Sequence[Event], *, words: frozenset[str] | None = None,
             overridden: Iterable[str] = ()) -> list[Suspect]:
    """Every place name of ``events`` (those with a place), most suspect first.

    ``overridden`` holds the folded names users already corrected; they are left out.
    """
    words = common_words() if words is None else words
    skip = {name_key(n) for n in overridden}
    placed = [e for e in events if e.has_place]
    by_name: dict[str, list[Event]] = defaultdict(list)
    by_article: dict[str, list[Event]] = defaultdict(list)
    for e in placed:
        by_name[name_key(e.place_name)].append(e)
        by_article[e.article_id].append(e)
    out = []
    for key, evs in by_name.items():
        if key in skip:
            continue
        signals = []
        nearest = None
        if all(e.place_precision != "country" for e in evs):  # a country's name is rarely misread
            far = True
            for e in evs:
                others = [o for o in by_article[e.article_id] if name_key(o.place_name) != key]
                if len({name_key(o.place_name) for o in others}) < 2:
                    # one other place cannot say which of the two is out of place
                    far = False
                    continue
                km, foreign = _nearest_foreign(e, others)
                if km is not None:
                    nearest = km if nearest is None else min(nearest, km)
                far = far and km is not None and km > FAR_KM and foreign
            if far:
                signals.append("far")
        if " " not in key and key in words:
            signals.append("common word")
        lowest = min(e.confidence for e in evs)
        if lowest < REVIEW_CONFIDENCE:
            signals.append("low confidence")
        if max(len(e.candidates) for e in evs) > 1:
            signals.append("candidates")
        if len({(e.article_id, e.place_start) for e in evs}) == 1:
            signals.append("single mention")
        score = sum(WEIGHTS[s] for s in signals) + max(0.0, REVIEW_CONFIDENCE - lowest)
        out.append(Suspect(key, tuple(evs), tuple(s for s in WEIGHTS if s in signals), score, nearest))
    out.sort(key=lambda s: (-s.score, len(s.events), s.key))
    return out
