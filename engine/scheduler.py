"""The lockstep scheduler: every tick advances each active trajectory by one role call.

Requests of one tick are grouped by the actor that serves their role and sent as one batch per actor (all
actors at once); the tool calls the replies ask for go to the simulator as one batch. `max_active` bounds
how many trajectories are in flight: 1 reproduces the one-query-at-a-time runners of ToolBench/alpha-UMi.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from engine.agents import Agent, Episode
from engine.executor import Executor
from engine.types import RoleRequest
from tools_sim.types import ToolCall


class ToolBackend:
    """What the scheduler needs of the simulator (tools_sim.simulator.Simulator fits)."""

    def call_many(self, calls: list[ToolCall]) -> list: ...


@dataclass
class SchedulerStats:
    ticks: int = 0
    role_calls: int = 0
    tool_calls: int = 0
    batch_sizes: dict[str, list[int]] = field(default_factory=dict)
    generate_s: float = 0.0
    tools_s: float = 0.0


class LockstepScheduler:
    def __init__(self, agent: Agent, executor: Executor, tools: ToolBackend, max_active: int | None = None) -> None:
        self.agent = agent
        self.executor = executor
        self.tools = tools
        self.max_active = max_active
        self.actor_of_role = {role: spec.actor_key for role, spec in agent.spec.roles.items()}
        self.stats = SchedulerStats()

    def run(self, episodes: Iterable[Episode], on_finished: Callable[[Episode], None]) -> None:
        """Runs every episode to completion, calling `on_finished` as soon as each one ends."""
        pending: Iterator[Episode] = iter(episodes)
        active: list[Episode] = []
        while True:
            for episode in _take(pending, self._room(active)):
                episode.trajectory.started_at = time.time()
                active.append(episode)
            if not active:
                return
            self.tick(active)
            for episode in [e for e in active if e.trajectory.done]:
                episode.trajectory.finished_at = time.time()
                on_finished(episode)
            active = [e for e in active if not e.trajectory.done]

    def _room(self, active: list[Episode]) -> int | None:
        return None if self.max_active is None else self.max_active - len(active)

    def tick(self, active: list[Episode]) -> None:
        self.stats.ticks += 1
        batches: dict[str, list[RoleRequest]] = {}
        waiting: dict[str, Episode] = {}
        tool_calls: list[tuple[Episode, ToolCall]] = []
        for episode in active:
            need = self.agent.next_need(episode)
            if isinstance(need, ToolCall):
                tool_calls.append((episode, need))
            else:
                batches.setdefault(self.actor_of_role[need.role], []).append(need)
                waiting[need.request_id] = episode
        tool_calls += self._generate(batches, waiting)
        self._call_tools(tool_calls)

    def _generate(self, batches: dict[str, list[RoleRequest]], waiting: dict[str, Episode]) -> list[tuple[Episode, ToolCall]]:
        if not batches:
            return []
        start = time.perf_counter()
        results = self.executor.generate(batches)
        self.stats.generate_s += time.perf_counter() - start
        calls = []
        for key, batch in results.items():
            self.stats.batch_sizes.setdefault(key, []).append(len(batch))
            self.stats.role_calls += len(batch)
            for result in batch:
                episode = waiting[result.request_id]
                call = self.agent.on_generation(episode, result)
                if call is not None:
                    calls.append((episode, call))
        return calls

    def _call_tools(self, tool_calls: list[tuple[Episode, ToolCall]]) -> None:
        if not tool_calls:
            return
        start = time.perf_counter()
        observations = self.tools.call_many([call for _, call in tool_calls])
        self.stats.tools_s += time.perf_counter() - start
        self.stats.tool_calls += len(tool_calls)
        for (episode, _), observation in zip(tool_calls, observations):
            self.agent.on_observation(episode, observation)


def _take(iterator: Iterator[Episode], n: int | None) -> list[Episode]:
    if n is None:
        return list(iterator)
    return [episode for _, episode in zip(range(max(0, n)), iterator)]
