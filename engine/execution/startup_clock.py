"""How long a run took to start: Ray, the role actors and their engines (until every actor has answered),
and until its first role request went to an engine (metrics.json `speed.startup_s`, `speed.first_request_s`).
The clock listens to the executor's `on_submit`: nothing of the executor is patched.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from engine.types import RoleRequest


class StartupClock:
    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self.clock = clock  # a test passes its own
        self.start = clock()
        self.startup_s: float | None = None
        self.first_request_s: float | None = None

    def elapsed(self) -> float:
        """Seconds since the run started (its wall time)."""
        return self.clock() - self.start

    def engines_ready(self) -> None:
        self.startup_s = self.elapsed()

    def watch_first_request(self, executor: Any) -> None:
        """Times the executor's first batch or request handed over."""
        executor.on_submit.append(self.submitted)

    def submitted(self, actor_key: str, requests: list[RoleRequest]) -> None:
        if self.first_request_s is None:
            self.first_request_s = self.elapsed()

    def figures(self) -> dict[str, float | None]:
        return {"startup_s": _rounded(self.startup_s), "first_request_s": _rounded(self.first_request_s)}


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 3)
