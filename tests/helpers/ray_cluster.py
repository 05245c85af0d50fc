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
