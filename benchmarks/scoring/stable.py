"""StableToolEval's aggregates: SoPR (solvable pass rate) and SoWR (solvable win rate).

SoPR: each evaluation round r labels every query by its r-th answer status, Solved 1 / Unsure 0.5 /
Unsolved 0 (the rule shortcuts included, no task-solvability step); SoPR = the mean over rounds x 100,
+- the population std over rounds (StableToolBench's `np.std`). Its 95% interval resamples queries (each
with its mean over rounds).
SoWR: a query is won when the candidate takes a majority of the pairwise rounds (3 in the paper).
Upstream's script meant to reuse the pass-rate labels but, reading them from a CSV it never wrote with
those columns, re-judged every pair from scratch; the intended rule is what preference.win_rate does.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from benchmarks.scoring.preference import PairOutcome
from benchmarks.scoring.tooleval import SOLVED, UNSOLVED, UNSURE, QueryResult
from benchmarks.scoring.intervals import bootstrap_ci, rate_with_ci

SOPR_POINTS = {SOLVED: 1.0, UNSURE: 0.5, UNSOLVED: 0.0}


def sopr(results: Sequence[QueryResult], seed: int = 0) -> dict[str, Any]:
    """{"rate", "std", "runs", "ci95", "n"} in percent (rate None with no query)."""
    if not results:
        return {"rate": None, "std": None, "runs": [], "ci95": None, "n": 0}
    points = np.array([[SOPR_POINTS[e.answer_status] for e in q.evaluations] for q in results])
    runs = points.mean(axis=0)
    low, high = bootstrap_ci(points.mean(axis=1), seed=seed)
    return {"rate": 100 * float(runs.mean()), "std": 100 * float(runs.std()), "runs": [100 * float(r) for r in runs],
            "ci95": [100 * low, 100 * high], "n": len(results)}


def sowr(outcomes: Sequence[PairOutcome], seed: int = 0) -> dict[str, Any]:
    """Share of queries where the candidate won a majority of the rounds, with its 95% interval."""
    return rate_with_ci([2 * o.candidate_votes > o.candidate_votes + o.reference_votes for o in outcomes], seed=seed)
