"""Giving engines back on Ray (Executor.release), on a simulated cluster (a GPU-less head and one 3-GPU node;
modelled engines of one GPU each): a released engine's GPU is free at once while the others answer; a run
waiting for room starts on what another run gives back; two runs waiting at once for room only one can have
do not deadlock (each replica has its placement group, and runs wait for room one at a time)."""
from __future__ import annotations

import dataclasses
import threading
import time

import pytest

from engine.execution.control import RunControl
from engine.execution.placement import distinct_models
from engine.execution.pool import EngineReleased
from engine.execution.ray_executor import RayExecutor
from engine.execution.replicas import with_replicas
from engine.types import RoleRequest, SamplingParams
from tests.helpers.ray_cluster import simulated_cluster, write_sweep
from tests.helpers.scheduling import scripted

pytestmark = [pytest.mark.slow, pytest.mark.ray]


@pytest.fixture
def ray_on_cluster():
    """Ray connected to a head without GPUs and one worker of 3 GPUs; shut down by the fixture."""
    with simulated_cluster(1, 3) as (cluster, _):
        import ray

        ray.init(address=cluster.address, include_dashboard=False, log_to_driver=False)
        yield ray


def _models(preset: str = "alpha-umi", per_role: bool = True, **replicas: int):
    """A modelled engine of one GPU per role (alpha-UMi per role: planner, caller, summarizer, 3 GPUs)."""
    agent = scripted(preset, "call-once-then-answer@gpu-like", per_role=per_role, num_gpus=1, num_cpus=0.1)
    agent = with_replicas(agent, replicas) if replicas else agent
    return distinct_models({r: dataclasses.replace(s, backend="modelled") for r, s in agent.roles.items()})


def _requests(role: str) -> list[RoleRequest]:
    return [RoleRequest(f"task{i}|0", role, "user: weather?", SamplingParams(), i) for i in range(2)]


def _free_gpus(ray) -> float:
    return ray.available_resources().get("GPU", 0.0)


def _until(done, within_s: float) -> bool:
    deadline = time.monotonic() + within_s
    while not done() and time.monotonic() < deadline:
        time.sleep(0.1)
    return done()


class _Starting:
    """A run's executor built in a thread of its own, as a sweep's run is; stopped by its flag if still waiting."""

    def __init__(self, models, label: str) -> None:
        self.control = RunControl(label=label)
        self.executor: RayExecutor | None = None
        self.thread = threading.Thread(target=self._start, args=(models,), daemon=True)
        self.thread.start()

    def _start(self, models) -> None:
        try:
            self.executor = RayExecutor(models, control=self.control)
        except KeyboardInterrupt:  # stopped while it waited (the test's end)
            pass

    def started(self) -> bool:
        return self.executor is not None

    def end(self) -> None:
        self.control.stop.set()
        self.thread.join(30)
        if self.executor is not None:
            self.executor.shutdown()


def test_a_released_engine_frees_its_gpu_at_once_and_the_others_answer(ray_on_cluster):
    ray = ray_on_cluster
    models = _models()
    executor = RayExecutor(models)
    try:
        released, *kept = models
        assert _free_gpus(ray) == 0
        executor.release(released)
        assert _until(lambda: _free_gpus(ray) == 1, 5)
        answers = executor.generate({key: _requests(models[key].engine) for key in kept})
        assert all(len(results) == 2 and not any(r.error for r in results) for results in answers.values())
        with pytest.raises(EngineReleased):
            executor.submit(released, _requests(models[released].engine))
        info = executor.info()
        assert info[released]["node_id"] and "released_unix_s" in info[released]  # where it ran, kept
        assert all("released_unix_s" not in info[key] for key in kept)
    finally:
        executor.shutdown()


def test_a_waiting_run_starts_on_the_gpus_another_gives_back(ray_on_cluster):
    models = _models()
    first = RayExecutor(models)
    second = _Starting(_models("chat-single", per_role=False, backbone=2), "second")  # 2 GPUs: 2 replicas
    try:
        planner, caller, _ = models
        first.release(planner)
        time.sleep(2)
        assert not second.started()  # one GPU free: not enough
        first.release(caller)
        assert _until(second.started, 15)
    finally:
        second.end()
        first.shutdown()


def test_two_runs_waiting_for_room_only_one_can_have_do_not_deadlock(ray_on_cluster):
    """Both ask for all 3 GPUs while another job holds them; freed, one run gets all 3 (with a group each, and
    no turns, each could hold some and wait for ever), and the other starts once it ends."""
    from ray.util.placement_group import placement_group, remove_placement_group

    ray = ray_on_cluster
    holder = placement_group([{"GPU": 1.0}] * 3)
    ray.get(holder.ready())
    runs = [_Starting(_models(), label) for label in ("a", "b")]
    try:
        time.sleep(1)
        remove_placement_group(holder)
        assert _until(lambda: any(run.started() for run in runs), 15)
        first, second = sorted(runs, key=lambda run: not run.started())
        time.sleep(2)
        assert not second.started() and _free_gpus(ray) == 0
        first.end()
        assert _until(second.started, 15)
    finally:
        for run in runs:
            run.end()


TAIL_AGENT = """preset: alpha-umi
name: {name}
placement: per-role
model: {{backend: modelled, model: "call-once-then-answer@gpu-like,speed=4", num_gpus: 1, num_cpus: 0.1, batch_size: 8}}
roles:
  summarizer: {{model: "call-once-then-answer@gpu-like,speed={summarizer_speed}"}}
"""


def test_a_queued_sweep_run_starts_on_the_engines_a_run_gives_back_in_its_tail(tmp_path):
    """Two 3-GPU alpha-UMi runs with a slow summarizer on one 4-GPU node, both in flight: one waits for room
    until the other's trajectories all reach its summarizer, and starts on the planner and caller given back,
    before the other ends (which run goes first is the Ray cluster's choice)."""
    import json

    import run_eval

    with simulated_cluster(1, 4) as (cluster, _):
        sweep = write_sweep(tmp_path, cluster.address, {name: TAIL_AGENT.format(name=name, summarizer_speed=0.02)
                                                        for name in ("ckpt-a", "ckpt-b")}, per_group=2, settings="grow: false\n")
        assert run_eval.main(["sweep", str(sweep), "--no-progress"]) == 0
    state = json.loads((tmp_path / "out" / "sweep.json").read_text())
    records = {name: [json.loads(line) for line in (tmp_path / "out" / name / "trajectories.jsonl").read_text().splitlines()]
               for name in state["runs"]}
    for name, run_records in records.items():
        assert state["runs"][name]["status"] == "finished"
        assert len(run_records) == len({r["task_key"] for r in run_records}) == 12  # none lost, none twice
        assert all(r["status"] == "answered" for r in run_records)
        assert sorted(key.rpartition("@")[2] for key in state["runs"][name]["released"]) == ["caller", "planner"]
        models = json.loads((tmp_path / "out" / name / "run.json").read_text())["models"]
        assert all(models[key]["released_unix_s"] == when for key, when in state["runs"][name]["released"].items())
    began = {name: min(r["started_at"] for r in run_records) for name, run_records in records.items()}
    first, then = sorted(began, key=began.get)
    # both in flight from the start; the second began on the GPUs the first gave back, before the first ended
    assert state["runs"][then]["start_unix_s"] < max(state["runs"][first]["released"].values()) <= began[then]
    assert began[then] < state["runs"][first]["end_unix_s"]
