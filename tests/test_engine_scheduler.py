"""Lockstep scheduling and the agents' state machines, with the scripted backend and a tiny real model."""
from __future__ import annotations

import dataclasses

import pytest

from benchmarks.types import Task
from engine.agents import make_agent, start_episode
from engine.backends.scripted import ScriptedBackend, register_script
from engine.executor import LocalExecutor, RayExecutor, distinct_models
from engine.presets import PRESETS, override_models
from engine.records import trajectory_record
from engine.scheduler import LockstepScheduler
from engine.types import SamplingParams
from tests.test_roles_fixtures import TOOLS
from tools_sim.cache import ResponseCache
from tools_sim.simulator import Simulator

COMPARED = ("task_key", "status", "turns", "calls", "final_answer", "parse_failures")


def _tasks(n: int) -> list[Task]:
    return [Task("test", "G1_instruction", str(i), f"What is the weather in city {i}?", TOOLS) for i in range(n)]


def _run(agent_spec, tasks, executor=None, max_active=None):
    executor = executor or LocalExecutor(distinct_models(agent_spec.roles))
    scheduler = LockstepScheduler(make_agent(agent_spec), executor, Simulator(ResponseCache()), max_active)
    done = []
    scheduler.run((start_episode(t, agent_spec, 0) for t in tasks), lambda e: done.append(trajectory_record(e.trajectory)))
    return sorted(({k: r[k] for k in COMPARED} for r in done), key=lambda r: r["task_key"]), scheduler


def _scripted(preset: str, script: str):
    return override_models(PRESETS[preset], backend="scripted", model=script)


def test_one_batch_per_actor_per_tick():
    agent = _scripted("alpha-umi", "call-once-then-answer")
    executor = LocalExecutor(distinct_models(agent.roles))
    records, scheduler = _run(agent, _tasks(5), executor)
    assert [r["status"] for r in records] == ["answered"] * 5
    # planner, caller, planner, summarizer: four ticks of one 5-wide batch each (all roles share one actor)
    assert scheduler.stats.batch_sizes == {"scripted:call-once-then-answer:bf16": [5, 5, 5, 5]}
    assert scheduler.stats.ticks == 4 and scheduler.stats.tool_calls == 5


@pytest.mark.parametrize("preset", ["alpha-umi", "chat-single", "toolllama"])
def test_sequential_equals_batched_with_scripted_backend(preset):
    agent = _scripted(preset, "call-once-then-answer")
    batched, _ = _run(agent, _tasks(4))
    sequential, scheduler = _run(agent, _tasks(4), max_active=1)
    assert batched == sequential
    assert set(scheduler.stats.batch_sizes["scripted:call-once-then-answer:bf16"]) == {1}


register_script("always-call", lambda r: "Thought: again.\nAction: forecast_for_weather_api\nAction Input: {\"city_name\": \"x\"}"
                if r.role != "planner" else "More data needed. Next: caller.")
register_script("empty-planner", lambda r: "" if r.role == "planner" else "unused")
register_script("crash-on-task-1", lambda r: (_ for _ in ()).throw(RuntimeError("boom")) if "city 1?" in str(r.prompt)
                else "Give up. Next: give up.")


@pytest.mark.parametrize("preset", ["alpha-umi", "alpha-umi-backbone"])
def test_max_steps_ends_a_trajectory_after_the_tool_rounds(preset):
    agent = dataclasses.replace(_scripted(preset, "always-call"), max_steps=3)
    records, _ = _run(agent, _tasks(2))
    assert [r["status"] for r in records] == ["max_steps", "max_steps"]
    assert [len(r["calls"]) for r in records] == [3, 3]


def test_empty_planner_output_is_retried_then_gives_up():
    agent = _scripted("alpha-umi", "empty-planner")
    records, scheduler = _run(agent, _tasks(1))
    assert records[0]["status"] == "gave_up" and records[0]["parse_failures"] == 1
    assert scheduler.stats.role_calls == 1 + agent.max_planner_retries


def test_a_failing_request_fails_its_trajectory_only():
    records, _ = _run(_scripted("alpha-umi", "crash-on-task-1"), _tasks(3))
    assert [r["status"] for r in records] == ["gave_up", "failed", "gave_up"]


def test_actor_crash_mid_batch_fails_the_batch_not_the_run():
    class Exploding(ScriptedBackend):
        def generate(self, requests):
            raise RuntimeError("CUDA error: device lost")

    agent = _scripted("alpha-umi", "call-once-then-answer")
    key = next(iter(distinct_models(agent.roles)))
    executor = LocalExecutor(distinct_models(agent.roles), {key: Exploding(lambda r: "")})
    records, _ = _run(agent, _tasks(2), executor)
    assert [r["status"] for r in records] == ["failed", "failed"]


def _tiny(preset: str, tiny_model_dir):
    agent = override_models(PRESETS[preset], model=str(tiny_model_dir), dtype="fp32",
                            sampling=SamplingParams(max_new_tokens=16))
    return dataclasses.replace(agent, max_steps=2)


@pytest.mark.parametrize("preset", ["alpha-umi", "chat-single"])
def test_sequential_equals_batched_with_a_real_tiny_model(tiny_model_dir, preset):
    agent = _tiny(preset, tiny_model_dir)
    batched, _ = _run(agent, _tasks(4))
    sequential, _ = _run(agent, _tasks(4), max_active=1)
    assert batched == sequential
    assert all(r["status"] in ("answered", "gave_up", "max_steps") for r in batched)


def test_ray_actors_give_the_same_trajectories_as_in_process(tiny_model_dir):
    agent = _tiny("alpha-umi", tiny_model_dir)
    local, _ = _run(agent, _tasks(3))
    executor = RayExecutor(distinct_models(agent.roles))
    try:
        remote, _ = _run(agent, _tasks(3), executor)
        assert executor.info()[next(iter(executor.actors))]["backend"] == "hf"
        assert all(v > 0 for v in executor.busy_seconds().values())
    finally:
        executor.shutdown()
    assert remote == local
