"""Confidence intervals for every rate: per group and overall, and the paired difference of two runs.

Pass/fail values get score intervals: Wilson's for a rate, Newcombe's hybrid score interval for the paired
difference (his method 10). Unlike a bootstrap they are honest at small n: 0 passes of 6 reads [0, 39], not the
certainty [0, 0] a bootstrap of six equal values gives. Fractional values (SoPR counts an unsure verdict 0.5) get
a seeded percentile bootstrap of the mean (bootstrap_ci), so a score file reproduces exactly.
For two runs on the same tasks the unit is the task: both intervals keep each task's two results together
(paired), which is what tells whether multi-LLM really beats single-LLM rather than whether the two samples
merely differ.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from benchmarks.toolbench import order_groups

_MAX_BOOT_CELLS = 4_000_000  # resampling done in chunks of at most this many draws (memory bound)


def bootstrap_ci(values: Sequence[float], *, n_boot: int = 1000, seed: int = 0,
                 level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean (seeded, so a score file reproduces exactly)."""
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        raise ValueError("bootstrap_ci needs at least one value")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    rng = np.random.default_rng(seed)
    rows = max(1, _MAX_BOOT_CELLS // data.size)
    means = np.concatenate([data[rng.integers(0, data.size, size=(min(rows, n_boot - start), data.size))].mean(axis=1)
                            for start in range(0, n_boot, rows)])
    tail = (1 - level) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return float(low), float(high)


def rate_with_ci(passes: Sequence[bool | float], *, n_boot: int = 1000, seed: int = 0) -> dict[str, object]:
    """A pass rate in percent with its 95% interval: {"rate", "ci95": [low, high], "n"}; Wilson's for pass/fail
    values, a bootstrap for fractional ones. With no runs the rate and interval are None."""
    if not passes:
        return {"rate": None, "ci95": None, "n": 0}
    values = [float(p) for p in passes]
    if _pass_fail(values):
        low, high = wilson_interval(int(sum(values)), len(values))
    else:
        low, high = (100 * bound for bound in bootstrap_ci(values, n_boot=n_boot, seed=seed))
    return {"rate": 100 * float(np.mean(values)), "ci95": [low, high], "n": len(values)}


def _pass_fail(values: Sequence[float]) -> bool:
    return all(value in (0.0, 1.0) for value in values)


def group_of(key: str) -> str:
    """The group of a task key "group/query_id"."""
    return key.rpartition("/")[0]


def rates_by_group(values: Mapping[str, float], seed: int = 0) -> dict[str, Any]:
    """{"groups": {group: rate}, "overall": rate}; values in [0, 1] per task key, rates in percent with a
    95% interval (rate_with_ci)."""
    groups: dict[str, list[float]] = {}
    for key, value in values.items():
        groups.setdefault(group_of(key), []).append(value)
    return {"groups": {g: rate_with_ci(groups[g], seed=seed) for g in order_groups(groups)},
            "overall": rate_with_ci(list(values.values()), seed=seed)}


def paired_difference(first: Mapping[str, float], second: Mapping[str, float], *, n_boot: int = 1000,
                      seed: int = 0) -> dict[str, Any]:
    """second - first in points over the tasks both scored, with a paired 95% interval: Newcombe's for pass/fail
    values, a bootstrap of the per-task differences for fractional ones."""
    keys = sorted(set(first) & set(second))
    if not keys:
        return {"diff": None, "ci95": None, "n": 0}
    a, b = [float(first[k]) for k in keys], [float(second[k]) for k in keys]
    if _pass_fail(a + b):
        low, high = newcombe_paired_interval(a, b)
    else:
        low, high = (100 * bound for bound in bootstrap_ci(np.subtract(b, a), n_boot=n_boot, seed=seed))
    return {"diff": 100 * float(np.mean(np.subtract(b, a))), "ci95": [low, high], "n": len(keys)}


def newcombe_paired_interval(first: Sequence[float], second: Sequence[float]) -> tuple[float, float]:
    """95% interval of mean(second) - mean(first), in points, for pass/fail results of the same tasks: Newcombe's
    (1998) method 10 as Fagerland, Lydersen and Laake give it (square-and-add of the two Wilson intervals with the
    continuity-corrected correlation of the paired results)."""
    n = len(first)
    both = sum(x and y for x, y in zip(first, second))
    only_first, only_second = int(sum(first)) - both, int(sum(second)) - both
    neither = n - both - only_first - only_second
    p1, p2 = (both + only_first) / n, (both + only_second) / n
    l1, u1 = (bound / 100 for bound in wilson_interval(both + only_first, n))
    l2, u2 = (bound / 100 for bound in wilson_interval(both + only_second, n))
    margins = (both + only_first) * (only_second + neither) * (both + only_second) * (only_first + neither)
    phi = _continuity_corrected(both * neither - only_first * only_second, n) / np.sqrt(margins) if margins else 0.0
    below = np.sqrt((u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2)
    above = np.sqrt((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2)
    return 100 * float(p2 - p1 - below), 100 * float(p2 - p1 + above)


def _continuity_corrected(cross: float, n: int) -> float:
    """Newcombe's correction of the correlation's numerator ad - bc: shrunk by n/2 toward 0 when positive (so
    a weak positive correlation does not narrow the interval), kept when negative."""
    return cross - n / 2 if cross > n / 2 else min(cross, 0.0)


def wilson_interval(passed: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson's 95% score interval of a pass rate, in percent: unlike a bootstrap it is not [0, 0] when no query
    of a few passed (0 of 6 reads [0, 39], not certainty)."""
    if n <= 0:
        raise ValueError("wilson_interval needs at least one trial")
    p = passed / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    low = 0.0 if passed == 0 else 100 * max(0.0, float(centre - half))  # exact ends: rounding must not put the rate
    high = 100.0 if passed == n else 100 * min(1.0, float(centre + half))  # outside its interval
    return low, high


def rate_text(score: dict[str, Any] | None, ci_digits: int = 1, sep: str = ", ") -> str:
    """`rate [low, high]` for tables and summaries; "-" where nothing was scored."""
    if not score or score.get("rate") is None:
        return "-"
    low, high = score["ci95"]
    return f"{score['rate']:.1f} [{low:.{ci_digits}f}{sep}{high:.{ci_digits}f}]"
