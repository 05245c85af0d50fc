"""One evaluation run: tasks x agent x seed through the scheduler, with every output of a run folder (docs/formats.md section 8).

A rerun of the same command resumes: finished trajectories are skipped, failed ones are tried again (unless
retry_failed is off) and each record counts its tries; outputs read the last record of each trajectory.

Layout of `<out>/<run_name>/`: run.json (manifest), trajectories.jsonl (append-only, the resume point),
checkpoint.jsonl (the steps of trajectories in flight, engine.runner.checkpoint), tooleval/<group>.json (ToolEval
converted answers), metrics.json (rule-based figures and speed).
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from benchmarks.scoring import has_gold_facts, verified_scores
from benchmarks.core.types import Task
from engine.runner import provenance
from engine.agents import Agent, Episode, native_calls
from engine.runner.checkpoint import Checkpoint
from engine.execution.control import RunControl
from engine.execution.executor import Executor
from engine.execution.kinds import make_executor
from engine.execution.replicas import replicas_record
from engine.runner.identity import check_identity, identity_id, recorded_identity, run_identity, write_identity
from engine.runner.metrics import throughput_metrics
from engine.runner.progress import CallProgress, say
from engine.runner.interrupts import RunTerminated, as_received, signals_end_the_run, stopping
from engine.runner.run_lock import hold_run_folder
from benchmarks.results.files import (CHECKPOINT_FILE, group_file, METRICS_FILE, SCORES_FILE, TOOLEVAL_DIR, TRAJECTORIES_FILE, write_bytes_atomic)
from benchmarks.results.metrics_file import write_metrics
from benchmarks.results.manifest import effective_status, read_manifest, this_process, write_manifest
from benchmarks.results.scores import write_scores
from benchmarks.results.trajectories import TrajectoryWriter, iter_latest_records
from engine.execution.placement import distinct_models
from engine.runner.run_outputs import RunOutputs
from engine.execution.startup_clock import StartupClock
from engine.schedule import DEFAULT_SCHEDULE, SCHEDULES
from engine.schedule.loop import Scheduler, SchedulerStats
from engine.search import make_strategy
from engine.search.dfsdt import DFSDT_LIMITS
from engine.types import AgentSpec

# ToolBench's runner limits, recorded because they change results (docs/formats.md section 7).
UPSTREAM_LIMITS = {"single_chain_max_step": DFSDT_LIMITS.single_chain_max_step, "max_query_count": DFSDT_LIMITS.max_query_count}


@dataclass
class RunConfig:
    agent: AgentSpec
    out_dir: Path
    run_name: str
    seed: int = 0
    executor: str = "ray"
    ray_address: str | None = None
    max_active: int | None = None
    schedule: str = DEFAULT_SCHEDULE
    progress: bool = True
    retry_failed: bool = True  # a resumed run tries its failed trajectories again
    extend: bool = False  # the run folder may gain tasks (engine.runner.identity)
    benchmark: dict[str, Any] = field(default_factory=dict)  # name, files + hashes, generation params
    command: list[str] = field(default_factory=list)
    # A sweep's grower (engine.runner.sweep_growth): told of the executor once its replicas run, with the
    # trajectories left; returns what detaches it (before the executor shuts down).
    on_executor: Callable[[Executor, Callable[[], int]], Callable[[], None]] | None = None
    control: RunControl | None = None  # a sweep's: its stop flag and room deadline (the label is the run's name)
    sizing: dict[str, Any] | None = None  # where `auto` took each role's work from (replicas.sized_from_run)


def close_all(steps: list[Callable[[], object] | None], raising: bool) -> None:
    """Runs every step, even after one fails (a full disk fails them alike); the first error is raised when
    `raising`, else dropped: the error that ended the run is the one to report, not a chain of its echoes."""
    first: Exception | None = None
    for step in steps:
        try:
            if step is not None:
                step()
        except Exception as exc:
            first = first or exc
    if first is not None and raising:
        raise first


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
        self.manifest: dict[str, Any] = {}
        self.previous_attempt: dict[str, Any] | None = None  # how the last attempt ended, when it did not finish
        self.strategy = make_strategy(config.agent.strategy)
        self.identity = run_identity(config.agent, config.benchmark, config.seed, self.tasks)

    def execute(self) -> Path:
        if self.config.schedule not in SCHEDULES:
            raise ValueError(f"unknown schedule {self.config.schedule!r}; valid: {', '.join(SCHEDULES)}")
        with hold_run_folder(self.dir):  # one writer per folder, from before the identity is read
            recorded = recorded_identity(self.dir, self._recorded_manifest())
            check_identity(self.dir, recorded, self.identity, self.config.extend)
            write_identity(self.dir, self.identity)  # beside the records, before any of them
            return self._execute()

    def _execute(self) -> Path:
        self.previous_attempt = self._previous_end()
        writer = TrajectoryWriter(self.dir / TRAJECTORIES_FILE, retry_failed=self.config.retry_failed)
        todo = [t for t in self.tasks.values() if self._key(t) not in writer.done]
        if not todo and self._finished_before():
            writer.close()
            say(f"{self.config.run_name}: nothing to do: all {len(self.tasks)} trajectories are done ({self.dir})")
            return self.dir
        checkpoint = Checkpoint(self.dir / CHECKPOINT_FILE, {self._key(t): self._tries(t, writer) for t in todo},
                                identity_id(self.identity))
        self._write_manifest("running", models={})
        executor, detach = None, None
        # A fresh run folds its outputs as records are written; a resumed one over the file's latest records at the end.
        outputs = RunOutputs(self.dir / TOOLEVAL_DIR if self.strategy.tooleval_from_records(self.config.agent) else None,
                             self.tasks, native_calls(self.config.agent))
        folds_live = not writer.tries
        new = NewRecords()
        clock = StartupClock()
        start = clock.start
        status, reason = "interrupted", None
        with signals_end_the_run() as reclaim_signals:  # to the end of the cleanup: a second signal ends it at once
            try:
                executor = make_executor(self.config.executor, distinct_models(self.config.agent.roles),
                                         self.config.ray_address, self.config.agent.placement,
                                         streaming=SCHEDULES.get(self.config.schedule).streaming,
                                         control=dataclasses.replace(self.config.control or RunControl(),
                                                                     label=self.config.run_name))
                reclaim_signals()  # a local Ray's driver took SIGTERM
                self._write_manifest("running", models=executor.info())  # waits for every engine to be built
                clock.engines_ready()
                if self.config.on_executor is not None:
                    detach = self.config.on_executor(executor, lambda: len(todo) - new.trajectories)
                clock.watch_first_request(executor)
                scheduler = SCHEDULES.get(self.config.schedule)(self.strategy.agent(self.config.agent), executor,
                                                            self.simulator, self.config.max_active)
                scheduler.checkpoint = checkpoint
                self._schedule(scheduler, executor, todo, writer, checkpoint, outputs if folds_live else None, new)
                # Figures the engines measured while generating (vLLM's prefix-cache hits): read now, not at start.
                self.manifest["models"] = executor.info()
                status = "finished"
            except BaseException as caught:
                exc = as_received(caught)
                if isinstance(exc, KeyboardInterrupt):
                    stopping()  # before the executor's shutdown, which waits for what is in flight
                outputs.discard()
                reason = interruption_reason(exc)
                if isinstance(exc, KeyboardInterrupt):  # for the one line the command prints (engine.cli.main)
                    exc.saved_trajectories = len(writer.tries.keys() | writer.done)  # type: ignore[attr-defined]
                if exc is caught:
                    raise
                raise exc from None
            finally:
                wall = time.perf_counter() - start
                try:
                    close_all([detach, writer.close, lambda: checkpoint.close(finished=status == "finished"),
                               executor.shutdown if executor is not None else None], raising=status == "finished")
                finally:
                    self._write_manifest(status, reason=reason)
        if not folds_live:
            outputs.add_all(r for r in iter_latest_records(self.dir / TRAJECTORIES_FILE)
                            if r["task_key"] in self.tasks and (r["agent"], r["seed"]) == (self.config.agent.name, self.config.seed))
        self._write_results(outputs, new, wall, scheduler.stats, clock)
        return self.dir

    def _schedule(self, scheduler: Scheduler, executor: Executor, todo: list[Task], writer: TrajectoryWriter,
                  checkpoint: Checkpoint, outputs: RunOutputs | None, new: NewRecords) -> None:
        expected = self.strategy.expected_calls(self.config.agent)
        with CallProgress(self.config.run_name, len(self.tasks), len(self.tasks) - len(todo), expected,
                          self.config.progress) as progress:
            executor.on_finished.append(progress.on_batch)

            def finished(episode: Episode) -> None:
                self.strategy.write_outputs(episode, self.dir)  # before the record: a recorded task is complete
                record = episode.trajectory.to_record()
                writer.write(record)
                if outputs is not None:
                    outputs.add(record)
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

    def _recorded_manifest(self) -> dict[str, Any]:
        try:
            return dict(read_manifest(self.dir))
        except ValueError:  # a corrupt run.json: this run writes a sound one
            return {}

    def _finished_before(self) -> bool:
        """Whether an earlier attempt finished and wrote every output (so there is no engine to start)."""
        written = (self.dir / METRICS_FILE).is_file() and (self.dir / TOOLEVAL_DIR).is_dir()
        return written and effective_status(self._recorded_manifest())[0] == "finished"

    def _previous_end(self) -> dict[str, Any] | None:
        """How the last attempt at this run folder ended, when it did not finish (recorded on resume)."""
        last = self._recorded_manifest()
        status, reason = effective_status(last)
        if not last or status == "finished":
            return None
        return {"status": status, "reason": reason, "started_at": last.get("started_at"), "ended_at": last.get("ended_at")}

    def _write_manifest(self, status: str, models: dict[str, Any] | None = None, reason: str | None = None) -> None:
        if models is not None and (models or not self.manifest):
            self.manifest = {
                "run_name": self.config.run_name,
                "agent": self.config.agent.to_json(),
                "models": models,
                "benchmark": self.config.benchmark,
                "seed": self.config.seed,
                "identity": self.identity,
                "executor": self.config.executor,
                "ray_address": self.config.ray_address,
                "max_active": self.config.max_active,
                "schedule": self.config.schedule,
                "replicas": replicas_record(self.config.agent, self.config.sizing),
                "limits": {"max_steps": self.config.agent.max_steps, "max_depth": self.config.agent.max_depth,
                           "planner_attempts": self.config.agent.planner_attempts,
                           "upstream_equivalent": UPSTREAM_LIMITS, "search": self.strategy.limits(self.config.agent)},
                "n_tasks": len(self.tasks),
                "simulator": getattr(self.simulator, "describe", lambda: {})(),
                "versions": provenance.library_versions(),
                "hardware": provenance.hardware(),
                "git_commit": provenance.git_commit(),
                "command": self.config.command,
                "started_at": provenance.now(),
                "process": this_process(),
                **({"previous_attempt": self.previous_attempt} if self.previous_attempt else {}),
            }
        self.manifest["status"] = status
        if reason is not None:
            self.manifest["reason"] = reason
        if status != "running":
            self.manifest["ended_at"] = provenance.now()
        write_manifest(self.dir, self.manifest)

    def _write_results(self, outputs: RunOutputs, new: NewRecords, wall: float, stats: SchedulerStats,
                       clock: StartupClock) -> None:
        tooleval = self.dir / TOOLEVAL_DIR
        tooleval.mkdir(exist_ok=True)
        outputs.finish_tooleval()
        if outputs.tooleval_dir is None:
            for group in outputs.group_names():  # the strategy converts its own answer files, not the records
                text = self.strategy.tooleval_text(self.config.agent, self.tasks, group, [], self.dir)
                write_bytes_atomic(group_file(tooleval, group), text.encode())
        metrics = {
            "overall": outputs.overall.metrics(),
            "groups": {g: outputs.groups[g].metrics() for g in outputs.group_names()},
            "search": self.strategy.metrics(outputs.searches),
            "speed": {**throughput_metrics(new.trajectories, new.completion_tokens, wall, stats), **clock.figures(),
                      "prefix_cache_hit_tokens": prefix_cache_hits(self.manifest.get("models", {}))},
            "simulator": self.simulator.stats() if hasattr(self.simulator, "stats") else {},
        }
        write_metrics(self.dir, metrics)
        if has_gold_facts(self.tasks.values()):
            write_scores(self.dir / SCORES_FILE, verified_scores(outputs.verified, self.tasks, self.config.seed))


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
