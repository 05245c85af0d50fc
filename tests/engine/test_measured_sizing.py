"""`--replicas auto` sized from measured work: `run --size-from RUN_DIR`, and in a sweep from an earlier finished
run of the same agent shape; run.json records which work sized it (declared, or measured from a run folder)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import run_eval
from engine.execution.replicas import dhondt

AGENT_YAML = """preset: alpha-umi
name: {name}
placement: per-role
model: {{backend: scripted, model: call-once-then-answer}}
"""
COMMON = ["--executor", "local", "--benchmark", "embedded", "--per-group", "1", "--no-progress"]


@pytest.fixture
def alpha(tmp_path: Path) -> list[str]:
    """alpha-UMi on the scripted backend, each role its own engine."""
    path = tmp_path / "alpha.yaml"
    path.write_text(AGENT_YAML.format(name="alpha"))
    return ["--agent", str(path), *COMMON]


def _manifest(run_dir: Path) -> dict:
    return json.loads((run_dir / "run.json").read_text())


def _engines(record: dict) -> dict[str, int]:
    """run.json `replicas.replicas`, by engine name (an actor key ends in @engine)."""
    return {key.rpartition("@")[2]: count for key, count in record["replicas"]["replicas"].items()}


def _measured_counts(source: Path, manifest: dict, gpus: int) -> dict[str, int]:
    """D'Hondt over the completion tokens per task that the source run's metrics.json holds, per engine."""
    overall = json.loads((source / "metrics.json").read_text())["overall"]
    roles = manifest["agent"]["roles"]
    work: dict[str, float] = {}
    for role, spec in roles.items():
        key = spec["engine"] or role
        work[key] = work.get(key, 0.0) + overall["tokens"].get(role, {}).get("completion_tokens", 0) / overall["n"]
    return dhondt(work, dict.fromkeys(work, 1), gpus)


def test_run_sizes_from_a_measured_run_and_says_so(tmp_path: Path, alpha: list[str]) -> None:
    assert run_eval.main(["run", *alpha, "--out", str(tmp_path), "--run-name", "first", "--replicas", "auto",
                          "--gpus", "3"]) == 0
    first = _manifest(tmp_path / "first")
    assert first["replicas"]["sized_from"] == "declared"
    assert run_eval.main(["run", *alpha, "--out", str(tmp_path), "--run-name", "second", "--replicas", "auto",
                          "--gpus", "7", "--size-from", str(tmp_path / "first")]) == 0
    second = _manifest(tmp_path / "second")
    assert second["replicas"]["sized_from"] == f"measured from {tmp_path / 'first'}"
    assert _engines(second) == _measured_counts(tmp_path / "first", second, 7)


def test_size_from_needs_auto_and_a_finished_run_of_the_same_roles(tmp_path: Path, alpha: list[str], capsys) -> None:
    assert run_eval.main(["run", *alpha, "--out", str(tmp_path), "--size-from", str(tmp_path)]) == 2
    assert "--size-from sizes replicas the way --replicas auto does" in capsys.readouterr().err
    assert run_eval.main(["run", *alpha, "--out", str(tmp_path), "--replicas", "auto", "--gpus", "4",
                          "--size-from", str(tmp_path / "nothing")]) == 2
    assert "nothing: no measured tokens to size replicas from" in capsys.readouterr().err
    chat = ["--agent", "chat-single", "--backend", "scripted", "--model", "call-once-then-answer", *COMMON]
    assert run_eval.main(["run", *chat, "--out", str(tmp_path), "--run-name", "chat"]) == 0
    assert run_eval.main(["run", *alpha, "--out", str(tmp_path), "--replicas", "auto", "--gpus", "4",
                          "--size-from", str(tmp_path / "chat")]) == 2
    assert "its run measured roles backbone, and this agent has planner, caller, summarizer" in capsys.readouterr().err


def test_a_sweep_sizes_a_run_from_an_earlier_finished_run_of_the_same_agent_shape(tmp_path: Path, alpha) -> None:
    model = "backend: scripted, model: call-once-then-answer, replicas: auto"
    sweep = tmp_path / "night.yaml"
    sweep.write_text(f"out: {tmp_path / 'out'}\nexecutor: local\nagents:\n"
                     f"  - {{agent: {alpha[1]}, name: ckpt-a, replicas: auto, gpus: 3}}\n"
                     f"  - {{agent: chat-single, name: chat, {model}, gpus: 2}}\n"
                     f"  - {{agent: {alpha[1]}, name: ckpt-b, replicas: auto, gpus: 7}}\n"
                     "benchmarks:\n  - {benchmark: embedded, per_group: 1}\n")
    assert run_eval.main(["sweep", str(sweep), "--no-progress"]) == 0
    out = tmp_path / "out"
    a, chat, b = (_manifest(out / f"{name}__embedded__seed0") for name in ("ckpt-a", "chat", "ckpt-b"))
    assert a["replicas"]["sized_from"] == chat["replicas"]["sized_from"] == "declared"  # none measured before
    assert b["replicas"]["sized_from"] == f"measured from {out / 'ckpt-a__embedded__seed0'}"
    assert _engines(b) == _measured_counts(out / "ckpt-a__embedded__seed0", b, 7)
    assert _engines(b) != {"planner": 4, "caller": 2, "summarizer": 1}  # what the declared work gives 7 GPUs
    assert run_eval.main(["sweep", str(sweep), "--no-progress"]) == 0  # all done: skipped, nothing re-sized
    assert json.loads((out / "sweep.json").read_text())["runs"]["ckpt-b__embedded__seed0"]["status"] == "skipped"
