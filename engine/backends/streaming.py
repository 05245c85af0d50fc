"""Request streams: a role engine that takes requests one at a time and returns each as soon as it finishes.

The continuous schedule (engine.schedule.continuous) hands a request to its role's stream the moment its trajectory
asks for it; `submit` returns a future at once, resolved with a `StreamedResult` when that request ends,
whatever else is still running. A backend offers its own stream through `open_stream()`:

- vllm: vLLM's async engine (AsyncLLM), which batches continuously (engine.backends.vllm);
- openai: concurrent HTTP requests, each returning as it finishes (`ConcurrentStream`);
- modelled: a continuous-batching model of a GPU (engine.backends.modelled);
- scripted: immediate (`ImmediateStream`).

hf opens `BatchRefillStream` (so does a test double with only `generate`): as soon as a batch finishes, the next one is formed from
whatever is queued (batch-granular refill, not a slot refill between decode steps).

Every stream keeps the batch path's fault rule: a backend that raises gets one fresh attempt, then the
request fails with an error result. Each also keeps a busy clock: the time at least one request was running.
A stream whose engine steps in a thread of its own runs it as an `EngineThread`: should the thread die, the
requests it held fail with its error, and so does every later one (issue 21, item 5); closing the stream
joins the thread (item 6).
"""
from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from engine.types import ModelSpec, RoleRequest, RoleResult

MAX_ATTEMPTS = 2  # a transient fault (a CUDA hiccup, an OOM on a long batch) gets one fresh attempt


@dataclass(frozen=True)
class StreamedResult:
    result: RoleResult
    started_at: float  # time.time() when the engine took the request up
    attempts: int = 1
    finished_at: float = field(default_factory=time.time)  # when it ended (made as the stream resolves it)


class RequestStream(Protocol):
    capacity: int  # requests the engine runs at once

    def submit(self, request: RoleRequest) -> Future: ...  # Future[StreamedResult]
    def busy_seconds(self) -> float: ...
    def close(self) -> None: ...


def submit_all(stream: RequestStream, requests: list[RoleRequest]) -> list[Any]:
    """Hands several requests to `stream`, in one call where it takes them so (`submit_many`); returns their
    futures (a Future, or `Answered` for a request answered at once)."""
    submit_many = getattr(stream, "submit_many", None)
    return submit_many(requests) if submit_many is not None else [stream.submit(request) for request in requests]


def failed_results(requests: list[RoleRequest], error: str) -> list[RoleResult]:
    return [RoleResult(request.request_id, "", error=error) for request in requests]


def generate_with_retry(generate: Callable[[list[RoleRequest]], list[RoleResult]],
                        requests: list[RoleRequest]) -> tuple[list[RoleResult], int]:
    """The backend's results and the attempts they took; after MAX_ATTEMPTS raising attempts, error results."""
    error = ""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return generate(requests), attempt
        except Exception as exc:  # a crashing batch fails its requests, not the run
            error = f"{type(exc).__name__}: {exc}"
    return failed_results(requests, error), MAX_ATTEMPTS


def engine_capacity(spec: ModelSpec) -> int:
    """Requests one role engine runs at once: vLLM's max_num_seqs, the hf batch, the openai concurrency and
    the modelled batch are all the role's batch_size."""
    return max(1, spec.batch_size)


def open_stream(backend: Any, spec: ModelSpec) -> RequestStream:
    """The backend's stream (Backend.open_stream), at the role's capacity; an object with only `generate` (a
    test double) gets batch refill over it."""
    opener = getattr(backend, "open_stream", None)
    if opener is not None:
        return opener(engine_capacity(spec))
    return BatchRefillStream(backend.generate, engine_capacity(spec))


class BusyClock:
    """Seconds during which at least one request was running (thread-safe)."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._running = 0
        self._since = 0.0
        self._total = 0.0

    def started(self, n: int = 1) -> None:
        with self._lock:
            if self._running == 0 and n > 0:
                self._since = self._clock()
            self._running += n

    def stopped(self, n: int = 1) -> None:
        with self._lock:
            self._running -= n
            if self._running == 0 and n > 0:
                self._total += self._clock() - self._since

    def seconds(self) -> float:
        with self._lock:
            return self._total + (self._clock() - self._since if self._running else 0.0)


def resolve(future: Future, result: RoleResult, started_at: float, attempts: int = 1) -> None:
    if not future.done():  # a stream closed under it cancelled it
        future.set_result(StreamedResult(result, started_at, attempts))


Held = list[tuple[RoleRequest, Future]]  # requests a stream holds (queued or running), with their futures


def fail_held(held: Held, error: str) -> None:
    now = time.time()
    for request, future in held:
        resolve(future, failed_results([request], error)[0], now)


def drain(submitted: queue.SimpleQueue) -> Held:
    """Everything queued (a close marker, None, dropped)."""
    items = []
    while True:
        try:
            item = submitted.get_nowait()
        except queue.Empty:
            return items
        if item is not None:
            items.append(item)


class EngineThread:
    """The one thread a stream's engine steps in, watched. Should `loop` raise, `held()` (what the stream
    holds: queued and running) fail with the error at once, and so does every later `admit`: the continuous
    schedule would otherwise wait for them forever. `stop` joins the thread, so that none is left inside a
    model library while the interpreter exits (hf: "terminate called without an active exception", 134)."""

    JOIN_S = 10.0

    def __init__(self, loop: Callable[[], None], held: Callable[[], Held], name: str) -> None:
        self.error = ""
        self.lock = threading.Lock()  # `admit` checks the error and queues under it; a death fails under it
        self._loop, self._held = loop, held
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self._loop()
        except BaseException as exc:
            with self.lock:
                self.error = f"the {self.thread.name} engine thread died: {type(exc).__name__}: {exc}"[:500]
                fail_held(self._held(), self.error)

    def admit(self, request: RoleRequest, future: Future, enqueue: Callable[[], None]) -> Future:
        """Queues the request with `enqueue`, or fails it when the engine thread is dead."""
        with self.lock:
            if self.error:
                fail_held([(request, future)], self.error)
            else:
                enqueue()
        return future

    def stop(self) -> None:
        if threading.current_thread() is not self.thread:
            self.thread.join(self.JOIN_S)


class Answered:
    """A future born resolved, for requests answered as they are handed over: what the executor reads of a
    concurrent.futures.Future (done, result, add_done_callback) without its lock and condition, which cost
    the driver more than a scripted reply does."""

    __slots__ = ("value",)

    def __init__(self, value: StreamedResult) -> None:
        self.value = value

    def done(self) -> bool:
        return True

    def result(self, timeout: float | None = None) -> StreamedResult:
        return self.value

    def add_done_callback(self, callback: Callable[[Any], None]) -> None:
        callback(self)


class ImmediateStream:
    """Runs each request in the caller's thread as it is submitted (scripted replies take microseconds)."""

    def __init__(self, generate: Callable[[list[RoleRequest]], list[RoleResult]], capacity: int) -> None:
        self.generate = generate
        self.capacity = capacity
        self.clock = BusyClock()

    def submit(self, request: RoleRequest) -> Future:
        future: Future = Future()
        self._run(request, future)
        return future

    def submit_many(self, requests: list[RoleRequest]) -> list[Answered]:
        """Answers the requests of a wake-up in one backend call: one clock reading and one retry scope for all
        (what each request cost alone was most of the driver's time on the continuous schedule)."""
        return [Answered(streamed) for streamed in self._answer(requests)]

    def _run(self, request: RoleRequest, future: Future) -> None:
        [streamed] = self._answer([request])
        if not future.done():  # a stream closed under it cancelled it
            future.set_result(streamed)

    def _answer(self, requests: list[RoleRequest]) -> list[StreamedResult]:
        started_at = time.time()
        self.clock.started(len(requests))
        try:
            results, attempts = generate_with_retry(self.generate, requests)
        finally:
            self.clock.stopped(len(requests))
        if len(results) != len(requests):  # a miscount must not leave a request unanswered
            results = failed_results(requests, f"the backend returned {len(results)} results for {len(requests)}")
        finished_at = time.time()  # the call answered them all at once
        return [StreamedResult(result, started_at, attempts, finished_at) for result in results]

    def busy_seconds(self) -> float:
        return self.clock.seconds()

    def close(self) -> None:
        pass


class ConcurrentStream(ImmediateStream):
    """Each request on its own thread of a pool of `capacity` threads (HTTP endpoints batch by themselves)."""

    def __init__(self, generate: Callable[[list[RoleRequest]], list[RoleResult]], capacity: int) -> None:
        super().__init__(generate, capacity)
        self.pool = ThreadPoolExecutor(max_workers=capacity, thread_name_prefix="stream")

    def submit(self, request: RoleRequest) -> Future:
        future: Future = Future()
        self.pool.submit(self._run, request, future)
        return future

    def submit_many(self, requests: list[RoleRequest]) -> list[Future]:
        return [self.submit(request) for request in requests]  # each on its own thread, as they finish

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


class BatchRefillStream:
    """One worker thread: whenever the backend is free, whatever is queued (up to `capacity`) runs as one batch."""

    QUIET_S = 0.005
    MAX_GATHER_S = 0.05

    def __init__(self, generate: Callable[[list[RoleRequest]], list[RoleResult]], capacity: int,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.generate = generate
        self.capacity = capacity
        self.clock = BusyClock(clock)  # busy time read from `clock` (a test's fake)
        self.queue: queue.SimpleQueue[tuple[RoleRequest, Future] | None] = queue.SimpleQueue()
        self.batches: list[int] = []  # sizes, for tests and figures
        self._batch: Held = []  # the batch running
        self.engine = EngineThread(self._loop, lambda: self._batch + drain(self.queue), "stream-refill")

    def submit(self, request: RoleRequest) -> Future:
        future: Future = Future()
        return self.engine.admit(request, future, lambda: self.queue.put((request, future)))

    def _next_batch(self) -> list[tuple[RoleRequest, Future]] | None:
        """What is queued, up to `capacity`. The driver submits the requests of one wake-up as a burst, one by
        one: the batch takes whatever arrives within QUIET_S of the last (at most MAX_GATHER_S in all), or the
        burst's first request would run alone and the rest wait a whole batch for it."""
        first = self.queue.get()
        if first is None:
            return None
        batch = [first]
        deadline = time.monotonic() + self.MAX_GATHER_S
        while len(batch) < self.capacity:
            try:
                item = self.queue.get(timeout=max(0.0, min(self.QUIET_S, deadline - time.monotonic())))
            except queue.Empty:
                break
            if item is None:
                self.queue.put(None)  # close after this batch
                break
            batch.append(item)
        return batch

    def _loop(self) -> None:
        while (batch := self._next_batch()) is not None:
            self._batch = batch
            requests = [request for request, _ in batch]
            started_at = time.time()
            self.batches.append(len(batch))
            self.clock.started(len(batch))
            try:
                results, attempts = generate_with_retry(self.generate, requests)
            finally:
                self.clock.stopped(len(batch))
            by_id = {result.request_id: result for result in results}
            for request, future in batch:
                result = by_id.get(request.request_id) or failed_results([request], "the backend returned no result for it")[0]
                resolve(future, result, started_at, attempts)

    def busy_seconds(self) -> float:
        return self.clock.seconds()

    def close(self) -> None:
        self.queue.put(None)
        self.engine.stop()
