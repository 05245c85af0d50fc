"""Progress a person can follow: a bar that moves with model calls, never goes backwards and ends at 100%.

On a CPU one batch of model calls can take minutes, and a bar that counts finished trajectories then reads
`0/12 [00:00<?]` for most of a run, which looks exactly like a hang. This bar advances with model calls
(every finished batch of a role actor) and redraws its elapsed clock every second. How many calls a run
needs is an estimate, so the bar shows a fraction of the work, not calls over a total that jumps: the
estimate is what this run's finished tasks took, with the search strategy's expected calls per task as
the prior, counted once per task still running: the tasks that finish first are the short ones, so their
mean alone says too little (one task ending after 1 call halved a chat-multi run's estimate, whose other 11
tasks took 8, and its bar then sat at 82% for three minutes). The fraction shown only
grows; it stays under 100% while a task runs and reaches 100% when the last one finishes. A resumed run
counts only what is left, and says how much was done before.
"""
from __future__ import annotations

import sys
import threading
import time
from typing import Any, Callable, TypeVar

from tqdm import tqdm

REFRESH_S = 1.0
STEPS = 1000  # the bar's resolution: a tenth of a percent
BAR_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| [{elapsed}<{remaining}{postfix}]"


def say(text: str, file: Any = None) -> None:
    """One line for the person watching (stderr, beside the bars), written so that a bar is not torn."""
    tqdm.write(text, file=file or sys.stderr)


class Ticker:
    """Redraws a tqdm bar every `interval` seconds (tqdm redraws only when it is updated)."""

    def __init__(self, bar: tqdm, interval: float = REFRESH_S) -> None:
        self.bar, self.interval = bar, interval
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._tick, name="progress-ticker", daemon=True)

    def __enter__(self) -> Ticker:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def start(self) -> None:
        if not self.bar.disable:
            self.thread.start()

    def _tick(self) -> None:
        while not self.stopped.wait(self.interval):
            self.bar.refresh()

    def stop(self) -> None:
        self.stopped.set()
        if self.thread.is_alive():
            self.thread.join()


Bar = TypeVar("Bar", bound="TickingBar")


class TickingBar:
    """A tqdm bar (`self.bar`, set by the subclass) whose clock a Ticker redraws while it is open."""

    bar: tqdm

    def __enter__(self: Bar) -> Bar:
        self.ticker = Ticker(self.bar)
        self.ticker.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.ticker.stop()
        self.bar.close()


class CallEstimate:
    """The calls a run's remaining tasks need: what finished tasks took, the strategy's prior before that."""

    def __init__(self, todo: int, expected_per_task: float) -> None:
        self.todo, self.prior = todo, expected_per_task
        self.finished, self.calls_of_finished = 0, 0

    def finish(self, calls: int) -> None:
        self.finished += 1
        self.calls_of_finished += calls

    def per_task(self) -> float:
        """The prior weighs as much as the tasks still running, the finished ones as what they took."""
        unfinished = max(1, self.todo - self.finished)
        return (self.prior * unfinished + self.calls_of_finished) / (unfinished + self.finished)

    def total(self, calls_done: int) -> float:
        """All calls of the run: each unfinished task needs its expected calls and at least one more than the
        calls it has already made (the calls of unfinished tasks are what is done beyond the finished ones)."""
        unfinished = self.todo - self.finished
        in_flight = max(0, calls_done - self.calls_of_finished)
        return self.calls_of_finished + max(unfinished * self.per_task(), in_flight + unfinished)

    def fraction(self, calls_done: int) -> float:
        """The share of the work done: finished tasks when the agent makes no model calls (the oracle)."""
        if self.finished >= self.todo:
            return 1.0
        if self.prior == 0:
            return self.finished / self.todo
        return min(calls_done / self.total(calls_done), (STEPS - 1) / STEPS)


class CallProgress(TickingBar):
    """The bar of one run: `on_batch` for every finished batch of model calls, `on_trajectory` for every
    finished trajectory. Use as a context manager. `clock` (seconds) gives the token rate its time."""

    def __init__(self, desc: str, tasks: int, tasks_done: int, expected_calls: float, enabled: bool = True,
                 file: Any = None, clock: Callable[[], float] = time.perf_counter) -> None:
        self.tasks, self.tasks_done = tasks, tasks_done
        self.estimate = CallEstimate(tasks - tasks_done, expected_calls)
        self.calls, self.tokens, self.clock = 0, 0, clock
        self.start = clock()
        if tasks_done and enabled:
            say(f"{desc}: resuming: {tasks_done} of {tasks} done", file)
        self.bar = tqdm(total=STEPS, desc=desc, bar_format=BAR_FORMAT, disable=not enabled, dynamic_ncols=True,
                        file=file, smoothing=0)
        self._advance()

    def on_batch(self, results: list[Any]) -> None:
        """A finished batch of model calls (RoleResults: their completion tokens are counted)."""
        self.tokens += sum(result.completion_tokens for result in results)
        self.calls += len(results)
        self._advance()

    def on_trajectory(self, calls: int) -> None:
        """A finished trajectory that took `calls` model calls."""
        self.tasks_done += 1
        self.estimate.finish(calls)
        self._advance()

    def _advance(self) -> None:
        """Moves the bar to the work done, never back (a new estimate may say less is done than shown). A hidden
        bar (--no-progress) is not worked out: once per trajectory, that was a fiftieth of the driver's time."""
        if self.bar.disable:
            return
        step = int(self.estimate.fraction(self.calls) * STEPS)
        if step > self.bar.n:
            self.bar.update(step - self.bar.n)
        elapsed = max(1e-9, self.clock() - self.start)
        calls = f"calls {self.calls}/~{round(self.estimate.total(self.calls))}, " if self.estimate.prior else ""
        self.bar.set_postfix_str(f"{calls}traj {self.tasks_done}/{self.tasks}, {self.tokens / elapsed:.1f} tok/s",
                                 refresh=True)


class RequestProgress(TickingBar):
    """A bar of a known number of requests (static steps, judge questions), advanced as results arrive, its
    clock redrawn every second. Use as a context manager; `on_batch` suits `Executor.on_finished`."""

    def __init__(self, desc: str, total: int, enabled: bool = True, file: Any = None) -> None:
        self.bar = tqdm(total=total, desc=desc, unit="req", disable=not enabled, dynamic_ncols=True, file=file)

    def on_batch(self, results: list[Any]) -> None:
        self.bar.update(len(results))


def sweep_bar(runs: int, done_before: int, enabled: bool) -> tqdm:
    """The overall bar of a sweep, one step per run (each run's own bar opens below it)."""
    return tqdm(total=runs, initial=done_before, desc="sweep", unit="run", disable=not enabled, dynamic_ncols=True)
