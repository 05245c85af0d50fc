"""Where role models run: in this process (`local`) or one Ray actor per distinct model (`ray`).

Every executor is asynchronous: `submit` hands one batch to one actor and returns at once; `wait_any`
returns the batches that have finished, each with its timing (when the actor started it, how long the
backend was busy). The pipelined scheduler refills an actor as soon as it is free; `gather` and `generate`
wait for every batch (the lockstep scheduler and static evaluation). The local executor gives each actor
one thread, so actors overlap wherever the backend releases the GIL (torch kernels, modelled sleeps).

Faults: a backend that raises gets one fresh attempt at the same batch, then its requests fail with error
results (their trajectories fail, the run goes on). A Ray actor whose process dies is replaced, after a
backoff, within a restart budget, and the batch it was running is retried on the new actor; dying on it
again fails that batch only. A spent budget stops the run (RayExecutor).
A Ray that cannot be reached or started stops the run within RAY_INIT_TIMEOUT_S (a local start: LOCAL_RAY_START_TIMEOUT_S), naming the
address and Ray's logs (init_ray).
"""
from __future__ import annotations

import dataclasses
import os
import _thread
import socket
import tempfile
import threading
import time
from abc import ABC, abstractmethod
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass
from typing import Any, Callable

from engine.backends.base import Backend, make_backend
from engine.placement import ActorResources, actor_resources
from engine.types import ModelSpec, RoleRequest, RoleResult


@dataclass(frozen=True)
class BatchTiming:
    started_at: float  # time.time() when the actor began the batch: comparable across processes on one host
    busy_s: float  # backend time, every attempt included
    attempts: int = 1


@dataclass(eq=False)  # compared and hashed by identity: a handle
class Batch:
    actor_key: str
    requests: list[RoleRequest]
    future: Any


@dataclass
class FinishedBatch:
    batch: Batch
    results: list[RoleResult]
    timing: BatchTiming


def failed_results(requests: list[RoleRequest], error: str) -> list[RoleResult]:
    return [RoleResult(request.request_id, "", error=error) for request in requests]


class RoleWorker:
    """Hosts one backend and times it; the same class runs in-process or as a Ray actor."""

    MAX_ATTEMPTS = 2  # a transient fault (a CUDA hiccup, an OOM on a long batch) gets one fresh attempt

    def __init__(self, spec: ModelSpec, backend: Backend | None = None) -> None:
        self.backend = backend or make_backend(spec)

    def generate(self, requests: list[RoleRequest]) -> tuple[list[RoleResult], BatchTiming]:
        started_at, start = time.time(), time.perf_counter()
        results, attempts = self._attempt(requests)
        return results, BatchTiming(started_at, time.perf_counter() - start, attempts)

    def _attempt(self, requests: list[RoleRequest]) -> tuple[list[RoleResult], int]:
        error = ""
        for attempt in range(1, self.MAX_ATTEMPTS + 1):
            try:
                return self.backend.generate(requests), attempt
            except Exception as exc:  # a crashing batch fails its requests, not the run
                error = f"{type(exc).__name__}: {exc}"
        return failed_results(requests, error), self.MAX_ATTEMPTS

    def info(self) -> dict[str, Any]:
        return self.backend.info()


class Executor(ABC):
    """Actors by key. `wait_any`, `gather`, `generate` and the busy-time books are built on `submit` and `_wait`."""

    def __init__(self, keys: list[str]) -> None:
        self.busy = dict.fromkeys(keys, 0.0)
        self.on_finished: list[Callable[[FinishedBatch], None]] = []  # told of every finished batch (progress)

    @abstractmethod
    def submit(self, actor_key: str, requests: list[RoleRequest]) -> Batch:
        """Starts `requests` as one batch on the actor (which must have none running); returns at once."""

    @abstractmethod
    def _wait(self, batches: list[Batch], timeout: float | None) -> list[FinishedBatch]: ...

    @abstractmethod
    def info(self) -> dict[str, Any]: ...

    @abstractmethod
    def shutdown(self) -> None: ...

    def wait_any(self, batches: list[Batch], timeout: float | None = None) -> list[FinishedBatch]:
        """Blocks until at least one batch is done (or `timeout`); returns every finished one, in `batches` order."""
        finished = self._wait(batches, timeout)
        for done in finished:
            self.busy[done.batch.actor_key] += done.timing.busy_s
            for listener in self.on_finished:
                listener(done)
        return finished

    def gather(self, batches: list[Batch]) -> list[FinishedBatch]:
        """Waits for all `batches`; results in `batches` order."""
        finished: dict[Batch, FinishedBatch] = {}
        while len(finished) < len(batches):
            finished.update((done.batch, done) for done in self.wait_any([b for b in batches if b not in finished]))
        return [finished[batch] for batch in batches]

    def generate(self, batches: dict[str, list[RoleRequest]]) -> dict[str, list[RoleResult]]:
        """One batch per actor, all actors at once; returns when every actor has answered."""
        submitted = [self.submit(key, requests) for key, requests in batches.items()]
        return {done.batch.actor_key: done.results for done in self.gather(submitted)}

    def busy_seconds(self) -> dict[str, float]:
        return dict(self.busy)


class LocalExecutor(Executor):
    """Every actor in this process, each with its own thread (one batch at a time, like a Ray actor)."""

    def __init__(self, models: dict[str, ModelSpec], backends: dict[str, Backend] | None = None) -> None:
        super().__init__(list(models))
        backends = backends or {}
        self.workers = {key: RoleWorker(spec, backends.get(key)) for key, spec in models.items()}
        self.threads = {key: ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"actor-{key}") for key in models}

    def submit(self, actor_key: str, requests: list[RoleRequest]) -> Batch:
        return Batch(actor_key, requests, self.threads[actor_key].submit(self.workers[actor_key].generate, requests))

    def _wait(self, batches: list[Batch], timeout: float | None) -> list[FinishedBatch]:
        done, _ = wait_futures([batch.future for batch in batches], timeout, FIRST_COMPLETED)
        return [FinishedBatch(batch, *batch.future.result()) for batch in batches if batch.future in done]

    def info(self) -> dict[str, Any]:
        return {key: worker.info() for key, worker in self.workers.items()}

    def shutdown(self) -> None:
        for pool in self.threads.values():
            pool.shutdown()
        self.workers.clear()


class RoleActorLost(RuntimeError):
    """A role actor is gone for good (it kept dying past its restart budget, or no live node can host a
    replacement): the run stops, resumable, rather than fail every trajectory still to come."""


class RayUnavailable(RuntimeError):
    """Ray could not be reached or started: the run stops before any work, resumable."""


RAY_CONNECT_TIMEOUT_S = 10.0  # ray.init retries an unreachable address for minutes, silently
RAY_INIT_TIMEOUT_S = 30.0  # then ray.init is interrupted (Ray's own waits return to Python every 30-40 s)
LOCAL_RAY_START_TIMEOUT_S = 90.0  # a local start does real work: 2-12 s here, longer on a loaded machine


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
    watchdog.start()
    try:
        ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False)
        with lock:
            state["done"] = True
    except KeyboardInterrupt:
        if not state["fired"]:
            raise  # the user's Ctrl-C
        raise RayUnavailable(f"{where} did not start or answer within {timeout_s:g} s. Ray's logs are in "
                             f"{ray_logs_dir()}") from None
    except Exception as exc:  # ConnectionError, RuntimeError, a timeout: whatever Ray raises, one sentence
        raise RayUnavailable(f"{where} could not be started or joined: {type(exc).__name__}: {_first_line(exc)}. Ray's logs are in "
                             f"{ray_logs_dir()}") from exc
    finally:
        watchdog.cancel()


class RayExecutor(Executor):
    """One Ray actor per distinct model; a local Ray starts unless `address` joins a cluster.

    An actor that dies is replaced by this executor (not by Ray), after a backoff that doubles with each
    restart (restart_backoff_s, 2x, 4x, ... capped at MAX_BACKOFF_S), at most `restart_budget` times per
    actor in a run; then RoleActorLost ends the run. The batch in flight when it died is retried
    once on the new actor, and fails only if the actor dies on it again: only that batch can fail.
    `backends` (tests) are pickled into their actors, and again into a restarted one."""

    RESTART_BUDGET = 4
    RESTART_BACKOFF_S = 1.0
    MAX_BACKOFF_S = 30.0
    TRIES_PER_BATCH = 2
    START_TIMEOUT_S = 900.0  # a replacement that has not loaded its model by then never will (no node fits)

    def __init__(self, models: dict[str, ModelSpec], address: str | None = None,
                 backends: dict[str, Backend] | None = None, placement: str = "shared",
                 restart_budget: int = RESTART_BUDGET, restart_backoff_s: float = RESTART_BACKOFF_S) -> None:
        import ray

        super().__init__(list(models))
        os.environ.setdefault("RAY_AUTH_MODE", "disabled")  # Ray 2.60 token auth is pointless on a local run
        self.owns_ray = not ray.is_initialized()
        if self.owns_ray:
            init_ray(ray, address)
        self.ray = ray
        cluster = ray.cluster_resources()
        self.resources = actor_resources(models, placement, cluster.get("CPU", 1.0), cluster.get("GPU", 0.0))
        self.models = models
        self.backends = backends or {}
        self.restart_budget = restart_budget
        self.restart_backoff_s = restart_backoff_s
        self.restarts = dict.fromkeys(models, 0)
        self._tries: dict[Batch, int] = {}  # batches resubmitted after their actor died
        self.actors = {key: self._start_actor(spec, self.resources[key], self.backends.get(key))
                       for key, spec in models.items()}

    def _start_actor(self, spec: ModelSpec, resources: ActorResources, backend: Backend | None) -> Any:
        """A role actor with its CPUs and GPUs; an engine over several GPUs reserves them as one placement
        group bundle, so vLLM's workers land on GPUs of one node that no other actor holds."""
        spec = dataclasses.replace(spec, num_cpus=resources.num_cpus, num_gpus=resources.num_gpus,
                                   gpu_memory_utilization=resources.gpu_memory_utilization)
        options: dict[str, Any] = {"num_cpus": resources.num_cpus, "num_gpus": resources.num_gpus}
        if resources.tensor_parallel_size > 1:
            from ray.util.placement_group import placement_group
            from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

            group = placement_group([{"CPU": resources.num_cpus, "GPU": resources.num_gpus}], strategy="STRICT_PACK")
            self.ray.get(group.ready())
            options["scheduling_strategy"] = PlacementGroupSchedulingStrategy(group, placement_group_capture_child_tasks=True)
        remote_worker = self.ray.remote(max_restarts=0, max_task_retries=0)(RoleWorker)  # restarts: _restart
        return remote_worker.options(**options).remote(spec, backend)

    def submit(self, actor_key: str, requests: list[RoleRequest]) -> Batch:
        return Batch(actor_key, requests, self.actors[actor_key].generate.remote(requests))

    def _wait(self, batches: list[Batch], timeout: float | None) -> list[FinishedBatch]:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            refs = [batch.future for batch in batches]
            ready, rest = self.ray.wait(refs, num_returns=1, timeout=left)
            if ready and rest:  # sweep up whatever else is done too
                ready += self.ray.wait(rest, num_returns=len(rest), timeout=0)[0]
            done = [(batch, self._result(batch)) for batch in batches if batch.future in ready]
            finished = [FinishedBatch(batch, *result) for batch, result in done if result is not None]
            if finished or not ready or (deadline is not None and time.monotonic() >= deadline):
                return finished  # else every ready batch was resubmitted to a new actor: wait on

    def _result(self, batch: Batch) -> tuple[list[RoleResult], BatchTiming] | None:
        """The batch's results; None when its actor died and it was resubmitted to the replacement."""
        try:
            return self.ray.get(batch.future)
        except self.ray.exceptions.RayActorError as exc:  # died, or unreachable: replaced either way
            self._restart(batch.actor_key, exc)
            tries = self._tries.pop(batch, 1)
            if tries < self.TRIES_PER_BATCH:
                batch.future = self.actors[batch.actor_key].generate.remote(batch.requests)
                self._tries[batch] = tries + 1
                return None
            error = f"actor failed: it died on this batch {tries} times: {_first_line(exc)}"
        except self.ray.exceptions.RayError as exc:  # the call failed, the actor lives on
            self._tries.pop(batch, None)
            error = f"actor failed: {_first_line(exc)}"
        return failed_results(batch.requests, error), BatchTiming(time.time(), 0.0, 0)

    def _restart(self, key: str, exc: BaseException) -> None:
        """Replaces a dead actor after a backoff, or raises RoleActorLost when its budget is spent."""
        self.restarts[key] += 1
        if self.restarts[key] > self.restart_budget:
            raise RoleActorLost(
                f"role actor {key} died {self.restarts[key]} times, over its restart budget of "
                f"{self.restart_budget}; the run stops here and resumes with the same command. "
                f"Last death: {_first_line(exc)}") from None
        time.sleep(min(self.MAX_BACKOFF_S, self.restart_backoff_s * 2 ** (self.restarts[key] - 1)))
        self.ray.kill(self.actors[key], no_restart=True)
        self._check_room(key, exc)
        self.actors[key] = self._start_actor(self.models[key], self.resources[key], self.backends.get(key))
        ready, _ = self.ray.wait([self.actors[key].__ray_ready__.remote()], timeout=self.START_TIMEOUT_S)
        if not ready:
            raise RoleActorLost(f"the replacement of role actor {key} did not start within {self.START_TIMEOUT_S:g} s; "
                                f"the run stops here. Last death: {_first_line(exc)}")

    def _check_room(self, key: str, exc: BaseException) -> None:
        """A replacement needs a live node with its CPUs and GPUs: when its node died (a raylet gone, a
        machine lost), Ray would keep it pending for ever."""
        cluster = self.ray.cluster_resources()  # live nodes only
        needs = self.resources[key]
        if cluster.get("CPU", 0.0) < needs.num_cpus or cluster.get("GPU", 0.0) < needs.num_gpus:
            have = f"{cluster.get('CPU', 0.0):g} CPU, {cluster.get('GPU', 0.0):g} GPU"
            raise RoleActorLost(
                f"role actor {key} died and no live Ray node can host it (it needs {needs.num_cpus:g} CPU, "
                f"{needs.num_gpus:g} GPU; the live nodes have {have}): its node died? The run stops here and "
                f"resumes with the same command. Last death: {_first_line(exc)}")

    def info(self) -> dict[str, Any]:
        return {key: {**self.ray.get(actor.info.remote()), "resources": dataclasses.asdict(self.resources[key])}
                for key, actor in self.actors.items()}

    def shutdown(self) -> None:
        for actor in self.actors.values():
            self.ray.kill(actor)
        self.actors.clear()
        if self.owns_ray:
            self.ray.shutdown()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines() or [type(exc).__name__])[0][:300]


def make_executor(kind: str, models: dict[str, ModelSpec], ray_address: str | None = None,
                  placement: str = "shared") -> Executor:
    if kind == "local":
        return LocalExecutor(models)
    if kind == "ray":
        return RayExecutor(models, ray_address, placement=placement)
    raise ValueError(f"unknown executor {kind!r}; valid: local, ray")
