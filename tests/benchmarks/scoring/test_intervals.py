"""Bootstrap intervals: they contain the estimate, shrink with n, and pair two runs task by task."""
from __future__ import annotations

import random

from benchmarks.scoring.intervals import paired_difference, rates_by_group


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
