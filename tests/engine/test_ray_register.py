"""A Ray worker that fails to register with its raylet (issue 13, item 17) is tried once more, then reported
in one sentence that names Ray's logs; the double stands in for Ray, whose fault cannot be caused on demand."""
from __future__ import annotations

import sys

import pytest

from engine.execution.ray_executor import RayExecutor
from engine.execution.ray_start import RayUnavailable, init_ray
from engine.types import ModelSpec

REGISTER_ERROR = ("Failed to register worker to Raylet: IOError: [RayletClient] Unable to register worker with "
                  "raylet. Failed to read data from the socket: End of file\nworker_id=01000000ffff")


class FakeActorError(Exception):
    pass


class FakeRay:
    """The part of the ray module RayExecutor uses. The first `failures` actor workers fail as `error` says."""

    class exceptions:
        RayActorError = FakeActorError

    def __init__(self, failures: int, error: str = REGISTER_ERROR) -> None:
        self.failures, self.error = failures, error
        self.starts = self.kills = self.shutdowns = 0

    def is_initialized(self) -> bool:
        return True

    def cluster_resources(self) -> dict:
        return {"CPU": 4.0}

    def nodes(self) -> list[dict]:
        return [{"Alive": True, "Resources": self.cluster_resources()}]

    def remote(self, **options):
        return lambda cls: _RemoteClass(self)

    def get(self, ref):
        if isinstance(ref, Exception):
            raise ref
        return ref

    def kill(self, actor, no_restart: bool = False) -> None:
        self.kills += 1

    def shutdown(self) -> None:
        self.shutdowns += 1

    def remote_actor(self) -> "FakeActor":
        self.starts += 1
        return FakeActor(FakeActorError(self.error) if self.starts <= self.failures else {"ready": True})


class FakeActor:
    def __init__(self, ready) -> None:
        self.__ray_ready__ = type("Method", (), {"remote": staticmethod(lambda: ready)})()


def _executor(monkeypatch, ray: FakeRay) -> RayExecutor:
    monkeypatch.setitem(sys.modules, "ray", ray)
    monkeypatch.setattr(RayExecutor, "_placement_group", lambda self: None)  # no placement groups in the double
    monkeypatch.setattr(RayExecutor, "_in_bundle", lambda self, replica: {})
    return RayExecutor({"scripted:x:bf16": ModelSpec(backend="scripted", model="x")})


class _RemoteClass:
    """What ray.remote(...)(RoleWorker) gives: .options(...).remote(...) starts an actor."""

    def __init__(self, ray: FakeRay) -> None:
        self.ray = ray

    def options(self, **options) -> "_RemoteClass":
        return self

    def remote(self, spec, backend) -> FakeActor:
        return self.ray.remote_actor()


def test_a_worker_that_fails_to_register_once_is_started_again(monkeypatch) -> None:
    ray = FakeRay(failures=1)
    executor = _executor(monkeypatch, ray)
    assert (ray.starts, ray.kills) == (2, 1) and list(executor.actors) == ["scripted:x:bf16"]


def test_a_worker_that_fails_to_register_twice_is_one_sentence_naming_the_logs(monkeypatch) -> None:
    ray = FakeRay(failures=2)
    with pytest.raises(RayUnavailable) as raised:
        _executor(monkeypatch, ray)
    message = str(raised.value)
    assert message.startswith("role actor scripted:x:bf16 could not start: its Ray worker failed to register with "
                              "the raylet twice (Failed to register worker to Raylet: IOError")
    assert "Ray's logs are in " in message and "\n" not in message
    assert ray.starts == 2 and ray.kills == 2  # the failed replacement is cleaned up too


def test_any_other_actor_start_error_is_not_retried(monkeypatch) -> None:
    ray = FakeRay(failures=1, error="The actor died because of an error raised in its creation task: no such model")
    with pytest.raises(FakeActorError, match="no such model"):
        _executor(monkeypatch, ray)
    assert ray.starts == 1


class FailingInit:
    """ray.init whose driver fails to register `failures` times."""

    def __init__(self, failures: int) -> None:
        self.failures, self.inits, self.shutdowns = failures, 0, 0

    def init(self, **kwargs) -> None:
        self.inits += 1
        if self.inits <= self.failures:
            raise RuntimeError(REGISTER_ERROR)

    def shutdown(self) -> None:
        self.shutdowns += 1


def test_a_ray_init_whose_worker_fails_to_register_once_is_tried_again() -> None:
    ray = FailingInit(failures=1)
    init_ray(ray, None, timeout_s=30)
    assert (ray.inits, ray.shutdowns) == (2, 1)


def test_a_ray_init_whose_worker_fails_to_register_twice_is_one_sentence() -> None:
    ray = FailingInit(failures=2)
    with pytest.raises(RayUnavailable, match=r"^a local Ray could not be started or joined: its worker failed to register "
                                             r"with the raylet twice \(Failed to register worker to Raylet: .*\)\. "
                                             r"Ray's logs are in "):
        init_ray(ray, None, timeout_s=30)
    assert ray.inits == 2


def test_a_stop_ends_the_wait_for_a_dead_replicas_replacement_at_once(monkeypatch) -> None:
    """A sweep's Ctrl-C sets the run's stop flag: a run waiting out a replacement's backoff stops within a wake-up."""
    import threading
    import time

    from engine.execution.ray_executor import Replacement

    executor = _executor(monkeypatch, FakeRay(failures=0))
    key = "scripted:x:bf16"
    executor.pools.routers[key].died(0)
    executor.pending[(key, 0)] = Replacement(time.monotonic() + 60, RuntimeError("it died"))  # a long backoff
    raised: list[BaseException] = []

    def wait() -> None:
        try:
            executor._wait_for_a_replacement(key)
        except BaseException as exc:  # noqa: BLE001 - what the waiting thread saw
            raised.append(exc)

    waiter = threading.Thread(target=wait, daemon=True)
    waiter.start()
    executor.control.stop.set()
    waiter.join(timeout=10)
    assert not waiter.is_alive() and len(raised) == 1 and isinstance(raised[0], KeyboardInterrupt)
