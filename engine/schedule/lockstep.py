"""The lockstep schedule, the reference: every tick advances each active trajectory by one step; the requests
of a tick are grouped by the actor that serves their role and sent as one batch per actor (all actors at
once); the tool calls the replies ask for go to the simulator as one batch.
"""
from __future__ import annotations

import time
from typing import Callable, Iterable, Iterator

from engine.agents import Episode
from engine.schedule.loop import Scheduler
from engine.types import RoleRequest
from tools_sim.types import ToolCall


class LockstepScheduler(Scheduler):
    """Every tick, each active unit takes one step; a tick's requests go out as one batch per actor."""

    schedule = "lockstep"

    def run(self, episodes: Iterable[Episode], on_finished: Callable[[Episode], None]) -> None:
        pending: Iterator[Episode] = iter(episodes)
        self._on_finished = on_finished
        active: list[Episode] = []
        while True:
            active += self._admit(pending, self._free_slots(len(active)))
            if not active:
                return
            self.tick(active)
            for episode in [e for e in active if e.trajectory.done]:
                self._finish(episode)
            active = [e for e in active if not e.trajectory.done]

    def tick(self, active: list[Episode]) -> None:
        self.stats.ticks += 1
        self._batches: dict[str, list[RoleRequest]] = {}
        tool_calls = self._round(active)
        tool_calls += self._generate(self._batches)
        self._call_tools(tool_calls)

    def _place(self, actor_key: str, episode: Episode, request: RoleRequest) -> None:
        self._batches.setdefault(actor_key, []).append(request)

    def _generate(self, batches: dict[str, list[RoleRequest]]) -> list[tuple[Episode, ToolCall]]:
        if not batches:
            return []
        start = time.perf_counter()
        finished = self.executor.gather([self.executor.submit(key, batch) for key, batch in batches.items()])
        self.stats.generate_s += time.perf_counter() - start
        return [(episode, call) for done in finished for episode, call in self._receive(done) if call is not None]
