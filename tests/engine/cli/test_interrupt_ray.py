"""Ctrl-C during a run on the Ray executor (issue 13, item 15): the terminal's SIGINT reaches the whole
process group, Ray's workers included; the user still gets the one short line, and run.json says
interrupted with the finished trajectories saved."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.slow
@pytest.mark.ray
def test_ctrl_c_of_a_ray_run_is_one_line_and_keeps_what_finished(tmp_path: Path) -> None:
    command = [sys.executable, str(REPO / "run_eval.py"), "run", "--agent", "alpha-umi", "--benchmark", "embedded",
               "--per-group", "2", "--backend", "modelled", "--model", "call-once-then-answer@gpu-like,speed=0.2",
               "--executor", "ray", "--max-active", "1", "--out", str(tmp_path), "--run-name", "r", "--no-progress"]
    process = subprocess.Popen(command, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)  # its own group, as a terminal's
    records = tmp_path / "r" / "trajectories.jsonl"
    deadline = time.monotonic() + 150  # a local Ray start on a busy machine
    try:
        while process.poll() is None and time.monotonic() < deadline and not (records.exists() and records.read_bytes()):
            time.sleep(0.05)
        if process.poll() is not None:
            pytest.fail(f"the run ended ({process.returncode}) before the first trajectory finished: "
                        f"{process.communicate()[1][-2000:]}")
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        _, err = process.communicate(timeout=90)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    saved = len(records.read_bytes().splitlines())
    assert process.returncode == 130, err[-3000:]
    assert err.strip().splitlines() == [f"umi-eval: interrupted; {saved} trajectories saved; rerun the same command to resume"]
    recorded = json.loads((tmp_path / "r" / "run.json").read_text())
    assert (recorded["status"], recorded["reason"]) == ("interrupted", "interrupted by the user (Ctrl-C)")
    assert 1 <= saved < 12
