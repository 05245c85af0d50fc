"""A stand-in for a GPU model: scripted replies, and the time a GPU would take to generate them.

The text comes from a script of the scripted backend (so trajectories are exactly the scripted ones); each
batch then sleeps for a modelled generation time:

    seconds = overhead_s + prefill_s * (prompt tokens of the batch) + decode_s * (longest reply in the batch)

Prefill is compute-bound, so it grows with every prompt token; decode steps the whole batch one token at a
time until its longest reply ends, so it grows with the longest reply, not with the batch size. A batch
larger than ModelSpec.batch_size runs as consecutive sub-batches of that size, as on a GPU. Sleeping
releases the GIL, so three actors overlap like three GPUs even in one process on a 2-core machine: this is
how scheduling is measured without GPUs (perf/lockstep_vs_pipelined.py).

The model name is `SCRIPT@PROFILE[,speed=N][,spread=N]`, e.g. `call-once-then-answer@gpu-like`; a name
without `@` uses the `gpu-like` profile. `speed=N` models hardware N times as fast (every modelled time
divided by N): how a role gets more of a machine than another, e.g. a tensor-parallel planner. `spread=N`
makes modelled reply lengths vary up to N times between requests (TimingProfile.decode_steps). Token
counts are the scripted backend's (words).

Streamed (the continuous schedule), the same profile drives a model of continuous batching instead
(`ContinuousBatchingModel`): requests join and leave the running batch between decode steps.
"""
from __future__ import annotations

import dataclasses
import math
import threading
import zlib
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from benchmarks.core.clock import REAL_CLOCK, Clock
from engine.backends.base import Backend, make_backend
from engine.backends.streaming import BusyClock, EngineThread, generate_with_retry, resolve
from engine.types import ModelSpec, RoleRequest, RoleResult


@dataclass(frozen=True)
class TimingProfile:
    overhead_s: float  # per (sub-)batch: launch, sampling, detokenizing
    prefill_s: float  # per prompt token
    decode_s: float  # per decode step (one token for every sequence of the batch)
    spread: float = 1.0  # modelled reply lengths vary up to this factor between requests (see decode_steps)

    def seconds(self, results: list[RoleResult]) -> float:
        prompt = sum(result.prompt_tokens for result in results)
        longest = max((self.decode_steps(result) for result in results), default=0)
        return self.overhead_s + self.prefill_s * prompt + self.decode_s * longest

    def decode_steps(self, result: RoleResult) -> int:
        """The decode steps a reply is modelled to take: its tokens, times a factor from 1 to `spread` drawn
        from the request id (a fixed hash, so every schedule sees the same lengths). Only time is modelled:
        the text, and so the trajectory, stays the script's."""
        if self.spread == 1.0:
            return result.completion_tokens
        unit = zlib.crc32(result.request_id.encode()) / 0xFFFFFFFF
        return max(1, round(result.completion_tokens * (1.0 + (self.spread - 1.0) * unit)))

    def faster(self, speed: float) -> TimingProfile:
        return TimingProfile(self.overhead_s / speed, self.prefill_s / speed, self.decode_s / speed, self.spread)


# gpu-like: a 64-wide batch of the embedded benchmark's alpha-UMi planner prompts (about 250 tokens each,
# 7-token scripted replies) takes about 0.2 s, split like a 7B model's batch of real alpha-UMi prompts
# (~1,500 tokens) and replies (~80 tokens) on one GPU: about 60% prefill, 35% decode, 5% overhead.
# instant: no modelled time (engine overhead only).
PROFILES = {
    "gpu-like": TimingProfile(overhead_s=0.01, prefill_s=8e-6, decode_s=0.01),
    "instant": TimingProfile(0.0, 0.0, 0.0),
}
DEFAULT_PROFILE = "gpu-like"


class ModelledBackend:
    def __init__(self, replies: Backend, profile: TimingProfile, batch_size: int, name: str,
                 clock: Clock = REAL_CLOCK) -> None:
        self.replies = replies
        self.profile = profile
        self.batch_size = batch_size
        self.name = name
        self.clock = clock  # what it sleeps on and measures with (a test's fake)

    def generate(self, requests: list[RoleRequest]) -> list[RoleResult]:
        results = []
        for start in range(0, len(requests), self.batch_size):
            results += self._sub_batch(requests[start:start + self.batch_size])
        return results

    def _sub_batch(self, requests: list[RoleRequest]) -> list[RoleResult]:
        clock = self.clock
        begin = clock.perf_counter()
        results = self.replies.generate(requests)
        clock.sleep(max(0.0, self.profile.seconds(results) - (clock.perf_counter() - begin)))
        latency = clock.perf_counter() - begin
        return [dataclasses.replace(result, latency_s=latency) for result in results]

    def info(self) -> dict[str, Any]:
        return {"backend": "modelled", "model": self.name, "profile": dataclasses.asdict(self.profile),
                "batch_size": self.batch_size}

    def open_stream(self, capacity: int) -> ContinuousBatchingModel:
        return ContinuousBatchingModel(self.replies, self.profile, capacity, self.clock)


class ContinuousBatchingModel:
    """A GPU engine that batches continuously (as vLLM does), as a request stream. One engine thread runs
    steps: before each step, queued requests join the running batch while it has fewer than `capacity`;
    a step costs decode_s, plus the prefill of those that joined and their share of a batch's overhead
    (overhead_s x joined / capacity); a request leaves after its last decode step (TimingProfile.decode_steps),
    and its future is resolved at once. Its slot is free for the next step."""

    def __init__(self, replies: Backend, profile: TimingProfile, capacity: int, clock: Clock = REAL_CLOCK) -> None:
        self.replies = replies
        self.profile = profile
        self.capacity = capacity
        self.timing = clock  # what it sleeps on and measures with (a test's fake)
        self.clock = BusyClock(clock.perf_counter)
        self.steps = 0
        self.running_sum = 0  # sum over steps of the running batch: mean occupancy = running_sum / steps
        self._queue: deque[tuple[RoleRequest, Future]] = deque()
        self._wake = threading.Condition()
        self._closed = False
        self._running: list[_Running] = []
        self._joining: list[tuple[RoleRequest, Future]] = []  # taken from the queue, not yet running
        self.engine = EngineThread(self._loop, self._held, "modelled-engine")

    def submit(self, request: RoleRequest) -> Future:
        future: Future = Future()
        return self.engine.admit(request, future, lambda: self._enqueue(request, future))

    def _enqueue(self, request: RoleRequest, future: Future) -> None:
        with self._wake:
            self._queue.append((request, future))
            self._wake.notify()

    def _held(self) -> list[tuple[RoleRequest, Future]]:
        with self._wake:
            queued, self._queue = list(self._queue), deque()
        return [(item.request, item.future) for item in self._running] + self._joining + queued

    def busy_seconds(self) -> float:
        return self.clock.seconds()

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify()
        self.engine.stop()

    def _loop(self) -> None:
        while True:
            with self._wake:
                while not self._closed and not self._queue and not self._running:
                    self._wake.wait()
                if self._closed:
                    return
                joining = [self._queue.popleft() for _ in range(min(len(self._queue), self.capacity - len(self._running)))]
            if not self._running:
                self.clock.started()
            self._joining = joining
            joined = self._join(joining)
            self._running, self._joining = self._running + joined, []
            self._running = self._step(self._running, joined)
            if not self._running:
                self.clock.stopped()

    def _join(self, joining: list[tuple[RoleRequest, Future]]) -> list[_Running]:
        if not joining:
            return []
        started_at = self.timing.time()
        results, attempts = generate_with_retry(self.replies.generate, [request for request, _ in joining])
        return [_Running(request, future, result, self.profile.decode_steps(result), started_at, attempts)
                for (request, future), result in zip(joining, results)]

    def _step(self, running: list[_Running], joined: list[_Running]) -> list[_Running]:
        """One decode step of the running batch (prefill of the joined requests first); returns those left."""
        begin = self.timing.perf_counter()
        seconds = self.profile.decode_s
        if joined:  # a batch's overhead, shared by its requests: a full batch of joins costs what a batch does
            seconds += self.profile.overhead_s * len(joined) / self.capacity
            seconds += self.profile.prefill_s * sum(item.result.prompt_tokens for item in joined)
        self.timing.sleep(max(0.0, seconds - (self.timing.perf_counter() - begin)))
        self.steps += 1
        self.running_sum += len(running)
        left = []
        for item in running:
            item.steps_left -= 1
            if item.steps_left > 0:
                left.append(item)
            else:
                item.result.latency_s = self.timing.time() - item.started_at
                resolve(item.future, item.result, item.started_at, item.attempts)
        return left


@dataclass
class _Running:
    request: RoleRequest
    future: Future
    result: RoleResult  # the scripted reply, known at once; its time is what is modelled
    steps_left: int
    started_at: float
    attempts: int


def parse_model(model: str) -> tuple[str, TimingProfile]:
    """`SCRIPT@PROFILE[,speed=N][,spread=N]` -> (script name, profile)."""
    script, _, rest = model.partition("@")
    profile, *options = rest.split(",")
    profile = profile or DEFAULT_PROFILE
    if profile not in PROFILES:
        raise ValueError(f"unknown timing profile {profile!r} in model {model!r}; valid: {', '.join(PROFILES)}")
    timing = PROFILES[profile]
    for option in options:
        name, value = _option(option, model)
        timing = timing.faster(value) if name == "speed" else dataclasses.replace(timing, spread=value)
    return script, timing


def _option(option: str, model: str) -> tuple[str, float]:
    """`speed=N` (N > 0) or `spread=N` (N >= 1), N finite."""
    name, _, value = option.partition("=")
    try:
        number = float(value) if name in ("speed", "spread") else 0.0
    except ValueError:
        number = 0.0
    if not math.isfinite(number) or not (number >= 1 if name == "spread" else number > 0):
        raise ValueError(f"bad option {option!r} in model {model!r}: expected speed=N with N > 0 or spread=N with N >= 1")
    return name, number


def from_spec(spec: ModelSpec) -> ModelledBackend:
    script, profile = parse_model(spec.model)
    replies = make_backend(dataclasses.replace(spec, backend="scripted", model=script))
    return ModelledBackend(replies, profile, spec.batch_size, spec.model)
