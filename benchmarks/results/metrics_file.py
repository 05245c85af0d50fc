"""metrics.json, owned here: its schema version, its writer (a run's figures from engine.runner.metrics), and
its reader (the leaderboard, the report) through its shape (benchmarks.results.shapes), so a field of the
wrong type is named with the file.

    schema_version  1 (files written before it was recorded have none and read the same)
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.results.files import METRICS_FILE, read_json, write_json_atomic
from benchmarks.results.shapes import NUMBER, Each, Items, Maybe, check

_FIGURE = Maybe(NUMBER)
OUTCOME = {"n": int, "answered_rate": _FIGURE, "invalid_call_rate": _FIGURE, "mean_steps": _FIGURE,
           "tokens": Each({"prompt_tokens": int, "completion_tokens": int})}
SCHEMA_VERSION = 1
SHAPE = {"schema_version": Maybe(int), "overall": OUTCOME, "groups": Each(OUTCOME), "search": dict, "simulator": dict,
         "speed": {"wall_s": _FIGURE, "actors": Each({"timeline": Items(Items(NUMBER, 3))})}}


def write_metrics(run_dir: Path, figures: dict[str, Any]) -> None:
    """metrics.json of a run: its figures under the schema version, atomically."""
    write_json_atomic(run_dir / METRICS_FILE, {"schema_version": SCHEMA_VERSION, **figures})


def read_metrics(run_dir: Path) -> dict[str, Any]:
    """A run's metrics.json; {} when it has none; ValueError naming the file and a field of the wrong type."""
    path = run_dir / METRICS_FILE
    metrics = read_json(path, missing={})
    if not isinstance(metrics, dict):
        raise ValueError(f"{path}: not a metrics document (a JSON object)")
    return check(path, metrics, SHAPE)
