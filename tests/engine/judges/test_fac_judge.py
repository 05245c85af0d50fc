"""`fac:BACKEND:MODEL` judge specs: any model judge asked FAC's question, with FAC's decoding and procedure."""
from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.core.prompt_files import STABLETOOLBENCH_ENV, PromptFileError
from benchmarks.scoring.fac import FAC_PROMPT_FILE, evaluate_fac
from benchmarks.scoring.judges import JudgeError, JudgeOptions
from benchmarks.scoring.model_judge import JudgeRequest
from benchmarks.scoring.procedures import procedure_of
from engine.backends.openai_http import EndpointSettings
from engine.backends.scripted import register_script
from engine.judges import make_judge
from engine.judges.openai_chat import OpenAIChat
from engine.types import RoleRequest
from tests.helpers.scoring import example

SEEN: list[RoleRequest] = []
register_script("fac-records", lambda request: SEEN.append(request) or "Answer Status\nSolved\nReason\nfine")


@pytest.fixture
def template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / FAC_PROMPT_FILE).write_text("Query: \\n{query}\\nAnswer: \\n{answer}\\n")
    monkeypatch.setenv(STABLETOOLBENCH_ENV, str(tmp_path))


def test_a_backend_judge_asks_facs_prompt_as_one_user_message(template: None, tmp_path: Path) -> None:
    SEEN.clear()
    judge = make_judge("fac:scripted:fac-records", JudgeOptions(cache_path=tmp_path / "c.jsonl", temperature=0.7))
    assert judge.id == "fac:scripted:fac-records" and procedure_of(judge).name == "fac"
    [result] = evaluate_fac([example("7", "It is warm.")], judge)
    assert result.passed
    [request] = SEEN
    assert request.prompt == [{"role": "user", "content": "Query: \nquery 7\nAnswer: \n" + example("7", "It is warm.").final_answer + "\n"}]
    assert (request.sampling.temperature, request.sampling.max_new_tokens) == (0.0, 512)  # upstream's, not --judge-*
    again = make_judge("fac:scripted:fac-records", JudgeOptions(cache_path=tmp_path / "c.jsonl"))
    evaluate_fac([example("7", "It is warm.")], again)
    assert len(SEEN) == 1  # the second scoring is answered by the cache


@pytest.mark.parametrize("spec, message", [
    ("fac", "needs a model: fac:BACKEND:MODEL"),
    ("fac:verified", "needs a model judge after 'fac:'"),
    ("fac:fac:scripted:fac-records", "needs a model judge after 'fac:'"),
    ("fac:nosuchbackend:x", "nosuchbackend"),
])
def test_specs_that_cannot_work_are_clear_errors(template: None, spec: str, message: str) -> None:
    with pytest.raises((JudgeError, ValueError), match=message):
        make_judge(spec)


def test_without_the_prompt_file_nothing_else_is_tried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(STABLETOOLBENCH_ENV, str(tmp_path))
    with pytest.raises(PromptFileError, match=FAC_PROMPT_FILE):
        make_judge("fac:hf:" + str(tmp_path / "no-model"))  # the prompt is checked before the model folder


def test_an_openai_endpoint_gets_a_plain_chat_request(template: None) -> None:
    chat = OpenAIChat(EndpointSettings(model="fac-7b", base_url="http://127.0.0.1:9/v1"))
    path, body = chat.request_body(JudgeRequest("r", "PROMPT", None, 0.0, 512, 5))
    assert path == "/chat/completions" and "tools" not in body and "tool_choice" not in body
    assert body["messages"] == [{"role": "user", "content": "PROMPT"}]
    assert (body["temperature"], body["max_tokens"]) == (0.0, 512)
    assert chat.reply_text({"message": {"content": "Answer Status\nUnsolved"}}) == "Answer Status\nUnsolved"


def test_a_run_with_a_fac_judge_and_no_prompt_folder_stops_before_it_starts(tmp_path: Path, capsys,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.cli.main import main

    monkeypatch.delenv(STABLETOOLBENCH_ENV, raising=False)
    assert main(["run", "--agent", "oracle", "--benchmark", "embedded", "--per-group", "1", "--out", str(tmp_path),
                 "--judge", "fac:hf:embedded"]) == 2
    assert f"set {STABLETOOLBENCH_ENV}" in capsys.readouterr().err and not any(tmp_path.iterdir())
