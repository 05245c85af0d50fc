"""A run's ToolEval converted answers (`tooleval/<group>.json`), so the official ToolEval can score our runs.

Each trajectory becomes the raw answer ToolBench's CoT runner would have written for it, which
benchmarks.results.raw_answers then converts exactly as upstream's converter does: the file is byte for byte
what `convert_to_answer_format.py` writes from those raw answers. So an answered trajectory keeps its
tool calls and drops its thoughts (they ride on the call messages of `train_messages`), and any other keeps
its thoughts (from the search record, `trys`), ending with Finish only when it gave up.
"""
from __future__ import annotations

import json
import random
from typing import Any

from benchmarks.results.converted import dumps_converted
from benchmarks.results.raw_answers import CONVERTER_SEED, converted_answer
from benchmarks.core.memo import IdentityMemo
from benchmarks.core.schemas import FINISH_SCHEMA, shared_function_schemas
from benchmarks.core.types import Task

METHOD = "CoT@1"
FINISH = "Finish"
HALLUCINATED_NAME = "invalid_hallucination_function_name"  # what ToolBench's runner stores for an unknown name
NO_SUCH_FUNCTION = 1  # tools_sim's status for it
GIVE_UP_RESPONSE = '{"response":"chose to give up and restart"}'  # ToolBench's environment, verbatim


def finish_arguments(record: dict[str, Any]) -> str:
    """Finish's arguments as alpha-UMi's runner writes them (`json.dumps`, no indent); "" without Finish."""
    if record["status"] == "answered":  # json.dumps of the dict, with only the answer to encode
        return f'{{"return_type": "give_answer", "final_answer": {json.dumps(record["final_answer"])}}}'
    if record["status"] == "gave_up":
        return json.dumps({"return_type": "give_up_and_restart"})
    return ""


def _train_messages(task: Task, record: dict[str, Any], finish: str) -> list[dict[str, Any]]:
    """The conversation of an answered trajectory as the runner stores it (system and user first); `finish`:
    Finish's arguments."""
    messages: list[dict[str, Any]] = [{"role": "system", "content": ""}, {"role": "user", "content": task.query}]
    for call in record["calls"]:
        name = HALLUCINATED_NAME if call["status"] == NO_SUCH_FUNCTION else call["name"]
        messages.append({"role": "assistant", "content": call.get("thought", ""),
                         "function_call": {"name": name, "arguments": call["arguments"]}})
        messages.append({"role": "function", "name": name, "content": call["observation"]})
    messages.append({"role": "assistant", "content": record.get("finish_thought", ""),
                     "function_call": {"name": FINISH, "arguments": finish}})
    return messages


def _step(thought: str, name: str, arguments: str, observation: str) -> list[dict[str, Any]]:
    return [{"node_type": "Thought", "description": thought, "observation": ""},
            {"node_type": "Action", "description": name, "observation": ""},
            {"node_type": "Action Input", "description": arguments, "observation": observation}]


def _chain(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The search record of an unanswered trajectory: Thought, Action, Action Input per call, then the
    give-up's Finish when it gave up."""
    chain = [node for call in record["calls"]
             for node in _step(call.get("thought", ""), call["name"], call["arguments"], call["observation"])]
    if record["status"] == "gave_up":
        chain += _step(record.get("finish_thought", ""), FINISH, finish_arguments(record), GIVE_UP_RESPONSE)
    return chain


def raw_answer(task: Task, record: dict[str, Any]) -> dict[str, Any]:
    """The raw answer file ToolBench's CoT runner writes, with what the converter reads of it."""
    valid = record["status"] == "answered"
    return {"trys": [{"chain": _chain(record), "win": valid}],
            "answer_generation": _generation(task, record, shared_function_schemas(task))}


def _generation(task: Task, record: dict[str, Any], functions: list[dict[str, Any]]) -> dict[str, Any]:
    """The raw answer's `answer_generation`, offering `functions`."""
    valid = record["status"] == "answered"
    finish = finish_arguments(record) if valid else ""
    return {"valid_data": valid, "final_answer": finish, "function": functions, "query": task.query,
            "train_messages": [_train_messages(task, record, finish)] if valid else []}


def _converter_input(task: Task, record: dict[str, Any]) -> dict[str, Any]:
    """The raw answer less what the converter would not read of it: the search record of an answered
    trajectory (its answer comes from train_messages) and the offered functions (written from their JSON)."""
    searched = [] if record["status"] == "answered" else [{"chain": _chain(record), "win": False}]
    return {"trys": searched, "answer_generation": _generation(task, record, [])}


_SCHEMA_JSON = IdentityMemo(lambda tool: json.dumps(tool.schema))
_FINISH_JSON = json.dumps(FINISH_SCHEMA)


def converted_answer_json(task: Task, record: dict[str, Any], rng: random.Random) -> str:
    """`json.dumps` of one converted answer, its `available_tools` from each tool's schema JSON made once per
    tool rather than once per record (the same text: a JSON object is its members' texts joined)."""
    answer = converted_answer(_converter_input(task, record), METHOD, rng)
    tools = ", ".join([*(_SCHEMA_JSON(tool) for tool in task.tools), _FINISH_JSON])
    return f'{{"query": {json.dumps(answer["query"])}, "available_tools": [{tools}], "answer": {json.dumps(answer["answer"])}}}'


def converted_group(tasks: dict[str, Task], records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """{query_id: converted answer} for one group's records, converted in record order from one seeded
    generator as the converter does one folder."""
    rng = random.Random(CONVERTER_SEED)
    return {r["query_id"]: converted_answer(raw_answer(tasks[r["task_key"]], r), METHOD, rng) for r in records}


def converted_group_text(tasks: dict[str, Task], records: list[dict[str, Any]]) -> str:
    """The `tooleval/<group>.json` text, as upstream's converter writes it."""
    return dumps_converted(converted_group(tasks, records))
