"""Gold solutions written as an alpha-UMi static test file (the file `umi-eval static --data` reads).

The file is a JSON list with one record per task that has a gold solution, shaped as alpha-UMi's
GLPFT/dataset/toolbench/test/*.json and built the way its prepro_raw_stage_2.py turns a solved chain into
one: `tools` are the training doc entries of the task's tools; `conversations` start with the user's
query; each gold call is an `assistant` plan ending ` Next: caller.`, the `caller` turn `Action: <name>\\n
Action Input: <arguments JSON>` and the `observation` (the response text); the gold answer is a plan ending
` Next: conclusion.` and the `conclusion` turn. Gold chains carry no thoughts, so each plan is a short
fixed sentence naming what comes next (the plan text is what the planner is scored against only through
its marker: Plan ACC compares call / finish / give up).
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from benchmarks.core.types import GoldCall, Task
from roles.alpha_umi import MARK_CALLER, MARK_CONCLUSION
from roles.docs import training_entry


def _turn(role: str, value: str) -> dict[str, str]:
    return {"from": role, "value": value}


def _response_text(response: Any) -> str:
    """The observation as the training data keeps it: the response field, a string as is, else its JSON."""
    return response if isinstance(response, str) else json.dumps(response, ensure_ascii=False)


def _call_turns(call: GoldCall) -> list[dict[str, str]]:
    arguments = json.dumps(call.arguments, ensure_ascii=False)
    return [_turn("assistant", f"I will call {call.name} to get what the query needs. {MARK_CALLER}"),
            _turn("caller", f"Action: {call.name}\nAction Input: {arguments}"),
            _turn("observation", _response_text(call.response))]


def static_record(task: Task) -> dict[str, Any]:
    """One record of a task with a gold solution (ValueError without one)."""
    if task.gold is None:
        raise ValueError(f"task {task.key} has no gold solution")
    conversations = [_turn("user", task.query)]
    for call in task.gold.calls:
        conversations += _call_turns(call)
    conversations += [_turn("assistant", f"I have everything the query asks for. {MARK_CONCLUSION}"),
                      _turn("conclusion", task.gold.answer)]
    return {"tools": [training_entry(tool) for tool in task.tools], "instruction": task.query,
            "conversations": conversations}


def write_static_file(tasks: Iterable[Task], path: Path) -> int:
    """Writes the records of the tasks that have gold solutions; returns how many."""
    records = [static_record(task) for task in tasks if task.gold is not None]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(records)
