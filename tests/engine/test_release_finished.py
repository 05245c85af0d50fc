"""A run gives back the engines no trajectory will call again (engine.schedule.loop, Executor.release): which
roles an agent has ahead, when the loop releases, and that releasing changes no trajectory."""
from __future__ import annotations


import pytest

from engine.agents import MultiAgent, SingleAgent, make_agent, roles_ahead, start_episode
from engine.execution.local import LocalExecutor
from engine.execution.placement import distinct_models
from engine.execution.pool import EngineReleased
from engine.schedule import SCHEDULES, loop
from tests.helpers.scheduling import run, scripted, weather_tasks

TASKS = 12


def _alpha_umi():
    return scripted("alpha-umi", "call-once-then-answer", per_role=True, batch_size=4)


def test_an_alpha_umi_trajectory_past_its_plan_has_only_the_summarizer_ahead():
    spec = _alpha_umi()
    agent, episode = make_agent(spec), start_episode(weather_tasks(1)[0], spec, 0)
    assert isinstance(agent, MultiAgent)
    assert set(roles_ahead(agent, episode)) == {"planner", "caller", "summarizer"}
    for phase in ("plan", "call"):
        episode.phase = phase
        assert set(roles_ahead(agent, episode)) == {"planner", "caller", "summarizer"}
    episode.phase = "summarize"
    assert roles_ahead(agent, episode) == ("summarizer",)
    episode.trajectory.finish("answered", "done")
    assert roles_ahead(agent, episode) == ()


def test_an_agent_that_declares_nothing_has_every_role_of_its_spec_ahead():
    spec = scripted("toolllama", "call-once-then-answer")
    agent = make_agent(spec)
    assert isinstance(agent, SingleAgent)
    assert roles_ahead(agent, start_episode(weather_tasks(1)[0], spec, 0)) == tuple(spec.roles)


class ReleaseLog:
    """Wraps an executor's release: each engine given back, with how many trajectories had been drawn and had
    ended by then."""

    def __init__(self, executor: LocalExecutor, drawn: list[int], ended: list[int]) -> None:
        self.released: list[tuple[str, int, int]] = []
        release = executor.release

        def logged(key: str) -> None:
            self.released.append((key, len(drawn), len(ended)))
            release(key)
        executor.release = logged


@pytest.mark.parametrize("schedule", list(SCHEDULES))
def test_the_planner_and_caller_go_once_every_trajectory_left_is_at_its_summarizer(schedule, monkeypatch):
    monkeypatch.setattr(loop, "RELEASE_CHECK_S", 0.0)  # look at every reply: a scripted run lasts milliseconds
    spec, tasks = _alpha_umi(), weather_tasks(TASKS)
    keep = LocalExecutor(distinct_models(spec.roles))
    keep.release = lambda key: None  # the reference: nothing given back
    reference = run(spec, tasks, schedule, executor=keep, max_active=3)[0]
    keep.shutdown()

    executor, drawn, ended = LocalExecutor(distinct_models(spec.roles)), [], []
    log = ReleaseLog(executor, drawn, ended)
    scheduler = SCHEDULES.get(schedule)(make_agent(spec), executor, _simulator(), 3)
    episodes = (drawn.append(t) or start_episode(t, spec, 0) for t in tasks)
    records = []
    try:
        scheduler.run(episodes, lambda e: (ended.append(1), records.append(e.trajectory.to_record())))
        info = executor.info()
    finally:
        executor.shutdown()
    assert _untimed(records) == reference  # giving back changes no trajectory
    roles = {role: spec.roles[role].actor_key for role in ("planner", "caller", "summarizer")}
    assert {key for key, _, _ in log.released} == {roles["planner"], roles["caller"]}  # the summarizer serves to the end
    assert all(n == TASKS for _, n, _ in log.released)  # only once every trajectory was drawn
    assert all(done < TASKS for _, _, done in log.released)  # before the run's end
    assert "released_unix_s" in info[roles["planner"]] and "released_unix_s" not in info[roles["summarizer"]]


class _PlannerOnly(MultiAgent):
    def roles_ahead(self, episode):  # wrong: leaves out the caller and summarizer
        return ("planner",)


def test_an_agent_that_leaves_out_a_role_it_still_calls_fails_loudly(monkeypatch):
    monkeypatch.setattr(loop, "RELEASE_CHECK_S", 0.0)
    spec = _alpha_umi()
    executor = LocalExecutor(distinct_models(spec.roles))
    scheduler = SCHEDULES.get("continuous")(_PlannerOnly(spec), executor, _simulator(), None)
    try:
        with pytest.raises(EngineReleased, match="roles_ahead is wrong"):
            scheduler.run((start_episode(t, spec, 0) for t in weather_tasks(4)), lambda e: None)
    finally:
        executor.shutdown()


def test_a_single_engine_run_gives_nothing_back_before_its_end(monkeypatch):
    monkeypatch.setattr(loop, "RELEASE_CHECK_S", 0.0)
    spec = scripted("toolllama", "call-once-then-answer")
    executor = LocalExecutor(distinct_models(spec.roles))
    log = ReleaseLog(executor, [], [])
    try:
        run(spec, weather_tasks(6), "continuous", executor=executor, max_active=2)
    finally:
        executor.shutdown()
    assert log.released == []


def _simulator():
    from tools_sim.cache import ResponseCache
    from tools_sim.simulator import Simulator

    return Simulator(ResponseCache())


def _untimed(records):
    from tests.helpers.scheduling import untimed

    return sorted((untimed(r) for r in records), key=lambda r: r["task_key"])
