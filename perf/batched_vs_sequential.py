"""Batched (lockstep) vs sequential (one task at a time, batch size 1, as upstream runners do).

Same tasks (StableToolBench G1_instruction), same agent and embedded model in fp32, greedy decoding.
Reports the wall-clock ratio and whether the two runs produced identical trajectories.

    .venv/bin/python perf/batched_vs_sequential.py [--tasks 16] [--agent alpha-umi] [--max-new-tokens 96]
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.sources import load_benchmark  # noqa: E402
from engine.presets import load_agent, override_models  # noqa: E402
from engine.records import read_records  # noqa: E402
from engine.run import Run, RunConfig  # noqa: E402
from engine.types import SamplingParams  # noqa: E402
from tools_sim.cache import ResponseCache  # noqa: E402
from tools_sim.simulator import Simulator  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "stabletoolbench" / "solvable_queries"
COMPARED = ("status", "turns", "calls", "final_answer")


def timed_run(agent, tasks, out: Path, name: str, max_active: int | None, executor: str) -> tuple[float, list[dict]]:
    config = RunConfig(agent=agent, out_dir=out, run_name=name, executor=executor, max_active=max_active, progress=False)
    start = time.perf_counter()
    run_dir = Run(config, tasks, Simulator(ResponseCache())).execute()
    wall = time.perf_counter() - start
    records = sorted(read_records(run_dir / "trajectories.jsonl"), key=lambda r: r["task_key"])
    return wall, records


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=16)
    parser.add_argument("--agent", default="alpha-umi")
    parser.add_argument("--max-new-tokens", type=int, default=96)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--executor", default="ray")
    parser.add_argument("--data", default=str(SHARED))
    parser.add_argument("--out", default="perf/results/batched_vs_sequential.json")
    args = parser.parse_args()

    tasks = load_benchmark(args.data, groups=["G1_instruction"], limit=args.tasks).tasks
    agent = override_models(load_agent(args.agent), dtype="fp32", batch_size=args.batch_size,
                            sampling=SamplingParams(max_new_tokens=args.max_new_tokens))
    workdir = Path(tempfile.mkdtemp(prefix="umi-perf-"))
    try:
        batched_s, batched = timed_run(agent, tasks, workdir, "batched", None, args.executor)
        sequential_s, sequential = timed_run(agent, tasks, workdir, "sequential", 1, args.executor)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    identical = [{k: r[k] for k in COMPARED} for r in batched] == [{k: r[k] for k in COMPARED} for r in sequential]
    result = {
        "what": "lockstep batched vs one task at a time (batch size 1), embedded model fp32 greedy",
        "tasks": len(tasks), "agent": args.agent, "max_new_tokens": args.max_new_tokens, "executor": args.executor,
        "batched_wall_s": round(batched_s, 2), "sequential_wall_s": round(sequential_s, 2),
        "speedup_sequential_over_batched": round(sequential_s / batched_s, 2),
        "identical_trajectories": identical,
        "role_calls": sum(u["calls"] for r in batched for u in r["usage"].values()),
        "completion_tokens": sum(u["completion_tokens"] for r in batched for u in r["usage"].values()),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
