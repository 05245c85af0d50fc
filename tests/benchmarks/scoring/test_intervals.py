"""Intervals: they contain the estimate, shrink with n, pair two runs task by task, and are honest at small n
(score intervals for pass/fail values, a bootstrap for fractional ones)."""
from __future__ import annotations

import random

import pytest

from benchmarks.scoring.intervals import newcombe_paired_interval, paired_difference, rate_with_ci, rates_by_group, wilson_interval


def _width(score: dict) -> float:
    return score["ci95"][1] - score["ci95"][0]


def test_intervals_contain_the_rate_and_shrink_with_n() -> None:
    rng = random.Random(0)
    widths = []
    for n in (20, 200, 2000):
        values = {f"G1/{i}": float(rng.random() < 0.6) for i in range(n)}
        overall = rates_by_group(values)["overall"]
        low, high = overall["ci95"]
        assert low <= overall["rate"] <= high and overall["n"] == n
        widths.append(_width(overall))
    assert widths[0] > widths[1] > widths[2]


def test_rates_per_group_and_overall() -> None:
    scores = rates_by_group({"G2_instruction/1": 1.0, "G1_instruction/1": 0.0, "G1_instruction/2": 1.0})
    assert list(scores["groups"]) == ["G1_instruction", "G2_instruction"]
    assert scores["groups"]["G1_instruction"]["rate"] == 50.0 and scores["overall"]["n"] == 3


def test_paired_difference_uses_common_tasks_and_beats_an_unpaired_view() -> None:
    rng = random.Random(1)
    hard = {f"G/{i}": float(rng.random() < 0.5) for i in range(300)}  # per-task difficulty shared by both runs
    better = dict(hard)
    for key in list(better)[:30]:
        better[key] = 1.0
    better["G/extra"] = 1.0
    paired = paired_difference(hard, better)
    assert paired["n"] == 300
    low, high = paired["ci95"]
    assert 0 < low <= paired["diff"] <= high  # significant although both rates' own intervals overlap
    a, b = rates_by_group(hard)["overall"]["ci95"], rates_by_group(better)["overall"]["ci95"]
    assert a[1] > b[0]
    assert paired_difference({"G/1": 1.0}, {"G/2": 1.0}) == {"diff": None, "ci95": None, "n": 0}


@pytest.mark.parametrize("n", [1, 6, 12])
def test_equal_results_at_small_n_are_not_read_as_certainty(n: int) -> None:
    zeros, ones = [0.0] * n, [1.0] * n
    assert rate_with_ci(zeros)["ci95"] == [0.0, wilson_interval(0, n)[1]] and rate_with_ci(zeros)["ci95"][1] > 15
    assert rate_with_ci(ones)["ci95"] == [wilson_interval(n, n)[0], 100.0]
    same = paired_difference({f"G/{i}": 0.0 for i in range(n)}, {f"G/{i}": 0.0 for i in range(n)})
    low, high = same["ci95"]
    assert same["diff"] == 0.0 and low < -15 and high > 15 and low == pytest.approx(-high)


def test_the_paired_interval_turns_over_with_the_runs_and_narrows_with_positive_correlation() -> None:
    first = [1.0] * 59 + [1.0] * 6 + [0.0] * 16 + [0.0] * 80  # both, first only, second only, neither
    second = [1.0] * 59 + [0.0] * 6 + [1.0] * 16 + [0.0] * 80
    low, high = newcombe_paired_interval(first, second)
    assert low < 100 * (75 - 65) / 161 < high
    assert newcombe_paired_interval(second, first) == pytest.approx((-high, -low))
    unpaired_low = 100 * (75 - 65) / 161 - ((100 * 65 / 161 - wilson_interval(65, 161)[0]) ** 2
                                             + (wilson_interval(75, 161)[1] - 100 * 75 / 161) ** 2) ** 0.5
    assert low > unpaired_low and low > 0  # the 59 shared passes carry information an unpaired view ignores


def test_fractional_values_keep_the_seeded_bootstrap() -> None:
    values = [1.0, 0.5, 0.0, 0.5, 1.0, 1.0] * 7  # SoPR: unsure counts 0.5
    assert rate_with_ci(values, seed=3) == rate_with_ci(values, seed=3)
    assert rate_with_ci(values, seed=3)["ci95"] != rate_with_ci(values, seed=4)["ci95"]
