"""ToolEval v2 pass rate (`eval_pass_rate.py` + `ReinforceToolLearningEvaluator`), each step batched over
every query and evaluation.

Per query, `times` independent evaluations:
1. the last tool step is not Finish: failed, no judge call;
2. answer status: an empty or give-up final answer is Unsolved with no judge call; otherwise
   check_answer_status on the final answer, and when Unsure, parse_answer_status on the whole answer;
3. unless Solved, task status: check_task_solvable on {query, available_tools};
4. the combination table (COMBINATION); an unsure outcome is settled by a coin flip seeded by
   (seed, query, evaluation), so a re-scoring reproduces it and does not depend on query order;
5. the query passes iff #failed <= #passed (ties pass).
No verdict (a reply that never parsed) counts as Unsure, as the spec asks; the JudgeLog reports how many.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Sequence

from benchmarks.results.converted import Example, ends_with_finish, is_empty_answer, steps
from benchmarks.scoring.judges import Judge, JudgeCall, JudgeLog
from benchmarks.scoring.procedures import Procedure
from benchmarks.scoring.prompts import EVALUATOR

SOLVED, UNSOLVED, UNSURE = "Solved", "Unsolved", "Unsure"
SOLVABLE, UNSOLVABLE = "Solvable", "Unsolvable"
PASSED, FAILED, UNDECIDED = "passed", "failed", "unsure"  # outcomes
NO_FINISH, EMPTY_ANSWER = "no_finish", "empty_answer"

# (answer status, task status) -> outcome: upstream's `is_passed`, an answer Solved passes whatever the task.
COMBINATION: dict[tuple[str, str], str] = {
    (SOLVED, SOLVABLE): PASSED, (SOLVED, UNSURE): PASSED, (SOLVED, UNSOLVABLE): PASSED,
    (UNSOLVED, SOLVABLE): FAILED, (UNSOLVED, UNSURE): UNDECIDED, (UNSOLVED, UNSOLVABLE): PASSED,
    (UNSURE, SOLVABLE): UNDECIDED, (UNSURE, UNSURE): UNDECIDED, (UNSURE, UNSOLVABLE): PASSED,
}


@dataclass(frozen=True)
class Evaluation:
    """One of a query's evaluations. `task_status` is None where it was not needed (Solved, no Finish);
    `rule` names the shortcut that decided without a judge ("" when judged)."""

    answer_status: str
    task_status: str | None
    outcome: str  # passed | failed | unsure
    label: str  # passed | failed (after the coin flip)
    rule: str = ""


@dataclass(frozen=True)
class QueryResult:
    key: str
    group: str
    query_id: str
    evaluations: tuple[Evaluation, ...]

    @property
    def passed(self) -> bool:
        labels = [e.label for e in self.evaluations]
        return labels.count(FAILED) <= labels.count(PASSED)


def coin(seed: int, purpose: str, key: str, index: int) -> bool:
    """A seeded fair coin for one decision: the same (seed, purpose, query, index) always lands the same."""
    return random.Random(f"{purpose}:{seed}:{key}:{index}").random() < 0.5


def settle(outcome: str, seed: int, key: str, index: int) -> str:
    """Upstream's coin flip for an unsure outcome, seeded."""
    if outcome != UNDECIDED:
        return outcome
    return PASSED if coin(seed, "unsure", key, index) else FAILED


def judge_call(function: str, example: Example, sample: int, variables: dict[str, str]) -> JudgeCall:
    context = {"group": example.group, "query_id": example.query_id, "steps": steps(example.answer)}
    return JudgeCall(function, variables, sample, context)


def task_variables(example: Example) -> dict[str, str]:
    return {"task": json.dumps({"query": example.query, "available_tools": example.available_tools})}


def shortcut(example: Example) -> str:
    """The rule that makes the answer Unsolved with no judge call (NO_FINISH, EMPTY_ANSWER), or ""."""
    if not ends_with_finish(example.answer):
        return NO_FINISH
    return EMPTY_ANSWER if is_empty_answer(example.final_answer) else ""


def answer_statuses(slots: Sequence[tuple[Example, int]], judge: Judge, log: JudgeLog) -> list[tuple[str, str]]:
    """(status, rule) per (example, evaluation index): the two rule shortcuts, then the two judge checks."""
    statuses: list[tuple[str, str]] = []
    asked: list[int] = []
    for k, (example, _) in enumerate(slots):
        rule = shortcut(example)
        statuses.append((UNSOLVED, rule))
        if not rule:
            asked.append(k)
    first = log.ask(judge, [judge_call("check_answer_status", slots[k][0], slots[k][1],
                                       {"query": slots[k][0].query, "answer": slots[k][0].final_answer})
                                for k in asked])
    unsure = [k for k, label in zip(asked, first) if label in (UNSURE, None)]
    for k, label in zip(asked, first):
        statuses[k] = (label or UNSURE, "")
    second = log.ask(judge, [judge_call("parse_answer_status", slots[k][0], slots[k][1],
                                        {"query": slots[k][0].query, "answer": json.dumps(slots[k][0].answer)})
                                 for k in unsure])
    for k, label in zip(unsure, second):
        statuses[k] = (label or UNSURE, "")
    return statuses


def evaluate(examples: Sequence[Example], judge: Judge, times: int, seed: int = 0,
             log: JudgeLog | None = None) -> list[QueryResult]:
    """Every example evaluated `times` times; judge calls of one step go out as one batch."""
    if times < 1:
        raise ValueError(f"times must be at least 1, got {times}")
    log = log if log is not None else JudgeLog()
    slots = [(example, i) for example in examples for i in range(times)]
    statuses = answer_statuses(slots, judge, log)
    need_task = [k for k, (status, rule) in enumerate(statuses) if status != SOLVED and rule != NO_FINISH]
    task_labels = log.ask(judge, [judge_call("check_task_solvable", slots[k][0], slots[k][1], task_variables(slots[k][0]))
                                  for k in need_task])
    tasks: dict[int, str] = {k: label or UNSURE for k, label in zip(need_task, task_labels)}
    evaluations = [_evaluation(example, i, statuses[k], tasks.get(k), seed) for k, (example, i) in enumerate(slots)]
    return [QueryResult(example.key, example.group, example.query_id, tuple(evaluations[n * times:(n + 1) * times]))
            for n, example in enumerate(examples)]


def _evaluation(example: Example, index: int, status: tuple[str, str], task: str | None, seed: int) -> Evaluation:
    answer, rule = status
    if rule == NO_FINISH:
        return Evaluation(answer, None, FAILED, FAILED, rule)
    outcome = PASSED if answer == SOLVED else COMBINATION[(answer, task or UNSURE)]
    return Evaluation(answer, task, outcome, settle(outcome, seed, example.key, index), rule)


TOOLEVAL_PROCEDURE = Procedure("tooleval", f"ToolEval v2 pass rate, evaluator {EVALUATOR}", evaluate)
