"""Gold solutions as an alpha-UMi static test file: what `static` reads back is the gold chain."""
from __future__ import annotations

import json

import pytest

from benchmarks.core.types import Gold, GoldCall, Task
from benchmarks.loading import load_benchmark
from roles.alpha_umi_static_file import static_record, write_static_file
from roles.alpha_umi_steps import static_samples


@pytest.mark.parametrize("kind", ["multi", "single"])
def test_static_samples_of_the_written_file_are_the_gold_steps(tmp_path, kind):
    tasks = load_benchmark("embedded", per_group=1, seed=0).tasks
    path = tmp_path / "static.json"
    assert write_static_file(tasks, path) == len(tasks)
    samples = static_samples(path, kind)
    expected = []
    for task in tasks:
        expected += [("call", c.name, c.arguments, None) for c in task.gold.calls] + [("finish", None, None, task.gold.answer)]
    read = [(s.reference.plan, s.reference.action, json.loads(s.reference.arguments) if s.reference.arguments else None,
             s.reference.answer) for s in samples]
    assert read == expected
    assert all(s.reference.action in s.tool_names for s in samples if s.reference.plan == "call")


def test_a_record_carries_training_docs_and_observation_text():
    call = GoldCall("get_x_for_tool", {"q": "é"}, {"value": 3})
    task = Task("b", "G1_tool", "7", "What is x?", (), gold=Gold((call,), "x is 3", ("3",)))
    record = static_record(task)
    assert record["instruction"] == "What is x?" and record["tools"] == []
    assert [t["from"] for t in record["conversations"]] == ["user", "assistant", "caller", "observation", "assistant", "conclusion"]
    assert record["conversations"][2]["value"] == 'Action: get_x_for_tool\nAction Input: {"q": "é"}'
    assert record["conversations"][3]["value"] == '{"value": 3}' and record["conversations"][5]["value"] == "x is 3"


def test_tasks_without_gold_are_left_out_and_a_single_one_refused(tmp_path):
    task = Task("b", "G1_tool", "7", "q", ())
    assert write_static_file([task], tmp_path / "s.json") == 0 and json.loads((tmp_path / "s.json").read_text()) == []
    with pytest.raises(ValueError, match="no gold"):
        static_record(task)
