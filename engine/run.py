"""One evaluation run: tasks x agent x seed through the scheduler, with every output of DESIGN.md.

Layout of `<out>/<run_name>/`: run.json (manifest), trajectories.jsonl (append-only, the resume point),
tooleval/<group>.json (ToolEval converted answers), metrics.json (rule-based figures and speed).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from benchmarks.scoring import has_gold_facts, verified_scores
from benchmarks.core.types import Task
from engine import manifest
from engine.agents import Episode
from engine.executor import make_executor
from engine.metrics import outcome_metrics, throughput_metrics
from engine.records import TrajectoryWriter, read_records, record_key, trajectory_record, write_bytes_atomic, write_json_atomic
from engine.pipeline import PipelinedScheduler
from engine.placement import distinct_models
from engine.scheduler import LockstepScheduler, Scheduler, SchedulerStats
from engine.search import make_strategy
from engine.search.dfsdt import DFSDT_LIMITS
from engine.types import AgentSpec

# ToolBench's runner limits, recorded because they change results (spec/toolbench-formats.md section 7).
UPSTREAM_LIMITS = {"single_chain_max_step": DFSDT_LIMITS.single_chain_max_step, "max_query_count": DFSDT_LIMITS.max_query_count}
# Lockstep is the reference and the default; pipelined gives the same trajectories (engine.pipeline).
SCHEDULES: dict[str, type[Scheduler]] = {"lockstep": LockstepScheduler, "pipelined": PipelinedScheduler}


@dataclass
class RunConfig:
    agent: AgentSpec
    out_dir: Path
    run_name: str
    seed: int = 0
    executor: str = "ray"
    ray_address: str | None = None
    max_active: int | None = None
    schedule: str = "lockstep"
    progress: bool = True
    benchmark: dict[str, Any] = field(default_factory=dict)  # name, files + hashes, generation params
    command: list[str] = field(default_factory=list)


class Run:
    def __init__(self, config: RunConfig, tasks: list[Task], simulator: Any) -> None:
        self.config = config
        self.tasks = {task.key: task for task in tasks}
        self.simulator = simulator
        self.dir = config.out_dir / config.run_name
        self.manifest: dict[str, Any] = {}
        self.strategy = make_strategy(config.agent.strategy)

    def execute(self) -> Path:
        if self.config.schedule not in SCHEDULES:
            raise ValueError(f"unknown schedule {self.config.schedule!r}; valid: {', '.join(SCHEDULES)}")
        self.dir.mkdir(parents=True, exist_ok=True)
        writer = TrajectoryWriter(self.dir / "trajectories.jsonl")
        todo = [t for t in self.tasks.values() if (t.key, self.config.agent.name, self.config.seed) not in writer.done]
        self._write_manifest("running", models={})
        executor = make_executor(self.config.executor, distinct_models(self.config.agent.roles), self.config.ray_address,
                                 self.config.agent.placement)
        new_records: list[dict[str, Any]] = []
        start = time.perf_counter()
        status = "interrupted"
        try:
            self._write_manifest("running", models=executor.info())
            scheduler = SCHEDULES[self.config.schedule](self.strategy.agent(self.config.agent), executor, self.simulator,
                                                        self.config.max_active)
            with tqdm(total=len(self.tasks), initial=len(self.tasks) - len(todo), desc=self.config.run_name,
                      unit="traj", disable=not self.config.progress) as bar:
                tokens = 0

                def finished(episode: Episode) -> None:
                    nonlocal tokens
                    self.strategy.write_outputs(episode, self.dir)  # before the record: a recorded task is complete
                    record = trajectory_record(episode.trajectory)
                    writer.write(record)
                    new_records.append(record)
                    tokens += sum(u["completion_tokens"] for u in record["usage"].values())
                    bar.update(1)
                    bar.set_postfix(tok_s=round(tokens / max(1e-9, time.perf_counter() - start), 1), refresh=False)

                episodes = (self.strategy.start(t, self.config.agent, self.config.seed) for t in todo)
                scheduler.run(episodes, finished)
            status = "finished"
        finally:
            wall = time.perf_counter() - start
            writer.close()
            executor.shutdown()
            self._write_manifest(status)
        self._write_results(new_records, wall, scheduler.stats)
        return self.dir

    def _write_manifest(self, status: str, models: dict[str, Any] | None = None) -> None:
        if models is not None and (models or not self.manifest):
            self.manifest = {
                "run_name": self.config.run_name,
                "agent": self.config.agent.to_json(),
                "models": models,
                "benchmark": self.config.benchmark,
                "seed": self.config.seed,
                "executor": self.config.executor,
                "ray_address": self.config.ray_address,
                "max_active": self.config.max_active,
                "schedule": self.config.schedule,
                "limits": {"max_steps": self.config.agent.max_steps, "max_depth": self.config.agent.max_depth,
                           "planner_attempts": self.config.agent.planner_attempts,
                           "upstream_equivalent": UPSTREAM_LIMITS, "search": self.strategy.limits(self.config.agent)},
                "n_tasks": len(self.tasks),
                "simulator": getattr(self.simulator, "describe", lambda: {})(),
                "versions": manifest.library_versions(),
                "hardware": manifest.hardware(),
                "git_commit": manifest.git_commit(),
                "command": self.config.command,
                "started_at": manifest.now(),
            }
        self.manifest["status"] = status
        if status != "running":
            self.manifest["ended_at"] = manifest.now()
        write_json_atomic(self.dir / "run.json", self.manifest)

    def _write_results(self, new_records: list[dict[str, Any]], wall: float, stats: SchedulerStats) -> None:
        records = [r for r in read_records(self.dir / "trajectories.jsonl") if r["task_key"] in self.tasks
                   and record_key(r)[1:] == (self.config.agent.name, self.config.seed)]
        tooleval = self.dir / "tooleval"
        tooleval.mkdir(exist_ok=True)
        for group in sorted({r["group"] for r in records}):
            group_records = [r for r in records if r["group"] == group]
            text = self.strategy.tooleval_text(self.config.agent, self.tasks, group, group_records, self.dir)
            write_bytes_atomic(tooleval / f"{group}.json", text.encode())
        metrics = {
            "overall": outcome_metrics(records),
            "groups": {g: outcome_metrics([r for r in records if r["group"] == g]) for g in sorted({r["group"] for r in records})},
            "search": self.strategy.metrics(records),
            "speed": throughput_metrics(new_records, wall, stats),
            "simulator": self.simulator.stats() if hasattr(self.simulator, "stats") else {},
        }
        write_json_atomic(self.dir / "metrics.json", metrics)
        if has_gold_facts(self.tasks.values()):
            write_json_atomic(self.dir / "scores.json", verified_scores(records, self.tasks, self.config.seed))
