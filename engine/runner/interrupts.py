"""How signals end a run (issue 21, item 4): Ctrl-C, SIGTERM and SIGHUP all end it the same way, at once.

While a run works, SIGTERM and SIGHUP raise RunTerminated (a KeyboardInterrupt, so the command prints one
line as for Ctrl-C and exits 128 + the signal); Ray's driver installs its own SIGTERM handler when it starts,
so the run takes the signal back once the executor is up. On the first interrupt the requests still in flight
to HTTP endpoints are cancelled (a hanging endpoint would otherwise hold the run for its timeouts and
retries), and a second signal while the run saves what it has ends the process at once, in one line.
"""
from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

_ENDING = (signal.SIGTERM, signal.SIGHUP)


class RunTerminated(KeyboardInterrupt):
    """A signal asked the process to end (SIGTERM, SIGHUP): raised so that the run records how it ended."""

    def __init__(self, signum: int) -> None:
        self.signal_name = signal.Signals(signum).name
        self.exit_code = 128 + signum
        super().__init__(f"terminated by {self.signal_name}")


_received: list[int] = []  # the ending signals this run got (Ray's blocking calls turn the raise into a bare Ctrl-C)
# Whether the command owns the process (run as `umi-eval` or `python run_eval.py`, not called from Python), and
# whether it has said its last line: once a signal has come, the process ends with the command, and a second
# signal must neither meet the default handlers (a traceback from wherever the exit is) nor add a line.
_process: dict[str, bool] = {"owned": False, "signalled": False, "said": False}


def own_the_process() -> None:
    """The command ends the process: after a signal, the handlers that end it stay to the exit."""
    _process["owned"] = True


def last_line_said() -> None:
    """The command has printed how it ended: a signal from now on ends the process without a word."""
    _process["said"] = True


def _end(signum: int, _frame: Any) -> None:
    """The first signal: from now on another one ends the process at once (signals sent back to back must not
    interrupt the cleanup half-way, where a lock left held would hang the exit); this one ends the run."""
    _exit_on_the_next()
    _process["signalled"] = True
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    _received.append(signum)
    raise RunTerminated(signum)


def as_received(exc: BaseException) -> BaseException:
    """The interrupt that ended the run: RunTerminated when an ending signal came, even where Ray's blocking call
    (ray.get, ray.wait) re-raised it as a plain KeyboardInterrupt; `exc` otherwise."""
    if isinstance(exc, KeyboardInterrupt) and not isinstance(exc, RunTerminated) and _received:
        return RunTerminated(_received[-1])
    return exc


def again(exc: KeyboardInterrupt) -> Callable[[], KeyboardInterrupt]:
    """What makes a fresh interrupt like `exc` (one per run it is raised in: a sweep's concurrent runs)."""
    if isinstance(exc, RunTerminated):
        return lambda: RunTerminated(exc.exit_code - 128)
    return KeyboardInterrupt


@contextlib.contextmanager
def signals_end_the_run() -> Iterator[Callable[[], None]]:
    """SIGTERM and SIGHUP raise RunTerminated in the block, SIGINT KeyboardInterrupt, and either makes a second
    signal end the process at once; yields `reclaim`, which installs the handler again (after Ray's driver
    replaced it). The previous handlers come back after. Only the main thread can."""
    from engine.backends import openai_http  # here: the command imports this module as it starts (own_the_process)

    openai_http.allow_requests()
    _received.clear()
    if threading.current_thread() is not threading.main_thread():
        yield lambda: None
        return
    previous = {sig: signal.getsignal(sig) for sig in (*_ENDING, signal.SIGINT)}

    def reclaim() -> None:
        for sig in (*_ENDING, signal.SIGINT):
            signal.signal(sig, _end)

    reclaim()
    try:
        yield reclaim
    finally:
        if _process["owned"] and _process["signalled"]:
            _exit_on_the_next()  # to the process's exit (module comment above)
        else:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def stopping() -> None:
    """The run was interrupted: in-flight HTTP requests end now, and another signal ends the process at once
    rather than a traceback in the middle of saving."""
    from engine.backends import openai_http

    openai_http.cancel_in_flight()
    _exit_on_the_next()


def _exit_on_the_next() -> None:
    if threading.current_thread() is threading.main_thread():
        for sig in (*_ENDING, signal.SIGINT):
            signal.signal(sig, _exit_now)


def _exit_now(signum: int, _frame: Any) -> None:
    if not _process["said"]:
        sys.stderr.write(f"umi-eval: {signal.Signals(signum).name} again while saving; stopping now "
                         "(rerun the same command to resume)\n")
        sys.stderr.flush()
    os._exit(128 + signum)
