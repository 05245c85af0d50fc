"""Multi-node Ray, simulated on this machine with ray.cluster_utils.Cluster (a head and four worker nodes, each
declaring 2 GPUs; modelled role engines that each ask for one): replicas land on the planned nodes, a node
removed mid-run or mid-sweep costs no trajectory, and a sweep's concurrent runs span nodes."""
from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest

from engine.execution.placement import distinct_models
from engine.execution.replicas import with_replicas
from engine.execution.ray_executor import RayExecutor
from tests.helpers.ray_cluster import GPU_AGENT_YAML, simulated_cluster, write_sweep
from tests.helpers.scheduling import run, scripted, weather_tasks

pytestmark = [pytest.mark.slow, pytest.mark.ray]


@pytest.fixture
def cluster():
    """A head without GPUs and four 2-GPU workers; shut down by the test that made it."""
    with simulated_cluster(4, 2) as made:
        yield made


def _agent():
    agent = scripted("alpha-umi", "call-once-then-answer@gpu-like", per_role=True, num_gpus=1, num_cpus=0.1,
                     batch_size=8)
    return with_replicas(dataclasses.replace(agent, roles={r: dataclasses.replace(s, backend="modelled")
                                                          for r, s in agent.roles.items()}), {"planner": 2})


def _node_ids(workers) -> set[str]:
    return {node.node_id for node in workers}


def test_replicas_land_on_gpu_nodes_and_a_removed_node_loses_nothing(cluster):
    import ray

    cluster, workers = cluster
    ray.init(address=cluster.address, include_dashboard=False, log_to_driver=False)
    agent = _agent()
    tasks = weather_tasks(24)
    executor = RayExecutor(distinct_models(agent.roles), streaming=True, restart_backoff_s=0.01)
    try:
        placed = [(r["node_id"], tuple(r["gpu_ids"])) for info in executor.info().values()
                  for r in info.get("replicas", [info])]
        assert len(placed) == 4 and len(set(placed)) == 4  # four replicas, four distinct GPUs
        assert {node for node, _ in placed} <= _node_ids(workers)  # none on the GPU-less head
        assert all(len(gpus) == 1 for _, gpus in placed)
        victim = next(w for w in workers if w.node_id == placed[0][0])
        removed = []

        def remove_after_some(results):
            if not removed and executor.pools.routers[agent.roles["planner"].actor_key].load[0] and len(results):
                removed.append(victim.node_id)
                cluster.remove_node(victim)

        executor.on_finished.append(remove_after_some)
        records = run(agent, tasks, "continuous", executor=executor)[0]
        # where each replica ran last (one given back while its replacement was starting has no node)
        moved = {r["node_id"] for info in executor.info().values() for r in info.get("replicas", [info]) if "node_id" in r}
    finally:
        executor.shutdown()
    assert removed and victim.node_id not in moved
    assert sum(executor.restarts.values()) >= 1
    reference = run(agent, tasks, "continuous")[0]
    assert records == reference and len(records) == len(tasks)
    assert all(r["status"] == "answered" for r in records)


def test_a_sweep_runs_concurrently_across_nodes_and_survives_a_removed_node(cluster, tmp_path: Path):
    """Two runs of 3 GPUs each at once on four 2-GPU nodes; once both run, a node holding replicas is removed:
    both runs finish with every trajectory once, as they would alone."""
    import threading

    import run_eval

    cluster, workers = cluster
    # half as fast as gpu-like: each run outlasts the removal (made once both runs have their replicas)
    sweep = write_sweep(tmp_path, cluster.address, {name: GPU_AGENT_YAML.format(name=name, profile="gpu-like,speed=0.5")
                                                    for name in ("ckpt-a", "ckpt-b")}, per_group=4)
    removed: list[str] = []
    remover = threading.Thread(target=_remove_a_busy_node, args=(cluster, workers, tmp_path / "out", removed), daemon=True)
    remover.start()
    assert run_eval.main(["sweep", str(sweep), "--no-progress"]) == 0
    remover.join()
    state = json.loads((tmp_path / "out" / "sweep.json").read_text())
    a, b = state["runs"].values()
    assert a["status"] == b["status"] == "finished"
    assert a["start_unix_s"] < b["end_unix_s"] and b["start_unix_s"] < a["end_unix_s"]  # at once
    # A replica whose node went after its last request is recorded as died, with no node: the others ran here.
    nodes = {w["node_id"] for run in (a, b) for where in run["replicas"].values() for w in where} - {None}
    assert len(nodes) >= 2 and nodes <= _node_ids(workers)  # 6 GPUs of work over 2-GPU nodes: it spans them
    assert removed and removed[0] not in nodes  # where the replicas ran at the end: not on the removed node
    for name in state["runs"]:
        records = [json.loads(line) for line in (tmp_path / "out" / name / "trajectories.jsonl").read_text().splitlines()]
        assert len(records) == len({r["task_key"] for r in records}) == 24  # none lost, none twice
        assert all(r["status"] == "answered" for r in records)


def _remove_a_busy_node(cluster, workers, out: Path, removed: list[str]) -> None:
    """Once both runs have their replicas up (their run.json names where), removes a worker node holding some."""
    import time

    from engine.runner.sweep import where_it_ran

    deadline = time.monotonic() + 120
    busy: list[str] = []
    while time.monotonic() < deadline and not busy:
        places = [where_it_ran(out / name)["replicas"] for name in ("ckpt-a__embedded__seed0", "ckpt-b__embedded__seed0")]
        if all(places):
            busy = [w["node_id"] for where in places[0].values() for w in where]
        time.sleep(0.2)
    victim = next(w for w in workers if w.node_id in busy)
    removed.append(victim.node_id)
    cluster.remove_node(victim)


SLOW_FAST_AGENT = """preset: alpha-umi
name: {name}
placement: per-role
model: {{backend: modelled, model: "call-once-then-answer@gpu-like,speed={speed}", num_gpus: 1, num_cpus: 0.1, batch_size: 4}}
"""


@pytest.fixture
def two_nodes():
    """A head without GPUs and two 3-GPU workers: room for two 3-GPU runs; shut down by the test that made it."""
    cluster_utils = pytest.importorskip("ray.cluster_utils")
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    cluster = cluster_utils.Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "num_gpus": 0})
    workers = [cluster.add_node(num_cpus=1, num_gpus=3) for _ in range(2)]
    cluster.wait_for_nodes()
    yield cluster, workers
    import ray

    ray.shutdown()
    cluster.shutdown()


def test_a_run_grows_into_the_gpus_a_finished_run_frees(two_nodes, tmp_path: Path):
    """Two 3-GPU runs fill two 3-GPU nodes; the fast one ends and the slow one grows replicas into its node's
    GPUs: every trajectory once, and sweep.json and run.json say what grew, when and where."""
    import run_eval

    cluster, workers = two_nodes
    sweep = write_sweep(tmp_path, cluster.address, {name: SLOW_FAST_AGENT.format(name=name, speed=speed)
                                                    for name, speed in (("quick", 8), ("slow", 0.1))},
                        per_group=6, settings="grow_cap: 3\n")
    assert run_eval.main(["sweep", str(sweep), "--no-progress"]) == 0
    state = json.loads((tmp_path / "out" / "sweep.json").read_text())
    quick, slow = state["runs"].values()
    assert quick["status"] == slow["status"] == "finished"
    assert "grown" not in quick and 1 <= len(slow["grown"]) <= 3  # the cap holds
    assert all(quick["end_unix_s"] <= g["unix_s"] < slow["end_unix_s"] for g in slow["grown"])  # into freed GPUs
    models = json.loads((tmp_path / "out" / slow["dir"].rpartition("/")[2] / "run.json").read_text())["models"]
    grown = [r for info in models.values() for r in info.get("replicas", [info]) if "grown_unix_s" in r]
    assert len(grown) == len(slow["grown"])
    assert all(r.get("node_id") in _node_ids(workers) and len(r["gpu_ids"]) == 1 for r in grown)
    assert len({w["node_id"] for where in slow["replicas"].values() for w in where}) == 2  # it spans both nodes now
    for name in state["runs"]:
        records = [json.loads(line) for line in (tmp_path / "out" / name / "trajectories.jsonl").read_text().splitlines()]
        assert len(records) == len({r["task_key"] for r in records}) == 36  # none lost, none twice
        assert all(r["status"] == "answered" for r in records)
