"""A resumed run tries its failed trajectories again (issue 13, item 5), unless told to keep them; every
record counts its tries, and outputs read the last record of each trajectory."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import run_eval
from engine.backends.scripted import call_once_then_answer, register_script
from engine.runner.run import Run, RunConfig
from engine.types import RoleRequest
from tests.helpers.scheduling import scripted, weather_tasks
from tools_sim.cache import ResponseCache
from tools_sim.simulator import Simulator


# The fault is switched off in place, not by naming another model: that would be another run (engine.runner.identity).
FAULT = {"on": True}


@pytest.fixture(autouse=True)
def fault_on():
    FAULT["on"] = True
    yield
    FAULT["on"] = True


def fails_for_city_1(request: RoleRequest) -> str:
    prompt = request.prompt if isinstance(request.prompt, str) else json.dumps(request.prompt)
    if FAULT["on"] and "city 1?" in prompt:
        raise RuntimeError("CUDA error: device lost")
    return call_once_then_answer(request)


register_script("fails-for-city-1", fails_for_city_1)


def _run(out: Path, script: str, retry_failed: bool = True) -> Path:
    config = RunConfig(agent=scripted("chat-single", script), out_dir=out, run_name="run", executor="local",
                       progress=False, retry_failed=retry_failed)
    return Run(config, weather_tasks(3), Simulator(ResponseCache())).execute()


def _lines(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "trajectories.jsonl").read_text().splitlines()]


def test_a_resumed_run_retries_failed_trajectories_and_counts_the_tries(tmp_path: Path) -> None:
    run_dir = _run(tmp_path, "fails-for-city-1")
    assert sorted((r["query_id"], r["status"], r["tries"]) for r in _lines(run_dir)) == \
        [("0", "answered", 1), ("1", "failed", 1), ("2", "answered", 1)]
    _run(tmp_path, "fails-for-city-1")  # still failing: a third line, tried twice
    FAULT["on"] = False  # the fault is gone
    _run(tmp_path, "fails-for-city-1")
    lines = _lines(run_dir)
    assert [(r["query_id"], r["status"], r["tries"]) for r in lines[3:]] == [("1", "failed", 2), ("1", "answered", 3)]
    metrics = json.loads((run_dir / "metrics.json").read_text())["overall"]
    assert metrics["n"] == 3 and metrics["answered_rate"] == 100.0  # the last record of each trajectory
    converted = json.loads((run_dir / "tooleval" / "G1_instruction.json").read_text())
    assert len(converted) == 3


def test_no_retry_failed_keeps_them(tmp_path: Path) -> None:
    run_dir = _run(tmp_path, "fails-for-city-1")
    before = (run_dir / "trajectories.jsonl").read_bytes()
    FAULT["on"] = False
    _run(tmp_path, "fails-for-city-1", retry_failed=False)
    assert (run_dir / "trajectories.jsonl").read_bytes() == before
    assert json.loads((run_dir / "metrics.json").read_text())["overall"]["answered_rate"] < 100


def test_the_command_line_flag(tmp_path: Path) -> None:
    argv = ["run", "--agent", "chat-single", "--benchmark", "embedded", "--per-group", "1", "--backend", "scripted",
            "--model", "fails-for-city-1", "--executor", "local", "--out", str(tmp_path), "--run-name", "r", "--no-progress"]
    assert run_eval.main(argv) == 0
    first = _lines(tmp_path / "r")
    FAULT["on"] = False
    assert run_eval.main([*argv, "--no-retry-failed"]) == 0
    assert _lines(tmp_path / "r") == first
    assert run_eval.main(argv) == 0
    retried = _lines(tmp_path / "r")[len(first):]
    assert len(retried) == sum(r["status"] == "failed" for r in first)
    assert all(r["tries"] == 2 for r in retried)
