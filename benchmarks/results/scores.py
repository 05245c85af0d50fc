"""scores.json: one shape whoever scored (the verified rule at the end of a run, or `score --judge`).

    schema_version  2 (1: verified runs wrote per_query as bare booleans; still read)
    metric          "verified_pass_rate" | "pass_rate"
    judge           {"id", "kind", ...}: what judged, with its revision
    groups          {group: {"rate", "ci95", "n"}}; overall: the same over every query
    per_query       {task key: {"passed": bool, ...}}: what each query scored, so a score can be audited
and, from a judge: procedure, source, times, seed, sopr, judge_stats, scored_at, win_rate.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, TypedDict

from benchmarks.results.files import read_json, write_json_atomic
from benchmarks.results.shapes import RATE, Each, Maybe, check

SCHEMA_VERSION = 2
REQUIRED = ("metric", "judge", "groups", "overall", "per_query")


class QueryScore(TypedDict, total=False):
    passed: bool


class ScoresDocument(TypedDict, total=False):
    schema_version: int
    metric: str
    judge: dict[str, Any]
    groups: dict[str, dict[str, Any]]
    overall: dict[str, Any]
    per_query: dict[str, QueryScore]


def scores_document(metric: str, judge: Mapping[str, Any], rates: Mapping[str, Any],
                    per_query: Mapping[str, QueryScore], **extra: Any) -> ScoresDocument:
    """The document in its one shape; `rates` holds "groups" and "overall"."""
    return {"schema_version": SCHEMA_VERSION, "metric": metric, "judge": dict(judge), "groups": rates["groups"],
            "overall": rates["overall"], **extra, "per_query": dict(per_query)}  # type: ignore[typeddict-item]


def write_scores(path: Path, document: ScoresDocument) -> None:
    missing = [key for key in REQUIRED if key not in document]
    if missing:
        raise ValueError(f"{path}: a scores document needs {', '.join(missing)}")
    write_json_atomic(path, document)


# What readers of scores.json use, with its types (benchmarks.results.shapes).
SHAPE = {"metric": str, "judge": {"id": str}, "groups": Each(Maybe(RATE)), "overall": Maybe(RATE),
         "per_query": Each((dict, bool)), "sopr": {"overall": Maybe(dict)},
         "win_rate": {"win_rate_ties_half": {"overall": Maybe(dict)}, "reference": {"name": (str, type(None))}}}


def read_scores(path: Path) -> ScoresDocument:
    """The document, or {} when the run was never scored; ValueError naming a field of the wrong type."""
    document = read_json(path, missing={})
    if not isinstance(document, dict):
        raise ValueError(f"{path}: not a scores document (a JSON object)")
    return check(path, document, SHAPE)  # type: ignore[return-value]


def passed_by_query(document: Mapping[str, Any]) -> dict[str, float]:
    """Per task 1.0/0.0 (version 1 verified documents held bare booleans)."""
    return {key: float(value["passed"] if isinstance(value, dict) else value)
            for key, value in document.get("per_query", {}).items()}
