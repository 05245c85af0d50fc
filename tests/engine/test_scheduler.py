"""Lockstep scheduling and the agents' state machines, with the scripted backend and a tiny real model."""
from __future__ import annotations

import dataclasses

import pytest

from engine.backends.scripted import ScriptedBackend, register_script
from engine.execution.local import LocalExecutor
from engine.execution.ray_executor import RayExecutor
from engine.execution.placement import distinct_models
from tests.helpers.scheduling import run, scripted, tiny, weather_tasks

def test_one_batch_per_actor_per_tick():
    agent = scripted("alpha-umi", "call-once-then-answer")
    executor = LocalExecutor(distinct_models(agent.roles))
    records, scheduler = run(agent, weather_tasks(5), executor=executor)
    assert [r["status"] for r in records] == ["answered"] * 5
    # planner, caller, planner, summarizer: four ticks of one 5-wide batch each (all roles share one actor)
    assert {key: actor.batch_sizes for key, actor in scheduler.stats.actors.items()} == {
        "scripted:call-once-then-answer:bf16": [5, 5, 5, 5]}
    assert scheduler.stats.ticks == 4 and scheduler.stats.tool_calls == 5


@pytest.mark.parametrize("preset", ["alpha-umi", "chat-single", "toolllama"])
def test_sequential_equals_batched_with_scripted_backend(preset):
    agent = scripted(preset, "call-once-then-answer")
    batched, _ = run(agent, weather_tasks(4))
    sequential, scheduler = run(agent, weather_tasks(4), max_active=1)
    assert batched == sequential
    assert set(scheduler.stats.actors["scripted:call-once-then-answer:bf16"].batch_sizes) == {1}


register_script("always-call", lambda r: "Thought: again.\nAction: forecast_for_weather_api\nAction Input: {\"city_name\": \"x\"}"
                if r.role != "planner" else "More data needed. Next: caller.")
register_script("empty-planner", lambda r: "" if r.role == "planner" else "unused")
register_script("crash-on-task-1", lambda r: (_ for _ in ()).throw(RuntimeError("boom")) if "city 1?" in str(r.prompt)
                else "Give up. Next: give up.")


@pytest.mark.parametrize("preset", ["alpha-umi", "alpha-umi-backbone"])
def test_max_steps_ends_a_trajectory_after_the_tool_rounds(preset):
    agent = dataclasses.replace(scripted(preset, "always-call"), max_steps=3)
    records, _ = run(agent, weather_tasks(2))
    assert [r["status"] for r in records] == ["max_steps", "max_steps"]
    assert [len(r["calls"]) for r in records] == [3, 3]


def test_empty_planner_output_is_retried_then_the_step_goes_on():
    agent = scripted("alpha-umi", "empty-planner")
    records, scheduler = run(agent, weather_tasks(1))
    assert records[0]["status"] == "max_steps" and records[0]["parse_failures"] == agent.max_steps
    assert scheduler.stats.role_calls == (agent.planner_attempts + 1) * agent.max_steps


def test_a_failing_request_fails_its_trajectory_only():
    records, _ = run(scripted("alpha-umi", "crash-on-task-1"), weather_tasks(3))
    assert [r["status"] for r in records] == ["gave_up", "failed", "gave_up"]


def test_actor_crash_mid_batch_fails_the_batch_not_the_run():
    class Exploding(ScriptedBackend):
        def generate(self, requests):
            raise RuntimeError("CUDA error: device lost")

    agent = scripted("alpha-umi", "call-once-then-answer")
    key = next(iter(distinct_models(agent.roles)))
    executor = LocalExecutor(distinct_models(agent.roles), {key: Exploding(lambda r: "")})
    records, _ = run(agent, weather_tasks(2), executor=executor)
    assert [r["status"] for r in records] == ["failed", "failed"]


@pytest.mark.slow
@pytest.mark.parametrize("preset", ["alpha-umi", "chat-single"])
def test_sequential_equals_batched_with_a_real_tiny_model(tiny_model_dir, preset):
    agent = tiny(preset, tiny_model_dir)
    batched, _ = run(agent, weather_tasks(4))
    sequential, _ = run(agent, weather_tasks(4), max_active=1)
    assert batched == sequential
    assert all(r["status"] in ("answered", "gave_up", "max_steps") for r in batched)


@pytest.mark.slow
@pytest.mark.ray
def test_ray_actors_give_the_same_trajectories_as_in_process(tiny_model_dir):
    agent = tiny("alpha-umi", tiny_model_dir)
    local, _ = run(agent, weather_tasks(3))
    executor = RayExecutor(distinct_models(agent.roles))
    try:
        remote, _ = run(agent, weather_tasks(3), executor=executor)
        assert executor.info()[next(iter(executor.actors))]["backend"] == "hf"
        assert all(v > 0 for v in executor.busy_seconds().values())
    finally:
        executor.shutdown()
    assert remote == local


@pytest.mark.parametrize("schedule", ["lockstep", "pipelined"])
def test_a_backend_returning_the_wrong_number_of_results_fails_that_batch(schedule):
    class Miscounting(ScriptedBackend):
        def generate(self, requests):
            return super().generate(requests)[:-1] if len(requests) > 1 else super().generate(requests) * 2

    agent = scripted("alpha-umi", "call-once-then-answer")
    key = next(iter(distinct_models(agent.roles)))
    backend = Miscounting(lambda r: "")
    executor = LocalExecutor(distinct_models(agent.roles), {key: backend})
    records, _ = run(agent, weather_tasks(2), executor=executor, schedule=schedule)
    assert [r["status"] for r in records] == ["failed", "failed"]
    assert "not one per request" in records[0]["error"]
