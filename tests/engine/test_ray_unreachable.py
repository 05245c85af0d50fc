"""A Ray that cannot be reached fails the run within 30 s, naming the address and where Ray's logs are, and
run.json says interrupted (issue 13, item 17). Before, `--ray-address 127.0.0.1:1` printed nothing for 10 minutes."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.ray
@pytest.mark.slow
def test_an_unreachable_ray_address_fails_fast_naming_it_and_the_logs(tmp_path: Path) -> None:
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, str(REPO / "run_eval.py"), "run", "--agent", "oracle", "--benchmark", "embedded",
         "--per-group", "1", "--executor", "ray", "--ray-address", "127.0.0.1:1", "--out", str(tmp_path),
         "--run-name", "r", "--no-progress"],
        capture_output=True, text=True, timeout=60, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert time.monotonic() - start < 60
    assert done.returncode == 2
    err = done.stderr.strip().splitlines()
    assert len(err) == 1 and "127.0.0.1:1" in err[0] and "logs" in err[0] and "Traceback" not in done.stderr
    recorded = json.loads((tmp_path / "r" / "run.json").read_text())
    assert recorded["status"] == "interrupted" and "127.0.0.1:1" in recorded["reason"]


class HangingRay:
    """ray.init against an address that accepts connections but never answers: Ray's loop of waits."""

    def __init__(self, fail_with: Exception | None = None) -> None:
        self.fail_with = fail_with

    def init(self, **kwargs) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            time.sleep(0.05)
        raise AssertionError("ray.init was not interrupted")


def test_a_ray_init_that_never_returns_is_interrupted_naming_the_address_and_logs() -> None:
    from engine.execution.ray_start import RayUnavailable, init_ray

    start = time.monotonic()
    with pytest.raises(RayUnavailable, match=r"Ray at auto did not start or answer within 0.3 s\. Ray's logs are in .*logs"):
        init_ray(HangingRay(), "auto", timeout_s=0.3)
    assert time.monotonic() - start < 5


def test_a_ray_init_that_fails_is_one_sentence_naming_the_logs() -> None:
    from engine.execution.ray_start import RayUnavailable, init_ray

    with pytest.raises(RayUnavailable, match=r"a local Ray could not be started or joined: ConnectionError: no GCS\. Ray's logs"):
        init_ray(HangingRay(ConnectionError("no GCS\nmore lines")), None, timeout_s=5)


def test_the_watchdog_interrupts_ray_init_whatever_sigint_handler_was_left_installed() -> None:
    import signal

    from engine.execution.ray_start import RayUnavailable, init_ray

    swallowed: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: swallowed.append(signum))  # raises nothing
    try:
        with pytest.raises(RayUnavailable, match=r"did not start or answer within 0.3 s"):
            init_ray(HangingRay(), "auto", timeout_s=0.3)
        assert swallowed == [] and signal.getsignal(signal.SIGINT) is not signal.default_int_handler  # restored
    finally:
        signal.signal(signal.SIGINT, previous)
