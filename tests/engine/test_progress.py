"""Progress a person can follow: the bar counts model calls, redraws its clock every second, estimates the
total from calls, and `run` / `sweep` show it."""
from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest

import run_eval
from engine.config.presets import load_agent
from engine.runner.progress import CallProgress
from engine.search import make_strategy
from engine.types import RoleResult


def _results(n: int, tokens: int = 10) -> list[RoleResult]:
    return [RoleResult(str(i), "x", completion_tokens=tokens) for i in range(n)]


def _percent(progress: CallProgress) -> float:
    return 100 * progress.bar.n / progress.bar.total


def test_calls_move_the_bar_before_any_trajectory_finishes():
    out = io.StringIO()
    ticks = iter([0.0, 2.0, 2.0])
    with CallProgress("run", tasks=4, tasks_done=0, expected_calls=8, file=out, clock=lambda: next(ticks)) as progress:
        progress.on_batch(_results(4))
        assert _percent(progress) == 12.5  # 4 of 4 tasks x the strategy's 8 expected calls
        assert progress.tasks_done == 0 and progress.tokens == 40
    assert "calls 4/~32, traj 0/4, 20.0 tok/s" in out.getvalue()  # 40 tokens in the 2 s the clock says


def test_the_estimate_follows_the_calls_finished_tasks_took():
    with CallProgress("run", tasks=10, tasks_done=2, expected_calls=8, file=io.StringIO()) as progress:
        progress.on_batch(_results(6))
        progress.on_trajectory(3)
        progress.on_trajectory(3)
        # the prior counts once per task left: (6 x 8 + 3 + 3) / 8 calls for each of the 6 left
        assert progress.estimate.total(6) == 6 + 6 * 54 / 8 and progress.tasks_done == 4


def test_the_percent_never_goes_backwards_and_ends_at_100():
    """A DFSDT run's tasks took 1, 2, 5, 6, 12 and 14 calls, the short ones finishing first: each longer task
    raises the estimate, which must not pull the bar back (it went 84% -> 81% before)."""
    percents = []
    with CallProgress("run", tasks=6, tasks_done=0, expected_calls=8, file=io.StringIO()) as progress:
        for calls in (1, 2, 5, 6, 12, 14):
            progress.on_batch(_results(calls))
            percents.append(_percent(progress))
            progress.on_trajectory(calls)
            percents.append(_percent(progress))
    assert percents == sorted(percents) and percents[-1] == 100 and percents[-2] < 100


def test_a_task_that_ends_at_once_does_not_make_the_bar_run_ahead():
    """The main job's chat-multi run: one task gave up after 1 call, the other 11 took the 8 of the bound, in
    lockstep rounds. The bar stays within 7 points of the true share (it ran 20 points ahead, then sat at 82%)."""
    true_total, shown = 1 + 11 * 8, []
    with CallProgress("run", tasks=12, tasks_done=0, expected_calls=8, file=io.StringIO()) as progress:
        progress.on_batch(_results(12))
        progress.on_trajectory(1)
        shown.append((_percent(progress), 100 * 12 / true_total))
        for round_ in range(2, 9):
            progress.on_batch(_results(11))
            shown.append((_percent(progress), 100 * (1 + 11 * round_) / true_total))
        for _ in range(11):
            progress.on_trajectory(8)
    assert all(bar - true <= 7 for bar, true in shown) and _percent(progress) == 100


def test_the_bar_is_full_only_when_every_trajectory_finished():
    with CallProgress("run", tasks=2, tasks_done=0, expected_calls=1, file=io.StringIO()) as progress:
        progress.on_batch(_results(2))
        progress.on_trajectory(1)
        assert _percent(progress) < 100  # every call expected is made, but one trajectory still runs
        progress.on_batch(_results(1))
        progress.on_trajectory(2)
        assert _percent(progress) == 100


def test_a_resumed_run_counts_only_what_is_left():
    out = io.StringIO()
    with CallProgress("run", tasks=60, tasks_done=38, expected_calls=2, file=out) as progress:
        assert _percent(progress) == 0
        for _ in range(22):
            progress.on_batch(_results(2))
            progress.on_trajectory(2)
        assert _percent(progress) == 100 and progress.tasks_done == 60
    assert "run: resuming: 38 of 60 done" in out.getvalue()


def test_dfsdt_expects_more_calls_per_task_than_a_chain():
    """The strategy supplies the bar's prior: a tree tries more than one chain (issue 18)."""
    spec = load_agent("chat-multi")
    assert make_strategy("cot").expected_calls(spec) == spec.max_steps * 2
    assert make_strategy("dfsdt").expected_calls(spec) == spec.max_steps * 2 * 2  # two children per node
    assert make_strategy("cot").expected_calls(load_agent("oracle")) == 0


def test_a_finished_run_has_nothing_to_do_and_starts_no_engine(tmp_path, capsys, monkeypatch):
    argv = ["run", "--agent", "oracle", "--benchmark", "embedded", "--per-group", "1", "--executor", "local",
            "--out", str(tmp_path), "--no-progress"]
    assert run_eval.main(argv) == 0
    monkeypatch.setattr("engine.runner.run.make_executor", _no_executor)
    assert run_eval.main(argv) == 0
    assert "nothing to do: all 6 trajectories are done" in capsys.readouterr().err


def _no_executor(*args, **kwargs):
    raise AssertionError("a finished run started an executor")


@pytest.mark.slow  # waits 2.6 s of real time: the clock is the bar's own
def test_the_elapsed_clock_is_redrawn_every_second_without_updates():
    out = io.StringIO()
    with CallProgress("run", tasks=1, tasks_done=0, expected_calls=2, file=out):
        time.sleep(2.6)
    clocks = set(re.findall(r"\[(\d\d:\d\d)<", out.getvalue()))
    assert {"00:01", "00:02"} <= clocks


def test_a_hidden_bar_counts_but_draws_nothing():
    clock_reads = []
    with CallProgress("run", tasks=2, tasks_done=0, expected_calls=2, enabled=False,
                      clock=lambda: clock_reads.append(1) or 0.0) as progress:
        progress.on_batch(_results(2))
        progress.on_trajectory(2)
        assert (progress.calls, progress.tokens, progress.tasks_done) == (2, 20, 1)
        assert progress.bar.n == 0 and not getattr(progress.bar, "postfix", None)
    assert len(clock_reads) == 1  # its start only: no rate is worked out for a bar nobody sees


def test_an_agent_without_models_counts_trajectories():
    with CallProgress("oracle", tasks=3, tasks_done=0, expected_calls=0, file=io.StringIO()) as progress:
        progress.on_trajectory(0)
        assert round(_percent(progress), 1) == 33.3


def test_run_shows_calls_and_ends_with_its_pass_rate(tmp_path, capsys):
    argv = ["run", "--agent", "chat-multi", "--backend", "scripted", "--benchmark", "embedded", "--per-group", "1",
            "--executor", "local", "--out", str(tmp_path)]
    assert run_eval.main(argv) == 0
    captured = capsys.readouterr()
    bar = captured.err.replace("\r", "\n").splitlines()
    assert any(re.search(r"100%.*calls \d+/~\d+, traj 6/6, [\d.]+ tok/s\]", line) for line in bar)
    assert re.search(r"; verified pass rate \d+\.\d \[\d+\.\d, \d+\.\d\] \(n=6\)", captured.out)


def test_the_oracle_line_says_100_percent(tmp_path, capsys):
    argv = ["run", "--agent", "oracle", "--benchmark", "embedded", "--per-group", "1", "--executor", "local",
            "--out", str(tmp_path), "--no-progress"]
    assert run_eval.main(argv) == 0
    assert "; verified pass rate 100.0 [61.0, 100.0] (n=6)" in capsys.readouterr().out


def test_sweep_shows_overall_progress_across_its_runs(tmp_path: Path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(f"out: {tmp_path / 'out'}\nexecutor: local\nseeds: [0, 1]\nagents: [oracle]\n"
                    "benchmarks:\n  - {benchmark: embedded, per_group: 1}\n")
    assert run_eval.main(["sweep", str(path)]) == 0
    err = capsys.readouterr().err.replace("\r", "\n")
    assert re.search(r"sweep: +50%.*\| 1/2 \[", err) and re.search(r"sweep: 100%.*\| 2/2 \[", err)
