"""scores.json of a scoring: what judged (id and revision), the rates with their intervals, the judge's
counts, and every query's labels, so a score can be audited and re-derived without asking again.

The document's shape is benchmarks.results.scores', the same as the verified scores engine.runner.run writes.
"""
from __future__ import annotations

import time
from typing import Any, Sequence

from benchmarks.results.scores import ScoresDocument, scores_document
from benchmarks.scoring.inputs import ScoringInput
from benchmarks.scoring.dispersion import judge_dispersion, scores_labels
from benchmarks.scoring.intervals import group_of, paired_difference, rates_by_group
from benchmarks.scoring.judges import JudgeLog
from benchmarks.scoring.preference import PairOutcome, win_rate_scores
from benchmarks.scoring.prompts import EVALUATOR
from benchmarks.scoring.stable import sopr, sowr
from benchmarks.scoring.tooleval import QueryResult
from benchmarks.toolbench import order_groups

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


def judged_scores(source: ScoringInput, judge_info: dict[str, Any], results: Sequence[QueryResult], times: int,
                  seed: int, log: JudgeLog, win: dict[str, Any] | None = None,
                  procedure: str = f"ToolEval v2 pass rate, evaluator {EVALUATOR}") -> ScoresDocument:
    extra: dict[str, Any] = {"procedure": procedure, "source": source.describe(),
                             "times": times, "seed": seed, "sopr": sopr_section(results, seed),
                             "judge_stats": log.to_json(), "scored_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    if win is not None:
        extra["win_rate"] = win
    per_query = {q.key: _query(q) for q in results}
    if times > 1:
        extra["judge_dispersion"] = judge_dispersion(scores_labels(per_query))
    return scores_document("pass_rate", judge_info, rates_by_group(passed_values(results), seed), per_query, **extra)
