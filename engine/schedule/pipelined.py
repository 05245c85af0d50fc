"""The pipelined schedule: asynchronous per-actor refill, so no role actor waits for the others.

Lockstep keeps trajectories in phase (all at the planner, then all at the caller), so one role's actor
works while the others idle, and each tick waits for its slowest batch. Here each actor has a FIFO queue
of requests; whenever an actor is free and has queued work it gets up to ModelSpec.batch_size requests as
one batch. As soon as any batch finishes, its actor restarts on what is already queued, then the batch's
trajectories move on at once: their tool calls go to the simulator in one batch, and their next requests
join the queues of the actors that serve them.

Admission keeps the next batch of the entry actor (where new trajectories start: the planner for alpha-UMi)
full, never beyond `max_active`; new trajectories are admitted, and their first prompts rendered, while that
actor works, so it does not wait for the scheduler. Trajectories in flight stay few and finish steadily.
Admitting all at once gives the same wall time, but no trajectory ends before every first plan is done,
which costs progress, memory and what a killed run keeps.

Alternatives that were measured and left out, and how busy each actor is: docs/performance.md.

Trajectories equal lockstep's under greedy decoding: a trajectory's requests and seeds depend only on the
trajectory (engine.agents.request_seed), not on the batch they land in. Batch composition depends on
timing, so it differs from run to run, and need not be reproducible.
"""
from __future__ import annotations

import time
from collections import deque
from typing import Callable, Iterable, Iterator

from engine.agents import Agent, Episode
from engine.execution.executor import Batch, Executor, FinishedBatch
from engine.execution.placement import distinct_models
from engine.schedule.loop import Scheduler, ToolSimulator
from engine.types import RoleRequest


class PipelinedScheduler(Scheduler):
    schedule = "pipelined"

    def __init__(self, agent: Agent, executor: Executor, tools: ToolSimulator, max_active: int | None = None) -> None:
        super().__init__(agent, executor, tools, max_active)
        models = distinct_models(agent.spec.roles)
        self.batch_size = {key: spec.batch_size for key, spec in models.items()}
        self.admit_chunk = max(self.batch_size.values(), default=64)  # before the entry actor is known
        self.queues: dict[str, deque[RoleRequest]] = {key: deque() for key in models}
        self.running: dict[str, Batch] = {}
        self.entry: str | None = None  # the actor new trajectories start at: learnt from the first request
        self._pending: Iterator[Episode] = iter(())

    def run(self, episodes: Iterable[Episode], on_finished: Callable[[Episode], None]) -> None:
        self._pending, self._on_finished = iter(episodes), on_finished
        while self._dispatch() or self.running:
            if self.running:
                self._on_batches(self._wait())

    def _dispatch(self) -> bool:
        """Admits what the entry actor's next batch has room for, then starts every free actor that has work.
        Returns whether any trajectory was admitted."""
        admitted = self._admit(self._pending, self._admission_room())
        self._advance(admitted)
        self._start_free_actors()
        return bool(admitted)

    def _place(self, actor_key: str, episode: Episode, request: RoleRequest) -> None:
        self.entry = self.entry or actor_key
        self.queues[actor_key].append(request)

    def _start_free_actors(self) -> None:
        for key, queue in self.queues.items():
            if queue and key not in self.running:
                batch = [queue.popleft() for _ in range(min(len(queue), self.batch_size[key]))]
                self.running[key] = self.executor.submit(key, batch)

    def _admission_room(self) -> int:
        """How many new trajectories to admit: enough for the entry actor's next full batch, within max_active."""
        if self.entry is None:
            want = self.admit_chunk
        else:
            want = self.batch_size[self.entry] - len(self.queues[self.entry])
        room = self._free_slots(self.active)
        return want if room is None else min(want, room)

    def _wait(self) -> list[FinishedBatch]:
        start = time.perf_counter()
        finished = self.executor.wait_any(list(self.running.values()))
        self.stats.generate_s += time.perf_counter() - start
        self.stats.ticks += 1
        return finished

    def _on_batches(self, finished: list[FinishedBatch]) -> None:
        for done in finished:
            del self.running[done.batch.actor_key]
        self._start_free_actors()  # before the results, whose processing takes milliseconds
        moved = [pair for done in finished for pair in self._receive(done)]
        self._call_tools([(episode, call) for episode, call in moved if call is not None])
        self._advance([episode for episode, _ in moved])
