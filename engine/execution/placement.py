"""Where each role's engine runs: which roles share an engine, and the CPUs and GPUs of each actor.

An agent's `placement` chooses how roles map to engines:
- `shared` (default): roles with the same model, backend and dtype share one engine (one actor);
- `per-role`: every role gets its own engine, even when the model is the same;
- `colocate`: every role gets its own engine, and all of them share one GPU, each with an equal share of
  its memory (vllm's gpu_memory_utilization) and of Ray's GPU resource.
A role whose spec leaves `num_gpus` at 0 gets GPUs assigned here when the cluster has any: one engine per
GPU (tensor_parallel_size GPUs for a parallel engine) while there are enough, else all on one GPU.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from engine.backends.base import BACKENDS
from engine.types import AgentSpec, ModelSpec

PLACEMENTS = ("shared", "per-role", "colocate")
_GPU_MEMORY_BUDGET = 0.9  # vllm's own default share for a lone engine


class PlacementError(ValueError):
    pass


@dataclass(frozen=True)
class ActorResources:
    num_cpus: float
    num_gpus: float
    gpu_memory_utilization: float | None = None
    tensor_parallel_size: int = 1


def assign_engines(agent: AgentSpec) -> AgentSpec:
    """The agent with its roles mapped to engines by its placement (recorded in run.json with the agent)."""
    if agent.placement not in PLACEMENTS:
        raise PlacementError(f"agent {agent.name}: unknown placement {agent.placement!r}; valid: {', '.join(PLACEMENTS)}")
    if agent.placement == "shared":
        return agent
    roles = {role: dataclasses.replace(spec, engine=spec.engine or role) for role, spec in agent.roles.items()}
    return dataclasses.replace(agent, roles=roles)


def distinct_models(roles: dict[str, ModelSpec]) -> dict[str, ModelSpec]:
    """One entry per actor key: roles that use the same engine share one pool of replicas (the most any of
    them asks for)."""
    models: dict[str, ModelSpec] = {}
    for spec in roles.values():
        shared = models.get(spec.actor_key)  # the last role's spec serves the engine, as it always has
        models[spec.actor_key] = spec if shared is None else dataclasses.replace(spec, replicas=max(shared.replicas, spec.replicas))
    return models


def actor_resources(models: dict[str, ModelSpec], placement: str, cluster_cpus: float,
                    cluster_gpus: float = 0.0) -> dict[str, ActorResources]:
    cpus = cpu_share(models, cluster_cpus)
    gpus = gpu_share(models, placement, cluster_gpus)
    return {key: ActorResources(cpus[key], *gpus.get(key, (models[key].num_gpus, models[key].gpu_memory_utilization)),
                                tensor_parallel_size=models[key].tensor_parallel_size) for key in models}


def cpu_share(models: dict[str, ModelSpec], cluster_cpus: float) -> dict[str, float]:
    """CPUs per actor. Ray sets a worker's OMP_NUM_THREADS to its num_cpus, so CPU-only models split the
    machine between them instead of each getting one thread; more actors than CPUs get fractions, or some
    would never start. GPU actors keep what their spec asks."""
    cpu_only = [key for key, spec in models.items() if spec.num_gpus == 0]
    share = cluster_cpus / max(1, len(cpu_only))
    return {key: _cpus(spec, share) if key in cpu_only else spec.num_cpus for key, spec in models.items()}


def _cpus(spec: ModelSpec, share: float) -> float:
    if share >= 1:
        return float(max(spec.num_cpus, int(share)))
    return math.floor(share * 100) / 100  # rounded down: shares that add up past the machine never start


def gpu_share(models: dict[str, ModelSpec], placement: str,
              cluster_gpus: float) -> dict[str, tuple[float, float | None]]:
    """(num_gpus, gpu_memory_utilization) for the actors whose spec leaves GPUs to the engine."""
    auto = [key for key, spec in models.items() if spec.num_gpus == 0 and BACKENDS.get(spec.backend).uses_gpu]
    if not auto or cluster_gpus < 1:
        return {}
    needed = sum(models[key].tensor_parallel_size for key in auto)
    if placement != "colocate" and needed <= cluster_gpus:
        return {key: (float(models[key].tensor_parallel_size), models[key].gpu_memory_utilization) for key in auto}
    if any(models[key].tensor_parallel_size > 1 for key in auto):
        raise PlacementError(f"{needed} GPUs needed for tensor parallelism, {cluster_gpus:g} in the cluster")
    share = round(1.0 / len(auto), 4)
    return {key: (share, models[key].gpu_memory_utilization or round(_GPU_MEMORY_BUDGET * share, 3)) for key in auto}


class PlacementImpossible(PlacementError):
    """A run's placement group asks what no node, or the whole cluster, has: it would wait for ever."""


_EPSILON = 1e-6  # fractional CPUs and GPUs add up with rounding errors


def fit_problem(bundles: dict[str, dict[str, float]], nodes: list[dict[str, Any]]) -> str | None:
    """Why `bundles` (per replica name, the resources of its bundle) can never be placed on `nodes` (as
    `ray.nodes()` lists them: the alive ones count), or None when they could once the cluster is free: a
    bundle must fit on one node, and all of them together in the cluster."""
    alive = _alive(nodes)
    for name, bundle in bundles.items():
        if not any(_holds(node, bundle) for node in alive):
            largest = largest_node(nodes, sorted(bundle, reverse=True))
            return (f"replica {name} asks {_amounts(bundle)} on one node, and no node has that much "
                    f"(the largest of {len(alive)} alive has {_amounts({k: largest.get(k, 0.0) for k in bundle})})")
    for resource in sorted({k for bundle in bundles.values() for k in bundle}):
        asked = sum(bundle.get(resource, 0.0) for bundle in bundles.values())
        has = sum(node.get(resource, 0.0) for node in alive)
        if asked > has + _EPSILON:
            return (f"its {len(bundles)} replicas ask {asked:g} {resource} in all, and the cluster's {len(alive)} "
                    f"alive nodes have {has:g}")
    return None


def largest_node(nodes: list[dict[str, Any]], order: list[str] | None = None) -> dict[str, float]:
    """The resources of the alive node with the most of `order`'s resources, first first (default: GPUs, then
    CPUs); {} when none is alive."""
    order = order or ["GPU", "CPU"]
    return max(_alive(nodes), key=lambda node: [node.get(k, 0.0) for k in order], default={})


def _alive(nodes: list[dict[str, Any]]) -> list[dict[str, float]]:
    return [node.get("Resources") or {} for node in nodes if node.get("Alive", True)]


def _holds(node: dict[str, float], bundle: dict[str, float]) -> bool:
    return all(node.get(k, 0.0) + _EPSILON >= v for k, v in bundle.items())


def _amounts(resources: dict[str, float]) -> str:
    return ", ".join(f"{amount:g} {name}" for name, amount in sorted(resources.items())) or "nothing"
