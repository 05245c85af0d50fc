"""Role replica pools, as the executors see them: each actor key has N replicas and one router.

A schedule still submits one batch per actor key (or one request); the pool splits the batch by the router
into one `Part` per replica that gets requests, and the executor runs each part on its replica. Parts of a
batch finish independently; the batch is finished when all its parts are (`join_parts`). Replicas are
invisible to schedules: a batch's results are its parts' results together.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from engine.backends.base import BACKENDS
from engine.execution.routing import Router
from engine.types import ModelSpec, RoleRequest


class EngineReleased(RuntimeError):
    """A request for an engine given back: the agent said no trajectory would call it again (its `roles_ahead`),
    and one did. A bug of the agent's declaration, not of the run's input."""

    def __init__(self, key: str) -> None:
        super().__init__(f"engine {key!r} was given back before the run ended (no live or queued trajectory was to "
                         "call it, by the agent's roles_ahead), and a trajectory called it: the agent's roles_ahead is wrong")


@dataclass(frozen=True)
class BatchTiming:
    started_at: float  # time.time() when the actor began the batch: comparable across processes on one host
    busy_s: float  # backend time, every attempt included (a batch split over replicas: their sum)
    attempts: int = 1


@dataclass(eq=False)  # a handle
class Part:
    """One replica's share of a batch (or one streamed request), with its outcome once it has one."""
    key: str
    replica: int
    requests: list[RoleRequest]
    future: Any = None
    outcome: Any = None  # (results, BatchTiming), or a StreamedResult: set when the part has finished
    tries: int = 1
    streamed: bool = False  # a request on the replica's stream (the continuous schedule), not a batch
    actor: Any = None  # Ray: the replica's actor handle it went to (a restart replaces it)


class Pools:
    """The replica counts and routers of every actor key."""

    def __init__(self, models: dict[str, ModelSpec]) -> None:
        self.specs = {key: replica_specs(spec) for key, spec in models.items()}
        self.routers = {key: Router(len(specs)) for key, specs in self.specs.items()}
        self.single = {key: len(specs) == 1 for key, specs in self.specs.items()}
        self.released: set[str] = set()  # keys whose replicas were given back (Executor.release)

    def release(self, key: str) -> None:
        """No request may go to `key` again: its replicas are being given back."""
        self.released.add(key)

    def split(self, key: str, requests: list[RoleRequest]) -> list[Part]:
        """The batch's requests, one part per replica the router sends some to (in replica order)."""
        if key in self.released:
            raise EngineReleased(key)
        if self.single[key]:
            return [self._unrouted(key, requests)]
        by_replica: dict[int, list[RoleRequest]] = {}
        for request in requests:
            by_replica.setdefault(self.routers[key].route(request.request_id), []).append(request)
        return [Part(key, replica, part) for replica, part in sorted(by_replica.items())]

    def streamed(self, key: str, request: RoleRequest) -> Part:
        """One streamed request's part, on the replica the router picks (`split` of a batch of one)."""
        if key in self.released:
            raise EngineReleased(key)
        if self.single[key]:
            return self._unrouted(key, [request], streamed=True)
        return Part(key, self.routers[key].route(request.request_id), [request], streamed=True)

    def _unrouted(self, key: str, requests: list[RoleRequest], streamed: bool = False) -> Part:
        """A pool of one: nothing to route (the driver's hot path), only its load to count, right from the first
        request, in case the pool grows."""
        self.routers[key].load[0] += len(requests)
        return Part(key, 0, requests, streamed=streamed)

    def finished(self, part: Part) -> None:
        self.routers[part.key].finished(part.replica, len(part.requests))

    def grow(self, key: str) -> int:
        """One more replica of `key` (a copy of its first's spec); returns its index. A pool of one starts
        routing here: it kept no homes, so every trajectory finds one by rule 1 on its next request."""
        self.specs[key].append(self.specs[key][0])
        self.single[key] = False
        return self.routers[key].grow()


def replica_specs(spec: ModelSpec) -> list[ModelSpec]:
    """One ModelSpec per replica: `replicas` copies, or, for a backend that names its replicas in the model
    (openai: `MODEL@URL1,URL2`), one per name."""
    models = BACKENDS.get(spec.backend).replica_models(spec.model)
    if len(models) > 1:
        return [dataclasses.replace(spec, model=model, replicas=1) for model in models]
    return [dataclasses.replace(spec, replicas=1)] * max(1, spec.replicas)


def replicas_info(infos: list[dict[str, Any]]) -> dict[str, Any]:
    """A pool's run.json entry: the first replica's info as before, plus a `replicas` list when there are
    several (or when where each ran is known)."""
    if len(infos) == 1 and "node_id" not in infos[0]:
        return infos[0]
    first_alive = next((info for info in infos if "died" not in info), infos[0])
    return {**first_alive, "replicas": infos}
