"""run.json says how a run ended (issue 13, item 6): finished, or interrupted with the reason, even when
the process died without a word (then readers tell it from the recorded process)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from benchmarks.results import manifest
from engine.runner import run as run_module
from engine.runner.run import Run, RunConfig
from tests.helpers.scheduling import scripted, weather_tasks
from tools_sim.cache import ResponseCache
from tools_sim.simulator import Simulator

REPO = Path(__file__).resolve().parents[2]


class BrokenTools(Simulator):
    """A tool backend that fails mid-run, as a Ray node going away under the run would."""

    def call_many(self, calls):
        raise ConnectionError("raylet at 10.0.0.7:6379 is gone")


class SignalledTools(Simulator):
    """Sends this process a signal at the first tool call."""

    def __init__(self, signum: int) -> None:
        super().__init__(ResponseCache())
        self.signum = signum

    def call_many(self, calls):
        os.kill(os.getpid(), self.signum)
        return super().call_many(calls)


def _run(tmp_path: Path, simulator: Simulator, n: int = 3) -> Path:
    config = RunConfig(agent=scripted("chat-single", "call-once-then-answer"), out_dir=tmp_path, run_name="run",
                       executor="local", progress=False)
    return Run(config, weather_tasks(n), simulator).execute()


def _manifest(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "run" / "run.json").read_text())


def test_an_error_mid_run_is_recorded_as_the_reason(tmp_path: Path) -> None:
    with pytest.raises(ConnectionError):
        _run(tmp_path, BrokenTools(ResponseCache(None)))
    recorded = _manifest(tmp_path)
    assert recorded["status"] == "interrupted" and recorded["ended_at"]
    assert recorded["reason"] == "ConnectionError: raylet at 10.0.0.7:6379 is gone"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_termination_signal_is_recorded_and_the_handler_restored(tmp_path: Path, signum: int) -> None:
    before = signal.getsignal(signum)
    with pytest.raises(run_module.RunTerminated):
        _run(tmp_path, SignalledTools(signum))
    recorded = _manifest(tmp_path)
    assert (recorded["status"], recorded["reason"]) == ("interrupted", f"terminated by {signal.Signals(signum).name}")
    assert signal.getsignal(signum) == before


def test_an_executor_that_cannot_start_leaves_no_running_status(tmp_path: Path, monkeypatch) -> None:
    def no_ray(*args, **kwargs):
        raise ConnectionError("could not reach Ray at 127.0.0.1:1")

    monkeypatch.setattr(run_module, "make_executor", no_ray)
    with pytest.raises(ConnectionError):
        _run(tmp_path, Simulator(ResponseCache()))
    recorded = _manifest(tmp_path)
    assert (recorded["status"], recorded["reason"]) == ("interrupted", "ConnectionError: could not reach Ray at 127.0.0.1:1")


def test_a_finished_run_records_its_process_and_no_reason(tmp_path: Path) -> None:
    _run(tmp_path, Simulator(ResponseCache()))
    recorded = _manifest(tmp_path)
    assert recorded["status"] == "finished" and "reason" not in recorded and "previous_attempt" not in recorded
    assert recorded["process"]["pid"] == os.getpid()
    assert manifest.effective_status(recorded) == ("finished", None)


KILLED_MID_RUN = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from engine.runner.run import Run, RunConfig
    from tests.helpers.scheduling import scripted, weather_tasks
    from tools_sim.cache import ResponseCache
    from tools_sim.simulator import Simulator

    class KilledAtSecondTick(Simulator):
        ticks = 0
        def call_many(self, calls):
            self.ticks += 1
            if self.ticks == 2:
                os.kill(os.getpid(), signal.SIGKILL)  # as Ray ends its driver when the raylet dies
            return super().call_many(calls)

    config = RunConfig(agent=scripted("chat-single", "call-once-then-answer", batch_size=1), out_dir=Path(sys.argv[1]),
                       run_name="run", executor="local", progress=False, max_active=1)
    Run(config, weather_tasks(3), KilledAtSecondTick(ResponseCache())).execute()
""")


def test_a_process_killed_outright_reads_as_interrupted_and_the_resume_records_it(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", KILLED_MID_RUN, str(tmp_path)], env=env, cwd=REPO, timeout=120)
    assert done.returncode == -signal.SIGKILL
    recorded = _manifest(tmp_path)
    assert recorded["status"] == "running"  # nothing could write more
    status, reason = manifest.effective_status(recorded)
    assert status == "interrupted" and f"pid {recorded['process']['pid']}" in reason and "ended without" in reason
    _run(tmp_path, Simulator(ResponseCache()))
    resumed = _manifest(tmp_path)
    assert resumed["status"] == "finished"
    assert resumed["previous_attempt"]["status"] == "interrupted"
    assert resumed["previous_attempt"]["reason"] == reason


def test_a_run_of_a_live_process_reads_as_running() -> None:
    recorded = {"status": "running", "process": manifest.this_process()}
    assert manifest.effective_status(recorded) == ("running", None)
    elsewhere = {"status": "running", "process": {**manifest.this_process(), "host": "another-host"}}
    assert manifest.effective_status(elsewhere) == ("running", None)  # cannot tell from here
    reused = {"status": "running", "process": {**manifest.this_process(), "start_ticks": -1}}
    assert manifest.effective_status(reused)[0] == "interrupted"  # the pid now belongs to a later process
