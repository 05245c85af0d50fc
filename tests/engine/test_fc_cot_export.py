"""The ToolEval export of chat-fc chains (issue 20, item 8's last gap): the converted answer upstream's converter
writes from the `CoT@1` raw answer ToolBench's ChatGPT function-calling runner would have written for the same
replies. Expected values are written by hand from upstream's converter (`convert_to_answer_format.py`), and
checked against `_upstream_cot` below: a reimplementation of that runner (`single_chain.do_chain_function` and
Tree.py's `get_chain_result_from_this_node` / `get_train_messages_from_this_node`) whose raw answer goes through
the converter (benchmarks.results.raw_answers, byte-equal to upstream's on its published examples)."""
from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path
from typing import Any

import pytest

from benchmarks.results.raw_answers import CONVERTER_SEED, converted_answer
from benchmarks.results.tooleval_export import converted_group, raw_answer
from engine.runner.run import Run, RunConfig
from roles.function_calling import hermes_call
from tools_sim.cache import ResponseCache
from tools_sim.simulator import Simulator
from tests.helpers.scheduling import weather_tasks
from tests.roles.test_function_calling import _chains

WEATHER = ("forecast_for_weather_api", '{"city_name": "Paris"}')
# as the model wrote it: not the key order or ASCII escapes json.dumps would rebuild it with
ANSWER = ("Finish", '{"final_answer": "Sunny in Zürich.", "return_type": "give_answer"}')
GIVE_UP = ("Finish", '{"return_type": "give_up_and_restart"}')
# ToolBench's environment (rapidapi.py `_step`) answers Finish with these, verbatim
ANSWER_RESPONSE = '{"response":"successfully giving the final answer."}'
GIVE_UP_RESPONSE = '{"response":"chose to give up and restart"}'

# Each reply as ChatGPT's API returns it: its content (None: no text) and its function call (None: no call).
ANSWERED = [("Let me think about the city.", None), (None, WEATHER), ("Once more.", WEATHER), ("Now I know.", None),
            ("Done.", ANSWER)]
GAVE_UP = [("Hmm.", None), (None, WEATHER), ("Thinking more.", WEATHER), ("Nothing helps.", None), (None, GIVE_UP)]


def _text(content: str | None, call: tuple[str, str] | None) -> str:
    """The reply as a Hermes-template model writes it (what chat-fc parses)."""
    parts = [content] if content else []
    if call is not None:
        parts.append(hermes_call(call[0], json.loads(call[1])))
    return "\n".join(parts)


def _replies_script(replies):
    """A model that answers its n-th request with the n-th reply."""
    texts = iter(_text(*reply) for reply in replies)
    return lambda request: next(texts)


# -- upstream's runner, reimplemented as the oracle --------------------------------------------------------------

def _upstream_cot(replies, observations: list[str], head: list[dict[str, Any]]) -> dict[str, Any]:
    """The raw answer single_chain.do_chain_function writes for these replies, its calls answered with
    `observations` in order, Finish with the environment's responses; `head`: the root's system and user messages."""
    root: dict[str, Any] = {"node_type": "Action Input", "messages": list(head), "father": None}
    now, nodes, answers = root, [], iter(observations)

    def add(node_type: str, description: str, observation: str = "") -> None:
        nonlocal now
        now = {"node_type": node_type, "description": description, "observation": observation,
               "messages": list(now["messages"]), "father": now}  # messages.copy() of the father's
        nodes.append(now)

    for content, call in replies:
        message: dict[str, Any] = {"role": "assistant"}
        if content is not None:  # the answer files hold no content key for a call said without text
            message["content"] = content
            add("Thought", content)
        if call is not None:
            message["function_call"] = {"name": call[0], "arguments": call[1]}
            add("Action", call[0])
            finish = call[0] == "Finish"
            response = (ANSWER_RESPONSE if "give_answer" in call[1] else GIVE_UP_RESPONSE) if finish else next(answers)
            add("Action Input", call[1], response)
        now["messages"].append(message)
        if now["node_type"] == "Action Input":
            now["messages"].append({"role": "function", "name": call[0], "content": now["observation"]})
    valid = replies[-1][1] == ANSWER
    chain = [{key: node[key] for key in ("node_type", "description", "observation")} for node in nodes]
    return {"trys": [{"chain": chain, "win": valid}],
            "answer_generation": {"valid_data": valid, "final_answer": now["description"] if valid else "",
                                  "function": [], "query": "q", "train_messages": _train_messages(now) if valid else []}}


def _train_messages(node: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """Tree.py's get_train_messages_from_this_node (no message is marked invalid in a chain)."""
    result = []
    while node["father"] is not None:
        messages = list(node["messages"])
        if node["node_type"] == "Action Input":
            while messages[-1]["role"] != "assistant":
                messages.pop()
            result.insert(0, messages)
        elif node["node_type"] == "Thought":
            while messages[-1]["role"] == "user":
                messages.pop()
            if messages[-1]["role"] == "assistant":
                result.insert(0, messages)
        node = node["father"]
    return result


# -- the cases -------------------------------------------------------------------------------------------------

def _steps(answer: dict[str, Any]) -> list[tuple[str, Any]]:
    steps, following = [], answer["answer"]["answer_details"]
    while following:
        assert len(following) == 1
        message = following[0]["message"]
        steps.append((following[0]["role"], message if isinstance(message, str) else (message["name"], message["response"])))
        following = following[0]["next"]
    return steps


def _run_chain(replies) -> tuple[dict[str, Any], list[str]]:
    records, _ = _chains(_replies_script(replies))
    record = records[0]
    return record, [call["observation"] for call in record["calls"]]


TASK = weather_tasks(1)[0]


def test_an_answered_chain_keeps_its_thought_only_replies_as_assistant_nodes() -> None:
    # process_valid_data reads train_messages[-1]: a call is one tool node whatever was said with it, a reply
    # without a call one assistant node, Finish a tool node with an empty response.
    record, observations = _run_chain(ANSWERED)
    answer = converted_group({TASK.key: TASK}, [record], native_calls=True)[TASK.query_id]
    observation = observations[0]
    assert _steps(answer) == [("system", ""), ("user", ""), ("assistant", "Let me think about the city."),
                              ("tool", (WEATHER[0], observation)), ("tool", (WEATHER[0], observation)),
                              ("assistant", "Now I know."), ("tool", ("Finish", ""))]
    assert answer["answer"]["total_steps"] == 7 and answer["answer"]["final_answer"] == ANSWER[1]


def test_a_chain_that_gave_up_has_a_thought_node_only_where_a_reply_had_text() -> None:
    # process_invalid_data reads the trys chain: Thought nodes become assistant nodes, Action + Action Input tool
    # nodes; ChatGPT's runner adds a Thought node only for a reply with content.
    record, observations = _run_chain(GAVE_UP)
    answer = converted_group({TASK.key: TASK}, [record], native_calls=True)[TASK.query_id]
    observation = observations[0]
    assert _steps(answer) == [("system", ""), ("user", ""), ("assistant", "Hmm."), ("tool", (WEATHER[0], observation)),
                              ("assistant", "Thinking more."), ("tool", (WEATHER[0], observation)),
                              ("assistant", "Nothing helps."), ("tool", ("Finish", GIVE_UP_RESPONSE))]
    assert answer["answer"]["final_answer"] == ""


@pytest.mark.parametrize("replies", [ANSWERED, GAVE_UP], ids=["answered", "gave_up"])
def test_the_raw_answer_and_its_conversion_are_upstream_runners(replies) -> None:
    record, observations = _run_chain(replies)
    ours = raw_answer(TASK, record, native_calls=True)
    conversation = ours["answer_generation"]["train_messages"]
    head = conversation[-1][:2] if conversation else []
    theirs = _upstream_cot(replies, observations, head)
    assert ours["trys"][0]["chain"] == theirs["trys"][0]["chain"]
    if theirs["answer_generation"]["valid_data"]:
        assert conversation[-1] == theirs["answer_generation"]["train_messages"][-1]  # the one the converter reads
    for raw in (ours, theirs):
        raw["answer_generation"].update(function=[], query="q")
    assert (converted_answer(ours, "CoT@1", random.Random(CONVERTER_SEED))
            == converted_answer(theirs, "CoT@1", random.Random(CONVERTER_SEED)))


def test_a_chat_fc_runs_tooleval_file_takes_chatgpts_shape(tmp_path: Path) -> None:
    # The run writes tooleval/<group>.json record by record: chat-fc's chains go out in the ChatGPT runner's shape.
    from engine.backends.scripted import register_script
    from tests.engine.test_search_dfsdt import agent_for

    def script(request) -> str:
        replies = ANSWERED if "city 0" in request.prompt.messages[1]["content"] else GAVE_UP
        done = sum(message["role"] == "assistant" for message in request.prompt.messages)
        return _text(*replies[done])

    agent = agent_for(script, "chat-fc")
    register_script(agent.roles["backbone"].model, script)
    config = RunConfig(agent=dataclasses.replace(agent, name="chat-fc"), out_dir=tmp_path, run_name="r",
                       executor="local", progress=False)
    run_dir = Run(config, weather_tasks(2), Simulator(ResponseCache())).execute()
    converted = json.loads((run_dir / "tooleval" / "G1_instruction.json").read_text())
    assert [role for role, _ in _steps(converted["0"])] == ["system", "user", "assistant", "tool", "tool", "assistant",
                                                           "tool"]
    assert [role for role, _ in _steps(converted["1"])] == ["system", "user", "assistant", "tool", "assistant", "tool",
                                                           "assistant", "tool"]


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("thoughts", [{"text": "hm", "calls_before": "0"}], "expected a list"),
    ("thoughts", {"text": "hm"}, "expected a list"),
    ("finish_arguments", 3, "expected a string"),
])
def test_a_record_with_malformed_export_fields_is_refused_naming_the_line_and_field(tmp_path: Path, field: str,
                                                                                     value: Any, expected: str) -> None:
    from benchmarks.results.trajectories import read_records

    record, _ = _run_chain(ANSWERED)
    record.update(started_at=0.0, finished_at=1.0)  # what a written record has
    good, bad = json.dumps(record), json.dumps({**record, field: value})
    path = tmp_path / "trajectories.jsonl"
    path.write_text(f"{good}\n{bad}\n")
    with pytest.raises(ValueError, match=rf"line 2 is not a trajectory record \(field {field}: {expected}"):
        list(read_records(path))


# -- ChatGPT's real CoT answer files (StableToolBench's data_example) as the reference shape ----------------------

COT_ANSWERS = Path("stabletoolbench/data_example/answer/virtual_chatgpt_cot/G1_instruction")


def _record_of(raw: dict[str, Any]) -> dict[str, Any]:
    """The record of a chat-fc chain that made the file's replies: from the answered conversation (a Thought node
    before an Action is a call said with text or a reply of its own; only the messages tell), else the chain."""
    generation = raw["answer_generation"]
    calls: list[dict[str, Any]] = []
    thoughts: list[dict[str, Any]] = []
    record = {"status": "max_steps", "final_answer": "", "finish_thought": "", "calls": calls, "thoughts": thoughts}
    if not generation["valid_data"]:
        chain = raw["trys"][0]["chain"]
        assert {node["node_type"] for node in chain} == {"Action", "Action Input"}  # what the files here hold
        calls += [{"name": action["description"], "arguments": given["description"], "observation": given["observation"],
                   "status": given["observation_code"], "thought": ""} for action, given in zip(chain[::2], chain[1::2])]
        return record
    conversation = generation["train_messages"][-1]
    for index, message in enumerate(conversation[2:], 2):
        call = message.get("function_call")
        if message["role"] != "assistant":
            continue
        if call is None:
            thoughts.append({"text": message["content"], "calls_before": len(calls)})
        elif call["name"] == "Finish":
            answer = json.loads(call["arguments"])["final_answer"]
            record.update(status="answered", final_answer=answer, finish_thought=message.get("content") or "",
                          finish_arguments=call["arguments"])
        else:
            calls.append({"name": call["name"], "arguments": call["arguments"], "thought": message.get("content") or "",
                          "observation": conversation[index + 1]["content"], "status": 0})
    return record


def _node_key(node: dict[str, Any]) -> tuple[str, str, str]:
    return node["node_type"], node["description"], node.get("observation", "")  # to_json leaves out an empty one


@pytest.mark.parametrize("query_id", ["608", "588"])  # answered after a thought-only reply; stopped at 12 nodes
def test_chatgpts_real_cot_answers_are_what_the_export_writes_for_the_same_replies(shared_data: Path,
                                                                                    query_id: str) -> None:
    from benchmarks.core.types import Task

    raw = json.loads((shared_data / COT_ANSWERS / f"{query_id}_CoT@1.json").read_text(encoding="utf-8"))
    generation = raw["answer_generation"]
    record = _record_of(raw)
    ours = raw_answer(Task("stb", "G1_instruction", query_id, generation["query"], ()), record, native_calls=True)
    if generation["valid_data"]:
        assert ours["answer_generation"]["train_messages"][-1][2:] == generation["train_messages"][-1][2:]
        assert [n["node_type"] for n in ours["trys"][0]["chain"]] == [
            "Action", "Action Input", "Action", "Action Input", "Thought", "Action", "Action Input"]
    assert [_node_key(n) for n in ours["trys"][0]["chain"]] == [_node_key(n) for n in raw["trys"][0]["chain"]]
    theirs = converted_answer(raw, "CoT@1", random.Random(CONVERTER_SEED))["answer"]
    assert converted_answer(ours, "CoT@1", random.Random(CONVERTER_SEED))["answer"] == theirs
