"""LLM-simulated misses: upstream's prompt, validated JSON, retries, the failure text, one batch per tick."""
from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from benchmarks.core.naming import function_name
from benchmarks.core.types import ToolSpec
from tools_sim.cache import ResponseCache
from tools_sim.llm import (
    FAILED_REPLY,
    SYSTEM_PROMPT,
    LlmPolicy,
    Messages,
    api_doc,
    parse_reply,
    pick_examples,
    user_prompt,
)
from tools_sim.simulator import Simulator
from tools_sim.types import ToolCall

ENTRY = {"category_name": "Weather", "tool_name": "Sky Data", "api_name": "Forecast",
         "api_description": "Daily forecast", "required_parameters": [], "optional_parameters": []}
FORECAST = ToolSpec(category="Weather", tool="Sky Data", api="Forecast", function_name=function_name("Forecast", "Sky Data"),
                    description="", parameters={}, api_entry=ENTRY)
PATH = ("Weather", "sky_data_for_Weather", "forecast")


def _call(arguments: str) -> ToolCall:
    return ToolCall(tools=(FORECAST,), name=FORECAST.function_name, arguments=arguments)


class Scripted:
    """A generate callable that answers from a script (one list of texts per batch) and records batches."""

    def __init__(self, *batches: list[str]) -> None:
        self.script = list(batches)
        self.batches: list[list[Messages]] = []

    def __call__(self, prompts: list[Messages]) -> list[str]:
        self.batches.append(prompts)
        return self.script.pop(0)


def _reply(text: str) -> str:
    return json.dumps({"error": "", "response": text})


def test_system_prompt_is_upstreams_literal(shared_data: Path) -> None:
    source = (shared_data / "stabletoolbench/prompts/gpt_simulator_system_prompt.txt").read_text("utf-8")
    upstream_value = ast.literal_eval("'''" + source + "'''")  # the file is the literal's source text
    assert upstream_value == SYSTEM_PROMPT
    module = Path(__file__).resolve().parents[2] / "tools_sim" / "llm.py"
    assert source in module.read_text("utf-8")  # embedded byte-exactly


def test_system_prompt_escapes_are_newlines_as_upstream_sends_them() -> None:
    assert SYSTEM_PROMPT.startswith("\nImagine you are an API Server")
    assert "guided by the provided examples.\n\nYour responses" in SYSTEM_PROMPT and "\\n" not in SYSTEM_PROMPT
    assert SYSTEM_PROMPT.endswith("generate the response for the given input.\n    ")


def test_user_prompt_is_upstreams_concatenation() -> None:
    doc = api_doc(FORECAST)
    assert doc == {"tool_description": "", "api_info": [{"name": "Forecast", "description": "Daily forecast"}]}
    examples = [("{'city': 'Oslo'}", {"error": "", "response": "cold"})]
    assert user_prompt(doc, examples, {"city": "Rome"}) == (
        "API Documentation:{'tool_description': '', 'api_info': [{'name': 'Forecast', 'description': "
        "'Daily forecast'}]}\nAPI Examples:[(\"{'city': 'Oslo'}\", {'error': '', 'response': 'cold'})]\n"
        "API Input:{'city': 'Rome'}\n")
    bare = ToolSpec(category="c", tool="t", api="a", function_name="a_for_t", description="", parameters={})
    assert api_doc(bare) == {"tool_description": "", "api_info": ""}  # upstream's doc without a tool file


def test_examples_are_at_most_five_and_shrink_below_2048_chars() -> None:
    small = [(str(i), {"error": "", "response": "r"}) for i in range(8)]
    assert pick_examples(small) == small[:5]
    big = [(str(i), {"error": "", "response": "x" * 900}) for i in range(8)]
    assert len(pick_examples(big)) == 2  # 3 of them would exceed 2,048 chars
    huge = [("k", {"error": "", "response": "x" * 5000})]
    assert pick_examples(huge) == huge  # never fewer than one; the prompt cuts the text at 2,048
    assert len(user_prompt({}, huge, {}).split("\n")[1]) == len("API Examples:") + 2048


@pytest.mark.parametrize("text, expected", [
    ('{"error": "", "response": {"a": 1}}', {"error": "", "response": {"a": 1}}),
    ('```json\n{"error": "", "response": "r"}\n```', {"error": "", "response": "r"}),
    ('{"error": "", "response": "r", "mechanism": "m"}', {"error": "", "response": "r", "mechanism": "m"}),
    ('{"response": "no error field"}', None),
    ('["error", "response"]', None),
    ("Sure! Here is the JSON: {", None),
    ("[" * 100_000, None),
    (None, None),
])
def test_parse_reply(text: object, expected: object) -> None:
    assert parse_reply(text) == expected


def test_valid_reply_is_answered_and_saved_as_simulated(tmp_path: Path) -> None:
    cache = ResponseCache.open(tmp_path / "s.sqlite")
    cache.save([(PATH, {"city": "Oslo"}, {"error": "", "response": "cold"})], "import")
    generate = Scripted([_reply("sunny in Rome")])
    sim = Simulator(cache, ["llm"], generate=generate)
    [obs] = sim.call_many([_call('{"city": "Rome"}')])
    assert (obs.source, obs.status, obs.response) == ("llm", 0, "sunny in Rome")
    system, user = generate.batches[0][0]
    assert system == {"role": "system", "content": SYSTEM_PROMPT}
    assert user["content"].endswith("API Examples:[(\"{'city': 'Oslo'}\", {'error': '', 'response': 'cold'})]\n"
                                    "API Input:{'city': 'Rome'}\n")
    assert cache.store.summary()["by_source"] == {"import": 1, "llm": 1}  # type: ignore[union-attr]
    again = ResponseCache.open(tmp_path / "s.sqlite")
    assert again.lookup_path(PATH, {"city": "Rome"}) == {"error": "", "response": "sunny in Rome"}
    [hit] = Simulator(again, ["error"]).call_many([_call('{"city": "Rome"}')])
    assert hit.source == "cache"


def test_tick_misses_go_out_as_one_batch_and_invalid_ones_are_retried() -> None:
    generate = Scripted(["not json", _reply("b"), "{}"],  # try 1: three prompts, one valid
                        [_reply("a"), "still not"],        # try 2: the two invalid ones only
                        [_reply("c")])                     # try 3: the last one
    sim = Simulator(ResponseCache(), ["llm"], generate=generate)
    obs = sim.call_many([_call('{"city": "A"}'), _call('{"city": "B"}'), _call('{"city": "C"}')])
    assert [o.response for o in obs] == ["a", "b", "c"] and {o.source for o in obs} == {"llm"}
    assert [len(b) for b in generate.batches] == [3, 2, 1]
    assert "API Input:{'city': 'A'}" in generate.batches[1][0][1]["content"]
    assert sim.stats()["policies"]["llm"] == {"prompts": 6, "batches": 3, "retries": 3, "failed": 0,
                                               "generate_errors": 0, "save_errors": 0}


def test_third_failure_gives_the_upstream_error_text_and_is_not_saved() -> None:
    cache = ResponseCache()
    generate = Scripted(["nope"], ["```json\n{oops}\n```"], ['{"error": ""}'])
    [obs] = Simulator(cache, ["llm", "synthesize"], generate=generate).call_many([_call('{"city": "X"}')])
    assert obs.text == '{"error": "Failed to generate fake response", "response": ""}' == json.dumps(FAILED_REPLY)
    assert obs.source == "error" and len(generate.batches) == 3
    assert len(cache) == 0


def test_identical_calls_of_a_tick_share_one_prompt() -> None:
    generate = Scripted([_reply("same")])
    obs = Simulator(ResponseCache(), ["llm"], generate=generate).call_many(
        [_call('{"city": "A", "days": 2}'), _call('{"days": "2", "city": "A"}')])
    assert [o.response for o in obs] == ["same", "same"] and len(generate.batches[0]) == 1


def test_a_generate_that_raises_fails_the_try_not_the_run() -> None:
    calls = []

    def broken(prompts: list[Messages]) -> list[str]:
        calls.append(len(prompts))
        raise ConnectionError("backend down")

    sim = Simulator(ResponseCache(), ["llm"], generate=broken)
    [obs] = sim.call_many([_call('{"city": "A"}')])
    assert obs.error == FAILED_REPLY["error"] and calls == [1, 1, 1]
    assert sim.stats()["policies"]["llm"]["generate_errors"] == 3


def test_a_generate_that_miscounts_is_a_wiring_error() -> None:
    policy = LlmPolicy(lambda prompts: [], ResponseCache())
    with pytest.raises(ValueError, match="returned 0 texts for 1 prompts"):
        Simulator(None, [policy]).call_many([_call("{}")])
