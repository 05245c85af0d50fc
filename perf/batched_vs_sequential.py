"""Batched (lockstep) vs sequential (one task at a time, batch size 1, as upstream runners do).

Same tasks (StableToolBench G1_instruction), same agent and embedded model in fp32, greedy decoding.
Reports the wall-clock ratio and whether the two runs produced identical trajectories.

    .venv/bin/python perf/batched_vs_sequential.py [--tasks 16] [--agent alpha-umi] [--max-new-tokens 96]
        [--backend hf|vllm] [--data STABLETOOLBENCH_FOLDER|embedded]
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.config.presets import load_agent, override_models  # noqa: E402
from engine.types import SamplingParams  # noqa: E402
from perf.common import comparable, load_tasks, timed_run, usage_totals  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "stabletoolbench" / "solvable_queries"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=16)
    parser.add_argument("--agent", default="alpha-umi")
    parser.add_argument("--backend", default="hf", help="hf or vllm")
    parser.add_argument("--max-new-tokens", type=int, default=96)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--executor", default="ray")
    parser.add_argument("--data", default=str(SHARED), help="a StableToolBench folder, or 'embedded'")
    parser.add_argument("--out", default="perf/results/batched_vs_sequential.json")
    args = parser.parse_args()

    tasks, simulator = load_tasks(args.data, args.tasks)
    agent = override_models(load_agent(args.agent), backend=args.backend, dtype="fp32", batch_size=args.batch_size,
                            sampling=SamplingParams(max_new_tokens=args.max_new_tokens))
    workdir = Path(tempfile.mkdtemp(prefix="umi-perf-"))
    try:
        batched_s, batched = timed_run(agent, tasks, simulator, workdir, "batched", None, args.executor)
        sequential_s, sequential = timed_run(agent, tasks, simulator, workdir, "sequential", 1, args.executor)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result = {
        "what": "lockstep batched vs one task at a time (batch size 1), embedded model fp32 greedy",
        "tasks": len(tasks), "data": Path(args.data).name, "agent": args.agent, "backend": args.backend,
        "max_new_tokens": args.max_new_tokens, "executor": args.executor,
        "batched_wall_s": round(batched_s, 2), "sequential_wall_s": round(sequential_s, 2),
        "speedup_sequential_over_batched": round(sequential_s / batched_s, 2),
        "identical_trajectories": comparable(batched) == comparable(sequential),
        **usage_totals(batched),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
