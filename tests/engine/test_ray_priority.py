"""Role actors run at normal priority on a Ray the run starts (issue 12, item 5): Ray's default niceness for
workers (15) starves them on a shared machine."""
from __future__ import annotations

import os
from typing import Any

import pytest

from engine.backends.scripted import from_spec
from engine.execution.ray_executor import RayExecutor
from engine.types import ModelSpec

pytestmark = [pytest.mark.slow, pytest.mark.ray]


class ReportsNiceness:
    """A scripted engine whose info says the priority of the process it runs in (a Ray actor)."""

    def __init__(self) -> None:
        self.inner = from_spec(ModelSpec(backend="scripted", model="call-once-then-answer"))

    def generate(self, requests: list) -> list:
        return self.inner.generate(requests)

    def info(self) -> dict[str, Any]:
        return {**self.inner.info(), "niceness": os.nice(0)}


def test_a_role_actor_runs_at_the_niceness_of_its_run(monkeypatch) -> None:
    import ray

    if ray.is_initialized():
        pytest.skip("Ray is already running in this process: its workers keep the niceness they started with")
    monkeypatch.delenv("RAY_worker_niceness", raising=False)
    key = "scripted:call-once-then-answer:bf16"
    executor = RayExecutor({key: ModelSpec(backend="scripted", model="call-once-then-answer")},
                           backends={key: ReportsNiceness()})
    try:
        assert executor.info()[key]["niceness"] == os.nice(0)
    finally:
        executor.shutdown()
