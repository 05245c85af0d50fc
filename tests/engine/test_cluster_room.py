"""Room in a Ray cluster (ray.cluster_utils.Cluster: a GPU-less head and two 2-GPU workers): a run whose
placement group can never fit fails at once, naming what it asks and what the cluster has (a sweep records
it and goes on); one that could fit but finds no room waits, then stops at its deadline naming what it
waited for; a stopped wait (a sweep's Ctrl-C) ends at once; none of them leaves its placement group behind."""
from __future__ import annotations

import dataclasses
import os
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
    cpu_only = RayExecutor(distinct_models(scripted("chat-single", "call-once-then-answer").roles))
    cpu_only.shutdown()  # it started: a CPU-only engine takes one node's CPU (1 here), not the cluster's 3
    assert [r.num_cpus for r in cpu_only.resources.values()] == [1.0] and not _live_groups(ray)

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


def test_ctrl_c_stops_every_run_of_a_concurrent_sweep_and_frees_their_room(cluster, tmp_path: Path):
    """A sweep driving two 1-GPU runs at once on the cluster gets SIGINT: both stop within seconds, saved and
    recorded interrupted (none of their trajectories failed by it), their placement groups removed, exit 130."""
    import signal
    import subprocess
    import sys

    import ray

    repo = Path(__file__).resolve().parents[2]
    agent = tmp_path / "slow.yaml"  # chat-single on one modelled GPU, 20x slower than gpu-like: runs outlast the wait
    agent.write_text("preset: chat-single\nmodel: {backend: modelled, model: 'call-once-then-answer@gpu-like,speed=0.05', "
                     "num_gpus: 1, num_cpus: 0.1, batch_size: 8}\n")
    sweep = tmp_path / "night.yaml"
    sweep.write_text(f"out: {tmp_path / 'out'}\nexecutor: ray\nray_address: {cluster.address}\nmax_concurrent_runs: 2\n"
                     f"max_active: 2\nagents:\n  - {{agent: {agent}, name: a}}\n  - {{agent: {agent}, name: b}}\n"
                     "benchmarks:\n  - {benchmark: embedded, per_group: 4}\n")
    process = subprocess.Popen([sys.executable, str(repo / "run_eval.py"), "sweep", str(sweep), "--no-progress"],
                               env={**os.environ, "PYTHONPATH": str(repo)}, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    records = [tmp_path / "out" / f"{name}__embedded__seed0" / "trajectories.jsonl" for name in "ab"]
    deadline = time.monotonic() + 150
    try:
        while process.poll() is None and time.monotonic() < deadline and not all(r.exists() and r.read_bytes() for r in records):
            time.sleep(0.1)
        assert process.poll() is None, process.communicate()[1][-2000:]
        sent = time.monotonic()
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert time.monotonic() - sent < 15 and process.returncode == 130, err[-3000:]
    saved = [[json.loads(line) for line in r.read_text().splitlines()] for r in records]
    assert err.strip().splitlines()[-1] == (f"umi-eval: interrupted; {sum(map(len, saved))} trajectories saved; "
                                            "rerun the same command to resume")
    state = json.loads((tmp_path / "out" / "sweep.json").read_text())["runs"]
    for name, written in zip(state, saved):
        assert state[name]["status"] == "interrupted"
        assert json.loads((tmp_path / "out" / name / "run.json").read_text())["status"] == "interrupted"
        assert 1 <= len(written) < 24 and all(r["status"] != "failed" for r in written)
    ray.init(address=cluster.address, include_dashboard=False, log_to_driver=False)
    assert not _live_groups(ray)  # both runs' placement groups released
