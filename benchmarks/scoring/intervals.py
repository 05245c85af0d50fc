"""Confidence intervals for every rate: per group and overall, and the paired difference of two runs.

The resampling itself is benchmarks.verified.bootstrap_ci (seeded percentile bootstrap of a mean); this
module only decides what is resampled. For two runs on the same tasks the unit is the task: resampling the
per-task differences keeps each task's two results together (a paired bootstrap), which is what tells
whether multi-LLM really beats single-LLM rather than whether the two samples merely differ.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from benchmarks.toolbench import order_groups
from benchmarks.verified import bootstrap_ci, rate_with_ci


def group_of(key: str) -> str:
    """The group of a task key "group/query_id"."""
    return key.rpartition("/")[0]


def rates_by_group(values: Mapping[str, float], seed: int = 0) -> dict[str, Any]:
    """{"groups": {group: rate}, "overall": rate}; values in [0, 1] per task key, rates in percent with a
    95% interval (benchmarks.verified.rate_with_ci)."""
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


def rate_text(score: dict[str, Any] | None, ci_digits: int = 1, sep: str = ", ") -> str:
    """`rate [low, high]` for tables and summaries; "-" where nothing was scored."""
    if not score or score.get("rate") is None:
        return "-"
    low, high = score["ci95"]
    return f"{score['rate']:.1f} [{low:.{ci_digits}f}{sep}{high:.{ci_digits}f}]"
