"""Where role models run: in this process (`local`) or one Ray actor per distinct model (`ray`).

Every executor is asynchronous: `submit` hands one batch to one actor and returns at once; `wait_any`
returns the batches that have finished, each with its timing (when the actor started it, how long the
backend was busy). The pipelined scheduler refills an actor as soon as it is free; `gather` and `generate`
wait for every batch (the lockstep scheduler and static evaluation). The local executor gives each actor
one thread, so actors overlap wherever the backend releases the GIL (torch kernels, modelled sleeps).
The continuous schedule streams instead: `submit_request` hands one request to the actor's request stream
(engine.backends.streaming) and `wait_requests` returns whichever requests finished; on Ray the actor is then an
async actor (StreamingRoleWorker) with one call per request in flight.

Faults: a backend that raises gets one fresh attempt at the same batch, then its requests fail with error
results (their trajectories fail, the run goes on). A Ray actor whose process dies is replaced, after a
backoff, within a restart budget, and the batch it was running is retried on the new actor; dying on it
again fails that batch only (streamed: every request in flight on it is retried on the replacement, and
fails only if it dies again). A spent budget stops the run (RayExecutor).
A Ray that cannot be reached or started stops the run within RAY_INIT_TIMEOUT_S (a local start: LOCAL_RAY_START_TIMEOUT_S), naming the
address and Ray's logs (init_ray).
"""
from __future__ import annotations

import dataclasses
import os
import queue
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
from engine.execution.placement import actor_resources
from engine.backends.streaming import RequestStream, StreamedResult, failed_results, generate_with_retry, open_stream
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


@dataclass(eq=False)  # a handle, like Batch
class Ticket:
    """One request streamed to an actor (the continuous schedule)."""
    actor_key: str
    request: RoleRequest
    future: Any
    actor: Any = None  # Ray: the actor handle it went to (a restart replaces it)


@dataclass
class FinishedRequest:
    ticket: Ticket
    streamed: StreamedResult


class RoleWorker:
    """Hosts one backend and times it; the same class runs in-process or as a Ray actor."""

    def __init__(self, spec: ModelSpec, backend: Backend | None = None) -> None:
        self.spec = spec
        self.backend = backend or make_backend(spec)
        self._stream: RequestStream | None = None

    def generate(self, requests: list[RoleRequest]) -> tuple[list[RoleResult], BatchTiming]:
        started_at, start = time.time(), time.perf_counter()
        results, attempts = generate_with_retry(self.backend.generate, requests)
        return results, BatchTiming(started_at, time.perf_counter() - start, attempts)

    @property
    def stream(self) -> RequestStream:
        """The backend's request stream, opened on first use (the batch path never opens one)."""
        if self._stream is None:
            self._stream = open_stream(self.backend, self.spec)
        return self._stream

    def stream_busy_seconds(self) -> float:
        return self._stream.busy_seconds() if self._stream is not None else 0.0

    def close_stream(self) -> None:
        if self._stream is not None:
            self._stream.close()

    def info(self) -> dict[str, Any]:
        return self.backend.info()


class StreamingRoleWorker(RoleWorker):
    """The Ray actor of the continuous schedule: an async actor (many calls in flight, one per request),
    each awaiting its request's future on the backend's stream."""

    async def generate_one(self, request: RoleRequest) -> StreamedResult:
        import asyncio

        return await asyncio.wrap_future(self.stream.submit(request))


class Executor(ABC):
    """Actors by key. `wait_any`, `gather`, `generate` and the busy-time books are built on `submit` and `_wait`."""

    def __init__(self, keys: list[str]) -> None:
        self.busy = dict.fromkeys(keys, 0.0)
        self.on_finished: list[Callable[[list[RoleResult]], None]] = []  # told of the results of every finished batch or request (progress)

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
            self._tell(done.results)
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

    # The streaming side (the continuous schedule): one request at a time, each returned as it finishes.

    def submit_request(self, actor_key: str, request: RoleRequest) -> Ticket:
        """Hands one request to the actor's stream; returns at once."""
        raise NotImplementedError(f"{type(self).__name__} does not stream requests")

    def wait_requests(self, tickets: list[Ticket], timeout: float | None = None) -> list[FinishedRequest]:
        """Blocks until at least one request is done (or `timeout`); returns every finished one."""
        finished = self._wait_requests(tickets, timeout)
        if finished:
            self._tell([done.streamed.result for done in finished])
        return finished

    def _wait_requests(self, tickets: list[Ticket], timeout: float | None) -> list[FinishedRequest]:
        raise NotImplementedError(f"{type(self).__name__} does not stream requests")

    def _tell(self, results: list[RoleResult]) -> None:
        for listener in self.on_finished:
            listener(results)

    def stream_busy_seconds(self) -> dict[str, float]:
        """Per actor: the seconds its engine had at least one streamed request running."""
        return dict.fromkeys(self.busy, 0.0)


class LocalExecutor(Executor):
    """Every actor in this process, each with its own thread (one batch at a time, like a Ray actor)."""

    def __init__(self, models: dict[str, ModelSpec], backends: dict[str, Backend] | None = None) -> None:
        super().__init__(list(models))
        backends = backends or {}
        self.workers = {key: RoleWorker(spec, backends.get(key)) for key, spec in models.items()}
        self.threads = {key: ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"actor-{key}") for key in models}
        self._finished: queue.SimpleQueue[Ticket] = queue.SimpleQueue()  # streamed requests, as they end
        self._set_aside: list[Ticket] = []  # finished, but not among the tickets the last wait asked for

    def submit(self, actor_key: str, requests: list[RoleRequest]) -> Batch:
        return Batch(actor_key, requests, self.threads[actor_key].submit(self.workers[actor_key].generate, requests))

    def _wait(self, batches: list[Batch], timeout: float | None) -> list[FinishedBatch]:
        done, _ = wait_futures([batch.future for batch in batches], timeout, FIRST_COMPLETED)
        return [FinishedBatch(batch, *batch.future.result()) for batch in batches if batch.future in done]

    def submit_request(self, actor_key: str, request: RoleRequest) -> Ticket:
        ticket = Ticket(actor_key, request, self.workers[actor_key].stream.submit(request))
        ticket.future.add_done_callback(lambda _: self._finished.put(ticket))
        return ticket

    def _wait_requests(self, tickets: list[Ticket], timeout: float | None) -> list[FinishedRequest]:
        """Finished requests arrive on a queue as they end (waiting on every future in flight, thousands of
        them, at every wake-up would cost the driver more than the requests)."""
        wanted = set(tickets)
        ready = [ticket for ticket in self._set_aside if ticket in wanted]
        self._set_aside = [ticket for ticket in self._set_aside if ticket not in wanted]
        try:
            if not ready:
                ready.append(self._finished.get(timeout=timeout))
            while True:
                ready.append(self._finished.get_nowait())
        except queue.Empty:
            pass
        self._set_aside += [ticket for ticket in ready if ticket not in wanted]
        return [FinishedRequest(ticket, ticket.future.result()) for ticket in ready if ticket in wanted]

    def stream_busy_seconds(self) -> dict[str, float]:
        return {key: worker.stream_busy_seconds() for key, worker in self.workers.items()}

    def info(self) -> dict[str, Any]:
        return {key: worker.info() for key, worker in self.workers.items()}

    def shutdown(self) -> None:
        for pool in self.threads.values():
            pool.shutdown()
        for worker in self.workers.values():
            worker.close_stream()
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
        _init_retrying_registration(ray, address)
        with lock:
            state["done"] = True
    except KeyboardInterrupt:
        if not state["fired"]:
            raise  # the user's Ctrl-C
        raise RayUnavailable(f"{where} did not start or answer within {timeout_s:g} s. Ray's logs are in "
                             f"{ray_logs_dir()}") from None
    except Exception as exc:  # ConnectionError, RuntimeError, a timeout: whatever Ray raises, one sentence
        cause = f"{type(exc).__name__}: {_first_line(exc)}"
        if worker_failed_to_register(exc):
            cause = f"its worker failed to register with the raylet twice ({_first_line(exc)})"
        raise RayUnavailable(f"{where} could not be started or joined: {cause}. Ray's logs are in {ray_logs_dir()}") from exc
    finally:
        watchdog.cancel()


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
    MAX_REQUESTS_IN_FLIGHT = 10_000  # a streaming actor's concurrent calls (asyncio tasks: cheap); the window is far lower

    def __init__(self, models: dict[str, ModelSpec], address: str | None = None,
                 backends: dict[str, Backend] | None = None, placement: str = "shared",
                 restart_budget: int = RESTART_BUDGET, restart_backoff_s: float = RESTART_BACKOFF_S,
                 streaming: bool = False) -> None:
        import ray

        super().__init__(list(models))
        os.environ.setdefault("RAY_AUTH_MODE", "disabled")  # Ray 2.60 token auth is pointless on a local run
        # A Ray this run starts runs its workers at normal priority: Ray's default (worker_niceness 15) starves the
        # role engines on a shared machine. A cluster keeps what its raylets were started with.
        os.environ.setdefault("RAY_worker_niceness", "0")
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
        self.streaming = streaming  # async actors that take one request per call (StreamingRoleWorker)
        self._tries: dict[Batch | Ticket, int] = {}  # batches and requests resubmitted after their actor died
        self.actors: dict[str, Any] = {}
        try:
            self._start_actors(list(models))
        except BaseException:
            self.shutdown()
            raise

    def _start_actors(self, keys: list[str]) -> None:
        """Starts the actors of `keys` together and waits until each runs. One whose worker failed to register
        with its raylet (a transient Ray fault) is started once more; a second failure stops the run in one
        sentence. Any other start error (a model that does not load) is raised as it is."""
        for key in keys:
            self.actors[key] = self._start_actor(key)
        unregistered = self._unregistered(keys)
        for key in unregistered:
            self.ray.kill(self.actors[key], no_restart=True)
            self.actors[key] = self._start_actor(key)
        again = self._unregistered(list(unregistered))
        if again:
            key, exc = next(iter(again.items()))
            raise RayUnavailable(f"role actor {key} could not start: its Ray worker failed to register with the raylet "
                                 f"twice ({_first_line(exc)}). Ray's logs are in {ray_logs_dir()}")

    def _unregistered(self, keys: list[str]) -> dict[str, BaseException]:
        """The actors of `keys` whose worker failed to register, with the error; waits until the others run."""
        failed = {}
        for key in keys:
            try:
                self.ray.get(self.actors[key].__ray_ready__.remote())
            except self.ray.exceptions.RayActorError as exc:
                if not worker_failed_to_register(exc):
                    raise
                failed[key] = exc
        return failed

    def _start_actor(self, key: str) -> Any:
        """The role actor of model `key` with its CPUs and GPUs; an engine over several GPUs reserves them as one
        placement group bundle, so vLLM's workers land on GPUs of one node that no other actor holds."""
        resources = self.resources[key]
        spec = dataclasses.replace(self.models[key], num_cpus=resources.num_cpus, num_gpus=resources.num_gpus,
                                   gpu_memory_utilization=resources.gpu_memory_utilization)
        options: dict[str, Any] = {"num_cpus": resources.num_cpus, "num_gpus": resources.num_gpus}
        if resources.tensor_parallel_size > 1:
            from ray.util.placement_group import placement_group
            from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

            group = placement_group([{"CPU": resources.num_cpus, "GPU": resources.num_gpus}], strategy="STRICT_PACK")
            self.ray.get(group.ready())
            options["scheduling_strategy"] = PlacementGroupSchedulingStrategy(group, placement_group_capture_child_tasks=True)
        if self.streaming:
            options["max_concurrency"] = self.MAX_REQUESTS_IN_FLIGHT
        worker_class = StreamingRoleWorker if self.streaming else RoleWorker
        remote_worker = self.ray.remote(max_restarts=0, max_task_retries=0)(worker_class)  # restarts: _restart
        return remote_worker.options(**options).remote(spec, self.backends.get(key))

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

    def submit_request(self, actor_key: str, request: RoleRequest) -> Ticket:
        if not self.streaming:
            raise TypeError("this RayExecutor runs batch actors: build it with streaming=True to stream requests")
        actor = self.actors[actor_key]
        return Ticket(actor_key, request, actor.generate_one.remote(request), actor)

    def _wait_requests(self, tickets: list[Ticket], timeout: float | None) -> list[FinishedRequest]:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            refs = [ticket.future for ticket in tickets]
            ready, rest = self.ray.wait(refs, num_returns=1, timeout=left)
            if ready and rest:
                ready += self.ray.wait(rest, num_returns=len(rest), timeout=0)[0]
            ready_set = set(ready)
            done = [(ticket, self._streamed(ticket)) for ticket in tickets if ticket.future in ready_set]
            finished = [FinishedRequest(ticket, streamed) for ticket, streamed in done if streamed is not None]
            if finished or not ready or (deadline is not None and time.monotonic() >= deadline):
                return finished  # else every ready request was resubmitted to a new actor: wait on

    def _streamed(self, ticket: Ticket) -> StreamedResult | None:
        """The request's result; None when its actor died and it was resubmitted to the replacement. One
        death fails every request in flight on that actor: the first restarts it, the others just resubmit."""
        try:
            return self.ray.get(ticket.future)
        except self.ray.exceptions.RayActorError as exc:
            if ticket.actor is self.actors[ticket.actor_key]:
                self._restart(ticket.actor_key, exc)
            tries = self._tries.pop(ticket, 1)
            if tries < self.TRIES_PER_BATCH:
                ticket.actor = self.actors[ticket.actor_key]
                ticket.future = ticket.actor.generate_one.remote(ticket.request)
                self._tries[ticket] = tries + 1
                return None
            error = f"actor failed: it died on this request {tries} times: {_first_line(exc)}"
        except self.ray.exceptions.RayError as exc:
            self._tries.pop(ticket, None)
            error = f"actor failed: {_first_line(exc)}"
        return StreamedResult(failed_results([ticket.request], error)[0], time.time(), 0)

    def stream_busy_seconds(self) -> dict[str, float]:
        if not self.streaming:
            return super().stream_busy_seconds()
        return {key: self.ray.get(actor.stream_busy_seconds.remote()) for key, actor in self.actors.items()}

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
        self.actors[key] = self._start_actor(key)
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
                  placement: str = "shared", streaming: bool = False) -> Executor:
    """`streaming`: the actors take single requests (the continuous schedule); a local executor does both."""
    if kind == "local":
        return LocalExecutor(models)
    if kind == "ray":
        return RayExecutor(models, ray_address, placement=placement, streaming=streaming)
    raise ValueError(f"unknown executor {kind!r}; valid: local, ray")
