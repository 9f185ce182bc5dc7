"""Provinces and districts by the shape of their names, for "X province" when X is spelt otherwise.

Romanised names vary most in doubled letters, spaces and hyphens ("Taroudant" and "Taroudannt",
"Al Haouz" and "Al-Haouz"). When a text says "X province" and the gazetteer has no area named X,
the areas whose names have the same skeleton (:func:`skeleton`) are the candidates.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable

from geo.models import Candidate

log = logging.getLogger(__name__)

_DOUBLED = re.compile(r"(.)\1+")
_JOINERS = re.compile(r"[\s'-]+")


def skeleton(key: str) -> str:
    """A normalised name key without spaces, hyphens, apostrophes and doubled letters."""
    return _DOUBLED.sub(r"\1", _JOINERS.sub("", key))


class AreaNames:
    """The gazetteer's areas indexed by name skeleton; built on first use, then shared."""

    def __init__(self, names: Callable[[], list[tuple[str, Candidate]]],
                 normalize: Callable[[str], str]) -> None:
        self._names = names
        self._normalize = normalize
        self._index: dict[str, list[Candidate]] | None = None
        self._lock = threading.Lock()

    def _built(self) -> dict[str, list[Candidate]]:
        with self._lock:
            if self._index is None:
                index: dict[str, list[Candidate]] = {}
                for key, cand in self._names():
                    found = index.setdefault(skeleton(key), [])
                    if cand not in found:
                        found.append(cand)
                self._index = index
                log.debug("indexed %d area name skeletons", len(index))
            return self._index

    def like(self, name: str) -> list[Candidate]:
        """The areas whose name has the same skeleton as ``name``."""
        key = skeleton(self._normalize(name))
        return list(self._built().get(key, ())) if key else []
