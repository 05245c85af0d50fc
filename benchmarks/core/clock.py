"""Time as code that measures or waits reads it. Such code takes a Clock (default: the real one) instead of
calling `time` itself, so a test passes a fake clock and asserts exact durations, with no wall-clock bound
that a loaded machine can break."""
from __future__ import annotations

import time


class Clock:
    """The real clock: a monotonic counter for durations, the epoch for timestamps, and a sleep."""

    def perf_counter(self) -> float:
        return time.perf_counter()

    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


REAL_CLOCK = Clock()
