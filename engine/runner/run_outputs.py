"""A run's end-of-run outputs (tooleval/<group>.json, metrics.json's figures, scores.json) folded from its
records one at a time, so that memory does not grow with the run and nothing is read back that was just
written.

Each record is added as it is written to trajectories.jsonl. A run folder that already held records (a resumed
run) folds at the end instead, over the file's latest record of each trajectory in first-seen order (what
`latest_records` gives), read one line at a time: a retried trajectory keeps its first position, and the
converter's seeded generator must see the answers in that order.

The ToolEval files are written as they grow, to a hidden file per group that replaces the group's file only when
the run finishes: `{"<qid>": <answer>, ...}` entry by entry is byte for byte `json.dumps` of the whole object.
"""
from __future__ import annotations

import json
import os
import random
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from benchmarks.core.types import Task
from benchmarks.results.files import group_file
from benchmarks.results.raw_answers import CONVERTER_SEED
from engine.runner.metrics import OutcomeTally
from benchmarks.results.tooleval_export import converted_answer_json

_VERIFIED_FIELDS = ("task_key", "group", "status", "final_answer")  # what verified_scores reads of a record
_SEARCH_FIELDS = ("task_key", "search")  # what a strategy's metrics read of a record
WRITE_BUFFER = 1 << 18


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


class RunOutputs:
    """The folds over a run's records: outcome tallies overall and per group, the ToolEval files (when the
    strategy exports records), and the few fields of each record that scores and search figures read."""

    def __init__(self, tooleval_dir: Path | None, tasks: dict[str, Task], native_calls: bool = False) -> None:
        self.tooleval_dir = tooleval_dir  # None: the strategy writes its ToolEval files from its own files
        self.tasks = tasks
        self.native_calls = native_calls  # chains exported as ToolBench's ChatGPT runner's (tooleval_export)
        self.overall = OutcomeTally()
        self.groups: dict[str, OutcomeTally] = {}
        self.answer_files: dict[str, GroupAnswerFile] = {}
        self.verified: list[dict[str, Any]] = []
        self.searches: list[dict[str, Any]] = []

    def add(self, record: dict[str, Any]) -> None:
        group = record["group"]
        self.overall.add(record)
        if group not in self.groups:  # (setdefault would build a tally per record)
            self.groups[group] = OutcomeTally()
        self.groups[group].add(record)
        self.verified.append({name: record[name] for name in _VERIFIED_FIELDS})
        if record.get("search"):
            self.searches.append({name: record[name] for name in _SEARCH_FIELDS})
        if self.tooleval_dir is not None:
            if group not in self.answer_files:
                self.tooleval_dir.mkdir(parents=True, exist_ok=True)
                self.answer_files[group] = GroupAnswerFile(group_file(self.tooleval_dir, group), self.native_calls)
            self.answer_files[group].add(self.tasks[record["task_key"]], record)

    def add_all(self, records: Iterable[dict[str, Any]]) -> None:
        for record in records:
            self.add(record)

    def group_names(self) -> list[str]:
        return sorted(self.groups)

    def finish_tooleval(self) -> None:
        for group in sorted(self.answer_files):
            self.answer_files[group].finish()

    def discard(self) -> None:
        """The run did not finish: its partial ToolEval files go (the group files are written only at the end)."""
        for answers in self.answer_files.values():
            answers.discard()
        self.answer_files.clear()
