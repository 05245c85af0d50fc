"""Request streams (engine.backends.streaming): batch refill for backends without their own stream, and faults."""
from __future__ import annotations

import threading
import time

import pytest

from engine.backends.scripted import ScriptedBackend, call_once_then_answer
from engine.backends.streaming import BatchRefillStream, ConcurrentStream, ImmediateStream, open_stream, submit_all
from engine.types import ModelSpec, RoleRequest, RoleResult, SamplingParams
from tests.helpers.clock import FakeClock


def _request(i: int) -> RoleRequest:
    return RoleRequest(str(i), "planner", f"question {i}", SamplingParams(), i)


class SlowBatches:
    """A batch backend that takes 0.1 s of its clock a batch and records the batch sizes; the first batch is
    held until `gate` is set (so what queues meanwhile does not depend on the machine's speed)."""

    def __init__(self, clock: FakeClock | None = None, held: bool = False) -> None:
        self.clock = clock or FakeClock()
        self.sizes: list[int] = []
        self.first_started = threading.Event()
        self.gate = threading.Event()
        if not held:
            self.gate.set()

    def generate(self, requests: list[RoleRequest]) -> list[RoleResult]:
        self.sizes.append(len(requests))
        self.first_started.set()
        self.gate.wait(30)
        self.clock.sleep(0.1)
        return [RoleResult(r.request_id, f"reply {r.request_id}") for r in requests]


def test_batch_refill_forms_the_next_batch_from_what_queued_while_the_last_ran():
    clock = FakeClock()
    backend = SlowBatches(clock, held=True)
    stream = BatchRefillStream(backend.generate, 3, clock.perf_counter)
    first = stream.submit(_request(0))
    assert backend.first_started.wait(30)
    rest = [stream.submit(_request(i)) for i in range(1, 6)]
    backend.gate.set()
    results = [future.result(timeout=30) for future in [first, *rest]]
    stream.close()
    assert backend.sizes == [1, 3, 2]
    assert [r.result.text for r in results] == [f"reply {i}" for i in range(6)]
    assert stream.busy_seconds() == pytest.approx(3 * 0.1)  # three batches, read from the stream's clock


def test_a_backend_without_a_stream_gets_batch_refill_at_the_role_capacity():
    stream = open_stream(SlowBatches(), ModelSpec(model="m", batch_size=3))
    assert isinstance(stream, BatchRefillStream) and stream.capacity == 3
    stream.close()


class Raises:
    def __init__(self, times: int) -> None:
        self.times, self.calls = times, 0

    def generate(self, requests):
        self.calls += 1
        if self.calls <= self.times:
            raise RuntimeError("CUDA error")
        return ScriptedBackend(call_once_then_answer).generate(requests)


def test_a_stream_retries_a_raising_backend_once_then_fails_the_request_alone():
    flaky = Raises(times=1)
    stream = ConcurrentStream(flaky.generate, 2)
    done = stream.submit(_request(0)).result(timeout=5)
    assert done.result.error is None and done.attempts == 2
    broken = ConcurrentStream(Raises(times=10**6).generate, 2)
    failed = broken.submit(_request(1)).result(timeout=5)
    assert failed.result.error == "RuntimeError: CUDA error" and failed.result.request_id == "1"
    stream.close()
    broken.close()


def test_batch_refill_gathers_a_burst_of_submissions_into_one_batch():
    """Requests submitted a millisecond apart (the driver's burst after a wake-up) form one batch, not a
    batch of the first alone. The quiet window is widened to 0.25 s here, so that a loaded machine stretching a
    millisecond's sleep (to 10 ms past the 5 ms window, at a load of 4) cannot split the burst."""
    backend = SlowBatches()
    stream = BatchRefillStream(backend.generate, 8)
    stream.QUIET_S, stream.MAX_GATHER_S = 0.25, 5.0  # read when the first request arrives
    futures = []
    for i in range(6):
        futures.append(stream.submit(_request(i)))
        time.sleep(0.001)
    for future in futures:
        future.result(timeout=5)
    stream.close()
    assert backend.sizes == [6]


def test_the_scripted_stream_answers_a_burst_in_one_backend_call_and_a_concurrent_one_each_alone():
    backend = ScriptedBackend(lambda request: f"reply {request.request_id}")
    futures = submit_all(backend.open_stream(4), [_request(i) for i in range(5)])
    assert backend.batches == [5]
    assert [future.result(timeout=0).result.text for future in futures] == [f"reply {i}" for i in range(5)]
    concurrent = ConcurrentStream(backend.generate, 2)
    assert [f.result(timeout=5).result.request_id for f in submit_all(concurrent, [_request(7), _request(8)])] == ["7", "8"]
    assert sorted(backend.batches[1:]) == [1, 1]
    concurrent.close()


def test_a_burst_the_backend_miscounts_fails_every_request_of_it():
    stream = ImmediateStream(lambda requests: [RoleResult("0", "only one")], 4)
    results = [future.result(timeout=0).result for future in stream.submit_many([_request(0), _request(1)])]
    assert [r.request_id for r in results] == ["0", "1"] and all("1 results for 2" in r.error for r in results)
