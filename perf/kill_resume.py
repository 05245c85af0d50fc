"""Kill-and-resume trials (issue 13): `run_eval.py run` SIGKILLed at seeded random times and rerun until it
finishes, compared with one uninterrupted run; used by tests/engine/test_kill_resume.py and
perf/hardening_figures.py.

Run as `python -m perf.kill_resume LOG ARGS...`, this module is `run_eval.py ARGS...` with one
addition: the scripted reply source `logged-walk` (the scripted backend's seeded-walk) appends the id of each
request it answers to LOG. So a trial knows how many model calls each killed process made, and how many of
them the run folder kept (finished records and checkpoint.jsonl).
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.results.files import CHECKPOINT_FILE, TRAJECTORIES_FILE
from benchmarks.results.trajectories import latest_records, untimed
from engine.runner.checkpoint import read_journals

REPO = Path(__file__).resolve().parents[1]
SCRIPT = "logged-walk"


@dataclass
class Setting:
    """One kind of run: the agent, strategy and schedule, and how long its model takes (a modelled profile)."""

    agent: str = "alpha-umi"
    strategy: str = "cot"
    schedule: str = "lockstep"
    per_group: int = 2
    max_active: int = 4
    speed: float = 0.5  # the gpu-like profile's speed: below 1 a batch takes longer, so kills land mid-run

    def argv(self, out: Path, run_name: str) -> list[str]:
        return ["run", "--agent", self.agent, "--strategy", self.strategy, "--schedule", self.schedule,
                "--benchmark", "embedded", "--per-group", str(self.per_group), "--max-active", str(self.max_active),
                "--backend", "modelled", "--model", f"{SCRIPT}@gpu-like,speed={self.speed}", "--executor", "local",
                "--out", str(out), "--run-name", run_name, "--no-progress"]


@dataclass
class Kill:
    after_s: float
    calls_made: int  # model calls the killed process made
    calls_lost: int  # of those, the ones the run folder did not keep: the calls in flight at the kill
    calls_in_checkpoint: int  # calls of unfinished trajectories the checkpoint held after the kill


@dataclass
class Trial:
    setting: Setting
    whole_calls: int
    kills: list[Kill] = field(default_factory=list)
    identical: bool = False  # the resumed run's records equal the uninterrupted run's (timings aside)
    calls_total: int = 0  # model calls of every attempt together


def _run(setting: Setting, out: Path, run_name: str, log: Path, kill_after_s: float, timeout_s: float) -> tuple[int, float]:
    """One attempt, SIGKILLed `kill_after_s` after its first model call (once the process has started up);
    its return code (-SIGKILL when killed) and the seconds from its first model call to its end."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "RAY_AUTH_MODE": "disabled"}
    command = [sys.executable, "-m", "perf.kill_resume", str(log), *setting.argv(out, run_name)]
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout_s
    while process.poll() is None and not _calls_logged(log) and time.monotonic() < deadline:
        time.sleep(0.01)
    first_call = time.monotonic()
    try:
        process.wait(timeout=max(0.0, min(kill_after_s, deadline - first_call)))
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
    return process.returncode, time.monotonic() - first_call


def _calls_logged(log: Path) -> int:
    return len(log.read_bytes().splitlines()) if log.exists() else 0


def kept_calls(run_dir: Path) -> tuple[int, int]:
    """Model calls the run folder keeps: (those of finished records, those the checkpoint holds of the rest)."""
    records = latest_records(run_dir / TRAJECTORIES_FILE)
    finished = sum(usage["calls"] for record in records.values() for usage in record["usage"].values())
    in_flight = sum(kind == "r" for key, journal in read_journals(run_dir / CHECKPOINT_FILE).items()
                    if key not in records for kind, _ in journal.events)
    return finished, in_flight


def comparable_records(run_dir: Path) -> list[dict]:
    return sorted((untimed(r) for r in latest_records(run_dir / TRAJECTORIES_FILE).values()), key=lambda r: r["task_key"])


def trial(setting: Setting, out: Path, seed: int, kills: int, timeout_s: float = 120) -> Trial:
    """An uninterrupted run, then the same run killed up to `kills` times at seeded random moments and rerun
    until it finishes. The kills spread over the work left (the uninterrupted run's time from its first model
    call, in proportion to the model calls not yet kept): each falls uniformly within twice its even share."""
    whole_log = out / "whole.log"
    code, whole_s = _run(setting, out, "whole", whole_log, timeout_s, timeout_s)
    assert code == 0, f"the uninterrupted run failed ({code})"
    result = Trial(setting, _calls_logged(whole_log))
    rng = random.Random(seed)
    run_dir = out / "killed"
    for attempt in range(2 * kills + 1):
        log = out / f"attempt{attempt}.log"
        before = sum(kept_calls(run_dir))
        left = whole_s * max(0.0, 1 - before / max(1, result.whole_calls))
        to_come = kills - len(result.kills)
        after_s = rng.uniform(0, 2 * left / (to_come + 1)) if to_come else timeout_s  # spread over the work left
        code, _ = _run(setting, out, "killed", log, after_s, timeout_s)
        made = _calls_logged(log)
        result.calls_total += made
        if code == 0:
            break
        finished, in_checkpoint = kept_calls(run_dir)
        result.kills.append(Kill(round(after_s, 3), made, made - (finished + in_checkpoint - before), in_checkpoint))
    result.identical = comparable_records(run_dir) == comparable_records(out / "whole")
    return result


def _main(log: str, argv: list[str]) -> int:
    import run_eval
    from engine.backends.scripted import register_script, seeded_walk

    handle = open(log, "ab", buffering=0)

    def logged_walk(request) -> str:
        handle.write(request.request_id.encode() + b"\n")
        return seeded_walk(request)

    register_script(SCRIPT, logged_walk)
    return run_eval.main(argv)


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1], sys.argv[2:]))
