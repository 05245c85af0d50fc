"""What a run's executor is told from outside it: the run's name (for messages), a flag that stops it from
another thread, and how long it may wait for room in the cluster.

A run in the main thread stops on Ctrl-C because the signal's handler raises there. A sweep's concurrent runs
work in threads of their own, which no signal reaches: the sweep's main thread sets their shared StopFlag,
and every wait of their executors (which wake at least every WAKE_S) raises the interrupt it names, so each
run saves and ends exactly as a lone run's Ctrl-C does.
"""
from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Callable

WAKE_S = 0.5  # a waiting thread wakes this often: the kernel may deliver a signal to any thread, and its
#               Python handler (Ctrl-C, SIGTERM) runs only once the main thread wakes (issue 21, item 4); a
#               run in a sweep's thread looks at its StopFlag as often
ROOM_TIMEOUT_S = 3600.0  # a run waits this long for room in the cluster (a sweep's: after its other runs end)


def wake_steps(timeout: float | None) -> Iterator[float]:
    """The timeouts of the short waits that together wait `timeout` seconds (None: without end)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        left = WAKE_S if deadline is None else deadline - time.monotonic()
        yield max(0.0, min(WAKE_S, left))
        if deadline is not None and time.monotonic() >= deadline:
            return


class StopFlag:
    """Set once, from any thread; `check` then raises, in every thread that checks, a fresh interrupt made by
    the function `set` was given (KeyboardInterrupt for Ctrl-C; the runner's RunTerminated for SIGTERM)."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._make: Callable[[], BaseException] = KeyboardInterrupt

    def set(self, make: Callable[[], BaseException] = KeyboardInterrupt) -> None:
        self._make = make
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise self._make()


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass
class RunControl:
    label: str = "this run"  # the run's name, in messages
    stop: StopFlag = field(default_factory=StopFlag)
    room_timeout_s: float = ROOM_TIMEOUT_S
    others_running: Callable[[], bool] = lambda: False  # a sweep: whether runs that will free room are in flight
    waiting: Callable[[bool], None] = lambda _: None  # told when the run starts (True) and stops waiting for room
    say: Callable[[str], None] = _to_stderr  # progress lines while the run waits for room
