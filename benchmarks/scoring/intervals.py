"""Confidence intervals for every rate: per group and overall, and the paired difference of two runs.

The resampling is a seeded percentile bootstrap of a mean (bootstrap_ci), so a score file reproduces exactly.
For two runs on the same tasks the unit is the task: resampling the
per-task differences keeps each task's two results together (a paired bootstrap), which is what tells
whether multi-LLM really beats single-LLM rather than whether the two samples merely differ.
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
    """A pass rate in percent with its 95% bootstrap interval: {"rate", "ci95": [low, high], "n"}.
    With no runs the rate and interval are None."""
    if not passes:
        return {"rate": None, "ci95": None, "n": 0}
    values = [float(p) for p in passes]
    low, high = bootstrap_ci(values, n_boot=n_boot, seed=seed)
    return {"rate": 100 * float(np.mean(values)), "ci95": [100 * low, 100 * high], "n": len(values)}


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
    """second - first in points over the tasks both scored, with a paired 95% bootstrap interval."""
    keys = sorted(set(first) & set(second))
    if not keys:
        return {"diff": None, "ci95": None, "n": 0}
    diffs = [float(second[k]) - float(first[k]) for k in keys]
    low, high = bootstrap_ci(diffs, n_boot=n_boot, seed=seed)
    return {"diff": 100 * float(np.mean(diffs)), "ci95": [100 * low, 100 * high], "n": len(keys)}


def wilson_interval(passed: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson's 95% score interval of a pass rate, in percent: unlike a bootstrap it is not [0, 0] when no query
    of a few passed (0 of 6 reads [0, 39], not certainty)."""
    if n <= 0:
        raise ValueError("wilson_interval needs at least one trial")
    p = passed / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return 100 * max(0.0, float(centre - half)), 100 * min(1.0, float(centre + half))


def rate_text(score: dict[str, Any] | None, ci_digits: int = 1, sep: str = ", ") -> str:
    """`rate [low, high]` for tables and summaries; "-" where nothing was scored."""
    if not score or score.get("rate") is None:
        return "-"
    low, high = score["ci95"]
    return f"{score['rate']:.1f} [{low:.{ci_digits}f}{sep}{high:.{ci_digits}f}]"
