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
            "--out", str(out), "--run-name", "run", "--no-progress"]
    assert run_eval.main(argv) == 0
    return out / "run"


@pytest.mark.parametrize("case", CASES, ids=[f"{c.script}-{c.agent}" for c in CASES])
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


def test_the_oracle_makes_no_error(tmp_path):
    """The gold solutions replayed: a negative control for every rule (120 trajectories, floats for integers too)."""
    argv = ["run", "--agent", "oracle", "--benchmark", "embedded", "--per-group", "20", "--executor", "local",
            "--out", str(tmp_path), "--run-name", "oracle", "--no-progress"]
    assert run_eval.main(argv) == 0
    document = analyse(source_of(tmp_path / "oracle"))
    assert document["overall"]["n"] == 120 and document["overall"]["first_error"] == {"none": 120}
    assert document["overall"]["observation_sources"] == {"cache": sum(  # the gold replies are preloaded
        1 for t in document["trajectories"].values() for step in t["steps"] if "source" in step)}
