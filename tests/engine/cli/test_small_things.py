"""Small things a user trips over: --version, presets, inspect on an id that several groups share."""
from __future__ import annotations

import pytest
import yaml

import run_eval
from engine.config.presets import PRESETS
from engine.runner.provenance import umi_eval_version


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        run_eval.main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"umi-eval {umi_eval_version()}" and umi_eval_version() != ""


def test_presets_lists_every_preset_with_its_models(capsys):
    assert run_eval.main(["presets"]) == 0
    lines = capsys.readouterr().out.splitlines()
    for name, agent in PRESETS.items():
        [line] = [line for line in lines if line.split()[:1] == [name]]
        assert agent.kind in line and agent.strategy in line
    chat = next(line for line in lines if line.startswith("chat-multi "))
    assert "planner, caller, summarizer: hf:embedded (128 new tokens)" in chat
    assert "no model" in next(line for line in lines if line.startswith("oracle "))


def test_one_preset_shows_every_setting_as_yaml(capsys):
    assert run_eval.main(["presets", "alpha-umi-backbone"]) == 0
    settings = yaml.safe_load(capsys.readouterr().out)
    assert settings["kind"] == "single" and settings["roles"]["backbone"]["sampling"]["prompt_tokens"] == 3576
    assert run_eval.main(["presets", "alpha-um"]) == 2
    assert "did you mean 'alpha-umi'" in capsys.readouterr().err


def test_inspect_asks_for_the_group_of_an_id_that_several_groups_share(capsys):
    argv = ["inspect", "--benchmark", "embedded", "--per-group", "1", "--agent", "chat-single"]
    assert run_eval.main([*argv, "--query-id", "0"]) == 2
    err = capsys.readouterr().err
    assert "query id 0 is in 6 groups (G1_instruction," in err and "--query-id G1_instruction/0" in err
    assert run_eval.main([*argv, "--query-id", "G2_category/0"]) == 0
    assert run_eval.main([*argv, "--query-id", "0", "--groups", "G3_instruction"]) == 0
    out = capsys.readouterr().out
    assert out.count("You answer the user's question with tools") == 2
