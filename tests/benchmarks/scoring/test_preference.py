"""ToolEval win rate round by round, SoWR, and parity with StableToolBench's recorded preference (DFS beats
CoT on 3 of 3 queries)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.results.converted import read_converted
from benchmarks.scoring.judges import JudgeLog
from benchmarks.scoring.preference import (CANDIDATE, REFERENCE, SELECT, PairOutcome, SideLabel, decide_by_labels,
                                           shown_answer, side_labels, win_rate, win_rate_scores)
from benchmarks.scoring.replay import ReplayJudge
from benchmarks.scoring.stable import sowr
from benchmarks.scoring.tooleval import evaluate
from tests.helpers.scoring import TableJudge, example

DATA = "stabletoolbench/data_example"
PASS, FAIL = SideLabel(True, "Solved"), SideLabel(False, "Unsolved")


@pytest.mark.parametrize("reference, candidate, decision", [
    (None, PASS, (CANDIDATE, "missing")),
    (PASS, None, (REFERENCE, "missing")),
    (PASS, FAIL, (REFERENCE, "pass_label")),
    (FAIL, PASS, (CANDIDATE, "pass_label")),
    (SideLabel(True, "Solved"), SideLabel(True, "Unsure"), (REFERENCE, "answer_status")),
    (SideLabel(True, "Solved"), SideLabel(True, "Solved"), (SELECT, "judge")),
    (SideLabel(False, "Unsolved"), SideLabel(False, "Unsure"), (CANDIDATE, "answer_status")),
    (SideLabel(False, "Unsure"), SideLabel(False, "Unsure"), (SELECT, "judge")),
    (SideLabel(False, "Unsolved"), SideLabel(False, "Unsolved"), (SELECT, "judge")),
])
def test_decisions_before_the_judge(reference, candidate, decision) -> None:
    assert decide_by_labels(reference, candidate) == decision


def test_side_labels_take_the_most_frequent_status() -> None:
    judge = TableJudge(check_answer_status=lambda c: ["Solved", "Unsure", "Unsure"][c.sample], parse_answer_status="Unsure",
                       check_task_solvable="Solvable")
    labels = side_labels(evaluate([example("1")], judge, times=3))
    assert labels["G1_instruction/1"].answer_status == "Unsure"


def test_judge_sees_the_pair_in_seeded_order_and_the_vote_follows_the_answer() -> None:
    cand, ref = example("1", "It is 14.5 degrees."), example("1", "It is 15 degrees.")
    labels = {cand.key: PASS}
    judge = TableJudge(select_better_answer=lambda c: str(c.context["order"].index(CANDIDATE)))  # always the candidate
    [outcome] = win_rate([cand], [ref], labels, labels, judge, times=8, seed=0)
    assert (outcome.candidate_votes, outcome.reference_votes, outcome.outcome) == (8, 0, "win")
    calls = judge.asked("select_better_answer")
    orders = [c.context["order"] for c in calls]
    assert set(orders) == {(REFERENCE, CANDIDATE), (CANDIDATE, REFERENCE)}  # both orders occur over 8 rounds
    for call, order in zip(calls, orders):
        shown = json.loads(call.variables[f"answer_{order.index(CANDIDATE)}"])
        assert shown == shown_answer(cand.answer) and "method" not in shown
    again = TableJudge(select_better_answer=lambda c: str(c.context["order"].index(CANDIDATE)))
    win_rate([cand], [ref], labels, labels, again, times=8, seed=0)
    assert [c.context["order"] for c in again.calls] == orders  # seeded


def test_final_answer_is_cut_to_1000_chars_for_the_judge() -> None:
    shown = shown_answer(example("1", "x" * 5000).answer)
    assert len(shown["final_answer"]) == 1000


def test_identical_answers_and_no_verdict_are_settled_by_a_seeded_coin() -> None:
    cand, ref = example("1"), example("1")
    labels = {cand.key: PASS}
    judge = TableJudge(select_better_answer="0")
    [outcome] = win_rate([cand], [ref], labels, labels, judge, times=20)
    assert not judge.calls and set(outcome.decided_by) == {"identical"}
    assert 0 < outcome.candidate_votes < 20
    other = example("1", "another answer")
    silent = TableJudge(select_better_answer=None)
    log = JudgeLog()
    [outcome] = win_rate([other], [ref], labels, labels, silent, times=4, log=log)
    assert set(outcome.decided_by) == {"no_verdict"} and log.no_verdict["select_better_answer"] == 4


def test_missing_answers_lose_and_only_candidate_groups_count() -> None:
    cand = [example("1"), example("2")]
    ref = [example("1"), example("3"), example("9", group="G2_instruction")]
    labels = {e.key: PASS for e in cand + ref}
    outcomes = {o.key: o for o in win_rate(cand, ref, labels, labels, TableJudge(), times=3)}
    assert set(outcomes) == {"G1_instruction/1", "G1_instruction/2", "G1_instruction/3"}
    assert outcomes["G1_instruction/2"].outcome == "win" and outcomes["G1_instruction/3"].outcome == "loss"


def test_win_tie_and_half_rates() -> None:
    outcomes = [PairOutcome("G/1", 2, 1, ()), PairOutcome("G/2", 1, 1, ()), PairOutcome("G/3", 0, 2, ()),
                PairOutcome("G/4", 3, 0, ())]
    scores = win_rate_scores(outcomes)
    assert scores["counts"] == {"win": 2, "tie": 1, "loss": 1}
    assert scores["win_rate"]["overall"]["rate"] == 50.0 and scores["tie_rate"]["overall"]["rate"] == 25.0
    assert scores["win_rate_ties_half"]["overall"]["rate"] == 62.5
    assert sowr(outcomes)["rate"] == 50.0  # majority of the rounds: 2 of 3 and 3 of 3


def test_replayed_preference_reproduces_dfs_beating_cot_3_of_3(shared_data: Path) -> None:
    results = shared_data / DATA / "pass_rate_results"
    judge = ReplayJudge([results / f"virtual_chatgpt_{m}" / f"G1_instruction_virtual_chatgpt_{m}.json" for m in ("cot", "dfs")]
                        + [shared_data / DATA / "preference_results/G1_instruction_virtual_chatgpt_cot_virtual_chatgpt_dfs.json"])
    cot, dfs = (read_converted(shared_data / DATA / "model_predictions_converted" / f"virtual_chatgpt_{m}/G1_instruction.json")
                for m in ("cot", "dfs"))
    log = JudgeLog()
    outcomes = win_rate(dfs, cot, side_labels(evaluate(dfs, judge, 3, log=log)), side_labels(evaluate(cot, judge, 3, log=log)),
                        judge, times=3, log=log)
    recorded = json.loads((shared_data / DATA / "preference_results/G1_instruction_virtual_chatgpt_cot_virtual_chatgpt_dfs.json").read_text())
    assert {o.key.split("/")[1]: (o.reference_votes, o.candidate_votes) for o in outcomes} == {
        q: (r["virtual_chatgpt_cot"], r["virtual_chatgpt_dfs"]) for q, r in recorded.items()}
    assert [o.outcome for o in outcomes] == ["win"] * 3 and sowr(outcomes)["rate"] == 100.0
    assert log.model_calls == 0 and not log.no_verdict
