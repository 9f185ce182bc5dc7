import math

import pytest

from geo.evaluate import (
    ACC_KM,
    auc,
    bootstrap_ci,
    bootstrap_values,
    gold_for_resolution,
    gold_has_coordinates,
    is_right_place,
    macro,
    match,
    percentile_interval,
    resolution_score,
    resolution_tally,
    score,
    tally,
)
from geo.models import Candidate, Place


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


# -- bootstrap intervals and the resolution-only scores --------------------------------


def test_bootstrap_interval_holds_the_mean_and_is_seeded():
    values = [0.0] * 40 + [1.0] * 60
    mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
    lo, hi = bootstrap_ci(values, mean, resamples=500, seed=1)
    assert lo < 0.6 < hi
    assert lo > 0.4
    assert hi < 0.8
    assert bootstrap_ci(values, mean, resamples=500, seed=1) == (lo, hi)
    assert bootstrap_ci(values, mean, resamples=500, seed=2) != (lo, hi)


def test_bootstrap_of_a_constant_is_that_constant():
    assert bootstrap_ci([1.0, 1.0, 1.0], lambda xs: sum(xs) / len(xs)) == (1.0, 1.0)
    lo, hi = bootstrap_ci([], len)
    assert math.isnan(lo) and math.isnan(hi)


def test_bootstrap_over_article_tallies_brackets_the_score():
    recs = [({"dataset": "LGL", "toponyms": [top("A", 0, 0.0, 0.0)]}, [top("A", 0, 0.0, 0.0)]),
            ({"dataset": "LGL", "toponyms": [top("B", 0, 0.0, 0.0)]}, [top("B", 0, 10.0, 10.0)])] * 10
    tallies = [tally(r, p) for r, p in recs]
    point = score("x", tallies).e2e_acc161
    lo, hi = bootstrap_ci(tallies, lambda ts: score("x", ts).e2e_acc161, resamples=200)
    assert lo <= point <= hi
    assert lo < hi


def place(lat, lon, geonameid=None, candidates=()):
    return Place(name="x", lat=lat, lon=lon, precision="city", confidence=1.0, geonameid=geonameid,
                 candidates=tuple(candidates))


def cand(lat, lon, geonameid=None):
    return Candidate(name="x", lat=lat, lon=lon, feature="city", geonameid=geonameid)


def test_resolution_only_scores_each_gold_toponym():
    rec = {"dataset": "GeoWebNews", "toponyms": [
        top("A", 0, 0.0, 0.0, 1), top("B", 10, 10.0, 10.0, 2), top("C", 20, 0.0, 0.0, 3),
        top("D", 30, 5.0, 5.0),  # no GeoNames id: GeoWebNews does not score it
    ]}
    gold = gold_for_resolution(rec)
    assert [g["name"] for g in gold] == ["A", "B", "C"]
    right_a = cand(0.5, 0.0, 1)
    places = [
        place(0.5, 0.0, 1, [right_a]),  # about 55 km off, same id: right both ways
        place(0.0, 0.0, 9, [cand(0.0, 0.0, 9), cand(10.0, 10.0, 2)]),  # wrong, right one ranked lower
        None,  # no candidate at all
    ]
    looked_up = [[right_a], [cand(10.0, 10.0, 2)], [cand(0.0, 0.0, 3)]]
    t = resolution_tally(gold, places, looked_up)
    counts = (t.coded, t.within, t.with_id, t.exact_id, t.candidate_hits, t.looked_up_hits)
    assert counts == (3, 1, 3, 1, 2, 3)
    s = resolution_score("x", [t])
    assert s.acc161 == pytest.approx(1 / 3)
    assert s.exact_id == pytest.approx(1 / 3)
    assert s.candidate_recall == pytest.approx(2 / 3)
    assert s.lookup_recall == pytest.approx(1.0)


def test_resolution_without_geonames_ids_has_no_exact_score():
    rec = {"dataset": "GeoVirus", "toponyms": [top("A", 0, 0.0, 0.0)]}
    s = resolution_score("v", [resolution_tally(gold_for_resolution(rec), [place(0.0, 1.0)])])
    assert s.acc161 == 1.0
    assert math.isnan(s.exact_id)
    with pytest.raises(ValueError):
        resolution_tally(gold_for_resolution(rec), [])


def test_right_place_by_distance_or_id():
    g = {"lat": 0.0, "lon": 0.0, "geonameid": 7}
    assert is_right_place(g, 1.0, 0.0, None)  # about 111 km
    assert not is_right_place(g, 2.0, 0.0, None)  # about 222 km
    assert is_right_place(g, 40.0, 0.0, 7)  # the same entry, whatever its stored point


def test_percentile_interval_of_independent_resamples_averages():
    a = bootstrap_values([0.0, 1.0] * 20, lambda xs: sum(xs) / len(xs), resamples=300, seed=3)
    b = bootstrap_values([1.0] * 10, lambda xs: sum(xs) / len(xs), resamples=300, seed=4)
    assert len(a) == len(b) == 300
    lo, hi = percentile_interval([(x + y) / 2 for x, y in zip(a, b, strict=True)])
    assert lo < 0.75 < hi
    assert hi <= 1.0
    assert percentile_interval([float("nan"), 2.0]) == (2.0, 2.0)
    with pytest.raises(ValueError):
        percentile_interval([1.0], level=1.5)
