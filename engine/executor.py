"""Where role models run: in this process (`local`) or one Ray actor per distinct model (`ray`).

Both executors take one batch per actor and return when every actor has answered, so the roles of one
tick generate concurrently on Ray. Each actor reports the time it spent generating (busy time).
"""
from __future__ import annotations

import os
import time
from typing import Any, Protocol

from engine.backends.base import Backend, make_backend
from engine.types import ModelSpec, RoleRequest, RoleResult


class Executor(Protocol):
    def generate(self, batches: dict[str, list[RoleRequest]]) -> dict[str, list[RoleResult]]: ...
    def info(self) -> dict[str, Any]: ...
    def busy_seconds(self) -> dict[str, float]: ...
    def shutdown(self) -> None: ...


class RoleWorker:
    """Hosts one backend and times it; the same class runs in-process or as a Ray actor."""

    def __init__(self, spec: ModelSpec, backend: Backend | None = None) -> None:
        self.backend = backend or make_backend(spec)
        self.busy_s = 0.0
        self.batches = 0

    def generate(self, requests: list[RoleRequest]) -> tuple[list[RoleResult], float]:
        start = time.perf_counter()
        try:
            results = self.backend.generate(requests)
        except Exception as exc:  # a crashing batch fails its requests, not the run
            results = [RoleResult(r.request_id, "", error=f"{type(exc).__name__}: {exc}") for r in requests]
        elapsed = time.perf_counter() - start
        self.busy_s += elapsed
        self.batches += 1
        return results, elapsed

    def info(self) -> dict[str, Any]:
        return self.backend.info()


def distinct_models(roles: dict[str, ModelSpec]) -> dict[str, ModelSpec]:
    """One entry per actor key: roles that use the same model share one actor."""
    return {spec.actor_key: spec for spec in roles.values()}


def cpu_share(models: dict[str, ModelSpec], cluster_cpus: float) -> dict[str, float]:
    """CPUs per actor. Ray sets a worker's OMP_NUM_THREADS to its num_cpus, so CPU-only models split the
    machine between them instead of each getting one thread; GPU actors keep what their spec asks."""
    cpu_only = [key for key, spec in models.items() if spec.num_gpus == 0]
    share = max(1, int(cluster_cpus // max(1, len(cpu_only))))
    return {key: float(max(spec.num_cpus, share)) if key in cpu_only else spec.num_cpus for key, spec in models.items()}


class LocalExecutor:
    def __init__(self, models: dict[str, ModelSpec], backends: dict[str, Backend] | None = None) -> None:
        backends = backends or {}
        self.workers = {key: RoleWorker(spec, backends.get(key)) for key, spec in models.items()}

    def generate(self, batches: dict[str, list[RoleRequest]]) -> dict[str, list[RoleResult]]:
        return {key: self.workers[key].generate(requests)[0] for key, requests in batches.items()}

    def info(self) -> dict[str, Any]:
        return {key: worker.info() for key, worker in self.workers.items()}

    def busy_seconds(self) -> dict[str, float]:
        return {key: worker.busy_s for key, worker in self.workers.items()}

    def shutdown(self) -> None:
        self.workers.clear()


class RayExecutor:
    """One Ray actor per distinct model; a local Ray starts unless `address` joins a cluster."""

    def __init__(self, models: dict[str, ModelSpec], address: str | None = None) -> None:
        import ray

        os.environ.setdefault("RAY_AUTH_MODE", "disabled")  # Ray 2.60 token auth is pointless on a local run
        self.owns_ray = not ray.is_initialized()
        if self.owns_ray:
            ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False)
        remote_worker = ray.remote(max_restarts=1, max_task_retries=1)(RoleWorker)
        self.ray = ray
        cpus = cpu_share(models, ray.cluster_resources().get("CPU", 1.0))
        self.actors = {
            key: remote_worker.options(num_cpus=cpus[key], num_gpus=spec.num_gpus).remote(spec)
            for key, spec in models.items()
        }
        self.busy: dict[str, float] = {key: 0.0 for key in models}

    def generate(self, batches: dict[str, list[RoleRequest]]) -> dict[str, list[RoleResult]]:
        futures = {key: self.actors[key].generate.remote(requests) for key, requests in batches.items()}
        out: dict[str, list[RoleResult]] = {}
        for key, future in futures.items():
            try:
                results, elapsed = self.ray.get(future)
            except self.ray.exceptions.RayError as exc:  # actor died twice: fail this batch, keep the run
                results, elapsed = [RoleResult(r.request_id, "", error=f"actor failed: {exc}") for r in batches[key]], 0.0
            self.busy[key] += elapsed
            out[key] = results
        return out

    def info(self) -> dict[str, Any]:
        return {key: self.ray.get(actor.info.remote()) for key, actor in self.actors.items()}

    def busy_seconds(self) -> dict[str, float]:
        return dict(self.busy)

    def shutdown(self) -> None:
        for actor in self.actors.values():
            self.ray.kill(actor)
        self.actors.clear()
        if self.owns_ray:
            self.ray.shutdown()


def make_executor(kind: str, models: dict[str, ModelSpec], ray_address: str | None = None) -> Executor:
    if kind == "local":
        return LocalExecutor(models)
    if kind == "ray":
        return RayExecutor(models, ray_address)
    raise ValueError(f"unknown executor {kind!r}; valid: local, ray")
