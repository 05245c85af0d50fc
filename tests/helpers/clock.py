"""A fake Clock (benchmarks.core.clock) for tests: time moves only when code sleeps on it or the test
advances it, so durations are exact whatever the machine's load."""
from __future__ import annotations

import threading

from benchmarks.core.clock import Clock


class FakeClock(Clock):
    """Starts at `start`; a sleep returns at once, having moved the time on by its seconds (thread-safe)."""

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._lock = threading.Lock()
        self.slept: list[float] = []

    def perf_counter(self) -> float:
        with self._lock:
            return self._now

    def time(self) -> float:
        return self.perf_counter()

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)
        with self._lock:
            self.slept.append(seconds)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"a clock does not go back ({seconds} s)")
        with self._lock:
            self._now += seconds
