"""Tasks, agents and a runner for the scheduler tests: any schedule, executor and simulator."""
from __future__ import annotations

import dataclasses
from typing import Any

from benchmarks.core.types import Task
from benchmarks.results.trajectories import untimed  # noqa: F401  (the tests' notion of identical trajectories)
from engine.agents import make_agent, start_episode
from engine.execution.executor import Executor
from engine.execution.local import LocalExecutor
from engine.execution.placement import assign_engines, distinct_models
from engine.config.presets import PRESETS, override_models
from engine.schedule import SCHEDULES
from engine.schedule.loop import Scheduler
from engine.types import AgentSpec, SamplingParams
from tests.helpers.role_fixtures import TOOLS
from tools_sim.cache import ResponseCache
from tools_sim.simulator import Simulator


def weather_tasks(n: int) -> list[Task]:
    return [Task("test", "G1_instruction", str(i), f"What is the weather in city {i}?", TOOLS) for i in range(n)]


def scripted(preset: str, script: str, per_role: bool = False, **model: Any) -> AgentSpec:
    """A preset on the scripted backend; `per_role` gives every role its own actor (model: ModelSpec fields)."""
    agent = override_models(PRESETS[preset], backend="scripted", model=script, **model)
    return assign_engines(dataclasses.replace(agent, placement="per-role")) if per_role else agent


def tiny(preset: str, tiny_model_dir, per_role: bool = False, **model: Any) -> AgentSpec:
    agent = override_models(PRESETS[preset], model=str(tiny_model_dir), dtype="fp32",
                            sampling=SamplingParams(max_new_tokens=16), **model)
    if per_role:
        agent = assign_engines(dataclasses.replace(agent, placement="per-role"))
    return dataclasses.replace(agent, max_steps=2)


def run(agent: AgentSpec, tasks: list[Task], schedule: str = "lockstep", executor: Executor | None = None,
        max_active: int | None = None, simulator: Any = None) -> tuple[list[dict[str, Any]], Scheduler]:
    """Runs `tasks`; returns the untimed records sorted by task, and the scheduler (for its stats)."""
    executor = executor or LocalExecutor(distinct_models(agent.roles))
    simulator = simulator or Simulator(ResponseCache())
    scheduler = SCHEDULES.get(schedule)(make_agent(agent), executor, simulator, max_active)
    done: list[dict[str, Any]] = []
    scheduler.run((start_episode(t, agent, 0) for t in tasks), lambda e: done.append(e.trajectory.to_record()))
    return sorted((untimed(r) for r in done), key=lambda r: r["task_key"]), scheduler
