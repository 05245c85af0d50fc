"""Progress a person can follow: the bar counts model calls, redraws its clock every second, estimates the
total from calls, and `run` / `sweep` show it."""
from __future__ import annotations

import io
import re
import time
from pathlib import Path

import run_eval
from engine.runner.progress import CallProgress
from engine.types import RoleResult


def _results(n: int, tokens: int = 10) -> list[RoleResult]:
    return [RoleResult(str(i), "x", completion_tokens=tokens) for i in range(n)]


def test_calls_move_the_bar_before_any_trajectory_finishes():
    out = io.StringIO()
    with CallProgress("run", tasks=4, tasks_done=0, calls_bound=8, file=out) as progress:
        progress.on_batch(_results(4))
        assert progress.bar.n == 4 and progress.bar.total == 32  # 4 tasks x the agent's bound of 8 calls
        assert progress.tasks_done == 0 and progress.tokens == 40
    assert "4/32" in out.getvalue() and "traj 0/4" in out.getvalue() and "tok/s" in out.getvalue()


def test_the_total_follows_the_calls_finished_tasks_took():
    with CallProgress("run", tasks=10, tasks_done=2, calls_bound=8, file=io.StringIO()) as progress:
        progress.on_batch(_results(6))
        progress.on_trajectory(3)
        progress.on_trajectory(3)
        assert progress.bar.total == 24  # 8 tasks to do x 3 calls each, not 8 x 8
        progress.on_batch(_results(30))
        assert progress.bar.n == 36 and progress.bar.total == 42  # what is done plus a call per unfinished task
        assert progress.tasks_done == 4


def test_the_bar_is_full_only_when_every_trajectory_finished():
    with CallProgress("run", tasks=2, tasks_done=0, calls_bound=8, file=io.StringIO()) as progress:
        progress.on_batch(_results(2))
        progress.on_trajectory(1)
        assert (progress.bar.n, progress.bar.total) == (2, 3)  # one call per finished task, but one still runs
        progress.on_batch(_results(1))
        progress.on_trajectory(2)
        assert progress.bar.n == progress.bar.total == 3


def test_the_elapsed_clock_is_redrawn_every_second_without_updates():
    out = io.StringIO()
    with CallProgress("run", tasks=1, tasks_done=0, calls_bound=2, file=out):
        time.sleep(2.6)
    clocks = set(re.findall(r"\[(\d\d:\d\d)<", out.getvalue()))
    assert {"00:01", "00:02"} <= clocks


def test_an_agent_without_models_counts_trajectories():
    with CallProgress("oracle", tasks=3, tasks_done=0, calls_bound=0, file=io.StringIO()) as progress:
        progress.on_trajectory(0)
        assert (progress.bar.n, progress.bar.total, progress.bar.unit) == (1, 3, "traj")


def test_run_shows_calls_and_ends_with_its_pass_rate(tmp_path, capsys):
    argv = ["run", "--agent", "chat-multi", "--backend", "scripted", "--benchmark", "embedded", "--per-group", "1",
            "--executor", "local", "--out", str(tmp_path)]
    assert run_eval.main(argv) == 0
    captured = capsys.readouterr()
    bar = captured.err.replace("\r", "\n").splitlines()
    assert any(re.search(r"\b\d+/\d+ \[.*call/s, traj 6/6, [\d.]+ tok/s\]", line) for line in bar)
    assert re.search(r"; verified pass rate \d+\.\d \[\d+\.\d, \d+\.\d\] \(n=6\)", captured.out)


def test_the_oracle_line_says_100_percent(tmp_path, capsys):
    argv = ["run", "--agent", "oracle", "--benchmark", "embedded", "--per-group", "1", "--executor", "local",
            "--out", str(tmp_path), "--no-progress"]
    assert run_eval.main(argv) == 0
    assert "; verified pass rate 100.0 [100.0, 100.0] (n=6)" in capsys.readouterr().out


def test_sweep_shows_overall_progress_across_its_runs(tmp_path: Path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(f"out: {tmp_path / 'out'}\nexecutor: local\nseeds: [0, 1]\nagents: [oracle]\n"
                    "benchmarks:\n  - {benchmark: embedded, per_group: 1}\n")
    assert run_eval.main(["sweep", str(path)]) == 0
    err = capsys.readouterr().err.replace("\r", "\n")
    assert re.search(r"sweep: +50%.*\| 1/2 \[", err) and re.search(r"sweep: 100%.*\| 2/2 \[", err)
