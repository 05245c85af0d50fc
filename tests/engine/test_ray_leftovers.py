"""A run with a local Ray leaves no process behind once it is gone, however it ended (issue 21, items 4 and 18):
SIGKILL of the driver (no handler runs) and SIGTERM (one line, exit 143, no Ray dump)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

REPO = Path(__file__).resolve().parents[2]


def _start(tmp_path: Path) -> subprocess.Popen:
    command = [sys.executable, str(REPO / "run_eval.py"), "run", "--agent", "chat-single", "--benchmark", "embedded",
               "--per-group", "3", "--backend", "modelled", "--model", "call-once-then-answer@gpu-like,speed=0.05",
               "--executor", "ray", "--max-active", "1", "--out", str(tmp_path), "--run-name", "r", "--no-progress"]
    return subprocess.Popen(command, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _running_ray(process: subprocess.Popen, tmp_path: Path) -> list[psutil.Process]:
    """The driver's descendants once its actors work (the first trajectory is written)."""
    records = tmp_path / "r" / "trajectories.jsonl"
    deadline = time.monotonic() + 150
    while process.poll() is None and time.monotonic() < deadline and not (records.exists() and records.read_bytes()):
        time.sleep(0.1)
    if process.poll() is not None:
        pytest.fail(f"the run ended ({process.returncode}) early: {process.communicate()[1][-2000:]}")
    return psutil.Process(process.pid).children(recursive=True)


def _left(processes: list[psutil.Process]) -> list[psutil.Process]:
    left = []
    for p in processes:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE and "ray_reaper" not in " ".join(p.cmdline()):
                left.append(p)
        except psutil.NoSuchProcess:
            pass
    return left


@pytest.mark.slow
@pytest.mark.ray
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_no_ray_process_outlives_its_driver(tmp_path: Path, signum: int) -> None:
    process = _start(tmp_path)
    ray_processes = []
    try:
        ray_processes = _running_ray(process, tmp_path)
        assert ray_processes, "no Ray process under the driver"
        process.send_signal(signum)
        _, err = process.communicate(timeout=60)
        time.sleep(3)
        assert not _left(ray_processes), [p.cmdline()[:3] for p in _left(ray_processes)]
        if signum == signal.SIGTERM:
            assert process.returncode == 143 and "Traceback" not in err
            assert err.strip().splitlines()[-1].startswith("umi-eval: terminated by SIGTERM;"), err[-1500:]
    finally:
        if process.poll() is None:
            process.kill()
        for p in _left(ray_processes):
            p.kill()
