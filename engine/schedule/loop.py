"""The step loop every schedule shares: admitting units, stepping each until it waits for a model or ends,
booking a finished batch or request (busy time, size, each request's queueing time) and applying its results,
and sending the tool calls of a round to the simulator in one batch. A schedule (lockstep, pipelined,
continuous) is the policy of where a request goes and when the loop wakes up; `max_active` bounds how many
units are in flight (1 reproduces the one-query-at-a-time runners of ToolBench/alpha-UMi).

A request's queueing time runs from when its trajectory asked for it until its batch started on the actor.

Once every trajectory is admitted, the loop gives back the engines no live trajectory has ahead (the agent's
roles_ahead; Executor.release): an alpha-UMi run's planners and callers in its tail, when every trajectory left
is at its summarizer, so a sweep's queued run can take their GPUs. It looks at most every RELEASE_CHECK_S (a
look costs one call per live trajectory), when a reply is applied or a trajectory ends.
"""
from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Protocol

from engine.agents import Agent, Episode, roles_ahead
from engine.schedule.hooks import NoCheckpoint, StepHook
from engine.execution.executor import Executor, FinishedBatch
from engine.backends.streaming import failed_results
from engine.types import RoleRequest, RoleResult
from tools_sim.types import ToolCall


RELEASE_CHECK_S = 0.25


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
    """The one step loop every schedule shares; a schedule is the policy of where a unit's request goes
    (`_place`, then `_placed` once per round) and when the loop wakes up (`run`)."""

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
        self.active = 0  # units started and not finished
        self.peak_active = 0
        self._on_finished: Callable[[Episode], None] = lambda episode: None
        self._live: dict[int, Episode] = {}  # started and not finished, by id
        self._lookahead: Lookahead | None = None  # the episodes not yet admitted
        self._all_admitted = False  # none is left
        self._release_checked_at = float("-inf")

    @abstractmethod
    def run(self, episodes: Iterable[Episode], on_finished: Callable[[Episode], None]) -> None:
        """Runs every episode to completion, calling `on_finished` as soon as each one ends."""

    @abstractmethod
    def _place(self, actor_key: str, episode: Episode, request: RoleRequest) -> None:
        """Where a request of a round goes: a tick's batch, an actor's queue, or straight to its stream."""

    def _placed(self) -> None:
        """Called once a round has placed its requests (a schedule that sends them together does it here)."""

    def _free_slots(self, active: int) -> int | None:
        """How many more trajectories may start (None: no limit)."""
        return None if self.max_active is None else self.max_active - active

    def _admit(self, pending: Iterator[Episode], room: int | None) -> list[Episode]:
        """Starts up to `room` new units (all when None)."""
        if self._lookahead is None or self._lookahead.source is not pending:
            self._lookahead = Lookahead(pending)
        admitted = take_up_to(self._lookahead, room)
        self._all_admitted = self._lookahead.exhausted()
        for episode in admitted:
            self._live[id(episode)] = episode
            if not episode.trajectory.started_at:  # a trajectory resumed from a checkpoint keeps its start
                episode.trajectory.started_at = time.time()
        self.active += len(admitted)
        self.peak_active = max(self.peak_active, self.active)
        return admitted

    def _advance(self, episodes: list[Episode]) -> None:
        """The step loop: moves each episode on until it waits for a model or ends. The tool calls of a round
        go to the simulator in one batch, and the episodes that made them take their next round."""
        while episodes:
            tool_calls = self._round(episodes)
            self._call_tools(tool_calls)
            episodes = [episode for episode, _ in tool_calls]

    def _round(self, episodes: list[Episode]) -> list[tuple[Episode, ToolCall]]:
        """One step of each episode: it ends, asks for a tool call (returned), or places a model request."""
        tool_calls: list[tuple[Episode, ToolCall]] = []
        for episode in episodes:
            if episode.trajectory.done:
                self._finish(episode)
                continue
            need = self.agent.next_step(episode)
            if isinstance(need, ToolCall):
                tool_calls.append((episode, need))
            else:
                self._place(self._ask(episode, need), episode, need)
        self._placed()
        return tool_calls

    def _ask(self, episode: Episode, request: RoleRequest) -> str:
        """Records who asked and when; returns the key of the actor that serves the request."""
        self._asked[request.request_id] = (episode, time.time())
        return self.actor_of_role[request.role]

    def _receive(self, done: FinishedBatch) -> list[tuple[Episode, ToolCall | None]]:
        """Books a finished batch and applies its results: each episode with the tool call it asks for."""
        timing = done.timing
        self._book(done.batch.actor_key, timing.started_at, timing.busy_s, timing.attempts, len(done.results))
        out = [self._apply(done.batch.actor_key, result, timing.started_at) for result in one_result_per_request(done)]
        self.checkpoint.commit()
        return out

    def _book(self, actor_key: str, started_at: float, busy_s: float, attempts: int, size: int) -> None:
        """An actor's batch (or streamed request) in its figures: busy time, retries, size, its span."""
        actor = self.stats.actors[actor_key]
        actor.busy_s += busy_s
        actor.retried_batches += attempts > 1
        actor.batch_sizes.append(size)
        actor.spans.append((started_at, busy_s))
        self.stats.role_calls += size

    def _apply(self, actor_key: str, result: RoleResult, started_at: float) -> tuple[Episode, ToolCall | None]:
        """Hands a reply to the episode that asked for it; returns the episode with the tool call it asks for."""
        episode, asked_at = self._asked.pop(result.request_id)
        self.stats.actors[actor_key].queue_s.append(max(0.0, started_at - asked_at))
        call = self.agent.on_generation(episode, result)
        self.checkpoint.generated(episode, result, call)
        self._release_finished_engines()
        return episode, call

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

    def _finish(self, episode: Episode) -> None:
        self.active -= 1
        del self._live[id(episode)]
        episode.trajectory.finished_at = time.time()
        self._on_finished(episode)
        self._release_finished_engines()

    def _release_finished_engines(self) -> None:
        """Gives back the engines no trajectory will call again (module docstring), once all are admitted."""
        released = self.executor.released_unix_s
        if not (self._all_admitted and self._live) or len(released) == len(self.stats.actors):
            return  # (with none live the run is ending, and its shutdown frees everything)
        now = time.monotonic()
        if now - self._release_checked_at < RELEASE_CHECK_S:
            return
        self._release_checked_at = now
        ahead = {self.actor_of_role[role] for episode in self._live.values() for role in roles_ahead(self.agent, episode)}
        if not ahead:
            return  # every trajectory left is done: the run is ending
        for key in self.stats.actors.keys() - ahead - released.keys():
            self.executor.release(key)


def one_result_per_request(done: FinishedBatch) -> list[RoleResult]:
    """The batch's results when the backend returned exactly one per request; otherwise every request of the
    batch failed with the reason (a backend's miscount must not crash the run or mix up trajectories)."""
    asked = [request.request_id for request in done.batch.requests]
    answered = [result.request_id for result in done.results]
    if sorted(answered) == sorted(asked):
        return done.results
    return failed_results(done.batch.requests, f"the backend returned {len(answered)} results for {len(asked)} "
                                                "requests, not one per request")


class Lookahead:
    """An iterator that can tell it has run dry before it is asked for more (it draws one item ahead)."""

    _NOTHING = object()

    def __init__(self, source: Iterator[Episode]) -> None:
        self.source = source
        self._next: object = self._NOTHING

    def __iter__(self) -> Lookahead:
        return self

    def __next__(self) -> Episode:
        if self._next is not self._NOTHING:
            item, self._next = self._next, self._NOTHING
            return item  # type: ignore[return-value]
        return next(self.source)

    def exhausted(self) -> bool:
        if self._next is self._NOTHING:
            self._next = next(self.source, self._NOTHING)
        return self._next is self._NOTHING


def take_up_to(iterator: Iterator[Episode], n: int | None) -> list[Episode]:
    """The next `n` episodes of `iterator` (all of them when n is None)."""
    if n is None:
        return list(iterator)
    return [episode for _, episode in zip(range(max(0, n)), iterator)]
