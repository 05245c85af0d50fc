"""The command line: run and inspect, and bad input that must write nothing."""
from __future__ import annotations

import json

import pytest

import run_eval


@pytest.fixture()
def example_dir(shared_data):
    return shared_data / "stabletoolbench" / "solvable_queries_example"


def _fails_writing_nothing(argv, tmp_path, capsys, message):
    out = tmp_path / "out"
    assert run_eval.main([*argv, "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_unknown_preset_lists_valid_ones(example_dir, tmp_path, capsys):
    _fails_writing_nothing(["run", "--agent", "gpt9", "--benchmark", str(example_dir)], tmp_path, capsys,
                           "valid: alpha-umi, alpha-umi-backbone, toolllama, chat-single, chat-multi, chat-fc, chat-fc-multi, oracle")


def test_unknown_backend_lists_valid_ones(example_dir, tmp_path, capsys):
    _fails_writing_nothing(["run", "--agent", "alpha-umi", "--benchmark", str(example_dir), "--backend", "tgi"],
                           tmp_path, capsys, "unknown backend 'tgi'; available: hf, modelled, openai, scripted, vllm")


def test_unknown_modelled_profile_fails_before_anything_is_written(example_dir, tmp_path, capsys):
    _fails_writing_nothing(["run", "--agent", "alpha-umi", "--benchmark", str(example_dir), "--backend", "modelled",
                            "--model", "call-once-then-answer@tpu"], tmp_path, capsys,
                           "role planner: unknown timing profile 'tpu'")


def test_missing_model_folder_is_named(example_dir, tmp_path, capsys):
    _fails_writing_nothing(["run", "--agent", "alpha-umi", "--benchmark", str(example_dir), "--model", str(tmp_path / "nope")],
                           tmp_path, capsys, "has no config.json")


def test_malformed_query_file_names_file_and_record(tmp_path, capsys):
    bad = tmp_path / "G1_instruction.json"
    bad.write_text(json.dumps([{"query": "q", "query_id": 7, "api_list": [{"tool_name": "t"}]}]))
    _fails_writing_nothing(["run", "--agent", "chat-single", "--benchmark", str(bad), "--backend", "scripted",
                            "--model", "call-once-then-answer"], tmp_path, capsys, f"{bad}: record 0 (query_id 7)")


def test_unknown_group_lists_valid_ones(example_dir, tmp_path, capsys):
    _fails_writing_nothing(["run", "--agent", "chat-single", "--benchmark", str(example_dir), "--groups", "G9",
                            "--backend", "scripted", "--model", "call-once-then-answer"], tmp_path, capsys, "unknown groups ['G9']; available: ['G1_instruction']")


def test_inspect_tools_prints_the_function_schemas(example_dir, capsys):
    assert run_eval.main(["inspect", "--benchmark", str(example_dir), "--query-id", "588", "--tools"]) == 0
    schemas = json.loads(capsys.readouterr().out)
    assert schemas[-1]["name"] == "Finish" and schemas[0]["name"] == "songkick_concert_for_theclique"


def test_inspect_prints_the_exact_planner_prompt(example_dir, capsys):
    assert run_eval.main(["inspect", "--benchmark", str(example_dir), "--query-id", "588", "--agent", "alpha-umi",
                          "--role", "planner"]) == 0
    prompt = capsys.readouterr().out
    assert prompt.startswith("You have assess to the following apis:\n")
    assert prompt.endswith("Next: caller or conclusion or give up. assistant: \n")


@pytest.mark.parametrize(("role", "marker", "ending"), [
    ("caller", "Next: caller.", "\nThe thought of this step is:\n<the planner's thought> Next: caller.\nBase on the thought"),
    ("summarizer", "Next: conclusion.", "</s> conclusion: \n"),
])
def test_inspect_caller_and_summarizer_show_the_plan_turn_they_follow(example_dir, capsys, role, marker, ending):
    assert run_eval.main(["inspect", "--benchmark", str(example_dir), "--query-id", "588", "--agent", "alpha-umi",
                          "--role", role]) == 0
    prompt = capsys.readouterr().out
    assert f"</s>assistant: <the planner's thought> {marker}</s>" in prompt and ending in prompt


def test_inspect_unknown_role_lists_valid_ones(example_dir, capsys):
    assert run_eval.main(["inspect", "--benchmark", str(example_dir), "--query-id", "588", "--agent", "alpha-umi",
                          "--role", "critic"]) == 2
    assert "valid: planner, caller, summarizer" in capsys.readouterr().err


def test_run_with_a_judge_scores_the_finished_run(tmp_path, capsys):
    out = tmp_path / "out"
    assert run_eval.main(["run", "--agent", "oracle", "--benchmark", "embedded", "--per-group", "1", "--executor", "local",
                          "--out", str(out), "--judge", "verified", "--no-progress"]) == 0
    scores = json.loads((out / "oracle__embedded__seed0" / "scores.json").read_text())
    assert scores["metric"] == "pass_rate" and scores["judge"]["id"] == "verified" and scores["overall"]["n"] == 6
    assert "pass rate 100.0" in capsys.readouterr().out


def test_run_with_an_unusable_judge_fails_before_anything_is_written(tmp_path, capsys):
    _fails_writing_nothing(["run", "--agent", "oracle", "--benchmark", "embedded", "--per-group", "1",
                            "--judge", f"hf:{tmp_path / 'no-model'}"], tmp_path, capsys, "has no config.json")
