"""Scheduling: how the role calls of many trajectories become batches on the role actors.

`Scheduler` holds what every schedule shares: asking an actor (and when), booking a finished batch (busy
time, batch size, each request's queueing time) and applying its results, and sending tool calls to the
simulator in one batch. `LockstepScheduler` is the reference schedule: every tick advances each active
trajectory by one role call; the requests of a tick are grouped by the actor that serves their role and
sent as one batch per actor (all actors at once); the tool calls the replies ask for go to the simulator
as one batch. `max_active` bounds how many trajectories are in flight: 1 reproduces the one-query-at-a-time
runners of ToolBench/alpha-UMi. engine.schedule.pipelined holds the pipelined schedule.

A request's queueing time runs from when its trajectory asked for it until its batch started on the actor.
"""
from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Protocol

from engine.agents import Agent, Episode
from engine.schedule.hooks import NoCheckpoint, StepHook
from engine.execution.executor import Executor, FinishedBatch, failed_results
from engine.types import RoleRequest, RoleResult
from tools_sim.types import ToolCall


class ToolSimulator(Protocol):
    """What the scheduler needs of the simulator (tools_sim.simulator.Simulator fits)."""

    def call_many(self, calls: list[ToolCall]) -> list: ...


@dataclass
class ActorStats:
    busy_s: float = 0.0
    retried_batches: int = 0  # the backend raised, and a fresh attempt ran
    batch_sizes: list[int] = field(default_factory=list)
    queue_s: list[float] = field(default_factory=list)  # one per request
    spans: list[tuple[float, float]] = field(default_factory=list)  # per batch: (started_at, busy_s), Unix clock


@dataclass
class SchedulerStats:
    schedule: str
    actors: dict[str, ActorStats]
    ticks: int = 0  # lockstep ticks; pipelined: wake-ups on finished batches
    role_calls: int = 0
    tool_calls: int = 0
    generate_s: float = 0.0  # time the scheduler waited on actors
    tools_s: float = 0.0
    started_at: float = field(default_factory=time.time)  # origin of the actors' timelines


class Scheduler(ABC):
    schedule = ""  # its name in run.json and metrics.json
    streaming = False  # whether it streams single requests (engine.schedule.continuous) rather than batches

    def __init__(self, agent: Agent, executor: Executor, tools: ToolSimulator, max_active: int | None = None) -> None:
        self.agent = agent
        self.executor = executor
        self.tools = tools
        self.max_active = max_active
        self.actor_of_role = {role: spec.actor_key for role, spec in agent.spec.roles.items()}
        self.stats = SchedulerStats(self.schedule, {key: ActorStats() for key in dict.fromkeys(self.actor_of_role.values())})
        self._asked: dict[str, tuple[Episode, float]] = {}  # request id -> its episode, when it was asked
        self.checkpoint: StepHook = NoCheckpoint()  # told of every reply and observation applied (engine.runner.checkpoint)

    @abstractmethod
    def run(self, episodes: Iterable[Episode], on_finished: Callable[[Episode], None]) -> None:
        """Runs every episode to completion, calling `on_finished` as soon as each one ends."""

    def _free_slots(self, active: int) -> int | None:
        """How many more trajectories may start (None: no limit)."""
        return None if self.max_active is None else self.max_active - active

    def _ask(self, episode: Episode, request: RoleRequest) -> str:
        """Records who asked and when; returns the key of the actor that serves the request."""
        self._asked[request.request_id] = (episode, time.time())
        return self.actor_of_role[request.role]

    def _receive(self, done: FinishedBatch) -> list[tuple[Episode, ToolCall | None]]:
        """Books a finished batch and applies its results: each episode with the tool call it asks for."""
        actor = self.stats.actors[done.batch.actor_key]
        actor.busy_s += done.timing.busy_s
        actor.retried_batches += done.timing.attempts > 1
        actor.batch_sizes.append(len(done.results))
        actor.spans.append((done.timing.started_at, done.timing.busy_s))
        self.stats.role_calls += len(done.results)
        out = []
        for result in one_result_per_request(done):
            episode, asked_at = self._asked.pop(result.request_id)
            actor.queue_s.append(max(0.0, done.timing.started_at - asked_at))
            call = self.agent.on_generation(episode, result)
            self.checkpoint.generated(episode, result, call)
            out.append((episode, call))
        self.checkpoint.commit()
        return out

    def _call_tools(self, tool_calls: list[tuple[Episode, ToolCall]]) -> None:
        if not tool_calls:
            return
        start = time.perf_counter()
        observations = self.tools.call_many([call for _, call in tool_calls])
        self.stats.tools_s += time.perf_counter() - start
        self.stats.tool_calls += len(tool_calls)
        for (episode, _), observation in zip(tool_calls, observations):
            self.agent.on_observation(episode, observation)
            self.checkpoint.observed(episode, observation)
        self.checkpoint.commit()

    @staticmethod
    def _start(episode: Episode) -> None:
        if not episode.trajectory.started_at:  # a trajectory resumed from a checkpoint keeps its start
            episode.trajectory.started_at = time.time()

    @staticmethod
    def _finish(episode: Episode, on_finished: Callable[[Episode], None]) -> None:
        episode.trajectory.finished_at = time.time()
        on_finished(episode)


class LockstepScheduler(Scheduler):
    schedule = "lockstep"

    def run(self, episodes: Iterable[Episode], on_finished: Callable[[Episode], None]) -> None:
        pending: Iterator[Episode] = iter(episodes)
        active: list[Episode] = []
        while True:
            for episode in take_up_to(pending, self._free_slots(len(active))):
                self._start(episode)
                active.append(episode)
            if not active:
                return
            self.tick(active)
            for episode in [e for e in active if e.trajectory.done]:
                self._finish(episode, on_finished)
            active = [e for e in active if not e.trajectory.done]

    def tick(self, active: list[Episode]) -> None:
        self.stats.ticks += 1
        batches: dict[str, list[RoleRequest]] = {}
        tool_calls: list[tuple[Episode, ToolCall]] = []
        for episode in active:
            need = self.agent.next_step(episode)
            if isinstance(need, ToolCall):
                tool_calls.append((episode, need))
            else:
                batches.setdefault(self._ask(episode, need), []).append(need)
        tool_calls += self._generate(batches)
        self._call_tools(tool_calls)

    def _generate(self, batches: dict[str, list[RoleRequest]]) -> list[tuple[Episode, ToolCall]]:
        if not batches:
            return []
        start = time.perf_counter()
        finished = self.executor.gather([self.executor.submit(key, batch) for key, batch in batches.items()])
        self.stats.generate_s += time.perf_counter() - start
        return [(episode, call) for done in finished for episode, call in self._receive(done) if call is not None]


def one_result_per_request(done: FinishedBatch) -> list[RoleResult]:
    """The batch's results when the backend returned exactly one per request; otherwise every request of the
    batch failed with the reason (a backend's miscount must not crash the run or mix up trajectories)."""
    asked = [request.request_id for request in done.batch.requests]
    answered = [result.request_id for result in done.results]
    if sorted(answered) == sorted(asked):
        return done.results
    return failed_results(done.batch.requests, f"the backend returned {len(answered)} results for {len(asked)} "
                                                "requests, not one per request")


def take_up_to(iterator: Iterator[Episode], n: int | None) -> list[Episode]:
    """The next `n` episodes of `iterator` (all of them when n is None)."""
    if n is None:
        return list(iterator)
    return [episode for _, episode in zip(range(max(0, n)), iterator)]
