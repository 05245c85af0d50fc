"""Starting or joining Ray: one sentence naming the address and Ray's logs when it cannot be done.

A Ray that cannot be reached or started stops the run within RAY_INIT_TIMEOUT_S (a local start:
LOCAL_RAY_START_TIMEOUT_S), before any work (init_ray).
"""
from __future__ import annotations

import _thread
import os
import signal
import socket
import tempfile
import threading
from typing import Any


class RayUnavailable(RuntimeError):
    """Ray could not be reached or started: the run stops before any work, resumable."""


RAY_CONNECT_TIMEOUT_S = 10.0  # ray.init retries an unreachable address for minutes, silently
RAY_INIT_TIMEOUT_S = 30.0  # then ray.init is interrupted (Ray's own waits return to Python every 30-40 s)
LOCAL_RAY_START_TIMEOUT_S = 90.0  # a local start does real work: 2-12 s here, longer on a loaded machine


def ray_environment() -> None:
    """What a Ray this process starts or joins should run with, unless the environment says otherwise."""
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")  # Ray 2.60 token auth is pointless on a local run
    # A Ray this run starts runs its workers at normal priority: Ray's default (worker_niceness 15) starves the
    # role engines on a shared machine. A cluster keeps what its raylets were started with.
    os.environ.setdefault("RAY_worker_niceness", "0")


def ray_logs_dir() -> str:
    """Where Ray writes its logs on the node that runs it (Ray's default temp folder)."""
    return os.path.join(os.environ.get("RAY_TMPDIR") or tempfile.gettempdir(), "ray", "session_latest", "logs")


def check_ray_reachable(address: str, timeout_s: float = RAY_CONNECT_TIMEOUT_S) -> None:
    """Raises RayUnavailable unless something listens at a `host:port` address (`auto` and `ray://` are Ray's to
    resolve): ray.init has no timeout, and against a closed port it retries for 10 minutes without a word."""
    host, _, port = address.rpartition(":")
    if "://" in address or not host or not port.isdigit():
        return
    try:
        socket.create_connection((host, int(port)), timeout=timeout_s).close()
    except OSError as exc:
        raise RayUnavailable(f"cannot reach Ray at {address}: {exc}. Is the cluster up (`ray status` on its head "
                             f"node)? Ray's logs are in {ray_logs_dir()} on the head node") from None


def init_ray(ray: Any, address: str | None, timeout_s: float | None = None) -> None:
    """ray.init, failing in one sentence that names the address and Ray's logs. ray.init has no timeout and
    must run on the main thread (the Ray processes it starts die with the thread that started them), so a
    watchdog interrupts it (as Ctrl-C would) once `timeout_s` has passed."""
    if address:
        check_ray_reachable(address)
    if timeout_s is None:
        timeout_s = RAY_INIT_TIMEOUT_S if address else LOCAL_RAY_START_TIMEOUT_S
    where = f"Ray at {address}" if address else "a local Ray"
    lock, state = threading.Lock(), {"done": False, "fired": False}

    def interrupt() -> None:
        with lock:
            if not state["done"]:
                state["fired"] = True
                _thread.interrupt_main()

    watchdog = threading.Timer(timeout_s, interrupt)
    watchdog.daemon = True
    on_main = threading.current_thread() is threading.main_thread()
    # The watchdog's interrupt runs whatever SIGINT handler is installed (one a library left behind may not
    # raise): Python's own raises KeyboardInterrupt while ray.init runs.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler) if on_main else None
    watchdog.start()
    try:
        _init_retrying_registration(ray, address)
        with lock:
            state["done"] = True
    except KeyboardInterrupt:
        if not state["fired"]:
            raise  # the user's Ctrl-C
        raise RayUnavailable(f"{where} did not start or answer within {timeout_s:g} s. Ray's logs are in "
                             f"{ray_logs_dir()}") from None
    except Exception as exc:  # ConnectionError, RuntimeError, a timeout: whatever Ray raises, one sentence
        cause = f"{type(exc).__name__}: {first_line(exc)}"
        if worker_failed_to_register(exc):
            cause = f"its worker failed to register with the raylet twice ({first_line(exc)})"
        raise RayUnavailable(f"{where} could not be started or joined: {cause}. Ray's logs are in {ray_logs_dir()}") from exc
    finally:
        watchdog.cancel()
        if on_main and signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # Ray did not take it over
            signal.signal(signal.SIGINT, previous)


def worker_failed_to_register(exc: BaseException) -> bool:
    """Ray's "Failed to register worker to Raylet": a worker process that could not reach its raylet in time
    (a busy or briefly unreachable node), which a second try usually gets past."""
    text = str(exc).lower()
    return "register worker" in text or "worker failed to register" in text


def _init_retrying_registration(ray: Any, address: str | None) -> None:
    """ray.init, tried once more when its worker failed to register (after clearing what the first try left)."""
    for attempt in (1, 2):
        try:
            ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False)
            return
        except Exception as exc:
            if attempt == 2 or not worker_failed_to_register(exc):
                raise
            ray.shutdown()


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines() or [type(exc).__name__])[0][:300]
