"""The word lists behind attribution and coreference, read once from ``data/attribution/``.

The rules live in ``geo.attribution`` and ``geo.coref``; which prepositions locate, which
verbs move, which nouns are events, premises or residences, and which words refer back to
an actor are data (data/README.md says where each list comes from).
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from geo.config import DATA_DIR
from geo.errors import ConfigError
from geo.models import ROLES, Role

WORDS_DIR = DATA_DIR / "attribution"
REFERENT_KINDS = ("person", "organization", "plural")


@dataclass(frozen=True)
class Words:
    """Every list, lower-case."""

    prepositions: dict[str, Role]  # a preposition that puts its subject at, to or from its object
    motion_verbs: dict[str, Role | None]  # a verb of travel -> the role of a place as its direct object
    event_nouns: frozenset[str]  # "a news conference in Kabul": where its doer acted
    location_nouns: frozenset[str]  # "at the air base in Ramstein": a place within a place
    name_tails: frozenset[str]  # "West Chester Twp.", "Elm Springs Drive": a place's name goes on
    premises_nouns: frozenset[str]  # "his home in Linz": where its owner is
    member_nouns: frozenset[str]  # "Taliban fighters", "UN staff": where they are, their body is
    person_nouns: frozenset[str]  # no office: "a Graz resident", "a villager in Lienz", "her son"
    report_verbs: frozenset[str]  # "confirmed 40 cases in Peru": the place is the topic
    hypothetical_marks: frozenset[str]  # "if the Taliban pulled out of Panjshir": nothing happened
    references: dict[str, str]  # a pronoun or a noun after "the" -> person / organization / plural
    genders: dict[str, str]  # a pronoun, honorific or noun for a person -> "m" / "f"


def _lines(path: Path) -> frozenset[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"cannot read the word list {path.name}: {err}") from err
    return frozenset(w.strip().lower() for w in text.splitlines() if w.strip())


def _rows(path: Path, columns: tuple[str, str]) -> list[tuple[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as err:
        raise ConfigError(f"cannot read the word list {path.name}: {err}") from err
    if rows and set(columns) - set(rows[0]):
        raise ConfigError(f"{path.name} needs the columns {', '.join(columns)}")
    return [(r[columns[0]].strip().lower(), (r[columns[1]] or "").strip().lower()) for r in rows]


def _role(value: str, path: Path, word: str) -> Role:
    if value not in ROLES:
        raise ConfigError(f"{path.name}: {word!r} has the role {value!r}, not one of {', '.join(ROLES)}")
    return cast(Role, value)


@functools.lru_cache(maxsize=4)
def load_words(folder: Path = WORDS_DIR) -> Words:
    """The lists in ``folder`` (data/attribution by default), read once per process."""
    preps_path, motion_path, refs_path = (folder / "prepositions.csv", folder / "motion_verbs.csv",
                                          folder / "references.csv")
    preps = {w: _role(r, preps_path, w) for w, r in _rows(preps_path, ("preposition", "role"))}
    motion: dict[str, Role | None] = {
        w: (_role(r, motion_path, w) if r else None) for w, r in _rows(motion_path, ("lemma", "object_role"))}
    refs = dict(_rows(refs_path, ("word", "refers_to")))
    odd = sorted(w for w, k in refs.items() if k not in REFERENT_KINDS)
    if odd:
        raise ConfigError(f"references.csv: {odd[0]!r} refers to none of {', '.join(REFERENT_KINDS)}")
    genders_path = folder / "gendered_words.csv"
    genders = dict(_rows(genders_path, ("word", "gender")))
    odd = sorted(w for w, g in genders.items() if g not in ("m", "f"))
    if odd:
        raise ConfigError(f"{genders_path.name}: {odd[0]!r} has a gender other than m or f")
    return Words(
        prepositions=preps,
        motion_verbs=motion,
        event_nouns=_lines(folder / "event_nouns.txt"),
        location_nouns=_lines(folder / "location_nouns.txt"),
        name_tails=_lines(folder / "name_tails.txt"),
        premises_nouns=_lines(folder / "premises_nouns.txt"),
        member_nouns=_lines(folder / "member_nouns.txt"),
        person_nouns=_lines(folder / "person_nouns.txt"),
        report_verbs=_lines(folder / "report_verbs.txt"),
        hypothetical_marks=_lines(folder / "hypothetical_marks.txt"),
        references=refs,
        genders=genders,
    )
