"""The word lists behind event types and modality: the shipped files load, bad files are refused."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from geo.errors import ConfigError
from geo.lexicon import EVENT_TYPES_FILE, MODALITY_FILE, event_types, load_taxonomy, load_triggers

ISSUE_TYPES = ("travel", "meeting", "statement", "attack", "seizure", "protest", "aid", "arrest", "disaster",
               "other")


def test_the_shipped_taxonomy_has_the_ten_types_in_order() -> None:
    assert tuple(t.id for t in event_types()) == ISSUE_TYPES
    tax = load_taxonomy()
    assert tax.label("travel") == "travel/visit" and tax.label("aid") == "evacuation/aid"
    assert all(len(t.id) <= 32 for t in event_types())  # the store's column


def test_every_type_but_other_has_words_and_every_word_one_type() -> None:
    tax = load_taxonomy()
    for type_id in ISSUE_TYPES[:-1]:
        assert type_id in tax.verbs.values(), type_id
        assert type_id in tax.nouns.values(), type_id
    raw = tomllib.loads(EVENT_TYPES_FILE.read_text(encoding="utf-8"))
    for kind in ("verbs", "phrases", "nouns"):
        words = [w for t in raw["types"] for w in t[kind]]
        assert len(words) == len(set(words)), f"a {kind[:-1]} is listed twice"
        assert all(w == w.lower().strip() for w in words)


def test_the_rule_lists_load() -> None:
    tax = load_taxonomy()
    assert {"hold", "carry", "stage"} <= tax.light_verbs
    assert {"kill", "die", "report"} <= tax.context_verbs
    assert {"to", "from", "into", "out of"} <= tax.directional
    trig = load_triggers()
    assert {"will", "would"} <= trig.future_auxiliaries
    assert {"plan", "due", "expect", "schedule"} <= trig.intention
    assert {"not", "n't", "never"} <= trig.negations
    assert "refuse" in trig.negating


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


_RULES = ("[rules]\nlight_verbs = []\ncontext_verbs = []\ndirectional_prepositions = []\n"
          "event_prepositions = []\n")
_OTHER = ('[[types]]\nid = "other"\nlabel = "other"\ncolor = "#000003"\n'
          'verbs = []\nphrases = []\nnouns = []\n')


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[types]\nid=", "cannot be read"),
        ('[[types]]\nid = "a"\nlabel = "a"\ncolor = "#000001"\n'
         'verbs = ["go"]\nphrases = []\nnouns = []\n'
         '[[types]]\nid = "b"\nlabel = "b"\ncolor = "#000002"\n'
         'verbs = ["go"]\nphrases = []\nnouns = []\n' + _OTHER + _RULES,
         "'go' is under both a and b"),
        ('[[types]]\nid = "a"\nlabel = "a"\ncolor = "#000001"\n'
         'verbs = ["go"]\nphrases = []\nnouns = []\ncolour = "red"\n'
         + _OTHER + _RULES, "unknown key(s) colour"),
        ('[[types]]\nid = "a"\nlabel = "a"\ncolor = "#000001"\n'
         'verbs = "go"\nphrases = []\nnouns = []\n' + _OTHER + _RULES,
         "'verbs' must be a list of words"),
        ('[[types]]\nid = "a b"\nlabel = "a"\ncolor = "#000001"\n'
         'verbs = []\nphrases = []\nnouns = []\n' + _OTHER + _RULES,
         "needs an id"),
        ('[[types]]\nid = "a"\nlabel = "a"\ncolor = "#000001"\n'
         'verbs = []\nphrases = []\nnouns = []\n' + _RULES,
         "the last type must be 'other'"),
        (_OTHER, "no [rules] table"),
    ],
)
def test_a_malformed_taxonomy_is_refused_with_its_name(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, "types.toml", text)
    with pytest.raises(ConfigError, match=r"types\.toml") as err:
        load_taxonomy(path)
    assert message in str(err.value)


def test_a_malformed_trigger_file_is_refused(tmp_path: Path) -> None:
    good = MODALITY_FILE.read_text(encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown key"):
        load_triggers(_write(tmp_path, "m1.toml", good + '\n[extra]\nx = ["y"]\n'))
    with pytest.raises(ConfigError, match="'negations' must be a list"):
        bad = good.replace('negations = ["not"', 'negations = [1, "not"')
        load_triggers(_write(tmp_path, "m2.toml", bad))
    with pytest.raises(ConfigError, match="cannot be read"):
        load_triggers(tmp_path / "missing.toml")
