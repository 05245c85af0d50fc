"""Hand-made converted answers and a judge that answers from a table, for the scoring tests."""
from __future__ import annotations

import json
from typing import Any, Callable, Sequence

from benchmarks.results.converted import Example
from benchmarks.scoring.judges import JudgeCall, Verdict

TOOLS = [{"name": "weather_for_meteo", "description": "d", "parameters": {}}, {"name": "Finish"}]


def finish_arguments(answer: str | None) -> str:
    if answer is None:
        return json.dumps({"return_type": "give_up_and_restart"}, indent=2)
    return json.dumps({"return_type": "give_answer", "final_answer": answer}, indent=2)


def converted_answer(final: str | None, *, finish: bool = True, calls: int = 1) -> dict[str, Any]:
    """A chain system -> user -> `calls` tool steps -> Finish (unless finish=False: no Finish, empty answer)."""
    steps = [{"role": "tool", "message": {"name": "weather_for_meteo", "arguments": "{}", "response": f"r{i}"}}
             for i in range(calls)]
    if finish:
        steps.append({"role": "tool", "message": {"name": "Finish", "arguments": finish_arguments(final), "response": ""}})
    head: list[dict[str, Any]] = []
    for node in reversed([{"role": "system", "message": ""}, {"role": "user", "message": ""}, *steps]):
        head = [{**node, "next": head}]
    return {"method": "CoT@1", "total_steps": len(steps) + 2,
            "final_answer": finish_arguments(final) if finish else "", "answer_details": head}


def example(query_id: str, final: str | None = "It is 14.5 degrees.", *, group: str = "G1_instruction",
            finish: bool = True, calls: int = 1) -> Example:
    return Example(group, query_id, f"query {query_id}", TOOLS, converted_answer(final, finish=finish, calls=calls))


Rule = Callable[[JudgeCall], "str | None"]


class TableJudge:
    """Answers each function from a table (a label, or a function of the call); records every call."""

    def __init__(self, **answers: "str | None | Rule") -> None:
        self.answers = answers
        self.calls: list[JudgeCall] = []

    def info(self) -> dict[str, Any]:
        return {"id": "table", "kind": "test"}

    def judge(self, calls: Sequence[JudgeCall]) -> list[Verdict]:
        self.calls.extend(calls)
        return [Verdict(self._answer(c)) for c in calls]

    def _answer(self, call: JudgeCall) -> str | None:
        answer = self.answers.get(call.function)
        return answer(call) if callable(answer) else answer

    def asked(self, function: str) -> list[JudgeCall]:
        return [c for c in self.calls if c.function == function]
