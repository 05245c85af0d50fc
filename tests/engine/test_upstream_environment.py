"""Finish and action names as upstream's environment (ToolBench / alpha-UMi `rapidapi.py` `_step`) handles them
(issue 20, item 5). Expected values are what `_step` returns for the same action."""
from __future__ import annotations

from typing import Any

from engine.backends.scripted import register_script
from engine.types import RoleRequest
from tests.helpers.scheduling import run, scripted, weather_tasks


def _replies(name: str, *texts: str) -> str:
    """A script answering the i-th request of a trajectory with texts[i] (the last one from then on)."""
    def script(request: RoleRequest) -> str:
        index = int(request.request_id.rsplit("|", 1)[1])
        return texts[min(index, len(texts) - 1)]
    register_script(name, script)
    return name


def _one(preset: str, *texts: str) -> dict[str, Any]:
    [record], _ = run(scripted(preset, _replies(f"env-{preset}-{hash(texts)}", *texts)), weather_tasks(1))
    return record


ANSWER = 'Thought: done\nAction: Finish\nAction Input: {"return_type": "give_answer", "final_answer": "Sunny."}'


def test_a_finish_without_final_answer_gets_upstreams_reply_and_status_2() -> None:
    record = _one("toolllama", 'Thought: t\nAction: Finish\nAction Input: {"return_type": "give_answer"}', ANSWER)
    [call] = record["calls"]
    assert (call["name"], call["observation"], call["status"]) == ("Finish", '{error:"must have "final_answer""}', 2)
    assert record["status"] == "answered" and record["final_answer"] == "Sunny."


def test_finish_without_or_with_an_invalid_return_type() -> None:
    missing = _one("toolllama", 'Action: Finish\nAction Input: {"final_answer": "x"}', ANSWER)["calls"][0]
    invalid = _one("toolllama", 'Action: Finish\nAction Input: {"return_type": "maybe"}', ANSWER)["calls"][0]
    assert (missing["observation"], missing["status"]) == ('{error:"must have "return_type""}', 2)
    assert (invalid["observation"], invalid["status"]) == ('{error:""return_type" is not a valid choice"}', 2)


def test_a_caller_that_writes_finish_gives_the_final_answer() -> None:
    # alpha-UMi's runner hands the caller's action to `_step`: Finish with give_answer is status 3, the end.
    record = _one("alpha-umi", "Enough known. Next: caller.",
                  'Action: Finish\nAction Input: {"return_type": "give_answer", "final_answer": "Sunny."}')
    assert record["calls"] == [] and record["status"] == "answered" and record["final_answer"] == "Sunny."


def test_a_backbone_that_writes_finish_gives_the_final_answer() -> None:
    record = _one("alpha-umi-backbone", 'Action: Finish\nAction Input: {"return_type": "give_answer", "final_answer": "Sunny."}')
    assert record["calls"] == [] and record["status"] == "answered" and record["final_answer"] == "Sunny."


def test_a_caller_finish_without_final_answer_is_status_2() -> None:
    record = _one("alpha-umi", "Enough known. Next: caller.",
                  'Action: Finish\nAction Input: {"return_type": "give_answer"}', "Next: give up.")
    assert (record["calls"][0]["name"], record["calls"][0]["status"]) == ("Finish", 2)


def test_an_empty_action_name_calls_the_first_api_under_upstream_compat() -> None:
    # `function["name"].endswith("")` is true of the first function.
    record = _one("toolllama", 'Thought: t\nAction: \nAction Input: {"name": "messi"}', ANSWER)
    assert record["calls"][0]["function_name"] == "transfermarkt_search_for_theclique"
    assert record["calls"][0]["status"] == 0
    strict = _one("chat-single", "Thought: t\nAction: \nAction Input: {}", "Action: Finish\nAction Input: "
                  '{"return_type": "give_answer", "final_answer": "x"}')
    assert (strict["calls"][0]["function_name"], strict["calls"][0]["status"]) == (None, 1)


def test_non_json_arguments_are_status_0_under_upstream_compat() -> None:
    record = _one("toolllama", "Thought: t\nAction: forecast_for_weather_api\nAction Input: city=Paris", ANSWER)
    call = record["calls"][0]
    assert call["observation"] == '{"error": "Tool input parse error...\\n", "response": ""}'
    assert call["status"] == 0
