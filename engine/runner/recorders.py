"""The run folder's written files, one recorder each (engine.runner.recording), and their registry RECORDERS:
run.json, the strategy's raw answer files, tooleval/<group>.json, metrics.json and scores.json.

The end-of-run outputs fold the counted records one at a time, so that memory does not grow with the run and
nothing is read back that was just written. A fresh run counts each record as it is written to
trajectories.jsonl; a resumed run counts at the end, over the file's latest record of each trajectory in
first-seen order (what `latest_records` gives), read one line at a time: a retried trajectory keeps its first
position, and the converter's seeded generator must see the answers in that order.

The ToolEval files are written as they grow, to a hidden file per group that replaces the group's file only when
the run finishes: `{"<qid>": <answer>, ...}` entry by entry is byte for byte `json.dumps` of the whole object.
"""
from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import IO, Any

from benchmarks.core.types import Task
from benchmarks.results.files import METRICS_FILE, SCORES_FILE, TOOLEVAL_DIR, group_file, write_bytes_atomic
from benchmarks.results.manifest import effective_status, read_manifest, this_process, write_manifest
from benchmarks.results.metrics_file import write_metrics
from benchmarks.results.raw_answers import CONVERTER_SEED
from benchmarks.results.scores import write_scores
from benchmarks.results.tooleval_export import converted_answer_json
from benchmarks.scoring import has_gold_facts, verified_scores
from engine.agents import native_calls
from engine.execution.replicas import replicas_record
from engine.runner import provenance
from engine.runner.metrics import OutcomeTally
from engine.runner.recording import RunContext, RunEnd, RunRecorder
from engine.search.dfsdt import DFSDT_LIMITS

# ToolBench's runner limits, recorded because they change results (docs/formats.md section 7).
UPSTREAM_LIMITS = {"single_chain_max_step": DFSDT_LIMITS.single_chain_max_step, "max_query_count": DFSDT_LIMITS.max_query_count}
_VERIFIED_FIELDS = ("task_key", "group", "status", "final_answer")  # what verified_scores reads of a record
WRITE_BUFFER = 1 << 18


def recorded_manifest(run_dir: Path) -> dict[str, Any]:
    """The folder's run.json as an earlier attempt left it ({} when absent or corrupt: this run writes a sound one)."""
    try:
        return dict(read_manifest(run_dir))
    except ValueError:
        return {}


class ManifestRecorder(RunRecorder):
    """run.json: written "running" at the start, again with the engines once they are built, and with the
    status and reason at the end; a resumed folder records how the attempt before ended."""

    def __init__(self, run: RunContext) -> None:
        super().__init__(run)
        self.manifest: dict[str, Any] = {}
        self.previous_attempt: dict[str, Any] | None = None

    def written(self) -> bool:
        return effective_status(recorded_manifest(self.run.dir))[0] == "finished"

    def started(self) -> None:
        last = recorded_manifest(self.run.dir)
        status, reason = effective_status(last)
        if last and status != "finished":
            self.previous_attempt = {"status": status, "reason": reason, "started_at": last.get("started_at"),
                                     "ended_at": last.get("ended_at")}
        self._write("running", models={})

    def engines_ready(self, models: dict[str, Any]) -> None:
        self._write("running", models=models)

    def ended(self, end: RunEnd) -> None:
        if end.models is not None:  # figures the engines measured while generating
            self.manifest["models"] = end.models
        self._write(end.status, reason=end.reason)

    def _write(self, status: str, models: dict[str, Any] | None = None, reason: str | None = None) -> None:
        if models is not None and (models or not self.manifest):
            self.manifest = self._describe(models)
        self.manifest["status"] = status
        if reason is not None:
            self.manifest["reason"] = reason
        if status != "running":
            self.manifest["ended_at"] = provenance.now()
        write_manifest(self.run.dir, self.manifest)

    def _describe(self, models: dict[str, Any]) -> dict[str, Any]:
        config, agent = self.run.config, self.run.config.agent
        return {
            "run_name": config.run_name,
            "agent": agent.to_json(),
            "models": models,
            "benchmark": config.benchmark,
            "seed": config.seed,
            "identity": self.run.identity,
            "executor": config.executor,
            "ray_address": config.ray_address,
            "max_active": config.max_active,
            "schedule": config.schedule,
            "replicas": replicas_record(agent, config.sizing),
            "limits": {"max_steps": agent.max_steps, "max_depth": agent.max_depth,
                       "planner_attempts": agent.planner_attempts,
                       "upstream_equivalent": UPSTREAM_LIMITS, "search": self.run.strategy.limits(agent)},
            "n_tasks": len(self.run.tasks),
            "simulator": getattr(self.run.simulator, "describe", lambda: {})(),
            "versions": provenance.library_versions(),
            "hardware": provenance.hardware(),
            "git_commit": provenance.git_commit(),
            "command": config.command,
            "started_at": provenance.now(),
            "process": this_process(),
            **({"previous_attempt": self.previous_attempt} if self.previous_attempt else {}),
        }


class StrategyFilesRecorder(RunRecorder):
    """The strategy's own files of a finished task (DFSDT's raw answer files), before its record is written."""

    def task_finished(self, unit: Any) -> None:
        self.run.strategy.write_outputs(unit, self.run.dir)


class GroupAnswerFile:
    """One group's converted answers, written entry by entry in record order from the group's own seeded
    generator, as upstream's converter does one folder (benchmarks.results.tooleval_export.converted_group)."""

    def __init__(self, path: Path, native_calls: bool) -> None:
        self.path = path
        self.native_calls = native_calls  # the chains take the shape of ToolBench's ChatGPT runner (chat-fc)
        self.partial = path.with_name(f".{path.name}.partial")
        self._rng = random.Random(CONVERTER_SEED)
        # A 256 KiB buffer: a record's answer is about 3 KB, so the default 8 KiB made a write call every few
        # records (the partial file is read by nobody before `finish`); 1 MiB saved no more CPU, and cost RSS.
        self._handle: IO[str] = self.partial.open("w", encoding="utf-8", buffering=WRITE_BUFFER)
        self._handle.write("{")
        self._separator = ""

    def add(self, task: Task, record: dict[str, Any]) -> None:
        answer = converted_answer_json(task, record, self._rng, self.native_calls)
        self._handle.write(f"{self._separator}{json.dumps(record['query_id'])}: {answer}")
        self._separator = ", "

    def finish(self) -> None:
        self._handle.write("}")
        self._handle.close()
        os.replace(self.partial, self.path)

    def discard(self) -> None:
        self._handle.close()
        self.partial.unlink(missing_ok=True)


class ToolEvalRecorder(RunRecorder):
    """tooleval/<group>.json: the records' converted answers folded as counted, or, when the strategy converts
    its own answer files, converted by the strategy at the end. A run that does not finish leaves no group file."""

    def __init__(self, run: RunContext) -> None:
        super().__init__(run)
        self.folder = run.dir / TOOLEVAL_DIR
        self.from_records = run.strategy.tooleval_from_records(run.config.agent)
        self.groups: set[str] = set()
        self.answer_files: dict[str, GroupAnswerFile] = {}

    def written(self) -> bool:
        return self.folder.is_dir()

    def counted(self, record: dict[str, Any]) -> None:
        group = record["group"]
        self.groups.add(group)
        if self.from_records:
            if group not in self.answer_files:
                self.folder.mkdir(parents=True, exist_ok=True)
                self.answer_files[group] = GroupAnswerFile(group_file(self.folder, group), native_calls(self.run.config.agent))
            self.answer_files[group].add(self.run.tasks[record["task_key"]], record)

    def ended(self, end: RunEnd) -> None:
        if end.status != "finished":  # the partial files go (the group files are written only at the end)
            for answers in self.answer_files.values():
                answers.discard()
            self.answer_files.clear()

    def completed(self, end: RunEnd) -> None:
        self.folder.mkdir(exist_ok=True)
        for group in sorted(self.answer_files):
            self.answer_files[group].finish()
        if not self.from_records:
            for group in sorted(self.groups):  # the strategy converts its own answer files, not the records
                text = self.run.strategy.tooleval_text(self.run.config.agent, self.run.tasks, group, [], self.run.dir)
                write_bytes_atomic(group_file(self.folder, group), text.encode())


class MetricsRecorder(RunRecorder):
    """metrics.json: outcome tallies overall and per group, the strategy's search figures, speed, simulator."""

    def __init__(self, run: RunContext) -> None:
        super().__init__(run)
        self.overall = OutcomeTally()
        self.groups: dict[str, OutcomeTally] = {}
        self.searches: list[dict[str, Any]] = []

    def written(self) -> bool:
        return (self.run.dir / METRICS_FILE).is_file()

    def counted(self, record: dict[str, Any]) -> None:
        self.overall.add(record)
        group = record["group"]
        if group not in self.groups:  # (setdefault would build a tally per record)
            self.groups[group] = OutcomeTally()
        self.groups[group].add(record)
        if record.get("search"):
            self.searches.append({"task_key": record["task_key"], "search": record["search"]})

    def completed(self, end: RunEnd) -> None:
        simulator = self.run.simulator
        write_metrics(self.run.dir, {
            "overall": self.overall.metrics(),
            "groups": {g: self.groups[g].metrics() for g in sorted(self.groups)},
            "search": self.run.strategy.metrics(self.searches),
            "speed": end.speed or {},
            "simulator": simulator.stats() if hasattr(simulator, "stats") else {},
        })


class ScoresRecorder(RunRecorder):
    """scores.json: the answers checked against the tasks' gold facts (benchmarks with gold facts only)."""

    def __init__(self, run: RunContext) -> None:
        super().__init__(run)
        self.verified: list[dict[str, Any]] = []

    def counted(self, record: dict[str, Any]) -> None:
        self.verified.append({name: record[name] for name in _VERIFIED_FIELDS})

    def completed(self, end: RunEnd) -> None:
        if has_gold_facts(self.run.tasks.values()):
            write_scores(self.run.dir / SCORES_FILE, verified_scores(self.verified, self.run.tasks, self.run.config.seed))


# In the order they are told each event: run.json first, the strategy's files before anything counts the record.
RECORDERS = (ManifestRecorder, StrategyFilesRecorder, ToolEvalRecorder, MetricsRecorder, ScoresRecorder)
