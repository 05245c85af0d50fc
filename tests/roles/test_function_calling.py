"""Native function calling (issue 20, item 8, in part): ToolBench's ChatGPT conversation, tools as OpenAI tool
schemas, calls read from Hermes, Llama-3 and OpenAI replies."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import run_eval
from benchmarks.core.types import ToolSpec
from engine.backends.base import make_backend
from engine.backends.prompt_encoding import render_tool_prompt
from engine.types import ModelSpec, RoleRequest, SamplingParams
from roles.function_calling import TOOLS_IN_SYSTEM, ChatFunctionCalling, hermes_call, parse_tool_call
from roles.types import Action, PromptContext, ToolPrompt, Turn

ANSWER_588 = Path("stabletoolbench/data_example/answer/virtual_chatgpt_dfs/G1_instruction/588_DFS_woFilter_w2.json")


def _generation(shared_data: Path) -> dict[str, Any]:
    return json.loads((shared_data / ANSWER_588).read_text(encoding="utf-8"))["answer_generation"]


def _tools(functions: list[dict[str, Any]]) -> tuple[ToolSpec, ...]:
    return tuple(ToolSpec(category="Data", tool="TheClique", api=f["name"], function_name=f["name"],
                          description=f["description"], parameters=f["parameters"],
                          tool_description="API for TheClique company")
                 for f in functions if f["name"] != "Finish")


def test_the_first_prompt_is_toolbench_chatgpts(shared_data: Path) -> None:
    # The 588 ChatGPT DFSDT answer: its system and user messages, and its functions (Finish last) as tools.
    generation = _generation(shared_data)
    functions = generation["function"]
    ctx = PromptContext(generation["query"], _tools(functions), (Turn("user", generation["query"]),))
    prompt = ChatFunctionCalling().step_prompt(ctx)
    system, user = generation["train_messages"][-1][:2]
    assert list(prompt.messages) == [system, user]
    assert list(prompt.tools) == [{"type": "function", "function": f} for f in functions]


def test_past_steps_are_assistant_tool_calls_and_tool_messages() -> None:
    fmt = ChatFunctionCalling()
    reply = 'I look it up.\n<tool_call>\n{"name": "forecast_for_weather_api", "arguments": {"city_name": "Paris"}}\n</tool_call>'
    history = (Turn("user", "Weather?"), *fmt.step_turns(reply, fmt.parse_step(reply)), Turn("observation", "sunny"))
    messages = fmt.step_prompt(PromptContext("Weather?", (), history)).messages
    assert messages[2:] == ({"role": "assistant", "content": "I look it up.", "tool_calls": [
        {"id": "call_1", "type": "function",
         "function": {"name": "forecast_for_weather_api", "arguments": '{"city_name": "Paris"}'}}]},
        {"role": "tool", "tool_call_id": "call_1", "name": "forecast_for_weather_api", "content": "sunny"})


@pytest.mark.parametrize(("text", "expected"), [
    ('Thinking.\n<tool_call>\n{"name": "f_for_t", "arguments": {"a": 1}}\n</tool_call>', ("Thinking.", "f_for_t", '{"a": 1}')),
    ('{"name": "f_for_t", "parameters": {"a": "x"}}', ("", "f_for_t", '{"a": "x"}')),  # Llama 3
    ('<tool_call>{"name": "f_for_t", "arguments": "{\\"a\\": 1}"}', ("", "f_for_t", '{"a": 1}')),  # unclosed, text args
    ("No call here.", None),
    ('<tool_call>{"name": ', None),
    ('{"arguments": {}}', None),
])
def test_calls_are_read_from_hermes_and_llama3_replies(text: str, expected: tuple | None) -> None:
    assert parse_tool_call(text) == expected


def test_finish_is_a_tool_and_a_reply_without_a_call_is_a_thought() -> None:
    # ToolBench's single_chain/DFS: an assistant message with content and no function_call is a Thought node.
    fmt = ChatFunctionCalling()
    finish = fmt.parse_step(hermes_call("Finish", {"return_type": "give_answer", "final_answer": "Sunny."}))
    assert (finish.kind, finish.answer) == ("answer", "Sunny.")
    assert fmt.parse_step("It is sunny.") == Action(kind="thought", thought="It is sunny.")


class _Tokenizer:
    """A chat template that renders tools when `takes_tools`, and ignores them otherwise."""

    def __init__(self, takes_tools: bool) -> None:
        self.takes_tools = takes_tools

    def apply_chat_template(self, messages, tools=None, add_generation_prompt=False, tokenize=False) -> str:
        shown = json.dumps(tools) if tools and self.takes_tools else ""
        return shown + "".join(f"<{m['role']}>{m.get('content') or ''}" for m in messages)


PROMPT = ToolPrompt(({"role": "system", "content": "S"}, {"role": "user", "content": "U"},
                     {"role": "assistant", "content": "", "tool_calls": [
                         {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
                     {"role": "tool", "tool_call_id": "c", "name": "f", "content": "R"}),
                    ({"type": "function", "function": {"name": "f", "description": "d", "parameters": {}}},))


def test_templates_with_tools_get_them_natively_and_others_by_the_convention() -> None:
    assert render_tool_prompt(_Tokenizer(True), PROMPT).startswith(json.dumps(list(PROMPT.tools)))
    text = render_tool_prompt(_Tokenizer(False), PROMPT)
    tools_line = json.dumps(PROMPT.tools[0]["function"])
    assert text == ("<system>S" + TOOLS_IN_SYSTEM.format(tools=tools_line) + "<user>U<assistant>"
                    + hermes_call("f", {}) + "<user><tool_response>\nR\n</tool_response>")


def test_openai_sends_tools_and_reads_tool_calls() -> None:
    backend = make_backend(ModelSpec(model="m@http://127.0.0.1:9", backend="openai"))
    path, body = backend.request_body(RoleRequest("0", "r", PROMPT, SamplingParams(), 1))
    assert path == "/chat/completions" and body["tools"] == list(PROMPT.tools) and body["messages"] == list(PROMPT.messages)
    message = {"role": "assistant", "content": "Look.", "tool_calls": [
        {"id": "x", "type": "function", "function": {"name": "f_for_t", "arguments": '{"a": 1}'}}]}
    assert parse_tool_call(backend.reply_text({"message": message})) == ("Look.", "f_for_t", '{"a": 1}')


def test_a_chat_fc_run_calls_then_answers(shared_data: Path, tmp_path: Path) -> None:
    example = shared_data / "stabletoolbench" / "solvable_queries_example"
    argv = ["run", "--agent", "chat-fc", "--benchmark", str(example), "--backend", "scripted", "--model",
            "call-once-then-answer", "--executor", "local", "--out", str(tmp_path), "--run-name", "r", "--no-progress"]
    assert run_eval.main(argv) == 0
    records = [json.loads(line) for line in (tmp_path / "r" / "trajectories.jsonl").read_text().splitlines()]
    assert all(r["status"] == "answered" and len(r["calls"]) == 1 and r["calls"][0]["status"] == 0 for r in records)
    converted = json.loads((tmp_path / "r" / "tooleval" / "G1_instruction.json").read_text())
    steps = converted["588"]["answer"]["answer_details"][0]["next"][0]["next"]
    assert steps[0]["role"] == "tool" and steps[0]["next"][0]["message"]["name"] == "Finish"


def test_dfsdt_trees_take_chatgpts_shape(shared_data: Path) -> None:
    # ToolBench's DFS with ChatGPT: a reply without content adds Action and Action Input only (588's first
    # query), one with content a Thought first; the assistant message has no content key then.
    from tests.engine.test_search_dfsdt import node_path, run_trees
    from tests.helpers.scheduling import weather_tasks

    def script(request: RoleRequest) -> str:
        if node_path(request) == "0":
            return hermes_call("forecast_for_weather_api", {"city_name": "Paris"})
        return "Done.\n" + hermes_call("Finish", {"return_type": "give_answer", "final_answer": "Sunny."})

    tree = run_trees(script, weather_tasks(1), preset="chat-fc")["G1_instruction/0"]
    reference = json.loads((shared_data / ANSWER_588).read_text(encoding="utf-8"))
    ours = tree.answer_file()
    shape = [(n["node_type"], n["depth"]) for n in _first_chain(ours["tree"]["tree"])][:3]
    assert shape == [(n["node_type"], n["depth"]) for n in _first_chain(reference["tree"]["tree"])][:3]
    assert shape == [("Action Input", 0), ("Action", 1), ("Action Input", 2)]
    assert [n["node_type"] for n in _first_chain(ours["tree"]["tree"])][3:] == ["Thought", "Action", "Action Input"]
    first_call = ours["answer_generation"]["train_messages"][-1][2]
    assert set(first_call) == set(reference["answer_generation"]["train_messages"][-1][2]) == {"role", "function_call"}


def _first_chain(node: dict[str, Any]) -> list[dict[str, Any]]:
    chain = [node]
    while chain[-1]["children"]:
        chain.append(chain[-1]["children"][0])
    return chain


def test_chat_fc_multi_gives_the_caller_the_tools_natively(shared_data: Path, tmp_path: Path) -> None:
    from roles.function_calling import ChatFunctionCallingMulti
    from tests.helpers.role_fixtures import TOOLS, context

    fmt = ChatFunctionCallingMulti()
    prompt = fmt.caller_prompt(context(), "Look it up. Next: caller.")
    assert isinstance(prompt, ToolPrompt) and [t["function"]["name"] for t in prompt.tools] == [
        *(t.function_name for t in TOOLS), "Finish"]
    assert isinstance(fmt.planner_prompt(context()), list)  # the planner writes text, as chat-multi's
    call = fmt.parse_call(hermes_call("forecast_for_weather_api", {"city_name": "Paris"}))
    assert (call.kind, call.name, call.arguments) == ("call", "forecast_for_weather_api", '{"city_name": "Paris"}')
    example = shared_data / "stabletoolbench" / "solvable_queries_example"
    argv = ["run", "--agent", "chat-fc-multi", "--benchmark", str(example), "--backend", "scripted", "--model",
            "call-once-then-answer", "--executor", "local", "--out", str(tmp_path), "--run-name", "r", "--no-progress"]
    assert run_eval.main(argv) == 0
    records = [json.loads(line) for line in (tmp_path / "r" / "trajectories.jsonl").read_text().splitlines()]
    assert all(r["status"] == "answered" and r["calls"][0]["status"] == 0 for r in records)


# -- thought-only replies and chain length in tree nodes (ToolBench's single_chain.py and DFS.py) -----------------

WEATHER_CALL = hermes_call("forecast_for_weather_api", {"city_name": "Paris"})
ANSWER_CALL = "Done.\n" + hermes_call("Finish", {"return_type": "give_answer", "final_answer": "Sunny."})


def _chains(script) -> tuple[list[dict[str, Any]], list[RoleRequest]]:
    """Runs one chat-fc chain with `script` behind the model; returns its records and the requests it made."""
    from engine.backends.scripted import ScriptedBackend
    from engine.execution.local import LocalExecutor
    from engine.execution.placement import distinct_models
    from tests.engine.test_search_dfsdt import agent_for
    from tests.helpers.scheduling import run, weather_tasks

    requests: list[RoleRequest] = []

    def recording(request: RoleRequest) -> str:
        requests.append(request)
        return script(request)

    agent = agent_for(recording, "chat-fc")
    executor = LocalExecutor(distinct_models(agent.roles),
                             backends={key: ScriptedBackend(recording) for key in distinct_models(agent.roles)})
    records, _ = run(agent, weather_tasks(1), executor=executor)
    return records, requests


def test_a_thought_only_reply_is_kept_and_the_model_asked_again() -> None:
    # single_chain.do_chain: the reply becomes a Thought node, its message joins the history, the loop asks again.
    replies = iter(["Let me think about the city.", WEATHER_CALL, ANSWER_CALL])
    records, requests = _chains(lambda request: next(replies))
    record = records[0]
    assert record["status"] == "answered" and len(requests) == 3
    assert [c["name"] for c in record["calls"]] == ["forecast_for_weather_api"] and record["parse_failures"] == 0
    assert requests[1].prompt.messages[2:] == ({"role": "assistant", "content": "Let me think about the city."},)


def test_chain_length_is_counted_in_tree_nodes() -> None:
    # The chain stops once its depth reaches 12 nodes (qa_pipeline's single_chain_max_step): 12 thought-only
    # replies, 6 calls without content (Action, Action Input), or 4 calls with content (Thought added).
    thoughts, requests = _chains(lambda request: "Still thinking.")
    assert (thoughts[0]["status"], len(requests), thoughts[0]["calls"]) == ("max_steps", 12, [])
    bare, _ = _chains(lambda request: WEATHER_CALL)
    assert (bare[0]["status"], len(bare[0]["calls"])) == ("max_steps", 6)
    said, _ = _chains(lambda request: "Look it up.\n" + WEATHER_CALL)
    assert (said[0]["status"], len(said[0]["calls"])) == ("max_steps", 4)


def test_a_thought_only_reply_is_one_tree_node_expanded_like_any_other() -> None:
    # DFS.DFS: a reply without a function call adds one Thought node (its message: content only) and the
    # search goes on from it; depth and the next query follow from there.
    from tests.engine.test_search_dfsdt import node_path, run_trees
    from tests.helpers.scheduling import weather_tasks

    replies = {"0": "Let me think.", "0.0": WEATHER_CALL}
    tree = run_trees(lambda request: replies.get(node_path(request), ANSWER_CALL), weather_tasks(1),
                     preset="chat-fc")["G1_instruction/0"]
    chain = _first_chain(tree.answer_file()["tree"]["tree"])
    assert [(n["node_type"], n["depth"]) for n in chain] == [
        ("Action Input", 0), ("Thought", 1), ("Action", 2), ("Action Input", 3), ("Thought", 4), ("Action", 5),
        ("Action Input", 6)]
    assert tree.root.children[0].messages[-1] == {"role": "assistant", "content": "Let me think."}
    assert tree.trajectory.status == "answered" and tree.query_count == 3


def test_a_tree_of_thoughts_only_is_twelve_nodes_deep_and_spends_the_query_budget() -> None:
    from tests.engine.test_search_dfsdt import run_trees
    from tests.helpers.scheduling import weather_tasks

    tree = run_trees(lambda request: "Still thinking.", weather_tasks(1), preset="chat-fc")["G1_instruction/0"]
    figures = tree.trajectory.search
    assert (figures["max_depth"], figures["model_queries"], figures["answer_found"]) == (12, 200, False)
    assert tree.trajectory.status == "max_steps" and tree.trajectory.calls == []
