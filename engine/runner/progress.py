"""Progress a person can follow: a bar that moves with model calls, not only with finished trajectories.

On a CPU one batch of model calls can take minutes, and a bar that counts finished trajectories then reads
`0/12 [00:00<?]` for most of a run, which looks exactly like a hang. This bar counts model calls (every
finished batch of a role actor), shows finished trajectories and generated tokens per second beside them,
redraws its elapsed clock every second, and takes its ETA from calls: the total is an estimate, the
remaining tasks times the calls a task takes (the agent's bound until a task has finished, then the mean
of the finished ones).
"""
from __future__ import annotations

import threading
import time
from typing import Any

from tqdm import tqdm

REFRESH_S = 1.0


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


class CallProgress:
    """The bar of one run: `on_batch` for every finished batch of model calls, `on_trajectory` for every
    finished trajectory. Use as a context manager."""

    def __init__(self, desc: str, tasks: int, tasks_done: int, calls_bound: int, enabled: bool = True,
                 file: Any = None) -> None:
        self.tasks, self.todo, self.calls_bound = tasks, tasks - tasks_done, calls_bound
        self.by_trajectory = calls_bound == 0  # an agent without models (the oracle): the bar counts trajectories
        self.tasks_done, self.finished_now, self.calls_of_finished = tasks_done, 0, 0
        self.tokens, self.start = 0, time.perf_counter()
        total, unit = (self.todo, "traj") if self.by_trajectory else (self._estimated_calls(0), "call")
        self.bar = tqdm(total=total, desc=desc, unit=unit, disable=not enabled, dynamic_ncols=True, file=file)
        self.ticker = Ticker(self.bar)
        self._postfix()

    def __enter__(self) -> CallProgress:
        self.ticker.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.ticker.stop()
        self.bar.close()

    def calls_per_task(self) -> float:
        """The mean calls of the tasks finished in this session, or the agent's bound before any finished."""
        return self.calls_of_finished / self.finished_now if self.finished_now else self.calls_bound

    def _estimated_calls(self, calls_done: int) -> int:
        """What finished tasks took plus the expected calls of the others; each unfinished task needs at least
        one more call (so the bar never reads 100% while a trajectory is still running)."""
        unfinished = self.todo - self.finished_now
        expected = self.calls_of_finished + unfinished * self.calls_per_task()
        return max(round(expected), calls_done + unfinished)

    def on_batch(self, results: list[Any]) -> None:
        """A finished batch of model calls (RoleResults: their completion tokens are counted)."""
        self.tokens += sum(result.completion_tokens for result in results)
        self.bar.update(len(results))
        self._retotal()

    def on_trajectory(self, calls: int) -> None:
        """A finished trajectory that took `calls` model calls."""
        self.tasks_done += 1
        self.finished_now += 1
        self.calls_of_finished += calls
        if self.by_trajectory:
            self.bar.update(1)
        self._retotal()

    def _retotal(self) -> None:
        if not self.by_trajectory:
            self.bar.total = self._estimated_calls(self.bar.n)
        self._postfix()

    def _postfix(self) -> None:
        elapsed = max(1e-9, time.perf_counter() - self.start)
        self.bar.set_postfix_str(f"traj {self.tasks_done}/{self.tasks}, {self.tokens / elapsed:.1f} tok/s", refresh=True)


def sweep_bar(runs: int, done_before: int, enabled: bool) -> tqdm:
    """The overall bar of a sweep, one step per run (each run's own bar opens below it)."""
    return tqdm(total=runs, initial=done_before, desc="sweep", unit="run", disable=not enabled, dynamic_ncols=True)
