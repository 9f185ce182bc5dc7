"""The word lists behind the "what" of an event, read from ``data/``: event types and modality triggers.

``data/event_types.toml`` holds the taxonomy (each type with its verbs, phrases and event nouns)
and the rule lists (light verbs, context verbs, directional prepositions); ``data/modality.toml``
the triggers of planned and negated clauses. Both are read once, checked (a word in two types, an
unknown key or a missing list is a ``ConfigError`` naming the file) and kept as frozen values, so
``geo.clauses`` and ``geo.temporal`` hold rules only.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from geo.config import PROJECT_ROOT
from geo.errors import ConfigError

DATA_DIR = PROJECT_ROOT / "data"
EVENT_TYPES_FILE = DATA_DIR / "event_types.toml"
MODALITY_FILE = DATA_DIR / "modality.toml"
OTHER = "other"
_HEX = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class EventType:
    """One type of the taxonomy: its id (what events store), its label (what people read) and
    its colour on every page."""

    id: str
    label: str
    color: tuple[int, int, int]


@dataclass(frozen=True)
class Taxonomy:
    types: tuple[EventType, ...]
    verbs: Mapping[str, str]  # lemma -> type id
    phrases: Mapping[str, str]  # predicate ("call for") -> type id
    nouns: Mapping[str, str]  # event noun lemma, or "compound noun" -> type id
    light_verbs: frozenset[str]
    context_verbs: frozenset[str]
    directional: frozenset[str]
    event_prepositions: frozenset[str]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.types)

    def label(self, type_id: str) -> str:
        return next((t.label for t in self.types if t.id == type_id), type_id)


@dataclass(frozen=True)
class Triggers:
    future_auxiliaries: frozenset[str]
    modal_auxiliaries: frozenset[str]
    intention: frozenset[str]
    progressive_intention: frozenset[str]
    copula: frozenset[str]
    forward_dates: tuple[str, ...]
    negations: frozenset[str]
    negative_determiners: frozenset[str]
    negative_pronouns: frozenset[str]
    negating: frozenset[str]


def _read(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"{path.name}: cannot be read: {err}") from err


def _words(table: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = table.get(key)
    if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() for w in value):
        raise ConfigError(f"{where}: {key!r} must be a list of words")
    return [" ".join(w.lower().split()) for w in value]


def _only(table: Mapping[str, Any], keys: set[str], where: str) -> None:
    unknown = sorted(set(table) - keys)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")


def _color(value: Any, where: str) -> tuple[int, int, int]:
    if not isinstance(value, str) or not _HEX.fullmatch(value):
        raise ConfigError(f"{where}: 'color' must be a colour written #rrggbb")
    return (int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16))


@lru_cache(maxsize=4)
def load_taxonomy(path: Path = EVENT_TYPES_FILE) -> Taxonomy:
    """The taxonomy in ``path``; a ``ConfigError`` if it is malformed."""
    data = _read(path)
    _only(data, {"types", "rules"}, path.name)
    tables = data.get("types")
    if not isinstance(tables, list) or not tables:
        raise ConfigError(f"{path.name}: no [[types]] tables")
    types: list[EventType] = []
    maps: dict[str, dict[str, str]] = {"verbs": {}, "phrases": {}, "nouns": {}}
    for n, table in enumerate(tables, 1):
        where = f"{path.name}: type {n}"
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: not a table")
        _only(table, {"id", "label", "color", *maps}, where)
        type_id, label = table.get("id"), table.get("label")
        if not isinstance(type_id, str) or not type_id.isidentifier() or not isinstance(label, str):
            raise ConfigError(f"{where}: needs an id (a plain word) and a label")
        if len(type_id) > 32 or any(t.id == type_id for t in types):
            raise ConfigError(f"{where}: id {type_id!r} is repeated or longer than 32 characters")
        color = _color(table.get("color"), f"{where} ({type_id})")
        if any(t.color == color for t in types):
            raise ConfigError(f"{where}: colour {table['color']} is already another type's")
        types.append(EventType(type_id, label, color))
        for key, found in maps.items():
            for word in _words(table, key, f"{where} ({type_id})"):
                if found.setdefault(word, type_id) != type_id:
                    raise ConfigError(f"{path.name}: {word!r} is under both {found[word]} and {type_id}")
    if types[-1].id != OTHER or any(maps[k] and OTHER in maps[k].values() for k in maps):
        raise ConfigError(f"{path.name}: the last type must be {OTHER!r}, with no words")
    rules = data.get("rules")
    if not isinstance(rules, dict):
        raise ConfigError(f"{path.name}: no [rules] table")
    keys = {"light_verbs", "context_verbs", "directional_prepositions", "event_prepositions"}
    _only(rules, keys, f"{path.name}: [rules]")
    return Taxonomy(
        types=tuple(types), verbs=maps["verbs"], phrases=maps["phrases"], nouns=maps["nouns"],
        light_verbs=frozenset(_words(rules, "light_verbs", f"{path.name}: [rules]")),
        context_verbs=frozenset(_words(rules, "context_verbs", f"{path.name}: [rules]")),
        directional=frozenset(_words(rules, "directional_prepositions", f"{path.name}: [rules]")),
        event_prepositions=frozenset(_words(rules, "event_prepositions", f"{path.name}: [rules]")),
    )


@lru_cache(maxsize=4)
def load_triggers(path: Path = MODALITY_FILE) -> Triggers:
    """The modality triggers in ``path``; a ``ConfigError`` if it is malformed."""
    data = _read(path)
    _only(data, {"planned", "negated"}, path.name)
    planned, negated = data.get("planned"), data.get("negated")
    if not isinstance(planned, dict) or not isinstance(negated, dict):
        raise ConfigError(f"{path.name}: needs a [planned] and a [negated] table")
    p_keys = {"future_auxiliaries", "modal_auxiliaries", "intention", "progressive_intention", "copula",
              "forward_dates"}
    n_keys = {"negations", "negative_determiners", "negative_pronouns", "negating"}
    _only(planned, p_keys, f"{path.name}: [planned]")
    _only(negated, n_keys, f"{path.name}: [negated]")
    p = {k: _words(planned, k, f"{path.name}: [planned]") for k in p_keys}
    n = {k: _words(negated, k, f"{path.name}: [negated]") for k in n_keys}
    return Triggers(
        future_auxiliaries=frozenset(p["future_auxiliaries"]),
        modal_auxiliaries=frozenset(p["modal_auxiliaries"]),
        intention=frozenset(p["intention"]), progressive_intention=frozenset(p["progressive_intention"]),
        copula=frozenset(p["copula"]), forward_dates=tuple(p["forward_dates"]),
        negations=frozenset(n["negations"]), negative_determiners=frozenset(n["negative_determiners"]),
        negative_pronouns=frozenset(n["negative_pronouns"]),
        negating=frozenset(n["negating"]),
    )


def event_types() -> tuple[EventType, ...]:
    """Every event type, in the order the app lists them ("other" last)."""
    return load_taxonomy().types


def type_order(type_ids: Iterable[str]) -> tuple[str, ...]:
    """Type ids in the taxonomy's order ("other" last), types it does not know after them."""
    rank = {t.id: n for n, t in enumerate(load_taxonomy().types)}
    return tuple(sorted(set(type_ids), key=lambda t: (rank.get(t, len(rank)), t)))
