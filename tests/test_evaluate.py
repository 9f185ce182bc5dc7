import math

import pytest

from geo.evaluate import ACC_KM, auc, gold_has_coordinates, macro, match, score, tally


def top(name, start, lat=None, lon=None, geonameid=None):
    return {"name": name, "start": start, "end": start + len(name), "lat": lat, "lon": lon,
            "geonameid": geonameid}


def test_match_ignores_case_and_needs_close_midpoints():
    gold = [top("Paris", 10), top("Paris", 100)]
    pred = [top("paris", 12), top("Paris", 60)]
    assert match(gold, pred) == [(0, 0)]


def test_match_is_one_to_one_nearest_first():
    gold = [top("Rome", 10)]
    pred = [top("Rome", 14), top("Rome", 11)]
    assert match(gold, pred) == [(0, 1)]


def test_match_needs_same_string():
    assert match([top("New York", 0)], [top("York", 4)]) == []


def test_geowebnews_gold_needs_a_geonames_id():
    assert not gold_has_coordinates(top("X", 0, 1.0, 2.0), "GeoWebNews")
    assert gold_has_coordinates(top("X", 0, 1.0, 2.0, 5), "GeoWebNews")
    assert gold_has_coordinates(top("X", 0, 1.0, 2.0), "LGL")
    assert not gold_has_coordinates(top("X", 0), "LGL")


def test_end_to_end_accuracy_counts_missed_gold():
    rec = {"dataset": "LGL", "toponyms": [top("A", 0, 0.0, 0.0), top("B", 20, 10.0, 10.0),
                                           top("C", 40, 0.0, 0.0), top("D", 60)]}
    # A exact, B about 1,500 km off, C not predicted, D has no coordinates.
    pred = [top("A", 0, 0.0, 0.0), top("B", 20, 0.0, 0.0), top("E", 80, 1.0, 1.0)]
    t = tally(rec, pred)
    assert (t.gold, t.predicted, t.matched, t.gold_coded) == (4, 3, 2, 3)
    s = score("x", [t])
    assert s.precision == pytest.approx(2 / 3)
    assert s.recall == pytest.approx(2 / 4)
    assert s.acc161 == pytest.approx(1 / 2)
    assert s.e2e_acc161 == pytest.approx(1 / 3)
    assert s.median_km > ACC_KM


def test_auc_bounds():
    assert auc([0.0, 0.0]) == 0.0
    assert auc([20039.0]) == pytest.approx(1.0, abs=1e-4)
    assert 0 < auc([10.0, 1000.0]) < 1
    assert math.isnan(auc([]))


def test_macro_is_unweighted_mean():
    a = score("a", [tally({"toponyms": [top("A", 0, 0, 0)]}, [top("A", 0, 0, 0)])])
    b = score("b", [tally({"toponyms": [top("B", 0, 0, 0), top("C", 9, 0, 0)]}, [])])
    m = macro([a, b])
    assert m.e2e_acc161 == pytest.approx(0.5)
    assert m.recall == pytest.approx(0.5)
