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
from engine.schedule.loop import Scheduler, ToolSimulator
from engine.backends.streaming import engine_capacity
from engine.types import RoleRequest, RoleResult
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
        self._placing: list[tuple[str, RoleRequest]] = []  # this round's requests, sent by `_placed`
        self._placing_episodes: list[Episode] = []  # the episode of each

    def run(self, episodes: Iterable[Episode], on_finished: Callable[[Episode], None]) -> None:
        pending: Iterator[Episode] = iter(episodes)
        self._on_finished = on_finished
        while True:
            self._fill_window(pending)
            if not self.in_flight:
                break
            self._on_results(self._wait())
            self.stats.ticks += 1
        self._book_busy_time()

    def _fill_window(self, pending: Iterator[Episode]) -> None:
        """Starts new trajectories while the window has room; one that ends without a request frees its place."""
        while (admitted := self._admit(pending, self.window - self.active)):
            self._advance(admitted)

    def _place(self, actor_key: str, episode: Episode, request: RoleRequest) -> None:
        self._placing.append((actor_key, request))
        self._placing_episodes.append(episode)

    def _placed(self) -> None:
        """The round's requests go to their streams together, in the order they were asked for."""
        placing, episodes = self._placing, self._placing_episodes
        if placing:
            self._placing, self._placing_episodes = [], []
            self.in_flight.update(zip(self.executor.submit_requests(placing), episodes))

    def _wait(self) -> list[FinishedRequest]:
        start = time.perf_counter()
        finished = self.executor.wait_requests(list(self.in_flight))
        self.stats.generate_s += time.perf_counter() - start
        return finished

    def _on_results(self, finished: list[FinishedRequest]) -> None:
        moved = [self._receive_one(done) for done in finished]
        self.checkpoint.commit()
        self._call_tools([(episode, call) for episode, call in moved if call is not None])
        self._advance([episode for episode, _ in moved])

    def _receive_one(self, done: FinishedRequest) -> tuple[Episode, ToolCall | None]:
        """Books one finished request and applies it to its episode, with the tool call it asks for."""
        del self.in_flight[done.ticket]
        streamed = done.streamed
        result = streamed.result
        if result.request_id != done.ticket.request.request_id:  # a backend's mix-up must not cross trajectories
            result = RoleResult(done.ticket.request.request_id, "",
                                error=f"the backend answered request {result.request_id!r} instead")
        key = done.ticket.actor_key
        self._book(key, streamed.started_at, max(0.0, streamed.finished_at - streamed.started_at), streamed.attempts, 1)
        return self._apply(key, result, streamed.started_at)

    def _book_busy_time(self) -> None:
        """An engine's busy time is the time it had a request running, measured by its stream."""
        for key, seconds in self.executor.stream_busy_seconds().items():
            if key in self.stats.actors:
                self.stats.actors[key].busy_s = seconds
