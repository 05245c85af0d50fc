"""scores.json of a scoring: what judged (id and revision), the rates with their intervals, the judge's
counts, and every query's labels, so a score can be audited and re-derived without asking again.

Top-level `metric`, `groups`, `overall` and `per_query[key]["passed"]` keep the shape of the verified
scores engine.run writes, which is what the leaderboard reads.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Sequence

from benchmarks.scoring.inputs import ScoringInput
from benchmarks.scoring.intervals import group_of, paired_difference, rates_by_group
from benchmarks.scoring.judges import JudgeLog
from benchmarks.scoring.preference import PairOutcome, win_rate_scores
from benchmarks.scoring.prompts import EVALUATOR
from benchmarks.scoring.stable import sopr, sowr
from benchmarks.scoring.tooleval import QueryResult
from benchmarks.toolbench import order_groups

SCHEMA_VERSION = 1


def _query(result: QueryResult) -> dict[str, Any]:
    evaluations = result.evaluations
    return {"passed": result.passed, "labels": [e.label for e in evaluations],
            "answer_status": [e.answer_status for e in evaluations], "task_status": [e.task_status for e in evaluations],
            "outcome": [e.outcome for e in evaluations], "rule": [e.rule for e in evaluations]}


def passed_values(results: Sequence[QueryResult]) -> dict[str, float]:
    return {q.key: float(q.passed) for q in results}


def sopr_section(results: Sequence[QueryResult], seed: int) -> dict[str, Any]:
    groups = order_groups({q.group for q in results})
    return {"groups": {g: sopr([q for q in results if q.group == g], seed) for g in groups}, "overall": sopr(results, seed)}


def win_section(reference: ScoringInput, outcomes: Sequence[PairOutcome], candidate: Sequence[QueryResult],
                reference_results: Sequence[QueryResult], times: int, seed: int) -> dict[str, Any]:
    groups = order_groups({group_of(o.key) for o in outcomes})
    return {
        "reference": reference.describe(), "times": times, **win_rate_scores(outcomes, seed),
        "sowr": {"groups": {g: sowr([o for o in outcomes if group_of(o.key) == g], seed) for g in groups},
                 "overall": sowr(outcomes, seed)},
        "pass_rate_difference": paired_difference(passed_values(reference_results), passed_values(candidate), seed=seed),
        "per_query": {o.key: {"outcome": o.outcome, "candidate_votes": o.candidate_votes,
                              "reference_votes": o.reference_votes, "decided_by": list(o.decided_by)} for o in outcomes},
    }


def scores_document(source: ScoringInput, judge_info: dict[str, Any], results: Sequence[QueryResult], times: int,
                    seed: int, log: JudgeLog, win: dict[str, Any] | None = None) -> dict[str, Any]:
    document = {
        "schema_version": SCHEMA_VERSION,
        "metric": "pass_rate",
        "procedure": f"ToolEval v2 pass rate, evaluator {EVALUATOR}",
        "judge": judge_info,
        "source": source.describe(),
        "times": times,
        "seed": seed,
        **rates_by_group(passed_values(results), seed),
        "sopr": sopr_section(results, seed),
        "judge_stats": log.to_json(),
        "per_query": {q.key: _query(q) for q in results},
        "scored_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    if win is not None:
        document["win_rate"] = win
    return document


def write_json(path: Path, data: Any) -> None:
    """Replaced atomically: a crash leaves the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
