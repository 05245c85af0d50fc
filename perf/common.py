"""What the perf scripts share: a timed run of the engine and the trajectory fields compared across runs."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from benchmarks.results.trajectories import read_records
from engine.runner.run import Run, RunConfig

# What must match between two runs of the same tasks (timings and usage may differ).
COMPARED = ("status", "turns", "calls", "final_answer")


def timed_run(agent: Any, tasks: list, simulator: Any, out: Path, name: str, max_active: int | None,
              executor: str, **config: Any) -> tuple[float, list[dict[str, Any]]]:
    """Wall seconds of one run and its records, sorted by task."""
    run_config = RunConfig(agent=agent, out_dir=out, run_name=name, executor=executor, max_active=max_active,
                           progress=False, **config)
    start = time.perf_counter()
    run_dir = Run(run_config, tasks, simulator).execute()
    wall = time.perf_counter() - start
    return wall, sorted(read_records(run_dir / "trajectories.jsonl"), key=lambda r: r["task_key"])


def load_tasks(data: str, n: int) -> tuple[list, Any]:
    """The first n tasks of a StableToolBench folder (G1_instruction, cache-less simulator) or of the
    embedded benchmark (all groups, its own simulated world), with the simulator to run them against."""
    from benchmarks.loading import load_benchmark
    from engine.runner.tool_simulator import build_simulator

    if data == "embedded":
        bench = load_benchmark("embedded", per_group=-(-n // 6))
    else:
        bench = load_benchmark(data, groups=["G1_instruction"], limit=n)
    return bench.tasks[:n], build_simulator(bench, None, "synthesize")


def comparable(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{key: record[key] for key in COMPARED} for record in records]


def usage_totals(records: list[dict[str, Any]]) -> dict[str, int]:
    usages = [u for r in records for u in r["usage"].values()]
    return {"role_calls": sum(u["calls"] for u in usages), "completion_tokens": sum(u["completion_tokens"] for u in usages)}


def write_result(out: str | Path, result: dict[str, Any]) -> None:
    """A perf script's figures: the JSON file under perf/results, and the same text on stdout."""
    text = json.dumps(result, indent=2)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(text + "\n")
    print(text)
