"""ToolEval win rate (`eval_preference.py`): a candidate run against a reference run on the same queries.

For each of `times` rounds and each query, one vote:
- a side with no answer for the query loses;
- the pass-rate labels say exactly one side passed: it gets the vote, no judge call;
- otherwise by answer status (each side's most frequent status over its pass-rate evaluations): exactly
  one Solved wins; both Solved -> select_better_answer; else exactly one Unsure wins; both Unsure, or
  neither, -> select_better_answer.
select_better_answer sees the pair in a seeded random order, each answer without `method` and with
final_answer cut to 1,000 chars; identical answers, or no verdict, are settled by a seeded coin.
The query is a win when the candidate has more votes, a loss when fewer, a tie otherwise.

Two deliberate departures, neither changing what the judge is asked to decide: upstream pairs the answer
statuses with the answers BEFORE shuffling them (so half the time each status describes the other answer;
here they stay with their answers), and it asks check_task_solvable before select_better_answer although
the result is unused (its use in the prompt is commented out; here it is not asked).
"""
from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass
from typing import Any, Sequence

from benchmarks.results.converted import Example
from benchmarks.scoring.intervals import rates_by_group
from benchmarks.scoring.judges import Judge, JudgeCall, JudgeLog
from benchmarks.scoring.tooleval import SOLVED, UNSURE, QueryResult, coin

REFERENCE, CANDIDATE = "reference", "candidate"
SELECT = "select"
_FINAL_ANSWER_CHARS, _ROOT_NODES = 1000, 3000  # upstream's cuts


@dataclass(frozen=True)
class SideLabel:
    """A side's pass-rate verdict on a query: passed, and its most frequent answer status."""

    passed: bool
    answer_status: str


def side_labels(results: Sequence[QueryResult]) -> dict[str, SideLabel]:
    """Per task key; status ties go to the status seen first."""
    return {q.key: SideLabel(q.passed, Counter(e.answer_status for e in q.evaluations).most_common(1)[0][0])
            for q in results}


@dataclass(frozen=True)
class PairOutcome:
    """The votes on one query; `decided_by` says per round how (missing, pass_label, answer_status, judge,
    identical, no_verdict)."""

    key: str
    candidate_votes: int
    reference_votes: int
    decided_by: tuple[str, ...]

    @property
    def outcome(self) -> str:
        if self.candidate_votes == self.reference_votes:
            return "tie"
        return "win" if self.candidate_votes > self.reference_votes else "loss"


def decide_by_labels(reference: SideLabel | None, candidate: SideLabel | None) -> tuple[str, str]:
    """(winner or SELECT, how) before any judge call."""
    if reference is None or candidate is None:
        return (CANDIDATE if reference is None else REFERENCE), "missing"
    if reference.passed != candidate.passed:
        return (REFERENCE if reference.passed else CANDIDATE), "pass_label"
    statuses = {REFERENCE: reference.answer_status, CANDIDATE: candidate.answer_status}
    for status in (SOLVED, UNSURE):
        sides = [side for side, s in statuses.items() if s == status]
        if len(sides) == 1:
            return sides[0], "answer_status"
        if sides:
            return SELECT, "judge"
    return SELECT, "judge"


def shown_answer(answer: dict[str, Any]) -> dict[str, Any]:
    """An answer as select_better_answer shows it (upstream's `process_answer`)."""
    shown = {k: v for k, v in answer.items() if k != "method"}
    shown["final_answer"] = answer["final_answer"][:_FINAL_ANSWER_CHARS]
    shown["answer_details"] = answer["answer_details"][:_ROOT_NODES]
    return shown


def _order(seed: int, key: str, round_: int) -> tuple[str, str]:
    order = [REFERENCE, CANDIDATE]
    random.Random(f"order:{seed}:{key}:{round_}").shuffle(order)
    return order[0], order[1]


def win_rate(candidate: Sequence[Example], reference: Sequence[Example], candidate_labels: dict[str, SideLabel],
             reference_labels: dict[str, SideLabel], judge: Judge, times: int, seed: int = 0,
             log: JudgeLog | None = None) -> list[PairOutcome]:
    """One outcome per query of the candidate's groups (queries of either side); judge calls in one batch."""
    log = log if log is not None else JudgeLog()
    sides = {CANDIDATE: {e.key: e for e in candidate}, REFERENCE: {e.key: e for e in reference}}
    groups = {e.group for e in candidate}
    keys = list(sides[CANDIDATE]) + [k for k, e in sides[REFERENCE].items() if e.group in groups and k not in sides[CANDIDATE]]
    votes: dict[str, list[tuple[str, str]]] = {}
    calls: list[tuple[str, int, tuple[str, str], JudgeCall]] = []
    for key in keys:
        winner, how = decide_by_labels(reference_labels.get(key) if key in sides[REFERENCE] else None,
                                       candidate_labels.get(key) if key in sides[CANDIDATE] else None)
        votes[key] = [(winner, how)] * times
        if winner != SELECT:
            continue
        for round_ in range(times):
            pair = {side: shown_answer(sides[side][key].answer) for side in (REFERENCE, CANDIDATE)}
            order = _order(seed, key, round_)
            if _identical(pair[REFERENCE], pair[CANDIDATE]):
                votes[key][round_] = (order[0 if coin(seed, "identical", key, round_) else 1], "identical")
                continue
            example = sides[REFERENCE][key]
            call = JudgeCall("select_better_answer", {"query": example.query, "answer_0": json.dumps(pair[order[0]]),
                                                      "answer_1": json.dumps(pair[order[1]])},
                             round_, {"group": example.group, "query_id": example.query_id, "order": order})
            calls.append((key, round_, order, call))
    for (key, round_, order, _), label in zip(calls, log.ask(judge, [c[3] for c in calls])):
        if label is None:
            votes[key][round_] = (order[0 if coin(seed, "no_verdict", key, round_) else 1], "no_verdict")
        else:
            votes[key][round_] = (order[int(label)], "judge")
    return [PairOutcome(key, [w for w, _ in votes[key]].count(CANDIDATE), [w for w, _ in votes[key]].count(REFERENCE),
                        tuple(how for _, how in votes[key])) for key in keys]


def _identical(first: dict[str, Any], second: dict[str, Any]) -> bool:
    return first["final_answer"] == second["final_answer"] and str(first["answer_details"]) == str(second["answer_details"])


def win_rate_scores(outcomes: Sequence[PairOutcome], seed: int = 0) -> dict[str, Any]:
    """Win rate, tie rate and win rate with ties as half (the published v2 tables), per group and overall."""
    counts = Counter(o.outcome for o in outcomes)
    return {
        "win_rate": rates_by_group({o.key: float(o.outcome == "win") for o in outcomes}, seed),
        "tie_rate": rates_by_group({o.key: float(o.outcome == "tie") for o in outcomes}, seed),
        "win_rate_ties_half": rates_by_group({o.key: {"win": 1.0, "tie": 0.5}.get(o.outcome, 0.0) for o in outcomes}, seed),
        "counts": {"win": counts["win"], "tie": counts["tie"], "loss": counts["loss"]},
    }
