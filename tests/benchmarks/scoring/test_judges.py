"""Model judges (batched, retried, cached), the verified and replay judges, and judge specs."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.scoring.judge_cache import JudgeCache, cache_key
from benchmarks.scoring.judges import JudgeCall, JudgeError, JudgeLog, JudgeOptions, VerifiedJudge
from engine.judges import make_judge
from benchmarks.scoring.model_judge import ModelJudge
from engine.judges.model import BackendCompleter
from benchmarks.scoring.prompts import function_prompt, function_schema
from benchmarks.scoring.tooleval import evaluate
from engine.backends.scripted import ScriptedBackend
from engine.types import RoleRequest
from tests.helpers.scoring import example, finish_arguments

SOLVED = '{"answer_status": "Solved", "reason": "ok"}'


def _call(answer: str = "A", sample: int = 0, query: str = "Q") -> JudgeCall:
    return JudgeCall("check_answer_status", {"query": query, "answer": answer}, sample)


def _judge(script, tmp_path: Path, judge_id: str = "scripted:test", **options) -> tuple[ModelJudge, ScriptedBackend]:
    backend = ScriptedBackend(script)
    opts = JudgeOptions(cache_path=tmp_path / "cache.jsonl", **options)
    return ModelJudge("scripted:test", judge_id, BackendCompleter(backend), opts), backend


def test_model_judge_sends_the_exact_prompt_and_the_schema(tmp_path: Path) -> None:
    seen: list[RoleRequest] = []
    judge, _ = _judge(lambda r: seen.append(r) or SOLVED, tmp_path)
    [verdict] = judge.judge([_call()])
    assert verdict.label == "Solved" and verdict.model_calls == 1
    system, user = seen[0].prompt
    assert user == {"role": "user", "content": function_prompt("check_answer_status", {"query": "Q", "answer": "A"})}
    assert json.dumps(function_schema("check_answer_status")) in system["content"]
    assert seen[0].sampling.temperature == 0.2 and seen[0].sampling.max_new_tokens == 1000


def test_second_scoring_makes_no_model_call(tmp_path: Path) -> None:
    judge, backend = _judge(lambda r: SOLVED, tmp_path)
    examples = [example(str(n)) for n in range(5)]
    first, second = JudgeLog(), JudgeLog()
    labels = evaluate(examples, judge, times=3, log=first)
    again, backend_again = _judge(lambda r: pytest.fail("the model was called"), tmp_path)
    assert evaluate(examples, again, times=3, log=second) == labels
    assert first.model_calls == 15 and first.cache_hits == 0
    assert second.model_calls == 0 and second.cache_hits == 15 and not backend_again.batches


def test_unparsable_replies_are_retried_then_have_no_verdict(tmp_path: Path) -> None:
    replies = {"A": iter(["I cannot tell.", SOLVED]), "B": iter(["?"] * 5)}
    judge, _ = _judge(lambda r: next(replies[r.prompt[1]["content"].split("Answer:\n")[1][0]]), tmp_path)
    first, second = judge.judge([_call("A"), _call("B")])
    assert (first.label, first.replies, first.model_calls) == ("Solved", ("I cannot tell.", SOLVED), 2)
    assert (second.label, second.model_calls) == (None, 3)


def test_samples_and_judges_are_cached_apart(tmp_path: Path) -> None:
    judge, backend = _judge(lambda r: SOLVED, tmp_path)
    judge.judge([_call(sample=0), _call(sample=1)])
    assert sum(backend.batches) == 2
    judge.judge([_call(sample=1)])
    assert sum(backend.batches) == 2
    other, other_backend = _judge(lambda r: SOLVED, tmp_path, judge_id="scripted:other")
    other.judge([_call(sample=0)])
    assert sum(other_backend.batches) == 1
    assert cache_key("j", "p", 0, 0) != cache_key("j", "p", 1, 0) != cache_key("j", "p", 0, 1)


def test_calls_go_out_in_batches_and_a_repeated_question_is_asked_once(tmp_path: Path) -> None:
    judge, backend = _judge(lambda r: SOLVED, tmp_path, batch_size=2)
    verdicts = judge.judge([_call(str(n)) for n in range(5)] + [_call("0")])
    assert backend.batches == [2, 2, 1]
    assert [v.model_calls for v in verdicts] == [1] * 5 + [0] and verdicts[5].label == "Solved"


def test_a_failed_model_call_stops_the_scoring_and_keeps_what_was_done(tmp_path: Path) -> None:
    def script(request: RoleRequest) -> str:
        if "Answer:\nB" in request.prompt[1]["content"]:
            raise RuntimeError("server down")
        return SOLVED

    judge, _ = _judge(script, tmp_path)
    with pytest.raises(JudgeError, match="server down"):
        judge.judge([_call("A"), _call("B")])
    resumed, backend = _judge(lambda r: SOLVED, tmp_path)
    assert [v.label for v in resumed.judge([_call("A"), _call("B")])] == ["Solved", "Solved"]
    assert sum(backend.batches) == 1  # only B was asked again


def test_each_answered_batch_moves_the_bar_and_is_on_disk_at_once(tmp_path: Path) -> None:
    judge, _ = _judge(lambda r: SOLVED, tmp_path, batch_size=2)
    seen: list[tuple[str, int, int]] = []  # (bar, requests answered, replies in the cache file)

    class Bar:
        def __init__(self, desc: str, total: int) -> None:
            self.desc, self.total, self.done = desc, total, 0

        def __enter__(self) -> Bar:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def on_batch(self, results: list) -> None:
            self.done += len(results)
            seen.append((f"{self.desc} {self.total}", self.done, len((tmp_path / "cache.jsonl").read_text().splitlines())))

    judge.progress = Bar
    judge.judge([_call(str(n)) for n in range(5)])
    assert seen == [("judge check_answer_status 5", 2, 2), ("judge check_answer_status 5", 4, 4),
                    ("judge check_answer_status 5", 5, 5)]


def test_cache_drops_a_torn_line_and_rejects_a_corrupt_one(tmp_path: Path) -> None:
    path = tmp_path / "cache.jsonl"
    cache = JudgeCache(path)
    cache.put_many([("k1", "r1", "j", 0, 0), ("k2", "r2", "j", 0, 0)])
    path.write_bytes(path.read_bytes() + b'{"key": "k3", "re')
    with pytest.warns(UserWarning, match="torn"):
        reopened = JudgeCache(path)
    assert (len(reopened), reopened.get("k1")) == (2, "r1")
    reopened.put_many([("k3", "r3", "j", 0, 0)])
    assert JudgeCache(path).get("k3") == "r3"
    path.write_text('{"key": "k1", "reply": "r1"}\nnot json\n')
    with pytest.raises(ValueError, match="cache.jsonl: line 2"):
        JudgeCache(path)


def _verified_call(function: str, variables: dict[str, str]) -> JudgeCall:
    return JudgeCall(function, variables, 0, {"group": "G1", "query_id": "7"})


def test_verified_judge() -> None:
    judge = VerifiedJudge({"G1/7": ("14.5", "Lisbon")})
    both, one = finish_arguments("Lisbon: 14.50 C"), finish_arguments("It is 14.5 C")
    labels = [v.label for v in judge.judge([
        _verified_call("check_answer_status", {"query": "q", "answer": both}),
        _verified_call("check_answer_status", {"query": "q", "answer": one}),
        _verified_call("check_answer_status", {"query": "q", "answer": finish_arguments(None)}),
        _verified_call("parse_answer_status", {"query": "q", "answer": json.dumps({"final_answer": both})}),
        _verified_call("check_task_solvable", {"task": "{}"}),
        _verified_call("select_better_answer", {"query": "q", "answer_0": json.dumps({"final_answer": one}),
                                                "answer_1": json.dumps({"final_answer": both})}),
        _verified_call("select_better_answer", {"query": "q", "answer_0": json.dumps({"final_answer": one}),
                                                "answer_1": json.dumps({"final_answer": one})}),
    ])]
    assert labels == ["Solved", "Unsolved", "Unsolved", "Solved", "Solvable", "1", None]
    with pytest.raises(JudgeError, match="G2/1"):
        judge.judge([JudgeCall("check_task_solvable", {"task": "{}"}, 0, {"group": "G2", "query_id": "1"})])


@pytest.mark.parametrize("spec, error, match", [
    ("gpt-4", JudgeError, "unknown judge spec .gpt-4.; available: .*replay.*verified"),
    ("verified", JudgeError, "gold facts"),
    ("hf:/no/such/model", FileNotFoundError, "config.json"),
    ("nosuch:model", ValueError, "unknown backend"),
    ("openai:@http://x", JudgeError, "MODEL@BASE_URL"),
])
def test_bad_judge_specs(spec: str, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        make_judge(spec)


@pytest.mark.parametrize("content, match", [
    ("[1, 2]", "not a ToolEval result file"),
    ('{"588": {"query": "q"}}', "record '588' is neither"),
    ('{"588": {"is_solved": "AnswerStatus.Solved"}}', "record '588' lacks answer_steps"),
    ('{"588": {"is_solved": {"0": "AnswerStatus.Great"}, "answer_steps": "", "final_step": ""}}', "unknown answer"),
    ('{"588": {"a": 1, "b": 2, "c": 3, "round_0": "complete"}}', "exactly two models"),
    ("{not json", "cannot read"),
])
def test_replay_rejects_bad_files_naming_them(tmp_path: Path, content: str, match: str) -> None:
    path = tmp_path / "labels.json"
    path.write_text(content)
    with pytest.raises(JudgeError, match=match) as error:
        make_judge(f"replay:{path}")
    assert str(path) in str(error.value)


@pytest.mark.slow
def test_hf_judge_runs_a_local_model_and_pins_its_revision(tiny_model_dir: Path, tmp_path: Path) -> None:
    options = JudgeOptions(max_new_tokens=4, attempts=2, dtype="fp32", cache_path=tmp_path / "cache.jsonl")
    judge = make_judge(f"hf:{tiny_model_dir}", options)
    [verdict] = judge.judge([_call()])
    assert verdict.model_calls == 2 and len(verdict.replies) == 2  # a random model never answers: retried once
    info = judge.info()
    assert info["revision"] and info["id"] == f"hf:{tiny_model_dir.name}@{info['revision']}"
    rescoring = make_judge(f"hf:{tiny_model_dir}", options)
    again = rescoring.judge([_call()])[0]
    assert again.model_calls == 0 and again.replies == verdict.replies
    # every reply cached: the model was never loaded, and the judge keeps its id
    assert rescoring.info()["backend"]["loaded"] is False and rescoring.info()["id"] == info["id"]


def test_a_backend_judge_checks_its_backend_and_model_before_any_question(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown backend .nope.; available: .*hf"):
        make_judge("nope:model")
    with pytest.raises(FileNotFoundError, match="has no config.json"):
        make_judge(f"hf:{tmp_path / 'missing'}")
