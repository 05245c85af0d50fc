"""The alpha-umi agent in real time, step by step as the authors' runner drove it (ToolBench-multiLLM
collab_agent_model.py, utils.collab_agent_parser, rapidapi.py, Algorithms/DFS.py). Expected strings are
written out by hand from upstream's code."""
from __future__ import annotations

import dataclasses
import json
from typing import Callable

import pytest

from engine.backends.prompt_encoding import encode_prompt
from engine.runner.static_eval import STATIC_PROMPT_TOKENS
from engine.backends.scripted import register_script
from engine.config.presets import PRESETS
from engine.types import RoleRequest
from tests.helpers.scheduling import run, scripted, weather_tasks
from tests.helpers.role_fixtures import WEATHER
from tools_sim.cache import ResponseCache
from tools_sim.simulator import Simulator

CALL_PARIS = 'Action: forecast_for_weather_api\nAction Input: {"city_name": "Paris"}'


def recording(name: str, reply: Callable[[RoleRequest], str]) -> list[RoleRequest]:
    """Registers a script answering with `reply`; returns the list of requests it will have seen."""
    seen: list[RoleRequest] = []
    register_script(name, lambda r: seen.append(r) or reply(r))
    return seen


def observations_in(prompt: str) -> int:
    return prompt.count("observation: ")


def paris_simulator(response: object, error: str = "") -> Simulator:
    cache = ResponseCache()
    cache.add(WEATHER.category, WEATHER.tool, WEATHER.api, {"city_name": "Paris"}, error, response)
    return Simulator(cache, ["error"])


def test_empty_planner_output_is_asked_five_times_then_the_caller_gets_none() -> None:
    seen = recording("umi-empty-planner", lambda r: " , " if r.role == "planner" else "Done. Next: conclusion. conclusion: 42")
    records, _ = run(scripted("alpha-umi", "umi-empty-planner"), weather_tasks(1))
    assert [r.role for r in seen] == ["planner"] * 5 + ["caller"]
    assert len({r.seed for r in seen[:5]}) == 5  # each attempt its own request seed
    caller_prompt = seen[5].prompt
    assert "user: What is the weather in city 0?</s>assistant: none Next: caller.</s>\n" in caller_prompt
    assert "The thought of this step is:\nnone Next: caller.\nBase on the thought" in caller_prompt
    assert records[0]["status"] == "answered" and records[0]["final_answer"] == "42"
    again = recording("umi-empty-planner", lambda r: " , " if r.role == "planner" else "x Next: give up")
    run(scripted("alpha-umi", "umi-empty-planner"), weather_tasks(1))
    assert [r.seed for r in again] == [r.seed for r in seen]  # deterministic per request


def test_a_chain_ends_after_four_rounds_its_last_call_made() -> None:
    seen = recording("umi-always-call", lambda r: "More. Next: caller." if r.role == "planner" else CALL_PARIS)
    agent = scripted("alpha-umi", "umi-always-call")
    records, _ = run(agent, weather_tasks(1), simulator=paris_simulator("sunny"))
    assert agent.max_steps == 4 and agent.max_depth == 12
    assert records[0]["status"] == "max_steps" and len(records[0]["calls"]) == 4
    assert [r.role for r in seen] == ["planner", "caller"] * 4


def test_an_answer_in_the_fourth_round_follows_three_calls() -> None:
    def reply(r: RoleRequest) -> str:
        if r.role == "planner":
            return "Enough. Next: conclusion." if observations_in(r.prompt) == 3 else "More. Next: caller."
        return "It is sunny." if r.role == "summarizer" else CALL_PARIS
    recording("umi-answer-late", reply)
    records, _ = run(scripted("alpha-umi", "umi-answer-late"), weather_tasks(1), simulator=paris_simulator("sunny"))
    assert records[0]["status"] == "answered" and len(records[0]["calls"]) == 3


@pytest.mark.parametrize("preset", ["alpha-umi-backbone", "chat-single", "toolllama"])
def test_every_agent_counts_rounds_as_toolbench(preset: str) -> None:
    seen = recording("umi-single-call", lambda r: "Thought: more.\n" + CALL_PARIS)
    records, _ = run(scripted(preset, "umi-single-call"), weather_tasks(1), simulator=paris_simulator("sunny"))
    assert records[0]["status"] == "max_steps" and len(records[0]["calls"]) == 4 and len(seen) == 4


def test_history_holds_the_callers_raw_text_and_the_summary_keeps_its_colon() -> None:
    raw = ': I will look.\nAction:  forecast_for_weather_api\nAction Input:{"city_name": "Paris"}'

    def reply(r: RoleRequest) -> str:
        if r.role == "planner":
            return "Answer. Next: conclusion." if observations_in(r.prompt) else "Look. Next: caller."
        return raw if r.role == "caller" else ": It is sunny, conclusion: 20 C"
    seen = recording("umi-raw", reply)
    records, _ = run(scripted("alpha-umi", "umi-raw"), weather_tasks(1), simulator=paris_simulator("sunny"))
    assert ("assistant: Look. Next: caller.</s>caller: " + raw + '</s>observation: "sunny"assistant: Answer. '
            "Next: conclusion.</s> conclusion: ") in seen[-1].prompt
    assert records[0]["final_answer"] == "20 C"  # after the last "conclusion: "
    recording("umi-raw", lambda r: reply(r).replace(", conclusion: 20 C", ""))
    records, _ = run(scripted("alpha-umi", "umi-raw"), weather_tasks(1), simulator=paris_simulator("sunny"))
    assert records[0]["final_answer"] == ": It is sunny"


@pytest.mark.parametrize(("plan", "status", "answer"), [
    ("Done. Next: conclusion", "answered", "Done. Next: conclusion Next: caller.caller: " + CALL_PARIS),
    ("Stuck. Next: give up", "gave_up", ""),
])
def test_a_plan_marked_without_the_period_finishes_after_the_caller(plan: str, status: str, answer: str) -> None:
    seen = recording("umi-no-period", lambda r: plan if r.role == "planner" else CALL_PARIS)
    records, _ = run(scripted("alpha-umi", "umi-no-period"), weather_tasks(1), simulator=paris_simulator("sunny"))
    assert [r.role for r in seen] == ["planner", "caller"]
    assert (records[0]["status"], records[0]["final_answer"], records[0]["calls"]) == (status, answer, [])


@pytest.mark.parametrize(("response", "error", "expected"), [
    ({"temp": 20, "sky": "clear"}, "", '{"temp": 20, "sky": "clear"}'),
    ("", "Rate limit per minute error...", '{"message": "Rate limit per minute error..."}'),
    ("x" * 2000, "", '"' + "x" * 1023 + "..."),
    ([], "ignored error", "[]"),
])
def test_observations_are_what_the_authors_environment_returned(response: object, error: str, expected: str) -> None:
    recording("umi-observe", lambda r: "Look. Next: caller." if r.role == "planner" else CALL_PARIS)
    agent = dataclasses.replace(scripted("alpha-umi", "umi-observe"), max_steps=1)
    records, _ = run(agent, weather_tasks(1), simulator=paris_simulator(response, error))
    assert records[0]["calls"][0]["observation"] == expected
    assert records[0]["turns"][-1] == {"role": "observation", "text": expected}


def test_no_such_function_keeps_toolbench_text_and_the_option_restores_it() -> None:
    recording("umi-hallucinate", lambda r: "Look. Next: caller." if r.role == "planner" else "Action: made_up\nAction Input: {}")
    agent = dataclasses.replace(scripted("alpha-umi", "umi-hallucinate"), max_steps=1)
    records, _ = run(agent, weather_tasks(1))
    assert records[0]["calls"][0]["observation"] == json.dumps({"error": "No such function name: made_up", "response": ""})
    recording("umi-observe-tb", lambda r: "Look. Next: caller." if r.role == "planner" else CALL_PARIS)
    toolbench = dataclasses.replace(scripted("alpha-umi", "umi-observe-tb"), max_steps=1,
                                    format_options={"observations": "toolbench"})
    records, _ = run(toolbench, weather_tasks(1), simulator=paris_simulator({"temp": 20}))
    assert records[0]["calls"][0]["observation"] == '{"error": "", "response": {"temp": 20}}'


class _Tokenizer:
    def __call__(self, text: str) -> dict[str, list[int]]:
        return {"input_ids": [len(word) for word in text.split()]}


def test_prompts_keep_their_last_prompt_tokens_when_asked() -> None:
    prompt = "a bb ccc dddd eeeee"
    assert encode_prompt(_Tokenizer(), prompt, 100, 10) == [1, 2, 3, 4, 5]
    assert encode_prompt(_Tokenizer(), prompt, 100, 10, keep=2) == [4, 5]
    assert encode_prompt(_Tokenizer(), prompt, 4, 10, keep=5) == [3, 4, 5]  # only the whole context bounds it


def test_the_static_collator_keeps_3750_tokens_whatever_the_context() -> None:
    # GLPFT's collator keeps input_ids[-max_input_length:] (3,750): on a 4,096-token model with 512 new tokens.
    prompt = " ".join(["a"] * 5000)
    assert len(encode_prompt(_Tokenizer(), prompt, 4096, 512, keep=STATIC_PROMPT_TOKENS)) == 3750


def test_the_preset_keeps_upstreams_real_time_prompt_tokens() -> None:
    assert {spec.sampling.prompt_tokens for spec in PRESETS["alpha-umi"].roles.values()} == {4096 - 512 - 8}
    assert PRESETS["alpha-umi-backbone"].roles["backbone"].sampling.prompt_tokens == 3576
    seen = recording("umi-tokens", lambda r: "x Next: give up.")
    run(scripted("alpha-umi", "umi-tokens"), weather_tasks(1))
    assert seen[0].sampling.prompt_tokens == 3576 and seen[0].sampling.stop == ("</s>",)


@pytest.mark.parametrize(("summary", "status", "answer", "parse_failures"), [
    ("  ", "answered", "", 1),  # upstream's Finish took an empty final_answer
    ("I cannot tell. Next: give up", "gave_up", "", 0),
])
def test_the_summarizers_output_is_read_with_the_plan(summary: str, status: str, answer: str, parse_failures: int) -> None:
    recording("umi-summary", lambda r: "Answer. Next: conclusion." if r.role == "planner" else summary)
    records, _ = run(scripted("alpha-umi", "umi-summary"), weather_tasks(1))
    assert (records[0]["status"], records[0]["final_answer"], records[0]["parse_failures"]) == (status, answer, parse_failures)
