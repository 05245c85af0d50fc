"""Scripted models that fail in known ways (tests.helpers.failing_agents), run by the engine on the embedded
benchmark (local executor): the analysis gives every trajectory the expected first error, role and step."""
from __future__ import annotations

import pytest

import run_eval
from benchmarks.analysis import analyse, source_of
from tests.helpers.failing_agents import CASES, Case


def _run(case: Case, out, strategy: str = "cot"):
    argv = ["run", "--agent", case.agent, "--backend", "scripted", "--model", case.script, "--benchmark", "embedded",
            "--per-group", "1", "--groups", *case.groups, "--strategy", strategy, "--executor", "local",
            "--out", str(out), "--run-name", case.script, "--no-progress"]
    assert run_eval.main(argv) == 0
    return out / case.script


@pytest.mark.parametrize("case", CASES, ids=[c.script for c in CASES])
def test_first_error_role_and_step_of_every_trajectory(case, tmp_path):
    document = analyse(source_of(_run(case, tmp_path)))
    trajectories = document["trajectories"]
    assert len(trajectories) == len(case.groups)
    for key, entry in trajectories.items():
        first = entry["first_error"]
        assert (first["category"], first["role"], first["step"]) == case.first, key
        found = {e["category"] for step in entry["steps"] for e in step["errors"]}
        assert case.also <= found, key
    assert document["overall"]["first_error"] == {case.first[0]: len(case.groups)}
