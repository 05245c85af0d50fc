"""The local executor: every replica in this process, each with its own thread (one batch at a time, like a
Ray actor), so replicas overlap wherever the backend releases the GIL (torch kernels, modelled sleeps)."""
from __future__ import annotations

import queue
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from typing import Any

from engine.backends.base import Backend
from engine.backends.streaming import submit_all
from engine.execution.control import RunControl, wake_steps
from engine.execution.executor import Executor, Ticket
from engine.execution.pool import Part, replicas_info
from engine.execution.worker import RoleWorker
from engine.types import ModelSpec


class LocalExecutor(Executor):
    """`backends` (tests): the backend of every replica of a key (shared by its replicas)."""

    def __init__(self, models: dict[str, ModelSpec], backends: dict[str, Backend] | None = None,
                 control: RunControl | None = None) -> None:
        super().__init__(models, control)
        backends = backends or {}
        self.backends = backends
        self.workers = {key: [RoleWorker(spec, backends.get(key)) for spec in self.pools.specs[key]] for key in models}
        self.threads = {key: [ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"actor-{key}-{n}")
                              for n in range(len(workers))] for key, workers in self.workers.items()}
        self._finished: queue.SimpleQueue[Part] = queue.SimpleQueue()  # streamed parts, as they end
        self._set_aside: list[Part] = []  # finished, but not among the tickets the last wait asked for

    def _add_replica(self, replica: tuple[str, int]) -> None:
        key, n = replica
        self.workers[key].append(RoleWorker(self.pools.specs[key][n], self.backends.get(key)))
        self.threads[key].append(ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"actor-{key}-{n}"))

    def _release_replicas(self, actor_key: str) -> None:
        """Its threads and streams stop; the workers stay for run.json's figures (one process: no GPU to give back)."""
        for pool in self.threads[actor_key]:
            pool.shutdown()
        for worker in self.workers[actor_key]:
            worker.close_stream()

    def _start(self, part: Part) -> Future:
        if part.streamed:
            return self._start_streamed([part])[0]
        worker = self.workers[part.key][part.replica]
        return self.threads[part.key][part.replica].submit(worker.generate, part.requests)

    def _start_streamed(self, parts: list[Part]) -> list[Any]:
        """Each replica's stream takes its share of the parts in one call (`submit_all`); the parts are queued
        as finished in the order given, so a stream that answers at once keeps the order they were asked in."""
        by_replica: dict[tuple[str, int], list[Part]] = {}
        for part in parts:
            by_replica.setdefault((part.key, part.replica), []).append(part)
        futures: dict[Part, Any] = {}
        for (key, replica), share in by_replica.items():
            stream = self.workers[key][replica].stream
            futures.update(zip(share, submit_all(stream, [part.requests[0] for part in share])))
        for part in parts:
            future = futures[part]
            if future.done():  # answered as it was handed over: queued now, without a callback made for it
                self._finished.put(part)
            else:
                future.add_done_callback(lambda _, part=part: self._finished.put(part))
        return [futures[part] for part in parts]

    def _settle(self, parts: list[Part], timeout: float | None) -> bool:
        for step in wake_steps(timeout):
            self.control.stop.check()
            done, _ = wait_futures([part.future for part in parts], step, FIRST_COMPLETED)
            if done:
                break
        for part in parts:
            if part.future in done:
                self._finish(part, part.future.result())
        return bool(done)

    def _wait_tickets(self, tickets: list[Ticket], timeout: float | None) -> list[Ticket]:
        """Finished requests arrive on a queue as they end (waiting on every future in flight, thousands of
        them, at every wake-up would cost the driver more than the requests)."""
        wanted = {ticket.part: ticket for ticket in tickets}
        ready = [part for part in self._set_aside if part in wanted]
        self._set_aside = [part for part in self._set_aside if part not in wanted]
        for step in wake_steps(timeout) if not ready else ():
            self.control.stop.check()
            try:
                ready.append(self._finished.get(timeout=step))
                break
            except queue.Empty:
                continue
        try:
            while True:
                ready.append(self._finished.get_nowait())
        except queue.Empty:
            pass
        self._set_aside += [part for part in ready if part not in wanted]
        for part in ready:
            if part in wanted:
                self._finish(part, part.future.result())
        return [wanted[part] for part in ready if part in wanted]

    def stream_busy_seconds(self) -> dict[str, float]:
        return {key: sum(worker.stream_busy_seconds() for worker in workers) for key, workers in self.workers.items()}

    def info(self) -> dict[str, Any]:
        return {key: {**replicas_info([{**worker.info(), **self._grown((key, n))} for n, worker in enumerate(workers)]),
                      **self._released(key)} for key, workers in self.workers.items()}

    def shutdown(self) -> None:
        for pools in self.threads.values():
            for pool in pools:
                pool.shutdown()
        for workers in self.workers.values():
            for worker in workers:
                worker.close_stream()
        self.workers.clear()

