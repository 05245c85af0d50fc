"""The role worker: one replica's backend, timed; the same class runs in-process or as a Ray actor."""
from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

from engine.backends.base import Backend, make_backend
from engine.execution.pool import BatchTiming
from engine.backends.streaming import (Answered, RequestStream, StreamedResult, generate_with_retry, open_stream,
                                       submit_all)
from engine.types import ModelSpec, RoleRequest, RoleResult


class RoleWorker:
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

    def where(self) -> dict[str, Any]:
        """The Ray node and GPUs this replica runs on (run.json `models.<key>.replicas`)."""
        import ray

        return {"node_id": ray.get_runtime_context().get_node_id(), "gpu_ids": [str(g) for g in ray.get_gpu_ids()]}


class StreamingRoleWorker(RoleWorker):
    """The Ray actor of the continuous schedule: an async actor (many calls in flight, one per burst of the
    driver's requests), each handing its burst to the backend's stream at once (as the local executor does)
    and yielding every request's result as it ends: a Ray streaming generator of (index in the burst, result)."""

    async def generate_burst(self, requests: list[RoleRequest]) -> AsyncIterator[tuple[int, StreamedResult]]:
        import asyncio

        async def indexed(n: int, future: Any) -> tuple[int, StreamedResult]:
            return n, future.value if isinstance(future, Answered) else await asyncio.wrap_future(future)

        for finished in asyncio.as_completed([indexed(n, f) for n, f in enumerate(submit_all(self.stream, requests))]):
            yield await finished
