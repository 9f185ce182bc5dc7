"""Areas by name skeleton (geo.area_names): "Taroudant province" finds "Taroudannt"."""

from __future__ import annotations

import pytest

from geo.area_names import AreaNames, skeleton
from geo.gazetteer import normalize_name
from geo.models import Candidate


def area(name: str, cc: str = "AA", feature: str = "admin2") -> Candidate:
    return Candidate(name=name, lat=1.0, lon=2.0, feature=feature, country_code=cc)


@pytest.mark.parametrize(("a", "b"), [
    ("taroudannt", "taroudant"),
    ("al haouz", "al-haouz"),
    ("al haouz", "alhaouz"),
    ("m'diq", "mdiq"),
])
def test_spellings_that_differ_in_doubled_letters_and_joiners_share_a_skeleton(a, b):
    assert skeleton(a) == skeleton(b)


def test_different_names_keep_different_skeletons():
    assert skeleton("taza") != skeleton("tata")


def test_like_finds_every_area_of_the_skeleton_and_builds_once():
    calls = []
    taroudannt, other = area("Taroudannt"), area("Taza", cc="BB")

    def names():
        calls.append(1)
        return [("taroudannt", taroudannt), ("taza", other), ("taroudannt", taroudannt)]

    areas = AreaNames(names, normalize_name)
    assert areas.like("Taroudant") == [taroudannt]
    assert areas.like("Taza") == [other]
    assert areas.like("Nowhere") == [] and areas.like("") == []
    assert len(calls) == 1


@pytest.mark.gazetteer
def test_real_gazetteer_areas(real_gazetteer):
    areas = AreaNames(real_gazetteer.area_names, normalize_name)
    assert [(a.name, a.country_code) for a in areas.like("Taroudant")] == [("Taroudannt", "MA")]
    assert all(a.feature in ("admin1", "admin2") for a in areas.like("Kabul"))
