"""Resolve a `--benchmark` argument to tasks: a named benchmark (the loader registry), a Hugging Face dataset
(benchmarks.hf_benchmark), a query file, or a folder.

A named benchmark is a registry entry `load(per_group=..., seed=...) -> LoadedBenchmark`; adding one is its
module plus one `BENCHMARKS.register` line here.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable

from benchmarks.core.values import positive_int_problem
from benchmarks.core.registry import Registry, did_you_mean
from benchmarks.core.types import LoadedBenchmark, Task
from benchmarks.hf_benchmark import is_dataset_source, load_dataset_benchmark
from benchmarks.tool_descriptions import describe_tools, undescribed_tools
from benchmarks.toolbench import load_benchmark_dir, load_query_file, order_groups

BenchmarkLoader = Callable[..., LoadedBenchmark]
BENCHMARKS: Registry[BenchmarkLoader] = Registry("benchmark")
BENCHMARKS.register("embedded", "benchmarks.embedded.source:load_embedded")


def load_benchmark(name_or_path: str, *, groups: list[str] | None = None, limit: int | None = None,
                   tools_dir: str | None = None, seed: int = 0, per_group: int | None = None) -> LoadedBenchmark:
    for key, value in (("limit", limit), ("per_group", per_group)):
        if value is not None and (problem := positive_int_problem(key, value)):
            raise ValueError(problem)
    if name_or_path in BENCHMARKS:
        bench = BENCHMARKS.get(name_or_path)(per_group=per_group, seed=seed)
    elif is_dataset_source(name_or_path):
        bench = load_dataset_benchmark(name_or_path, tools_dir)
    else:
        bench = _load_files(Path(name_or_path), groups, tools_dir)
    bench.tasks = select(bench.tasks, groups, limit)
    if name_or_path not in BENCHMARKS:
        _describe(bench, tools_dir or _cache_tools_dir(Path(name_or_path)))
    return bench


def _cache_tools_dir(path: Path) -> Path | None:
    """The `tools/` folder of a StableToolBench cache unpacked into the benchmark folder (beside
    `tool_response_cache/`, which the simulator reads)."""
    return path / "tools" if (path / "tools").is_dir() else None


def _describe(bench: LoadedBenchmark, tools_dir: str | Path | None) -> None:
    """Tool descriptions for the task description's tool list, as ToolBench's runner reads them; run.json
    records how many tools have none."""
    bench.tasks = describe_tools(bench.tasks, tools_dir)
    bench.info["tools_without_description"] = undescribed_tools(bench.tasks)


def _load_files(path: Path, groups: list[str] | None, tools_dir: str | None) -> LoadedBenchmark:
    if path.is_dir() and (path / "gold").is_dir():  # written by `benchmark write`: tasks with gold facts
        from benchmarks.embedded import load

        tasks = load(path, groups)
    elif path.is_dir():
        tasks = load_benchmark_dir(path, groups, tools_dir=tools_dir)
    elif path.is_file():
        tasks = load_query_file(path, tools_dir=tools_dir)
    else:
        raise FileNotFoundError(f"benchmark not found: {path}{did_you_mean(path, BENCHMARKS)} (give "
                                f"{', '.join(map(repr, BENCHMARKS))}, a query file, a folder, a dataset (save_to_disk "
                                "folder, parquet or JSON lines) or hf:OWNER/NAME)")
    # Hashed for the manifest: query, id, tool and gold files (the response cache belongs to the simulator).
    files = [path] if path.is_file() else sorted(
        p for p in path.rglob("*.json") if p.is_file() and "tool_response_cache" not in p.parts)
    info = {"name": path.name, "path": str(path), "files": {str(p.relative_to(path.parent)): file_sha256(p) for p in files}}
    cache = path / "tool_response_cache"
    return LoadedBenchmark(path.stem if path.is_file() else path.name, tasks, info,
                           cache_dir=cache if cache.is_dir() else None)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def select(tasks: list[Task], groups: list[str] | None, limit: int | None) -> list[Task]:
    """Tasks of the chosen groups (an unknown group is an error listing the valid ones), N per group."""
    present = order_groups({t.group for t in tasks})
    unknown = sorted(set(groups or ()) - set(present))
    if unknown:
        raise ValueError(f"unknown group(s) {unknown}; valid: {', '.join(present)}")
    chosen = groups or present
    out: list[Task] = []
    for group in order_groups(chosen):
        in_group = [t for t in tasks if t.group == group]
        out.extend(in_group[:limit] if limit is not None else in_group)
    return out
