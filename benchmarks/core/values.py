"""Checks of values that come from configuration (command line, YAML), shared by every layer that reads one."""
from __future__ import annotations

from typing import Any


def positive_int_problem(key: str, value: Any) -> str | None:
    """Why `value` is not a whole number of at least 1 (None when it is; bools are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return f"{key} must be a whole number of at least 1, got {value!r:.80}"
    return None
