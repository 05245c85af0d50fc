"""ToolEval v2 pass rate: rule shortcuts, the combination table, seeded coin flips, ties, K evaluations, and
parity with StableToolBench's recorded judgements (SoPR)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.results.converted import ends_with_finish, read_converted, steps
from benchmarks.scoring.judges import JudgeError, JudgeLog
from benchmarks.scoring.replay import ReplayJudge
from benchmarks.scoring.stable import sopr
from benchmarks.scoring.tooleval import (COMBINATION, FAILED, PASSED, UNSURE, QueryResult, Evaluation, evaluate,
                                         settle)
from tests.helpers.scoring import TableJudge, example

DATA = "stabletoolbench/data_example"


@pytest.mark.parametrize("answer, task, outcome", [
    ("Solved", "Solvable", "passed"), ("Solved", "Unsure", "passed"), ("Solved", "Unsolvable", "passed"),
    ("Unsolved", "Solvable", "failed"), ("Unsolved", "Unsure", "unsure"), ("Unsolved", "Unsolvable", "passed"),
    ("Unsure", "Solvable", "unsure"), ("Unsure", "Unsure", "unsure"), ("Unsure", "Unsolvable", "passed"),
])
def test_combination_table_through_the_procedure(answer: str, task: str, outcome: str) -> None:
    assert COMBINATION[(answer, task)] == outcome
    judge = TableJudge(check_answer_status=answer, parse_answer_status=answer, check_task_solvable=task)
    [result] = evaluate([example("1")], judge, times=1)
    [evaluation] = result.evaluations
    assert evaluation.outcome == outcome
    assert evaluation.task_status == (None if answer == "Solved" else task)  # a Solved answer needs no task check
    assert len(judge.asked("check_task_solvable")) == (answer != "Solved")
    assert len(judge.asked("parse_answer_status")) == (answer == "Unsure")  # the detailed check only when unsure


def test_no_finish_fails_without_any_judge_call() -> None:
    judge = TableJudge(check_answer_status="Solved", check_task_solvable="Unsolvable")
    [result] = evaluate([example("1", finish=False)], judge, times=3)
    assert not judge.calls
    assert [e.label for e in result.evaluations] == [FAILED] * 3 and {e.rule for e in result.evaluations} == {"no_finish"}
    assert not result.passed


@pytest.mark.parametrize("final", [None, ""], ids=["give_up", "empty"])
def test_empty_or_give_up_answer_is_unsolved_without_answer_check(final: str | None) -> None:
    ex = example("1", final)
    if final == "":  # a Finish step whose arguments string is empty
        ex = type(ex)(ex.group, ex.query_id, ex.query, ex.available_tools, {**ex.answer, "final_answer": ""})
    judge = TableJudge(check_answer_status="Solved", check_task_solvable="Unsolvable")
    [result] = evaluate([ex], judge, times=1)
    assert not judge.asked("check_answer_status")
    assert result.evaluations[0].answer_status == "Unsolved" and result.evaluations[0].rule == "empty_answer"
    assert result.evaluations[0].label == PASSED  # Unsolved x Unsolvable passes: the task check was still asked
    assert json.loads(judge.asked("check_task_solvable")[0].variables["task"]) == {"query": ex.query,
                                                                                 "available_tools": ex.available_tools}


def test_judge_prompts_carry_the_answer_as_upstream() -> None:
    ex = example("1")
    judge = TableJudge(check_answer_status="Unsure", parse_answer_status="Solved")
    evaluate([ex], judge, times=1)
    assert judge.asked("check_answer_status")[0].variables == {"query": ex.query, "answer": ex.final_answer}
    assert judge.asked("parse_answer_status")[0].variables == {"query": ex.query, "answer": json.dumps(ex.answer)}


def test_no_verdict_counts_as_unsure_and_is_reported() -> None:
    judge = TableJudge(check_answer_status=None, parse_answer_status=None, check_task_solvable=None)
    log = JudgeLog()
    [result] = evaluate([example("1")], judge, times=2, log=log)
    assert {(e.answer_status, e.task_status, e.outcome) for e in result.evaluations} == {(UNSURE, UNSURE, "unsure")}
    assert log.to_json()["no_verdict"] == {"check_answer_status": 2, "parse_answer_status": 2, "check_task_solvable": 2}


def test_coin_flip_is_seeded_per_query_and_evaluation() -> None:
    labels = [settle("unsure", 0, f"G1/{n}", 0) for n in range(200)]
    assert set(labels) == {PASSED, FAILED} and 60 < labels.count(PASSED) < 140
    assert labels == [settle("unsure", 0, f"G1/{n}", 0) for n in range(200)]  # reproducible
    assert labels != [settle("unsure", 1, f"G1/{n}", 0) for n in range(200)]  # and the seed matters
    assert settle("passed", 0, "k", 0) == PASSED and settle("failed", 0, "k", 0) == FAILED


def test_rescoring_gives_the_same_labels_in_any_query_order() -> None:
    judge = TableJudge(check_answer_status="Unsure", parse_answer_status="Unsure", check_task_solvable="Unsure")
    examples = [example(str(n)) for n in range(30)]
    first = {q.key: q for q in evaluate(examples, judge, times=3, seed=7)}
    second = {q.key: q for q in evaluate(examples[::-1], judge, times=3, seed=7)}
    assert first == second


def _result(*labels: str) -> QueryResult:
    return QueryResult("G/1", "G", "1", tuple(Evaluation("Unsure", "Unsure", "unsure", label) for label in labels))


def test_ties_pass() -> None:
    assert _result(PASSED, FAILED).passed
    assert _result(PASSED, PASSED, FAILED, FAILED).passed
    assert not _result(PASSED, FAILED, FAILED).passed
    assert _result(PASSED, PASSED, FAILED).passed


def test_k_evaluations_are_k_samples() -> None:
    judge = TableJudge(check_answer_status=lambda call: "Solved" if call.sample % 2 else "Unsolved",
                       check_task_solvable="Solvable")
    [result] = evaluate([example("1")], judge, times=4)
    assert [c.sample for c in judge.asked("check_answer_status")] == [0, 1, 2, 3]
    assert [e.label for e in result.evaluations] == [FAILED, PASSED, FAILED, PASSED] and result.passed
    with pytest.raises(ValueError, match="times"):
        evaluate([example("1")], judge, times=0)


def test_steps_reproduce_the_recorded_strings(shared_data: Path) -> None:
    for model in ("virtual_chatgpt_cot", "virtual_chatgpt_dfs"):
        recorded = json.loads((shared_data / DATA / "pass_rate_results" / model / f"G1_instruction_{model}.json").read_text())
        for ex in read_converted(shared_data / DATA / "model_predictions_converted" / model / "G1_instruction.json"):
            assert steps(ex.answer) == (recorded[ex.query_id]["answer_steps"], recorded[ex.query_id]["final_step"])
            assert ends_with_finish(ex.answer) == ((model, ex.query_id) != ("virtual_chatgpt_cot", "588"))


@pytest.mark.parametrize("model, expected, passed", [("virtual_chatgpt_cot", 66.7, 2), ("virtual_chatgpt_dfs", 100.0, 3)])
def test_replayed_judgements_reproduce_stabletoolbench_sopr(shared_data: Path, model: str, expected: float, passed: int) -> None:
    judge = ReplayJudge([shared_data / DATA / "pass_rate_results" / model / f"G1_instruction_{model}.json"])
    examples = read_converted(shared_data / DATA / "model_predictions_converted" / model / "G1_instruction.json")
    log = JudgeLog()
    results = evaluate(examples, judge, times=3, log=log)
    score = sopr(results)
    assert (round(score["rate"], 1), round(score["std"], 1), score["n"]) == (expected, 0.0, 3)
    assert sum(q.passed for q in results) == passed
    assert log.model_calls == 0 and not log.no_verdict


def test_replay_refuses_an_answer_it_never_judged_naming_the_queries(shared_data: Path) -> None:
    judge = ReplayJudge([shared_data / DATA / "pass_rate_results/virtual_chatgpt_cot/G1_instruction_virtual_chatgpt_cot.json"])
    dfs = read_converted(shared_data / DATA / "model_predictions_converted/virtual_chatgpt_dfs/G1_instruction.json")
    with pytest.raises(JudgeError) as raised:  # the CoT labels must not leak onto DFS's different answers
        evaluate(dfs, judge, times=1)
    assert all(f"G1_instruction/{q} (check_answer_status #0)" in str(raised.value) for q in ("588", "608", "1073"))


def test_replay_refuses_more_evaluations_than_recorded(shared_data: Path) -> None:
    judge = ReplayJudge([shared_data / DATA / "pass_rate_results/virtual_chatgpt_cot/G1_instruction_virtual_chatgpt_cot.json"])
    cot = read_converted(shared_data / DATA / "model_predictions_converted/virtual_chatgpt_cot/G1_instruction.json")
    with pytest.raises(JudgeError, match=r"G1_instruction/1073 \(check_answer_status #3\), G1_instruction/608 "):
        evaluate(cot, judge, times=4)  # three were recorded


def test_a_stabletooleval_recording_replays_the_task_as_solvable(tmp_path: Path) -> None:
    """StableToolEval records no task status (it judges solvable queries only): an Unsolved answer fails."""
    answer = example("7", "no idea")
    answer_steps, final_step = steps(answer.answer)
    recording = tmp_path / "G1_instruction_m.json"
    recording.write_text(json.dumps({"7": {"answer_steps": answer_steps, "final_step": final_step,
                                           "is_solved": {"0": "AnswerStatus.Unsolved", "1": "AnswerStatus.Unsure"}}}))
    [result] = evaluate([answer], ReplayJudge([recording]), times=2)
    assert [(e.answer_status, e.task_status, e.outcome) for e in result.evaluations] == [
        ("Unsolved", "Solvable", FAILED), ("Unsure", "Solvable", "unsure")]
