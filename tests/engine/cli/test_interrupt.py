"""Ctrl-C during `run` or `sweep` (issue 13, item 15): one short line, exit status 130, no traceback."""
from __future__ import annotations

import json

import pytest

import run_eval
from engine.backends.scripted import call_once_then_answer, register_script


@pytest.fixture()
def interrupted_at_fifth_request():
    """A scripted model whose fifth request is a Ctrl-C: with one trajectory at a time (two requests each),
    two trajectories are saved first."""
    calls = {"n": 0}

    def script(request):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return call_once_then_answer(request)

    register_script("interrupt-at-5", script)
    return "interrupt-at-5"


def _assert_one_line(capsys, saved: int) -> None:
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines()[-1] == (
        f"umi-eval: interrupted; {saved} trajectories saved; rerun the same command to resume")
    assert "Traceback" not in captured.err and "KeyboardInterrupt" not in captured.err


def test_ctrl_c_during_run_is_one_line_and_exit_130(tmp_path, capsys, interrupted_at_fifth_request):
    out = tmp_path / "out"
    code = run_eval.main(["run", "--agent", "chat-single", "--backend", "scripted", "--model", interrupted_at_fifth_request,
                          "--benchmark", "embedded", "--per-group", "1", "--executor", "local", "--max-active", "1",
                          "--out", str(out), "--run-name", "r", "--no-progress"])
    assert code == 130
    _assert_one_line(capsys, 2)
    assert json.loads((out / "r" / "run.json").read_text())["status"] == "interrupted"


def test_ctrl_c_during_sweep_is_one_line_and_exit_130(tmp_path, capsys, interrupted_at_fifth_request):
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"""
out: {tmp_path / 'out'}
executor: local
max_active: 1
agents:
  - {{agent: chat-single, backend: scripted, model: {interrupted_at_fifth_request}}}
benchmarks:
  - {{benchmark: embedded, per_group: 1}}
seeds: [0]
""")
    assert run_eval.main(["sweep", str(sweep), "--no-progress"]) == 130
    _assert_one_line(capsys, 2)
