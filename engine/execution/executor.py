"""The executor interface: where role models run, as the schedules see it.

Every executor is asynchronous: `submit` hands one batch for an actor key and returns at once; `wait_any`
returns the batches that have finished, each with its timing. `gather` and `generate` wait for every batch
(the lockstep schedule, static evaluation). The continuous schedule streams instead: `submit_requests` hands
a wake-up's requests over, each on its own, and `wait_requests` returns whichever requests finished.

An actor key is a pool of replicas (engine.execution.pool): the pool's router splits a batch into one part
per replica, and sends a streamed request to one replica; a batch is finished when all its parts are.
Schedules never see replicas. Listeners: `on_submit` is told of every batch or request handed over (the
startup clock times the first), `on_finished` of the results of every finished batch or request (progress).

Implementations: engine.execution.local (in-process threads) and engine.execution.ray_executor (Ray actors),
built by name by engine.execution.kinds.make_executor.
"""
from __future__ import annotations

import collections
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Callable

from engine.execution.control import RunControl
from engine.execution.pool import BatchTiming, Part, Pools
from engine.backends.streaming import StreamedResult
from engine.types import ModelSpec, RoleRequest, RoleResult

SubmitListener = Callable[[str, list[RoleRequest]], None]
FinishListener = Callable[[list[RoleResult]], None]


@dataclass(eq=False)  # compared and hashed by identity: a handle
class Batch:
    actor_key: str
    requests: list[RoleRequest]
    parts: list[Part]


@dataclass
class FinishedBatch:
    batch: Batch
    results: list[RoleResult]
    timing: BatchTiming


@dataclass(eq=False)  # a handle, like Batch
class Ticket:
    """One request streamed to an actor key (the continuous schedule): a batch of one part of one request."""
    actor_key: str
    request: RoleRequest
    part: Part

    @property
    def parts(self) -> list[Part]:
        return [self.part]


@dataclass
class FinishedRequest:
    ticket: Ticket
    streamed: StreamedResult


class Executor(ABC):
    """Replica pools by actor key. Subclasses start parts on replicas and settle the ones that finish."""

    def __init__(self, models: dict[str, ModelSpec], control: RunControl | None = None) -> None:
        self.control = control or RunControl()  # its StopFlag: every wait of a subclass checks it as it wakes
        self.pools = Pools(models)
        self.busy = dict.fromkeys(models, 0.0)
        self.on_submit: list[SubmitListener] = []
        self.on_finished: list[FinishListener] = []
        self.growth_asked: collections.deque[str] = collections.deque()  # keys to grow, from any thread
        self.grown_unix_s: dict[tuple[str, int], float] = {}  # each grown replica: when it was asked for
        self.released_unix_s: dict[str, float] = {}  # each engine given back before the run's end: when

    def release(self, actor_key: str) -> None:
        """Gives back every replica of `actor_key` before the run ends. The schedule calls it (on the driver's
        thread) once no trajectory, live or left to admit, will call the engine again (engine.agents'
        roles_ahead): in a run's tail every alpha-UMi trajectory is at its summarizer, and its planners and
        callers idle. On Ray their GPUs go back to the cluster at once, for a sweep's queued run or for growth
        (docs/cluster.md, "Runs give back finished engines"). A request for it after that fails (EngineReleased)."""
        if actor_key in self.released_unix_s:
            return
        self.released_unix_s[actor_key] = round(time.time(), 3)
        self.pools.release(actor_key)
        self._release_replicas(actor_key)

    def _release_replicas(self, actor_key: str) -> None:
        """Frees what the key's replicas hold (their threads and models here; Ray: actors and GPUs)."""

    def _released(self, actor_key: str) -> dict[str, float]:
        """run.json's mark of an engine given back (models.<key>): when."""
        return {"released_unix_s": self.released_unix_s[actor_key]} if actor_key in self.released_unix_s else {}

    def grow(self, actor_key: str) -> None:
        """Asks for one more replica of `actor_key` (a sweep's run grown into a freed GPU, engine.execution.
        growth). Safe from any thread: the replica is added on the driver's thread at its next wait."""
        self.growth_asked.append(actor_key)

    def _take_growth(self) -> None:
        while self.growth_asked:
            key = self.growth_asked.popleft()
            if key in self.released_unix_s:  # asked for before its engine was given back
                continue
            replica = (key, self.pools.grow(key))
            self.grown_unix_s[replica] = round(time.time(), 3)
            self._add_replica(replica)

    def _grown(self, replica: tuple[str, int]) -> dict[str, float]:
        """run.json's mark of a grown replica (models.<key>.replicas[n]): when it was asked for."""
        return {"grown_unix_s": self.grown_unix_s[replica]} if replica in self.grown_unix_s else {}

    def _add_replica(self, replica: tuple[str, int]) -> None:
        """Starts a replica the pool has just grown (routed to already, unless the executor says otherwise)."""
        raise NotImplementedError(f"{type(self).__name__} cannot add replicas at run time")

    @abstractmethod
    def _start(self, part: Part) -> Any:
        """Starts a part on its replica (a batch, or one streamed request); returns its future."""

    @abstractmethod
    def _settle(self, parts: list[Part], timeout: float | None) -> bool:
        """Waits until at least one of `parts` has finished (or `timeout`) and sets the `outcome` of every
        finished one. Returns whether any was ready (False: the wait timed out)."""

    @abstractmethod
    def info(self) -> dict[str, Any]: ...

    @abstractmethod
    def shutdown(self) -> None: ...

    def submit(self, actor_key: str, requests: list[RoleRequest]) -> Batch:
        """Starts `requests` as one batch (one part per replica the router picks); returns at once."""
        parts = self.pools.split(actor_key, requests)
        for part in parts:
            part.future = self._start(part)
        self._tell(self.on_submit, actor_key, requests)
        return Batch(actor_key, requests, parts)

    def submit_request(self, actor_key: str, request: RoleRequest) -> Ticket:
        """Hands one request to a replica's stream; returns at once."""
        return self.submit_requests([(actor_key, request)])[0]

    def submit_requests(self, requests: list[tuple[str, RoleRequest]]) -> list[Ticket]:
        """Hands one wake-up's requests (actor key, request) to the replicas' streams together, each its own
        ticket, in the order given; returns at once. Together, a stream that can take several requests in one
        call does (`_start_streamed`): per-request costs are the driver's ceiling on fast backends."""
        parts = [self.pools.streamed(key, request) for key, request in requests]
        for part, future in zip(parts, self._start_streamed(parts)):
            part.future = future
        for key, asked in by_key(requests).items():
            self._tell(self.on_submit, key, asked)
        return [Ticket(part.key, part.requests[0], part) for part in parts]

    def _start_streamed(self, parts: list[Part]) -> list[Any]:
        """Starts streamed parts, one request each; returns their futures in `parts` order."""
        return [self._start(part) for part in parts]

    def wait_any(self, batches: list[Batch], timeout: float | None = None) -> list[FinishedBatch]:
        """Blocks until at least one batch is done (or `timeout`); returns every finished one, in `batches` order."""
        if self.growth_asked:
            self._take_growth()
        finished = [FinishedBatch(batch, *joined([part.outcome for part in batch.parts]))
                    for batch in self._wait_groups(batches, timeout)]
        self.control.stop.check()  # results that came after a stop (requests it cancelled) are not the run's
        for done in finished:
            self.busy[done.batch.actor_key] += done.timing.busy_s
            self._tell(self.on_finished, done.results)
        return finished

    def wait_requests(self, tickets: list[Ticket], timeout: float | None = None) -> list[FinishedRequest]:
        """Blocks until at least one request is done (or `timeout`); returns every finished one."""
        if self.growth_asked:
            self._take_growth()
        finished = [FinishedRequest(ticket, ticket.part.outcome) for ticket in self._wait_tickets(tickets, timeout)]
        self.control.stop.check()
        if finished:
            self._tell(self.on_finished, [done.streamed.result for done in finished])
        return finished

    def _wait_tickets(self, tickets: list[Ticket], timeout: float | None) -> list[Ticket]:
        return self._wait_groups(tickets, timeout)

    def _wait_groups(self, groups: list[Any], timeout: float | None) -> list[Any]:
        """The groups (batches or tickets) whose parts have all finished, once at least one has (or `timeout`)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            pending = [part for group in groups for part in group.parts if part.outcome is None]
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready = self._settle(pending, left) if pending else True
            finished = [group for group in groups if all(part.outcome is not None for part in group.parts)]
            if finished or not ready or (deadline is not None and time.monotonic() >= deadline):
                return finished

    def _finish(self, part: Part, outcome: Any) -> None:
        """Records a part's outcome and takes its requests off its replica's load."""
        part.outcome = outcome
        self.pools.finished(part)

    def gather(self, batches: list[Batch]) -> list[FinishedBatch]:
        """Waits for all `batches`; results in `batches` order."""
        finished: dict[Batch, FinishedBatch] = {}
        while len(finished) < len(batches):
            finished.update((done.batch, done) for done in self.wait_any([b for b in batches if b not in finished]))
        return [finished[batch] for batch in batches]

    def generate(self, batches: dict[str, list[RoleRequest]]) -> dict[str, list[RoleResult]]:
        """One batch per actor key, all at once; returns when every one has answered."""
        submitted = [self.submit(key, requests) for key, requests in batches.items()]
        return {done.batch.actor_key: done.results for done in self.gather(submitted)}

    def busy_seconds(self) -> dict[str, float]:
        return dict(self.busy)

    def stream_busy_seconds(self) -> dict[str, float]:
        """Per actor key: the seconds its replicas' engines had at least one streamed request running, summed."""
        return dict.fromkeys(self.busy, 0.0)

    @staticmethod
    def _tell(listeners: list[Callable[..., None]], *args: Any) -> None:
        for listener in listeners:
            listener(*args)


def by_key(requests: list[tuple[str, RoleRequest]]) -> dict[str, list[RoleRequest]]:
    """The requests of each actor key, in the order given."""
    grouped: dict[str, list[RoleRequest]] = {}
    for key, request in requests:
        grouped.setdefault(key, []).append(request)
    return grouped


def joined(outcomes: list[tuple[list[RoleResult], BatchTiming]]) -> tuple[list[RoleResult], BatchTiming]:
    """A batch's results and timing from its parts': results together, busy time summed (GPU-seconds), the
    earliest start, the most attempts."""
    results = [result for part_results, _ in outcomes for result in part_results]
    timings = [timing for _, timing in outcomes]
    return results, BatchTiming(min(t.started_at for t in timings), sum(t.busy_s for t in timings),
                                max(t.attempts for t in timings))
