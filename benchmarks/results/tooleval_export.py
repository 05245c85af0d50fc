"""A run's ToolEval converted answers (`tooleval/<group>.json`), so the official ToolEval can score our runs.

Each trajectory becomes the raw answer ToolBench's CoT runner would have written for it (its ChatGPT
function-calling runner for `native_calls` formats: chat-fc), which benchmarks.results.raw_answers then converts
exactly as upstream's converter does: the file is byte for byte what `convert_to_answer_format.py` writes from
those raw answers. So an answered trajectory keeps its tool calls and drops the text said with them (it rides on
the call messages of `train_messages`), and keeps each reply without a call (chat-fc) as an assistant node; any
other keeps its Thought nodes (from the search record, `trys`: benchmarks.results.raw_answer_nodes says which a
reply has), ending with Finish only when it gave up.
"""
from __future__ import annotations

import json
import random
from typing import Any, NamedTuple

from benchmarks.results.converted import dumps_converted
from benchmarks.results.raw_answer_nodes import (ANSWER_RESPONSE, FINISH, GIVE_UP_RESPONSE, HALLUCINATED_NAME,
                                                 assistant_message, function_message, has_thought_node)
from benchmarks.results.raw_answers import CONVERTER_SEED, converted_answer
from benchmarks.core.memo import IdentityMemo
from benchmarks.core.schemas import FINISH_SCHEMA, shared_function_schemas
from benchmarks.core.types import Task

METHOD = "CoT@1"
NO_SUCH_FUNCTION = 1  # tools_sim's status for it


class _Reply(NamedTuple):
    """One model reply of the chain: its text, its (name, arguments) call or None, and the call's observation."""

    thought: str
    call: tuple[str, str] | None
    observation: str = ""
    status: int = 0


def finish_arguments(record: dict[str, Any]) -> str:
    """Finish's arguments as the model wrote them, else (alpha-UMi, records from before they were kept) as alpha-UMi's
    runner writes them (`json.dumps`, no indent); "" without Finish."""
    if record["status"] in ("answered", "gave_up") and record.get("finish_arguments"):
        return record["finish_arguments"]
    if record["status"] == "answered":
        return f'{{"return_type": "give_answer", "final_answer": {json.dumps(record["final_answer"])}}}'  # json.dumps of the dict
    if record["status"] == "gave_up":
        return json.dumps({"return_type": "give_up_and_restart"})
    return ""


def _replies(record: dict[str, Any]) -> list[_Reply]:
    """The record's replies in chain order: each call, each reply without one at its place among them (chat-fc),
    then the Finish of an answer or a give-up."""
    thoughts = iter(record.get("thoughts", ()))
    thought = next(thoughts, None)
    replies = []
    for index, call in enumerate([*record["calls"], None]):
        while thought is not None and (call is None or thought["calls_before"] <= index):
            replies.append(_Reply(thought["text"], None))
            thought = next(thoughts, None)
        if call is not None:
            replies.append(_Reply(call.get("thought", ""), (call["name"], call["arguments"]), call["observation"],
                                  call["status"]))
    response = {"answered": ANSWER_RESPONSE, "gave_up": GIVE_UP_RESPONSE}.get(record["status"])
    if response is not None:
        replies.append(_Reply(record.get("finish_thought", ""), (FINISH, finish_arguments(record)), response))
    return replies


def _train_messages(task: Task, replies: list[_Reply], native_calls: bool) -> list[dict[str, Any]]:
    """The conversation of an answered chain as the runner stores it (system and user first), ending, as
    upstream's `get_train_messages_from_this_node` does, at the last assistant message (Finish's call)."""
    messages: list[dict[str, Any]] = [{"role": "system", "content": ""}, {"role": "user", "content": task.query}]
    for reply in replies:
        if reply.call is None:
            messages.append(assistant_message(reply.thought, None, native_calls))
            continue
        name = HALLUCINATED_NAME if reply.status == NO_SUCH_FUNCTION else reply.call[0]
        messages.append(assistant_message(reply.thought, (name, reply.call[1]), native_calls))
        messages.append(function_message(name, reply.observation))
    while messages[-1]["role"] != "assistant":
        messages.pop()
    return messages


def _node(node_type: str, description: str, observation: str = "") -> dict[str, Any]:
    return {"node_type": node_type, "description": description, "observation": observation}


def _chain(replies: list[_Reply], native_calls: bool) -> list[dict[str, Any]]:
    """The search record (`trys` chain): per reply a Thought node (raw_answer_nodes' rule), then Action and Action
    Input for its call."""
    chain = []
    for reply in replies:
        if reply.call is None or has_thought_node(reply.thought, native_calls):
            chain.append(_node("Thought", reply.thought))
        if reply.call is not None:
            chain += [_node("Action", reply.call[0]), _node("Action Input", reply.call[1], reply.observation)]
    return chain


def raw_answer(task: Task, record: dict[str, Any], native_calls: bool = False) -> dict[str, Any]:
    """The raw answer file ToolBench's CoT runner writes (its ChatGPT function-calling runner for `native_calls`
    formats), with what the converter reads of it: of `train_messages`, the last conversation only."""
    valid = record["status"] == "answered"
    replies = _replies(record)
    return {"trys": [{"chain": _chain(replies, native_calls), "win": valid}],
            "answer_generation": _generation(task, record, replies, native_calls, shared_function_schemas(task))}


def _generation(task: Task, record: dict[str, Any], replies: list[_Reply], native_calls: bool,
                functions: list[dict[str, Any]]) -> dict[str, Any]:
    """The raw answer's `answer_generation`, offering `functions`."""
    valid = record["status"] == "answered"
    return {"valid_data": valid, "final_answer": finish_arguments(record) if valid else "", "function": functions,
            "query": task.query, "train_messages": [_train_messages(task, replies, native_calls)] if valid else []}


def _converter_input(task: Task, record: dict[str, Any], native_calls: bool) -> dict[str, Any]:
    """The raw answer less what the converter would not read of it: the search record of an answered
    trajectory (its answer comes from train_messages) and the offered functions (written from their JSON)."""
    replies = _replies(record)
    searched = [] if record["status"] == "answered" else [{"chain": _chain(replies, native_calls), "win": False}]
    return {"trys": searched, "answer_generation": _generation(task, record, replies, native_calls, [])}


_SCHEMA_JSON = IdentityMemo(lambda tool: json.dumps(tool.schema))
_FINISH_JSON = json.dumps(FINISH_SCHEMA)


def converted_answer_json(task: Task, record: dict[str, Any], rng: random.Random, native_calls: bool = False) -> str:
    """`json.dumps` of one converted answer, its `available_tools` from each tool's schema JSON made once per
    tool rather than once per record (the same text: a JSON object is its members' texts joined)."""
    answer = converted_answer(_converter_input(task, record, native_calls), METHOD, rng)
    tools = ", ".join([*(_SCHEMA_JSON(tool) for tool in task.tools), _FINISH_JSON])
    return f'{{"query": {json.dumps(answer["query"])}, "available_tools": [{tools}], "answer": {json.dumps(answer["answer"])}}}'


def converted_group(tasks: dict[str, Task], records: list[dict[str, Any]],
                    native_calls: bool = False) -> dict[str, dict[str, Any]]:
    """{query_id: converted answer} for one group's records, converted in record order from one seeded
    generator as the converter does one folder."""
    rng = random.Random(CONVERTER_SEED)
    return {r["query_id"]: converted_answer(raw_answer(tasks[r["task_key"]], r, native_calls), METHOD, rng)
            for r in records}


def converted_group_text(tasks: dict[str, Task], records: list[dict[str, Any]], native_calls: bool = False) -> str:
    """The `tooleval/<group>.json` text, as upstream's converter writes it."""
    return dumps_converted(converted_group(tasks, records, native_calls))
