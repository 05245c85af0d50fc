"""Judge dispersion: per-query agreement and flip rate of repeated judge labels, in scores.json (a judge asked
more than once per query) and from ToolEval's own pass-rate results."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.scoring.dispersion import judge_dispersion, query_dispersion, upstream_labels
from benchmarks.scoring.judges import JudgeLog
from benchmarks.scoring.scores import judged_scores
from benchmarks.scoring.tooleval import evaluate
from tests.helpers.scoring import TableJudge, example

RESULTS = Path(__file__).resolve().parents[3].parent / "shared/data/stabletoolbench/data_example/pass_rate_results"


def test_agreement_and_flips_by_hand():
    assert query_dispersion(["Solved", "Unsolved", "Solved"]) == {"n": 3, "majority": "Solved", "agreement": 0.6667,
                                                                  "flipped": True}
    found = judge_dispersion({"a": ["x", "x"], "b": ["x", "y"], "c": ["y"], "d": []})
    assert (found["n"], found["flipped"], found["flip_rate"], found["mean_agreement"]) == (2, 1, 50.0, 0.75)
    assert judge_dispersion({"c": ["y"]})["flip_rate"] is None  # nothing judged twice: no rate


class _Source:
    def describe(self):
        return {"name": "t", "path": "t", "kind": "converted", "n": 1}


@pytest.mark.parametrize("times, present", [(1, False), (3, True)])
def test_scores_json_holds_it_when_the_judge_labelled_each_query_several_times(times, present):
    judge = TableJudge(check_answer_status="Unsure", parse_answer_status="Unsure", check_task_solvable="Unsure")
    results = evaluate([example("1"), example("2")], judge, times=times, seed=3)
    document = judged_scores(_Source(), {"id": "table"}, results, times, 3, JudgeLog())
    assert ("judge_dispersion" in document) == present
    if present:
        labels = {q.key: [e.label for e in q.evaluations] for q in results}
        assert document["judge_dispersion"] == judge_dispersion(labels)
        assert document["judge_dispersion"]["n"] == 2


def test_upstream_pass_rate_results():
    path = RESULTS / "virtual_chatgpt_cot" / "G1_instruction_virtual_chatgpt_cot.json"
    if not path.is_file():
        pytest.skip(f"{path} absent (StableToolBench's data_example in ../shared/data)")
    found = judge_dispersion(upstream_labels(json.loads(path.read_text())))
    assert found["n"] == 3 and found["flip_rate"] == 0.0
    assert {q["majority"] for q in found["per_query"].values()} == {"Solved", "Unsolved"}
