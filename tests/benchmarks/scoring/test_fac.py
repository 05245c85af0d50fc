"""StableToolBench's FAC evaluation: the prompt's bytes, its reply parsing, its pass rate."""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from benchmarks.core.prompt_files import STABLETOOLBENCH_ENV, PromptFileError, stabletoolbench_prompt
from benchmarks.scoring.fac import (FAC_PROCEDURE, FAC_PROMPT_FILE, FacForm, evaluate_fac, fac_options, fac_prompt,
                                    load_fac_template, parse_fac_reply)
from benchmarks.scoring.judges import JudgeError, JudgeLog, JudgeOptions
from benchmarks.scoring.model_judge import JudgeRequest, ModelJudge
from benchmarks.scoring.procedures import procedure_of
from benchmarks.scoring.tooleval import judge_call
from tests.helpers.scoring import example, finish_arguments

STB = "stabletoolbench"


@pytest.fixture
def real_prompts(shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(STABLETOOLBENCH_ENV, str(shared_data / STB))
    return shared_data / STB / "prompts"


@pytest.fixture
def small_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / FAC_PROMPT_FILE).write_text("Q: {query}\\nA: {answer}\\n", "utf-8")
    monkeypatch.setenv(STABLETOOLBENCH_ENV, str(tmp_path))
    return "Q: {query}\nA: {answer}\n"


def test_prompt_is_upstreams_literal_filled_by_str_format(real_prompts: Path) -> None:
    source = (real_prompts / FAC_PROMPT_FILE).read_text("utf-8")
    upstream = ast.literal_eval('"""' + source + '"""')  # the file is fac_eval.py's PROMPT literal, as written
    query, answer = "Find {x} for me", finish_arguments("It is 3 \\n {y}.")
    prompt = fac_prompt(load_fac_template(), query, answer)
    assert prompt == upstream.format(query=query, answer=answer)
    assert prompt.startswith("\ngpt-4-turbo\n\nGiven a query and an answer provided by an AI agent")
    assert "the US:\n\n1. Knives Out\n   - Runtime: 130 minutes" in prompt  # the literal's \n escapes, sent as newlines
    assert "•\tThe answer includes a refusal or apology (e.g., “I'm sorry" in prompt  # non-ASCII kept as it is
    assert prompt.endswith(f"Query: \n{query}\nAnswer: \n{answer}\n\nNow give your reason and answer status in the "
                           'following format:\n\nAnswer Status\nxxx (can only be "Solved" or "Unsolved")\nReason\nxxx\n')


def test_the_prompt_folder_is_a_clear_error_when_absent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(STABLETOOLBENCH_ENV, raising=False)
    with pytest.raises(PromptFileError, match=f"prompts/{FAC_PROMPT_FILE} is needed: set {STABLETOOLBENCH_ENV}"):
        load_fac_template()
    monkeypatch.setenv(STABLETOOLBENCH_ENV, str(tmp_path))
    with pytest.raises(PromptFileError, match=f"cannot read StableToolBench's prompt file .*{FAC_PROMPT_FILE}"):
        load_fac_template()
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / FAC_PROMPT_FILE).write_text("{query} {answer} {reason}")
    with pytest.raises(PromptFileError, match=r"not FAC.s prompt: str.format .* \(KeyError"):
        load_fac_template()
    (tmp_path / "prompts" / "trailing.txt").write_text("a lone backslash \\")
    with pytest.raises(PromptFileError, match="trailing.txt"):
        stabletoolbench_prompt("trailing.txt")


@pytest.mark.parametrize("reply, label", [
    ("Answer Status\nSolved\nReason\nIt lists the movies.", "Solved"),
    ("Answer Status: \nUnsolved\nReason: Parsing error", "Unsolved"),
    ("  SOLVED. ", "Solved"),
    ("It is not unsolved, it is solved", "Unsolved"),  # upstream: "unsolved" anywhere wins
    ("Answer Status\nxxx\nReason\nxxx", None),
    ("", None),
    (None, None),
    (["Solved"], None),
])
def test_replies_are_read_as_upstream_get_response(reply, label) -> None:
    assert parse_fac_reply(reply) == label


@dataclass
class _Result:
    text: str
    error: str | None = None


class _Completer:
    """Replies by the answer in the prompt; records each request."""

    def __init__(self, replies: dict[str, str]) -> None:
        self.replies = replies
        self.requests: list[JudgeRequest] = []

    def complete(self, requests: list[JudgeRequest]) -> list[_Result]:
        self.requests.extend(requests)
        return [_Result(next(r for key, r in self.replies.items() if key in request.prompt)) for request in requests]

    def info(self) -> dict:
        return {"backend": "test", "model": "fac"}


def _fac_judge(completer: _Completer, template: str, tmp_path: Path) -> ModelJudge:
    options = fac_options(JudgeOptions(cache_path=tmp_path / "cache.jsonl"))
    return ModelJudge("fac:test", "fac:test", completer, options, form=FacForm(template))


def test_pass_rate_counts_solved_and_no_verdict_is_unsolved(small_template: str, tmp_path: Path) -> None:
    completer = _Completer({"good": "Answer Status\nSolved", "bad": "Answer Status\nUnsolved", "odd": "no idea",
                            "give_up": "Answer Status\nUnsolved"})
    examples = [example("1", "good"), example("2", "bad"), example("3", "odd"), example("4", finish=False),
                example("5", None)]
    log = JudgeLog()
    results = evaluate_fac(examples, _fac_judge(completer, small_template, tmp_path), log=log)
    assert [r.passed for r in results] == [True, False, False, False, False]
    assert [r.evaluations[0].answer_status for r in results] == ["Solved", "Unsolved", "Unsolved", "Unsolved", "Unsolved"]
    assert [r.evaluations[0].rule for r in results] == ["", "", "", "empty_answer", ""]
    assert log.to_json()["no_verdict"] == {"fac_answer_status": 1} and log.model_calls == 4  # the empty one: no call
    first = completer.requests[0]
    assert first.prompt == f"Q: query 1\nA: {finish_arguments('good')}\n"  # the Finish arguments string as it stands
    assert (first.function, first.temperature, first.max_new_tokens) == (None, 0.0, 512)


def test_a_reply_without_a_label_is_not_asked_again(small_template: str, tmp_path: Path) -> None:
    completer = _Completer({"odd": "no idea"})
    [result] = evaluate_fac([example("1", "odd")], _fac_judge(completer, small_template, tmp_path))
    assert len(completer.requests) == 1 and not result.passed  # upstream asks once, greedily


def test_fac_judges_follow_the_fac_procedure_and_refuse_toolevals_questions(small_template: str, tmp_path: Path) -> None:
    judge = _fac_judge(_Completer({}), small_template, tmp_path)
    assert procedure_of(judge) is FAC_PROCEDURE and FAC_PROCEDURE.times(3) == 1
    assert judge.info()["prompts"].startswith(f"StableToolBench FAC ({FAC_PROMPT_FILE}, sha256 ")
    call = judge_call("select_better_answer", example("1"), 0, {"query": "q", "answer_0": "a", "answer_1": "b"})
    with pytest.raises(JudgeError, match="needs a ToolEval judge"):
        judge.judge([call])
