"""Room in a Ray cluster (ray.cluster_utils.Cluster: a GPU-less head and two 2-GPU workers): a run whose
placement group can never fit fails at once, naming what it asks and what the cluster has (a sweep records
it and goes on); one that could fit but finds no room waits, then stops at its deadline naming what it
waited for; a stopped wait (a sweep's Ctrl-C) ends at once; none of them leaves its placement group behind."""
from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import pytest

from engine.execution.control import RunControl, StopFlag
from engine.execution.placement import PlacementImpossible, distinct_models
from engine.execution.ray_executor import PlacementTimeout, RayExecutor
from tests.helpers.ray_cluster import GPU_AGENT_YAML, simulated_cluster
from tests.helpers.scheduling import scripted

pytestmark = [pytest.mark.slow, pytest.mark.ray]

@pytest.fixture
def cluster():
    with simulated_cluster(2, 2) as (made, _):
        yield made


def _models(gpus_each: float):
    agent = scripted("chat-single", "call-once-then-answer@gpu-like", num_gpus=gpus_each, num_cpus=0.1)
    return distinct_models({r: dataclasses.replace(s, backend="modelled") for r, s in agent.roles.items()})


def _live_groups(ray) -> list:
    return [g for g in ray.util.placement_group_table().values() if g["state"] != "REMOVED"]


def test_impossible_groups_fail_at_once_and_possible_ones_wait_with_a_deadline(cluster):
    import ray
    from ray.util.placement_group import placement_group

    ray.init(address=cluster.address, include_dashboard=False, log_to_driver=False)
    started = time.monotonic()
    with pytest.raises(PlacementImpossible, match=r"run big-one can never start.*asks 0\.1 CPU, 3 GPU on one node.*"
                                                  r"largest of 3 alive has 1 CPU, 2 GPU"):
        RayExecutor(_models(3), control=RunControl(label="big-one"))
    assert time.monotonic() - started < 10 and not _live_groups(ray)

    holder = placement_group([{"GPU": 2}, {"GPU": 1}])  # another job holds 3 of the 4 GPUs
    ray.get(holder.ready())
    said: list[str] = []
    control = RayExecutor.ROOM_NOTE_S
    RayExecutor.ROOM_NOTE_S = 0.5
    try:
        waits: list[bool] = []
        with pytest.raises(PlacementTimeout, match=r"run waiter waited \d+ s for room .* 1 replicas \(2 GPU, 0\.1 CPU\)"):
            RayExecutor(_models(2), control=RunControl(label="waiter", room_timeout_s=2, say=said.append,
                                                       waiting=waits.append))
        assert said and "waiter: waiting" in said[0] and "free now: 1 GPU" in said[0] and waits == [True, False]
        queued_since, until = time.monotonic(), time.monotonic() + 2
        with pytest.raises(PlacementTimeout):  # the deadline counts once no run of its own is in flight
            RayExecutor(_models(2), control=RunControl(label="queued", room_timeout_s=1,
                                                       others_running=lambda: time.monotonic() < until))
        assert time.monotonic() - queued_since >= 2.4  # 2 s with one, then 1 s less a wake-up step (0.5 s); not 1 s
        stop = StopFlag()
        stop.set()
        with pytest.raises(KeyboardInterrupt):  # a sweep's Ctrl-C reaches a run still waiting for room
            RayExecutor(_models(2), control=RunControl(label="stopped", stop=stop))
    finally:
        RayExecutor.ROOM_NOTE_S = control
    assert [g["placement_group_id"] for g in _live_groups(ray)] == [holder.id.hex()]  # theirs removed


def test_a_sweep_records_an_impossible_run_as_failed_and_runs_the_others(cluster, tmp_path: Path):
    import run_eval

    path = tmp_path / "ckpt.yaml"
    path.write_text(GPU_AGENT_YAML.format(name="ckpt", profile="gpu-like"))
    sweep = tmp_path / "night.yaml"
    sweep.write_text(f"out: {tmp_path / 'out'}\nexecutor: ray\nray_address: {cluster.address}\nmax_concurrent_runs: 2\n"
                     f"agents:\n  - {{agent: {path}, name: too-big, replicas: 'planner=3'}}\n  - {path}\n"
                     "benchmarks:\n  - {benchmark: embedded, per_group: 1}\n")
    assert run_eval.main(["sweep", str(sweep), "--no-progress"]) == 1  # a run failed
    runs = json.loads((tmp_path / "out" / "sweep.json").read_text())["runs"]
    assert runs["too-big__embedded__seed0"]["status"] == "failed"
    assert "ask 5 GPU in all, and the cluster's 3 alive nodes have 4" in runs["too-big__embedded__seed0"]["error"]
    assert runs["ckpt__embedded__seed0"]["status"] == "finished"
