"""Faults, in both schedules: a backend that raises gets one fresh attempt, then its requests fail; a Ray actor
whose process dies is restarted and its batch retried; dying again fails the batch, and the run goes on."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from engine.backends.scripted import ScriptedBackend, call_once_then_answer
from engine.execution.local import LocalExecutor
from engine.execution.ray_executor import RayExecutor
from engine.execution.placement import distinct_models
from engine.schedule import SCHEDULES
from engine.agents import make_agent, start_episode
from tests.helpers.scheduling import run, scripted, weather_tasks
from tools_sim.cache import ResponseCache
from tools_sim.simulator import Simulator

SCHEDULE_NAMES = list(SCHEDULES)


class RaisesFirst(ScriptedBackend):
    """Raises on its first `failures` batches (a CUDA error, an out-of-memory), then answers."""

    def __init__(self, failures: int) -> None:
        super().__init__(call_once_then_answer)
        self.failures = failures
        self.calls = 0

    def generate(self, requests):
        self.calls += 1
        if self.calls <= self.failures:
            raise RuntimeError("CUDA error: an illegal memory access was encountered")
        return super().generate(requests)


class DiesFirst(ScriptedBackend):
    """Kills its process (as a segfault or the OOM killer would) on its first `deaths` batches; the marker
    file counts them across processes, since a restarted actor is built afresh from its arguments."""

    def __init__(self, marker: Path, deaths: int) -> None:
        super().__init__(call_once_then_answer)
        self.marker = marker
        self.deaths = deaths

    def generate(self, requests):
        died = len(self.marker.read_text()) if self.marker.exists() else 0
        if died < self.deaths:
            self.marker.write_text("x" * (died + 1))
            os._exit(1)
        return super().generate(requests)


class DiesOnCalls(ScriptedBackend):
    """Kills its process on the given calls (1 = the first batch any incarnation of it gets), counted
    across processes in the marker file."""

    def __init__(self, marker: Path, calls: set[int]) -> None:
        super().__init__(call_once_then_answer)
        self.marker = marker
        self.calls = calls

    def generate(self, requests):
        with self.marker.open("a") as f:
            f.write("x")
        if len(self.marker.read_text()) in self.calls:
            os._exit(1)
        return super().generate(requests)


def _caller_backend(agent, backend) -> dict:
    return {agent.roles["caller"].actor_key: backend}


@pytest.mark.parametrize("schedule", SCHEDULE_NAMES)
def test_a_batch_that_raises_once_is_retried_and_nothing_changes(schedule):
    agent = scripted("alpha-umi", "call-once-then-answer", per_role=True, batch_size=2)
    clean, _ = run(agent, weather_tasks(4), schedule)
    flaky = RaisesFirst(failures=1)
    executor = LocalExecutor(distinct_models(agent.roles), _caller_backend(agent, flaky))
    records, scheduler = run(agent, weather_tasks(4), schedule, executor=executor)
    assert records == clean and all(r["status"] == "answered" for r in records)
    caller = scheduler.stats.actors[agent.roles["caller"].actor_key]
    retried = flaky.batches[0] if schedule == "continuous" else 1  # streamed: every request of the retried burst
    assert flaky.calls == len(flaky.batches) + 1 and caller.retried_batches == retried
    assert len(flaky.batches) == (1 if schedule == "continuous" else len(caller.batch_sizes))  # a wake-up: one call


@pytest.mark.parametrize("schedule", SCHEDULE_NAMES)
def test_a_batch_that_raises_twice_fails_its_trajectories_and_the_run_goes_on(schedule):
    agent = scripted("alpha-umi", "call-once-then-answer", per_role=True, batch_size=2)
    broken = RaisesFirst(failures=10**6)
    executor = LocalExecutor(distinct_models(agent.roles), _caller_backend(agent, broken))
    records, scheduler = run(agent, weather_tasks(4), schedule, executor=executor)
    assert [r["status"] for r in records] == ["failed"] * 4
    assert all(r["error"] == "RuntimeError: CUDA error: an illegal memory access was encountered" for r in records)
    assert all(r["usage"]["planner"]["calls"] == 1 and not r["calls"] for r in records)
    caller = scheduler.stats.actors[agent.roles["caller"].actor_key]
    calls = 1 if schedule == "continuous" else len(caller.batch_sizes)  # streamed: the wake-up's 4 in one call
    assert broken.calls == 2 * calls and len(caller.batch_sizes) == caller.retried_batches


@pytest.fixture(scope="module")
def ray_session():
    ray = pytest.importorskip("ray")
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    ray.init(address="local", include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield ray
    ray.shutdown()


def _ray_run(agent, schedule, backend, max_active=None, **restarts):
    executor = RayExecutor(distinct_models(agent.roles), backends={next(iter(distinct_models(agent.roles))): backend},
                           streaming=SCHEDULES.get(schedule).streaming, **{"restart_backoff_s": 0.01, **restarts})
    try:
        return run(agent, weather_tasks(3), schedule, executor=executor, max_active=max_active)[0]
    finally:
        executor.shutdown()


@pytest.mark.slow
@pytest.mark.ray
@pytest.mark.parametrize("schedule", SCHEDULE_NAMES)
def test_a_ray_actor_that_dies_mid_batch_is_restarted_and_the_batch_retried(ray_session, tmp_path, schedule):
    agent = scripted("alpha-umi", "call-once-then-answer")  # one shared actor: one CPU
    records = _ray_run(agent, schedule, DiesFirst(tmp_path / "deaths", deaths=1))
    assert (tmp_path / "deaths").read_text() == "x"
    assert records == run(agent, weather_tasks(3))[0]
    assert all(r["status"] == "answered" for r in records)


@pytest.mark.slow
@pytest.mark.ray
@pytest.mark.parametrize("schedule", ["pipelined", "continuous"])
def test_a_ray_actor_that_dies_again_fails_its_batch_and_the_run_goes_on(ray_session, tmp_path, schedule):
    agent = scripted("alpha-umi", "call-once-then-answer")
    records = _ray_run(agent, schedule, DiesFirst(tmp_path / "deaths", deaths=2))
    assert (tmp_path / "deaths").read_text() == "xx"
    assert [r["status"] for r in records] == ["failed"] * 3
    assert all(r["error"].startswith("actor failed:") for r in records)


@pytest.mark.slow
@pytest.mark.ray
@pytest.mark.parametrize("schedule", SCHEDULE_NAMES)
def test_an_actor_that_dies_on_several_batches_fails_none_of_them(ray_session, tmp_path, schedule):
    """Each death is a restart and a retry of the batch in flight: no trajectory fails, none is lost. Streamed,
    every request in flight at a death is retried and charged a try (the driver cannot tell which one killed
    the actor): one trajectory at a time makes each death's suspects one request, as a batch is one."""
    agent = scripted("alpha-umi", "call-once-then-answer")
    max_active = 1 if schedule == "continuous" else None
    records = _ray_run(agent, schedule, DiesOnCalls(tmp_path / "calls", {1, 3, 5}), max_active)
    assert records == run(agent, weather_tasks(3))[0]
    assert all(r["status"] == "answered" for r in records)


@pytest.mark.slow
@pytest.mark.ray
def test_a_spent_restart_budget_stops_the_run_and_fails_only_the_batch_in_flight(ray_session, tmp_path):
    """Deaths on calls 1 and 2 fail the first batch (it died on it twice); the next batch's deaths (calls 3
    and 4) overspend the budget of 3 restarts: the run stops, and that trajectory is left to a resumed
    run, not failed."""
    from engine.execution.ray_executor import RoleActorLost

    agent = scripted("alpha-umi", "call-once-then-answer")
    backend = DiesOnCalls(tmp_path / "calls", set(range(1, 100)))
    executor = RayExecutor(distinct_models(agent.roles), backends={next(iter(distinct_models(agent.roles))): backend},
                           restart_budget=3, restart_backoff_s=0.01)
    done: list = []
    scheduler = SCHEDULES.get("lockstep")(make_agent(agent), executor, Simulator(ResponseCache()), 1)
    try:
        with pytest.raises(RoleActorLost, match="died 4 times, over its restart budget of 3"):
            scheduler.run((start_episode(t, agent, 0) for t in weather_tasks(3)), done.append)
    finally:
        executor.shutdown()
    assert [(e.trajectory.query_id, e.trajectory.status) for e in done] == [("0", "failed")]
    assert done[0].trajectory.error.startswith("actor failed: it died on this batch 2 times")
    assert len((tmp_path / "calls").read_text()) == 4


@pytest.mark.slow
@pytest.mark.ray
def test_an_actor_whose_node_died_stops_the_run_at_once(ray_session, tmp_path, monkeypatch):
    """After a raylet dies, its node leaves the cluster's live resources and Ray would keep a replacement
    actor pending for ever: the run stops instead (the cluster is shrunk here, not killed)."""
    from engine.execution.ray_executor import RoleActorLost

    agent = scripted("alpha-umi", "call-once-then-answer")
    key = next(iter(distinct_models(agent.roles)))
    executor = RayExecutor(distinct_models(agent.roles), backends={key: DiesOnCalls(tmp_path / "calls", {1})},
                           restart_backoff_s=0.01)
    monkeypatch.setattr(executor.ray, "cluster_resources", lambda: {"CPU": 0.0})
    try:
        with pytest.raises(RoleActorLost, match="no live Ray node can host it"):
            run(agent, weather_tasks(2), executor=executor)
    finally:
        monkeypatch.undo()
        executor.shutdown()
