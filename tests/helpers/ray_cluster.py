"""A multi-node Ray cluster simulated on this machine (ray.cluster_utils.Cluster), and the agent its tests run."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

# alpha-UMi with every role its own modelled engine that asks for one GPU (`profile`: the modelled timing).
GPU_AGENT_YAML = """preset: alpha-umi
name: {name}
placement: per-role
model: {{backend: modelled, model: "call-once-then-answer@{profile}", num_gpus: 1, num_cpus: 0.1, batch_size: 8}}
"""


@contextmanager
def simulated_cluster(workers: int, gpus_each: int) -> Iterator[tuple[Any, list[Any]]]:
    """A head without GPUs and `workers` nodes of one CPU and `gpus_each` GPUs; shut down after (Ray too)."""
    cluster_utils = pytest.importorskip("ray.cluster_utils")
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    cluster = cluster_utils.Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "num_gpus": 0})
    nodes = [cluster.add_node(num_cpus=1, num_gpus=gpus_each) for _ in range(workers)]
    cluster.wait_for_nodes()
    try:
        yield cluster, nodes
    finally:
        import ray

        ray.shutdown()
        cluster.shutdown()


def write_sweep(folder: Any, address: str, agents: dict[str, str], per_group: int, settings: str = "") -> Any:
    """A sweep file in `folder` of the agents (name: agent YAML, each written beside it) x the embedded
    benchmark, two runs at once on the Ray cluster at `address`, out to `folder`/out; `settings`: more keys."""
    listed = []
    for name, text in agents.items():
        path = folder / f"{name}.yaml"
        path.write_text(text)
        listed.append(f"  - {path}\n")
    sweep = folder / "night.yaml"
    sweep.write_text(f"out: {folder / 'out'}\nexecutor: ray\nray_address: {address}\nmax_concurrent_runs: 2\n{settings}"
                     f"agents:\n{''.join(listed)}benchmarks:\n  - {{benchmark: embedded, per_group: {per_group}}}\n")
    return sweep
