"""Read an exported embedded benchmark back: ToolBench's loader for the queries, plus the gold files."""
from __future__ import annotations

import dataclasses
from collections.abc import Collection
from pathlib import Path

from benchmarks.embedded.generate import BENCHMARK
from benchmarks.embedded.goldfile import GOLD_DIR, read_gold_file
from benchmarks.toolbench import BenchmarkFormatError, load_benchmark_dir
from benchmarks.core.types import Gold, Task


def load(path: str | Path, groups: Collection[str] | None = None) -> list[Task]:
    """The tasks of a folder written by `write`, each with its gold solution."""
    root = Path(path)
    tasks = load_benchmark_dir(root, groups, benchmark=BENCHMARK)
    golds: dict[str, dict[str, Gold]] = {}
    out = []
    for task in tasks:
        if task.group not in golds:
            golds[task.group] = read_gold_file(root / GOLD_DIR / f"{task.group}.json")
        gold = golds[task.group].get(task.query_id)
        if gold is None:
            raise BenchmarkFormatError(f"{root / GOLD_DIR / (task.group + '.json')}: no gold for query {task.query_id}")
        out.append(dataclasses.replace(task, gold=gold))
    return out
