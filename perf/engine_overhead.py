"""Engine overhead: 10,000 trajectories with the scripted backend, so no model time is counted.

What is timed is the engine alone: prompt rendering, parsing, scheduling, the simulator and writing
trajectories.jsonl. Reports role calls per second (and trajectories per second).

    .venv/bin/python perf/engine_overhead.py [--trajectories 10000] [--agent alpha-umi]
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.loading import load_benchmark  # noqa: E402
from engine.runner.tool_simulator import build_simulator  # noqa: E402
from engine.config.presets import load_agent, override_models  # noqa: E402
from engine.runner.run import Run, RunConfig  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trajectories", type=int, default=10_000)
    parser.add_argument("--agent", nargs="+", default=["alpha-umi", "chat-single"])
    parser.add_argument("--out", default="perf/results/engine_overhead.json")
    args = parser.parse_args()

    per_group = -(-args.trajectories // 6)
    start = time.perf_counter()
    bench = load_benchmark("embedded", per_group=per_group)
    tasks = bench.tasks[: args.trajectories]
    generate_s = time.perf_counter() - start
    results = []
    for name in args.agent:
        agent = override_models(load_agent(name), backend="scripted", model="call-once-then-answer")
        workdir = Path(tempfile.mkdtemp(prefix="umi-overhead-"))
        try:
            config = RunConfig(agent=agent, out_dir=workdir, run_name="overhead", executor="local", progress=False)
            start = time.perf_counter()
            run_dir = Run(config, tasks, build_simulator(bench, None, "synthesize")).execute()
            wall = time.perf_counter() - start
            speed = json.loads((run_dir / "metrics.json").read_text())["speed"]
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        results.append({
            "agent": name, "trajectories": len(tasks), "role_calls": speed["role_calls"], "wall_s": round(wall, 2),
            "role_calls_per_s": round(speed["role_calls"] / wall, 1),
            "trajectories_per_s": round(len(tasks) / wall, 1),
            "scheduler_generate_s": speed["generate_wall_s"], "scheduler_tools_s": speed["tools_wall_s"],
        })
    out = {"what": "engine overhead with the scripted backend (no model), local executor, all in lockstep",
           "benchmark_generation_s": round(generate_s, 2), "runs": results}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
