"""The continuous schedule: every trajectory submits its next request the moment it is ready; no batches.

Each role actor holds a request stream (engine.backends.streaming): the engine takes requests one at a time, runs
them with whatever else is in flight (vLLM's async engine, the hf refill queue, concurrent HTTP, the
modelled continuous-batching GPU) and returns each as it finishes. The driver waits for whichever requests
finished, moves their trajectories on (parse, tool calls, next prompt) and submits their next requests at
once, while the engines generate for the others. No tick, no batch barrier: a long reply holds up only
its own trajectory.

Memory is bounded by an admission window: at most `window` trajectories are in flight; a new one starts as
one ends, and a finished one is handed to `on_finished` and dropped. The window is `max_active` when given,
else WINDOW_PER_SLOT x the engines' total capacity (TOOL_ONLY_WINDOW for an agent without models) (engine.backends.streaming.engine_capacity: the role's batch_size,
vLLM's max_num_seqs): enough that every engine stays full while some trajectories are at their tools or
waiting on another role.

Trajectories equal lockstep's under greedy decoding, for the reason pipelined's do: a request and its seed
depend only on its trajectory (engine.agents.request_seed). DFSDT trees are units like chains: each
frontier node a tree expands is one request of its unit, streamed like any other (engine.search).
"""
from __future__ import annotations

import time
from typing import Callable, Iterable, Iterator

from engine.agents import Agent, Episode
from engine.execution.executor import Executor, FinishedRequest, Ticket
from engine.execution.placement import distinct_models
from engine.schedule.lockstep import Scheduler, ToolSimulator, take_up_to
from engine.backends.streaming import engine_capacity
from engine.types import RoleResult
from tools_sim.types import ToolCall

WINDOW_PER_SLOT = 2
TOOL_ONLY_WINDOW = 64  # an agent without models (the oracle) has no engine to size its window by


def default_window(agent: Agent) -> int:
    """Trajectories in flight when max_active is not given: WINDOW_PER_SLOT per slot of every role engine."""
    slots = sum(engine_capacity(spec) for spec in distinct_models(agent.spec.roles).values())
    return WINDOW_PER_SLOT * slots if slots else TOOL_ONLY_WINDOW


class ContinuousScheduler(Scheduler):
    schedule = "continuous"
    streaming = True  # its executor's actors take single requests (engine.execution.executor.make_executor)

    def __init__(self, agent: Agent, executor: Executor, tools: ToolSimulator, max_active: int | None = None) -> None:
        super().__init__(agent, executor, tools, max_active)
        self.window = max_active if max_active is not None else default_window(agent)
        self.in_flight: dict[Ticket, Episode] = {}
        self.active = 0  # trajectories admitted and not finished
        self.peak_active = 0

    def run(self, episodes: Iterable[Episode], on_finished: Callable[[Episode], None]) -> None:
        pending: Iterator[Episode] = iter(episodes)
        while True:
            self._admit(pending, on_finished)
            if not self.in_flight:
                break
            self._on_results(self._wait(), on_finished)
            self.stats.ticks += 1
        self._book_busy_time()

    def _admit(self, pending: Iterator[Episode], on_finished: Callable[[Episode], None]) -> None:
        """Starts new trajectories while the window has room; one that ends without a request frees its place."""
        while (admitted := take_up_to(pending, self.window - self.active)):
            for episode in admitted:
                self._start(episode)
            self.active += len(admitted)
            self.peak_active = max(self.peak_active, self.active)
            self._advance(admitted, on_finished)

    def _wait(self) -> list[FinishedRequest]:
        start = time.perf_counter()
        finished = self.executor.wait_requests(list(self.in_flight))
        self.stats.generate_s += time.perf_counter() - start
        return finished

    def _on_results(self, finished: list[FinishedRequest], on_finished: Callable[[Episode], None]) -> None:
        moved: list[tuple[Episode, ToolCall | None]] = []
        for done in finished:
            episode = self.in_flight.pop(done.ticket)
            moved.append((episode, self._receive_one(done)))
        self.checkpoint.commit()
        self._call_tools([(episode, call) for episode, call in moved if call is not None])
        self._advance([episode for episode, _ in moved], on_finished)

    def _receive_one(self, done: FinishedRequest) -> ToolCall | None:
        """Books one finished request and applies it to its episode; returns the tool call it asks for."""
        actor = self.stats.actors[done.ticket.actor_key]
        streamed = done.streamed
        result = streamed.result
        if result.request_id != done.ticket.request.request_id:  # a backend's mix-up must not cross trajectories
            result = RoleResult(done.ticket.request.request_id, "",
                                error=f"the backend answered request {result.request_id!r} instead")
        actor.retried_batches += streamed.attempts > 1
        actor.batch_sizes.append(1)
        actor.spans.append((streamed.started_at, max(0.0, streamed.finished_at - streamed.started_at)))
        self.stats.role_calls += 1
        episode, asked_at = self._asked.pop(result.request_id)
        actor.queue_s.append(max(0.0, streamed.started_at - asked_at))
        call = self.agent.on_generation(episode, result)
        self.checkpoint.generated(episode, result, call)
        return call

    def _advance(self, episodes: list[Episode], on_finished: Callable[[Episode], None]) -> None:
        """Moves each episode on until it waits for a model or ends; tool calls go out in one batch per round."""
        while episodes:
            tool_calls: list[tuple[Episode, ToolCall]] = []
            for episode in episodes:
                if episode.trajectory.done:
                    self.active -= 1
                    self._finish(episode, on_finished)
                    continue
                need = self.agent.next_step(episode)
                if isinstance(need, ToolCall):
                    tool_calls.append((episode, need))
                else:
                    ticket = self.executor.submit_request(self._ask(episode, need), need)
                    self.in_flight[ticket] = episode
            self._call_tools(tool_calls)
            episodes = [episode for episode, _ in tool_calls]

    def _book_busy_time(self) -> None:
        """An engine's busy time is the time it had a request running, measured by its stream."""
        for key, seconds in self.executor.stream_busy_seconds().items():
            if key in self.stats.actors:
                self.stats.actors[key].busy_s = seconds
