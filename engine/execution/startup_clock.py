"""How long a run took to start: Ray, the role actors and their engines (until every actor has answered),
and until its first role request went to an engine (metrics.json `speed.startup_s`, `speed.first_request_s`).
"""
from __future__ import annotations

import time
from typing import Any, Callable


class StartupClock:
    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.startup_s: float | None = None
        self.first_request_s: float | None = None

    def engines_ready(self) -> None:
        self.startup_s = time.perf_counter() - self.start

    def watch_first_request(self, executor: Any) -> None:
        """Times the executor's first `submit` of a batch or `submit_request` of one request (this executor
        object only; the class is untouched)."""
        for name in ("submit", "submit_request"):
            setattr(executor, name, self._timed(getattr(executor, name)))

    def _timed(self, submit: Callable[..., Any]) -> Callable[..., Any]:
        def timed_submit(*args: Any, **kwargs: Any) -> Any:
            if self.first_request_s is None:
                self.first_request_s = time.perf_counter() - self.start
            return submit(*args, **kwargs)

        return timed_submit

    def figures(self) -> dict[str, float | None]:
        return {"startup_s": _rounded(self.startup_s), "first_request_s": _rounded(self.first_request_s)}


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 3)
