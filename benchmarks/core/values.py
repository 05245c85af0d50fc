"""Checks of values that come from configuration (command line, YAML), shared by every layer that reads one."""
from __future__ import annotations

from typing import Any


def positive_int_problem(key: str, value: Any) -> str | None:
    """Why `value` is not a whole number of at least 1 (None when it is; bools are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return f"{key} must be a whole number of at least 1, got {value!r:.80}"
    return None


MAX_SEED = 2 ** 63 - 1  # seeds go into JSON files as 64-bit integers and into numpy's generators, which want >= 0


def seed_problem(key: str, value: Any) -> str | None:
    """Why `value` is not a seed every part of a run can use (command line, sweep files)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SEED:
        return f"{key} must be a whole number from 0 to 2**63-1, got {value!r:.80}"
    return None


def positive_number_problem(key: str, value: Any) -> str | None:
    """Why `value` is not a finite number above 0 (seconds, rates)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < float("inf"):
        return f"{key} must be a number above 0, got {value!r:.80}"
    return None


def count_problem(key: str, value: Any) -> str | None:
    """Why `value` is not a whole number of at least 0."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return f"{key} must be a whole number of at least 0, got {value!r:.80}"
    return None


# Rounds per chain: each nests the converted and raw answer files about 6 JSON levels deeper, and Python's
# JSON readers and writers (ToolEval's included) stop near 1,000 levels, so deeper chains could be run but
# never exported, scored or resumed (issue 21, item 7).
MAX_STEPS = 100


def max_steps_problem(key: str, value: Any) -> str | None:
    """Why `value` is not a number of model rounds a run can export (None when it is)."""
    if problem := positive_int_problem(key, value):
        return problem
    if value > MAX_STEPS:
        return (f"{key} must be at most {MAX_STEPS}, got {value}: deeper chains nest the answer files past what "
                "JSON readers (ToolEval's included) can read")
    return None
