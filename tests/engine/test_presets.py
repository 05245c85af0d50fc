"""Agent presets, YAML agents and overrides."""
from __future__ import annotations

import json

import pytest

from engine.config.presets import PRESETS, AgentConfigError, load_agent, override_models


def test_presets_have_the_roles_of_their_kind():
    assert set(PRESETS["alpha-umi"].roles) == {"planner", "caller", "summarizer"}
    assert set(PRESETS["toolllama"].roles) == {"backbone"}
    assert PRESETS["chat-multi"].kind == "multi" and PRESETS["chat-single"].kind == "single"


def test_unknown_preset_lists_the_valid_ones():
    with pytest.raises(AgentConfigError, match="valid: alpha-umi, alpha-umi-backbone, toolllama"):
        load_agent("gpt-9")


def test_yaml_agent_with_per_role_models(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(
        "name: my-umi\npreset: alpha-umi\nmax_steps: 6\nmodel: {dtype: fp32}\n"
        "roles:\n  planner: {model: /models/planner, sampling: {temperature: 0.5}}\n"
    )
    agent = load_agent(str(path))
    assert agent.name == "my-umi" and agent.kind == "multi" and agent.max_steps == 6
    assert agent.roles["planner"].model == "/models/planner"
    assert agent.roles["planner"].sampling.temperature == 0.5
    assert agent.roles["caller"].model == "embedded" and agent.roles["caller"].dtype == "fp32"


@pytest.mark.parametrize("text, message", [
    ("kind: triple\n", "kind must be one of"),
    ("preset: alpha-umi\nroles: {critic: {}}\n", "unknown role 'critic'.*valid: planner, caller, summarizer"),
    ("preset: toolllama\nroles: {backbone: {gpus: 2}}\n", "unknown model field"),
    ("- a list\n", "must be a mapping"),
])
def test_bad_yaml_agents_say_what_is_wrong(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(AgentConfigError, match=message):
        load_agent(str(path))


def test_an_alias_bomb_agent_is_refused(tmp_path):
    from tests.helpers.hostile import alias_bomb
    path = tmp_path / "bomb.yaml"
    path.write_text("preset: chat-single\n" + alias_bomb())
    with pytest.raises(AgentConfigError, match=f"{path}: the YAML expands"):
        load_agent(str(path))


def test_override_applies_to_every_role():
    agent = override_models(PRESETS["alpha-umi"], backend="scripted", model="m", dtype=None)
    assert {spec.backend for spec in agent.roles.values()} == {"scripted"}
    assert {spec.dtype for spec in agent.roles.values()} == {"bf16"}


@pytest.mark.parametrize("stop, expected", [("</s>", ("</s>",)), (["A", "B"], ("A", "B")), (None, ())])
def test_a_stop_string_is_one_sequence_and_a_list_is_several(tmp_path, stop, expected):
    path = tmp_path / "stop.yaml"
    path.write_text(f"preset: chat-single\nmodel: {{sampling: {{stop: {json.dumps(stop)}}}}}\n")
    assert load_agent(str(path)).roles["backbone"].sampling.stop == expected


@pytest.mark.parametrize("stop", ["[1, 2]", "['']", "{a: 1}", "7"])
def test_a_stop_that_is_not_strings_is_refused_naming_the_file(tmp_path, stop):
    path = tmp_path / "stop.yaml"
    path.write_text(f"preset: chat-single\nmodel: {{sampling: {{stop: {stop}}}}}\n")
    with pytest.raises(AgentConfigError, match=r"stop\.yaml.*sampling\.stop must be a string or a list"):
        load_agent(str(path))
