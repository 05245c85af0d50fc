"""A stand-in for a GPU model: scripted replies, and the time a GPU would take to generate them.

The text comes from a script of the scripted backend (so trajectories are exactly the scripted ones); each
batch then sleeps for a modelled generation time:

    seconds = overhead_s + prefill_s * (prompt tokens of the batch) + decode_s * (longest reply in the batch)

Prefill is compute-bound, so it grows with every prompt token; decode steps the whole batch one token at a
time until its longest reply ends, so it grows with the longest reply, not with the batch size. A batch
larger than ModelSpec.batch_size runs as consecutive sub-batches of that size, as on a GPU. Sleeping
releases the GIL, so three actors overlap like three GPUs even in one process on a 2-core machine: this is
how scheduling is measured without GPUs (perf/lockstep_vs_pipelined.py).

The model name is `SCRIPT@PROFILE[,speed=N]`, e.g. `call-once-then-answer@gpu-like`; a name without `@`
uses the `gpu-like` profile. `speed=N` models hardware N times as fast (every modelled time divided by N):
how a role gets more of a machine than another, e.g. a tensor-parallel planner. Token counts are the
scripted backend's (words).
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any

from engine.backends.base import Backend, make_backend
from engine.types import ModelSpec, RoleRequest, RoleResult


@dataclass(frozen=True)
class TimingProfile:
    overhead_s: float  # per (sub-)batch: launch, sampling, detokenizing
    prefill_s: float  # per prompt token
    decode_s: float  # per decode step (one token for every sequence of the batch)

    def seconds(self, results: list[RoleResult]) -> float:
        prompt = sum(result.prompt_tokens for result in results)
        longest = max((result.completion_tokens for result in results), default=0)
        return self.overhead_s + self.prefill_s * prompt + self.decode_s * longest

    def faster(self, speed: float) -> TimingProfile:
        return TimingProfile(self.overhead_s / speed, self.prefill_s / speed, self.decode_s / speed)


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
    def __init__(self, replies: Backend, profile: TimingProfile, batch_size: int, name: str) -> None:
        self.replies = replies
        self.profile = profile
        self.batch_size = batch_size
        self.name = name

    def generate(self, requests: list[RoleRequest]) -> list[RoleResult]:
        results = []
        for start in range(0, len(requests), self.batch_size):
            results += self._sub_batch(requests[start:start + self.batch_size])
        return results

    def _sub_batch(self, requests: list[RoleRequest]) -> list[RoleResult]:
        begin = time.perf_counter()
        results = self.replies.generate(requests)
        time.sleep(max(0.0, self.profile.seconds(results) - (time.perf_counter() - begin)))
        latency = time.perf_counter() - begin
        return [dataclasses.replace(result, latency_s=latency) for result in results]

    def info(self) -> dict[str, Any]:
        return {"backend": "modelled", "model": self.name, "profile": dataclasses.asdict(self.profile),
                "batch_size": self.batch_size}


def parse_model(model: str) -> tuple[str, TimingProfile]:
    """`SCRIPT@PROFILE[,speed=N]` -> (script name, profile)."""
    script, _, rest = model.partition("@")
    profile, _, option = rest.partition(",")
    profile = profile or DEFAULT_PROFILE
    if profile not in PROFILES:
        raise ValueError(f"unknown timing profile {profile!r} in model {model!r}; valid: {', '.join(PROFILES)}")
    return script, PROFILES[profile].faster(_speed(option, model)) if option else PROFILES[profile]


def _speed(option: str, model: str) -> float:
    name, _, value = option.partition("=")
    try:
        speed = float(value) if name == "speed" else 0.0
    except ValueError:
        speed = 0.0
    if not speed > 0:
        raise ValueError(f"bad option {option!r} in model {model!r}: expected speed=N with N > 0")
    return speed


def from_spec(spec: ModelSpec) -> ModelledBackend:
    script, profile = parse_model(spec.model)
    replies = make_backend(dataclasses.replace(spec, backend="scripted", model=script))
    return ModelledBackend(replies, profile, spec.batch_size, spec.model)
