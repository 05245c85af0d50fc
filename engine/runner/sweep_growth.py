"""A sweep's running runs grow into the cluster's free GPUs (docs/cluster.md, "Runs grow into freed GPUs").

With `max_concurrent_runs` > 1 on Ray, a thread of the sweep looks every POLL_S at the GPUs Ray has free and
at each running run's trajectories left, and asks runs for replicas (engine.execution.growth.plan_growth decides which run
and engine). It asks only when the sweep is still: every run in flight has its replicas placed, none is about
to start (a queued run that could start takes the GPUs first), and SETTLE_S have passed since the last run
started, ended or grew (Ray's free resources lag its placement groups). Each growth is recorded in sweep.json
(`runs.<name>.grown`); the replica itself in the run's run.json (`grown_unix_s`, engine.execution.executor).
`grow: false` in the sweep file turns it off; `grow_cap` caps the replicas a run may add (default GROW_CAP).
A run that has given an engine back (engine.execution.executor.Executor.release) grows no more.
An error while growing (Ray unreachable) stops growth only, recorded in sweep.json (`growth_stopped`).
"""
from __future__ import annotations

import threading
import time
from typing import Any, Callable

from engine.execution.growth import RunLoad, plan_growth
from engine.runner import provenance

GROW_CAP = 8
POLL_S = 1.0
SETTLE_S = 3.0

Detach = Callable[[], None]


class Grower:
    """Attached runs (their executor and trajectories left) and the thread that grows them. `book` is the
    sweep's SweepBook (its lock, in-flight count and state); `write` saves sweep.json (under the book's lock)."""

    def __init__(self, book: Any, concurrent: int, cap: int, write: Callable[[], None],
                 free_gpus: Callable[[], float] | None = None) -> None:
        self.book, self.concurrent, self.cap, self.write = book, concurrent, cap, write
        self.free_gpus = free_gpus or _ray_free_gpus
        self.attached: dict[str, tuple[Any, Callable[[], int], dict[str, float]]] = {}
        self.changed_at = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="sweep-grower", daemon=True)

    def __enter__(self) -> Grower:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def hook(self, run_name: str, work_per_task: dict[str, float]) -> Callable[[Any, Callable[[], int]], Detach]:
        """What a run calls once its replicas are placed (engine.runner.run.RunConfig.on_executor); its engines'
        work per task is what `auto` sizes by (engine.execution.replicas.engine_work)."""
        def attach(executor: Any, left: Callable[[], int]) -> Detach:
            with self.book.lock:
                self.attached[run_name] = (executor, left, work_per_task)
                self.changed_at = time.monotonic()

            def detach() -> None:
                with self.book.lock:
                    self.attached.pop(run_name, None)
                    self.changed_at = time.monotonic()
            return detach
        return attach

    def _loop(self) -> None:
        while not self._stop.wait(POLL_S):
            try:
                self.step()
            except Exception as exc:  # noqa: BLE001 - growth is an optimisation: the runs go on at their size
                with self.book.lock:
                    self.book.state["growth_stopped"] = f"{type(exc).__name__}: {exc}"[:500]
                    self.write()
                return

    def step(self) -> None:
        with self.book.lock:
            if not self._still():
                return
            runs = {name: executor for name, (executor, _, _) in self.attached.items()}
            free = self.free_gpus() - sum(executor.growing_gpus() for executor in runs.values())
            plan = plan_growth(free, [self._load(name) for name in runs])
            for growth in plan:
                runs[growth.run].grow(growth.engine)
                self.book.state["runs"][growth.run].setdefault("grown", []).append(
                    {"engine": growth.engine, "at": provenance.now(), "unix_s": round(time.time(), 3)})
            if plan:
                self.changed_at = time.monotonic()
                self.write()

    def _still(self) -> bool:
        queued = self.book.left - self.book.in_flight
        return (self.book.in_flight == len(self.attached) and (queued == 0 or self.book.in_flight >= self.concurrent)
                and time.monotonic() - self.changed_at >= SETTLE_S)

    def _load(self, name: str) -> RunLoad:
        executor, left, work = self.attached[name]
        gpus_each = {key: executor.resources[(key, 0)].num_gpus for key in executor.pools.specs}
        released = dict(executor.released_unix_s)
        keys = [key for key, gpus in gpus_each.items() if gpus > 0 and key not in released]  # GPU engines in use
        # A run that has given an engine back is in its tail: it grows no more (its GPUs go the other way).
        can_grow = 0 if released else self.cap - len(executor.grown_unix_s) - len(executor.growth_asked)
        return RunLoad(name, left(), sum(executor.resources[r].num_gpus for r in list(executor.replicas)
                                         if r[0] not in released),
                       {key: work.get(key, 0.0) for key in keys},
                       {key: len(executor.pools.specs[key]) for key in keys}, {key: gpus_each[key] for key in keys},
                       can_grow)


def _ray_free_gpus() -> float:
    import ray

    return ray.available_resources().get("GPU", 0.0)
