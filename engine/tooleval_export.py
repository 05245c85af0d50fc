"""ToolEval's converted-answer format (`<group>.json`), so the official ToolEval can score our runs.

The answer is a chain of nodes (system, user, then tool / assistant steps, then Finish), each with one
child, as ToolBench's converter writes it; `final_answer` is the Finish arguments string.
"""
from __future__ import annotations

import json
from typing import Any

from benchmarks.core.schemas import function_schemas
from benchmarks.core.types import Task

METHOD = "CoT@1"


def finish_arguments(record: dict[str, Any]) -> str:
    if record["status"] == "answered":
        return json.dumps({"return_type": "give_answer", "final_answer": record["final_answer"]}, indent=2)
    if record["status"] == "gave_up":
        return json.dumps({"return_type": "give_up_and_restart"}, indent=2)
    return ""


def _steps(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Thoughts and tool calls in order; a thought is an assistant turn of the history."""
    steps, calls = [], iter(record["calls"])
    for turn in record["turns"][1:]:
        if turn["role"] == "assistant" and turn["text"].strip():
            steps.append({"role": "assistant", "message": turn["text"]})
        elif turn["role"] == "observation":
            call = next(calls)
            name = call["function_name"] or call["name"]
            steps.append({"role": "tool", "message": {"name": name, "arguments": call["arguments"], "response": call["observation"]}})
    final = finish_arguments(record)
    if final:
        steps.append({"role": "tool", "message": {"name": "Finish", "arguments": final, "response": ""}})
    return steps


def _chain(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    head: list[dict[str, Any]] = []
    for node in reversed(nodes):
        head = [{**node, "next": head}]
    return head


def converted_answer(task: Task, record: dict[str, Any]) -> dict[str, Any]:
    nodes = [{"role": "system", "message": ""}, {"role": "user", "message": ""}, *_steps(record)]
    return {
        "query": task.query,
        "available_tools": function_schemas(task),
        "answer": {
            "method": METHOD,
            "total_steps": len(nodes),
            "final_answer": finish_arguments(record),
            "answer_details": _chain(nodes),
        },
    }


def converted_group(tasks: dict[str, Task], records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """{query_id: converted answer} for one group's records."""
    return {r["query_id"]: converted_answer(tasks[r["task_key"]], r) for r in records}
