"""One evaluation run: tasks x agent x seed through the scheduler, with every output of a run folder (docs/formats.md section 8).

A rerun of the same command resumes: finished trajectories are skipped, failed ones are tried again (unless
retry_failed is off) and each record counts its tries; outputs read the last record of each trajectory.

The run owns its resume state in `<out>/<run_name>/`: identity.json, trajectories.jsonl (append-only, the
resume point) and checkpoint.jsonl (the steps of trajectories in flight, engine.runner.checkpoint). Every other
file of the folder (run.json, metrics.json, tooleval/, scores.json, a strategy's answer files) is a recorder told
the run's lifecycle (engine.runner.recording, engine.runner.recorders).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.core.types import Task
from benchmarks.results.files import CHECKPOINT_FILE, TRAJECTORIES_FILE
from benchmarks.results.trajectories import TrajectoryWriter, iter_latest_records
from engine.agents import Agent, Episode
from engine.execution.control import RunControl
from engine.execution.executor import Executor
from engine.execution.kinds import make_executor
from engine.execution.placement import distinct_models
from engine.execution.startup_clock import StartupClock
from engine.runner.checkpoint import Checkpoint
from engine.runner.identity import check_identity, identity_id, recorded_identity, run_identity, write_identity
from engine.runner.interrupts import RunTerminated, as_received, signals_end_the_run, stopping
from engine.runner.metrics import throughput_metrics
from engine.runner.progress import CallProgress, say
from engine.runner.recorders import RECORDERS, recorded_manifest
from engine.runner.recording import Recorders, RunContext, RunEnd, close_all
from engine.runner.run_config import RunConfig
from engine.runner.run_lock import hold_run_folder
from engine.schedule import SCHEDULES
from engine.schedule.loop import Scheduler
from engine.search import make_strategy


def interruption_reason(exc: BaseException) -> str:
    """What ended a run early, in one line for run.json."""
    if isinstance(exc, RunTerminated):
        return str(exc)
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted by the user (Ctrl-C)"
    if isinstance(exc, SystemExit):
        return f"the process was asked to exit (code {exc.code})"
    return f"{type(exc).__name__}: {exc}"[:500]


class Run:
    def __init__(self, config: RunConfig, tasks: list[Task], simulator: Any) -> None:
        self.config = config
        self.tasks = {task.key: task for task in tasks}
        self.simulator = simulator
        self.dir = config.out_dir / config.run_name
        self.strategy = make_strategy(config.agent.strategy)
        self.identity = run_identity(config.agent, config.benchmark, config.seed, self.tasks)

    def execute(self) -> Path:
        if self.config.schedule not in SCHEDULES:
            raise ValueError(f"unknown schedule {self.config.schedule!r}; valid: {', '.join(SCHEDULES)}")
        with hold_run_folder(self.dir):  # one writer per folder, from before the identity is read
            recorded = recorded_identity(self.dir, recorded_manifest(self.dir))
            check_identity(self.dir, recorded, self.identity, self.config.extend)
            write_identity(self.dir, self.identity)  # beside the records, before any of them
            return self._execute()

    def _execute(self) -> Path:
        recorders = Recorders(RECORDERS, RunContext(self.config, self.dir, self.tasks, self.strategy, self.simulator,
                                                    self.identity))
        writer = TrajectoryWriter(self.dir / TRAJECTORIES_FILE, retry_failed=self.config.retry_failed)
        todo = [t for t in self.tasks.values() if self._key(t) not in writer.done]
        if not todo and recorders.written():
            writer.close()
            say(f"{self.config.run_name}: nothing to do: all {len(self.tasks)} trajectories are done ({self.dir})")
            return self.dir
        checkpoint = Checkpoint(self.dir / CHECKPOINT_FILE, {self._key(t): self._tries(t, writer) for t in todo},
                                identity_id(self.identity))
        recorders.started()
        executor, detach = None, None
        # A fresh run counts its records as they are written; a resumed one the file's latest records at the end.
        counts_live = not writer.tries
        new = NewRecords()
        clock = StartupClock()
        status, reason, models = "interrupted", None, None
        with signals_end_the_run() as reclaim_signals:  # to the end of the cleanup: a second signal ends it at once
            try:
                executor = make_executor(self.config.executor, distinct_models(self.config.agent.roles),
                                         self.config.ray_address, self.config.agent.placement,
                                         streaming=SCHEDULES.get(self.config.schedule).streaming,
                                         control=dataclasses.replace(self.config.control or RunControl(),
                                                                     label=self.config.run_name))
                reclaim_signals()  # a local Ray's driver took SIGTERM
                recorders.engines_ready(executor.info())  # waits for every engine to be built
                clock.engines_ready()
                if self.config.on_executor is not None:
                    detach = self.config.on_executor(executor, lambda: len(todo) - new.trajectories)
                clock.watch_first_request(executor)
                scheduler = SCHEDULES.get(self.config.schedule)(self.strategy.agent(self.config.agent), executor,
                                                            self.simulator, self.config.max_active)
                scheduler.checkpoint = checkpoint
                self._schedule(scheduler, executor, todo, writer, checkpoint, recorders, counts_live, new)
                # Figures the engines measured while generating (vLLM's prefix-cache hits): read now, not at start.
                models = executor.info()
                status = "finished"
            except BaseException as caught:
                exc = as_received(caught)
                if isinstance(exc, KeyboardInterrupt):
                    stopping()  # before the executor's shutdown, which waits for what is in flight
                reason = interruption_reason(exc)
                if isinstance(exc, KeyboardInterrupt):  # for the one line the command prints (engine.cli.main)
                    exc.saved_trajectories = len(writer.tries.keys() | writer.done)  # type: ignore[attr-defined]
                if exc is caught:
                    raise
                raise exc from None
            finally:
                wall = clock.elapsed()
                try:
                    close_all([detach, writer.close, lambda: checkpoint.close(finished=status == "finished"),
                               executor.shutdown if executor is not None else None], raising=status == "finished")
                finally:
                    recorders.ended(RunEnd(status, reason, models))
        if not counts_live:
            recorders.count_all(r for r in iter_latest_records(self.dir / TRAJECTORIES_FILE)
                                if r["task_key"] in self.tasks and (r["agent"], r["seed"]) == (self.config.agent.name, self.config.seed))
        speed = {**throughput_metrics(new.trajectories, new.completion_tokens, wall, scheduler.stats), **clock.figures(),
                 "prefix_cache_hit_tokens": prefix_cache_hits(models or {})}
        recorders.completed(RunEnd(status, reason, models, speed))
        return self.dir

    def _schedule(self, scheduler: Scheduler, executor: Executor, todo: list[Task], writer: TrajectoryWriter,
                  checkpoint: Checkpoint, recorders: Recorders, counts_live: bool, new: NewRecords) -> None:
        expected = self.strategy.expected_calls(self.config.agent)
        with CallProgress(self.config.run_name, len(self.tasks), len(self.tasks) - len(todo), expected,
                          self.config.progress) as progress:
            executor.on_finished.append(progress.on_batch)

            def finished(episode: Episode) -> None:
                recorders.task_finished(episode)  # before the record: a recorded task is complete
                record = episode.trajectory.to_record()
                writer.write(record)
                if counts_live:
                    recorders.counted(record)
                new.add(record)
                progress.on_trajectory(sum(u["calls"] for u in record["usage"].values()))

            scheduler.run((self._episode(task, writer, scheduler.agent, checkpoint) for task in todo), finished)

    def _episode(self, task: Task, writer: TrajectoryWriter, agent: Agent, checkpoint: Checkpoint) -> Episode:
        """The task's unit, moved on to where a previous attempt's checkpoint left it (engine.runner.checkpoint)."""
        def start() -> Episode:
            episode = self.strategy.start(task, self.config.agent, self.config.seed)
            episode.trajectory.tries = self._tries(task, writer)
            return episode

        return checkpoint.resume(start, agent)

    def _key(self, task: Task) -> tuple[str, str, int]:
        return task.key, self.config.agent.name, self.config.seed

    def _tries(self, task: Task, writer: TrajectoryWriter) -> int:
        """This run's try of the task: one more than the tries recorded."""
        return writer.tries.get(self._key(task), 0) + 1


def prefix_cache_hits(models: dict[str, Any]) -> dict[str, int]:
    """Prompt tokens each engine served from its prefix cache, as its info reported after the run (engines that
    count them: vllm)."""
    return {key: info["prefix_cache_hit_tokens"] for key, info in models.items() if "prefix_cache_hit_tokens" in info}


@dataclass
class NewRecords:
    """What this invocation's own records add up to (its speed figures)."""

    trajectories: int = 0
    completion_tokens: int = 0

    def add(self, record: dict[str, Any]) -> None:
        self.trajectories += 1
        self.completion_tokens += sum(u["completion_tokens"] for u in record["usage"].values())
