"""MirrorAPI's prompts and reply reading (the policy with a backend: tests/engine/test_mirrorapi_policy.py)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from benchmarks.core.prompt_files import STABLETOOLBENCH_ENV, PromptFileError
from tools_sim.cache import ResponseCache
from tools_sim.mirrorapi import (COT_PROMPT_FILE, SFT_PROMPT_FILE, mirror_messages, mirrorapi_cot_policy,
                                 mirrorapi_policy, parse_mirror_reply)
from tools_sim.policies import needs_model
from tools_sim.simulator import Simulator
from tests.tools_sim.test_llm import FORECAST

STB = "stabletoolbench"


@pytest.mark.parametrize("factory, file, start", [(mirrorapi_policy, SFT_PROMPT_FILE, "Imagine you are an API Server"),
                                                  (mirrorapi_cot_policy, COT_PROMPT_FILE, "[CHAIN_OF_THOUGHT]\nYou are")])
def test_system_prompts_are_upstreams_literals(shared_data: Path, monkeypatch: pytest.MonkeyPatch, factory, file: str,
                                               start: str) -> None:
    monkeypatch.setenv(STABLETOOLBENCH_ENV, str(shared_data / STB))
    source = (shared_data / STB / "prompts" / file).read_text("utf-8")
    policy = factory(ResponseCache(), lambda prompts, settings: [])
    assert policy.system == ast.literal_eval('"""' + source + '"""') and policy.system.startswith(start)


def test_user_message_is_upstreams_template_with_python_reprs() -> None:
    system, user = mirror_messages("SYSTEM", FORECAST, {"city": "Rome", "days": 2, "toolbench_key": "secret"})
    assert system == {"role": "system", "content": "SYSTEM"}
    assert user == {"role": "user", "content": (
        "API doc:\n{'api_name': 'Forecast', 'api_description': 'Daily forecast', 'required_parameters': [], "
        "'optional_parameters': [], 'tool_description': '', 'tool_name': 'sky_data', 'tool_category': 'Weather'}"
        "\n\nRequest:\n{'city': 'Rome', 'days': 2}")}


SFT_LOOSE = '{\n    "error": "",\n    "response": "{"status":0,"msg":"Success"}"\n}'
COT_LOOSE = ('{\n "mechanism_of_the_api": "The "List" API lists.",\n "error": "",\n'
             ' "response": "{"languages":["en"]}" \n}\n```')


@pytest.mark.parametrize("text, expected", [
    ('{"error": "", "response": "sunny"}', {"error": "", "response": "sunny"}),
    ('{"mechanism_of_the_api": "m", "error": "", "response": {"t": 3}}', {"error": "", "response": {"t": 3}}),
    ('{"error": "Invalid city", "response": ""}', {"error": "Invalid city", "response": ""}),
    (SFT_LOOSE, {"error": "", "response": '{"status":0,"msg":"Success"}'}),  # upstream's regular expression
    (COT_LOOSE, {"error": "", "response": '{"languages":["en"]}'}),  # reasoning first, then the fields
    ('{"error": "", "response": ""}', None),  # upstream's failure: nothing in either field
    ('{"response": "x"}', None),
    ('["error", "response"]', None),
    ("I am an API server.", None),
    ("", None),
    (None, None),
])
def test_replies_are_read_as_upstreams_extract_attributes_json(text, expected) -> None:
    assert parse_mirror_reply(text) == expected


def test_a_runaway_reply_is_bounded_and_never_raises() -> None:
    assert parse_mirror_reply('"mechanism_of_the_api": "' + '", "error": "' * 30_000) is None


def test_missing_prompt_file_and_missing_model_fail_when_the_simulator_is_built(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(STABLETOOLBENCH_ENV, str(tmp_path))
    with pytest.raises(PromptFileError, match=SFT_PROMPT_FILE):
        Simulator(ResponseCache(), ["mirrorapi"], generate=lambda prompts, settings: [])
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / COT_PROMPT_FILE).write_text("COT")
    with pytest.raises(ValueError, match="the mirrorapi-cot miss policy needs a model"):
        Simulator(ResponseCache(), ["mirrorapi-cot"])


def test_policies_that_ask_a_model() -> None:
    assert needs_model(["synthesize", "mirrorapi-cot"]) and needs_model(["llm"]) and needs_model(["mirrorapi"])
    assert not needs_model(["synthesize", "error"]) and not needs_model(["no-such-policy"])
