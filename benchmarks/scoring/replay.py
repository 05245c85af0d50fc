"""The replay judge: answers from judgements recorded in ToolEval / StableToolEval result JSON, for parity
tests and for importing published judgements. No model is called.

Two kinds of file are read (sniffed from their records):
- pass-rate results `<group>_<model>.json`: per query `is_solved` (StableToolEval: {evaluation index:
  "AnswerStatus.X"}; ToolBench: one "AnswerStatus.X", replayed for every sample) and, in ToolBench's,
  `task_solvable`. A recording is matched to the answer being judged by query id AND the answer's printed
  steps (`answer_steps`, `final_step`), so the labels of one model never leak onto another's answers.
- preference results `<group>_<reference>_<candidate>.json`: per query the votes of both models (reference
  first, as upstream writes them). Only totals are recorded, so round r replays a reference vote while
  r < its votes, then candidate votes: per-query totals, hence win/tie/loss, are reproduced exactly.
StableToolEval judges only solvable queries and records no task status: its recordings replay the task as
Solvable. A call the recordings cannot answer (a query or answer never judged, an evaluation or round beyond
those recorded) is an error that names the queries: replay never makes a verdict up.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

from benchmarks.scoring.judges import JudgeCall, JudgeError, JudgeSpec, Verdict
from benchmarks.scoring.prompts import VERDICT_VALUES

SOLVABLE = "Solvable"


def _label(value: Any) -> str | None:
    """"AnswerStatus.Solved" -> "Solved" (bare labels pass through)."""
    return value.rpartition(".")[2] if isinstance(value, str) and value else None


def _unrecorded(calls: Sequence[JudgeCall], labels: Sequence[str | None]) -> str:
    """'G1_instruction/588 (check_answer_status #0, #1), ...' for the calls without a label."""
    asked: dict[str, dict[str, list[str]]] = {}
    for call, label in zip(calls, labels):
        if label is None:
            key = f"{call.context.get('group', '?')}/{call.context.get('query_id')}"
            asked.setdefault(key, {}).setdefault(call.function, []).append(f"#{call.sample}")
    return ", ".join(f"{key} ({'; '.join(f'{function} ' + ', '.join(samples) for function, samples in by_function.items())})"
                     for key, by_function in sorted(asked.items()))


class ReplayJudge:
    def __init__(self, paths: Sequence[Path]) -> None:
        self.paths = list(paths)
        self.statuses: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.votes: dict[str, tuple[int, int]] = {}
        for path in self.paths:
            self._read(path)

    def info(self) -> dict[str, Any]:
        files = [p.name for p in self.paths]
        return {"spec": "replay:" + ",".join(map(str, self.paths)), "id": "replay:" + ",".join(files), "kind": "replay",
                "files": files}

    def _read(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise JudgeError(f"replay: cannot read {path} ({exc})") from None
        if not isinstance(data, dict):
            raise JudgeError(f"{path}: not a ToolEval result file (expected an object keyed by query id)")
        for query_id, record in data.items():
            if isinstance(record, dict) and "is_solved" in record:
                self._add_statuses(path, str(query_id), record)
            elif isinstance(record, dict) and any(k.startswith("round_") for k in record):
                self._add_votes(path, str(query_id), record)
            else:
                raise JudgeError(f"{path}: record {query_id!r} is neither a pass-rate nor a preference result")

    def _add_statuses(self, path: Path, query_id: str, record: dict[str, Any]) -> None:
        steps, final = record.get("answer_steps"), record.get("final_step")
        if not isinstance(steps, str) or not isinstance(final, str):
            raise JudgeError(f"{path}: record {query_id!r} lacks answer_steps/final_step to match answers by")
        solved = record["is_solved"]
        by_sample = {str(k): _label(v) for k, v in solved.items()} if isinstance(solved, dict) else _label(solved)
        task = _label(record.get("task_solvable")) or (SOLVABLE if isinstance(by_sample, dict) else None)
        answers = by_sample.values() if isinstance(by_sample, dict) else [by_sample]
        if not set(answers) <= set(VERDICT_VALUES["answer_status"]) or task not in (None, *VERDICT_VALUES["task_status"]):
            raise JudgeError(f"{path}: record {query_id!r} has an unknown answer or task status ({solved!r})")
        self.statuses[(query_id, steps, final)] = {"answer": by_sample, "task": task}

    def _add_votes(self, path: Path, query_id: str, record: dict[str, Any]) -> None:
        counts = [v for k, v in record.items() if not k.startswith("round_")]
        if len(counts) != 2 or not all(isinstance(v, int) for v in counts):
            raise JudgeError(f"{path}: record {query_id!r} must hold the vote counts of exactly two models")
        if query_id in self.votes:
            raise JudgeError(f"replay: query {query_id!r} has preference votes in more than one file")
        self.votes[query_id] = (counts[0], counts[1])

    def judge(self, calls: Sequence[JudgeCall]) -> list[Verdict]:
        labels = [self._answer(call) for call in calls]
        if None in labels:
            raise JudgeError(f"replay: {', '.join(p.name for p in self.paths)} record no label for "
                             f"{_unrecorded(calls, labels)}; a query is replayed only where the recording judged its "
                             "very answer, in as many evaluations or rounds as asked")
        return [Verdict(label) for label in labels]

    def _answer(self, call: JudgeCall) -> str | None:
        if call.function == "select_better_answer":
            return self._vote(call)
        recorded = self.statuses.get((str(call.context.get("query_id")), *call.context.get("steps", ("", ""))))
        if recorded is None:
            return None
        if call.function == "check_task_solvable":
            return recorded["task"]
        answer = recorded["answer"]
        return answer.get(str(call.sample)) if isinstance(answer, dict) else answer

    def _vote(self, call: JudgeCall) -> str | None:
        counts = self.votes.get(str(call.context.get("query_id")))
        if counts is None:
            return None
        reference, candidate = counts
        winner = "reference" if call.sample < reference else "candidate" if call.sample < reference + candidate else None
        order = list(call.context.get("order", ()))
        return str(order.index(winner)) if winner in order else None


def replay_judge(spec: JudgeSpec) -> ReplayJudge:
    """`replay:PATH[,PATH...]`: the judge registry's entry."""
    if not spec.rest:
        raise JudgeError("the replay judge needs the result files: replay:PATH[,PATH...]")
    return ReplayJudge([Path(p) for p in spec.rest.split(",") if p])
