"""The judge prompts and schemas are ToolEval's, byte for byte."""
from __future__ import annotations

from pathlib import Path

import yaml

from benchmarks.scoring.prompts import (DESCRIPTIONS, FUNCTIONS, JUDGE_SETTINGS, TEMPLATE, VERDICT_FIELDS,
                                        function_prompt, function_schema)

EVALUATOR_DIR = "toolbench/tooleval_evaluators/tooleval_gpt-3.5-turbo_default"


def test_template_is_byte_exact(shared_data: Path) -> None:
    assert TEMPLATE == (shared_data / EVALUATOR_DIR / "template.txt").read_text(encoding="utf-8")


def test_function_schemas_and_settings_are_the_config(shared_data: Path) -> None:
    config = yaml.safe_load((shared_data / EVALUATOR_DIR / "config.yaml").read_text(encoding="utf-8"))
    settings = dict(config["completions_kwargs"])
    assert settings.pop("functions") == FUNCTIONS
    assert settings == JUDGE_SETTINGS


def test_every_function_has_a_prompt_and_a_verdict_field() -> None:
    assert set(DESCRIPTIONS) == {f["name"] for f in FUNCTIONS} == set(VERDICT_FIELDS)


def test_prompt_fills_slots_once_and_keeps_the_text_around_them() -> None:
    prompt = function_prompt("check_answer_status", {"query": "Q {answer}", "answer": "A"})
    assert "Query:\nQ {answer}\nAnswer:\nA\n" in prompt  # inserted text is not re-scanned
    assert prompt.startswith("\nGiving the query and answer") and prompt.endswith("to `check_answer_status`.\n")


def test_schema_asks_for_a_reason_without_touching_the_config() -> None:
    schema = function_schema("check_task_solvable")
    assert schema["parameters"]["required"] == ["task_status", "reason"]
    assert schema["parameters"]["properties"]["reason"] == {"type": "string", "description": "explain your answer."}
    assert FUNCTIONS[2]["parameters"]["required"] == ["task_status"]
