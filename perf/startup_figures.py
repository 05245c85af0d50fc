"""Time to first request: a one-task run of the embedded model on Ray, once per backend (hf, vllm).

Each runs in its own process (a fresh Ray): chat-single, one step, 16-token replies. Reports metrics.json's
`startup_s` (Ray started, the role actor up, its engine built) and `first_request_s` (the first role request
handed to the engine), the process's wall time (imports and benchmark generation included), and for vllm the
engine's capacity and prefix-cache hits from run.json.

    python perf/startup_figures.py [--backends hf vllm]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "perf" / "results" / "startup_figures.json"


CHILD = r"""
import dataclasses, json, sys, tempfile, time
from pathlib import Path
from benchmarks.loading import load_benchmark
from engine.config.presets import load_agent, override_models
from engine.runner.run import Run, RunConfig
from engine.runner.tool_simulator import build_simulator
from engine.types import SamplingParams

backend = sys.argv[1]
bench = load_benchmark("embedded", per_group=1)
# One task and one short reply: what is timed is everything before the first request, not generation.
agent = override_models(load_agent("chat-single"), backend=backend, model="embedded", dtype="fp32",
                        sampling=SamplingParams(max_new_tokens=16))
agent = dataclasses.replace(agent, max_steps=1)
out = Path(tempfile.mkdtemp())
config = RunConfig(agent=agent, out_dir=out, run_name=backend, executor="ray", progress=False)
Run(config, bench.tasks[:1], build_simulator(bench, None, "synthesize")).execute()
speed = json.loads((out / backend / "metrics.json").read_text())["speed"]
models = json.loads((out / backend / "run.json").read_text())["models"]
engine = {key: {k: info[k] for k in ("capacity", "prefix_cache_hit_tokens") if k in info} for key, info in models.items()}
print(json.dumps({"startup_s": speed["startup_s"], "first_request_s": speed["first_request_s"],
                  "run_wall_s": speed["wall_s"], "engine": engine}))
"""


def one_run(backend: str) -> dict:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CHILD, backend], cwd=ROOT, capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "RAY_AUTH_MODE": "disabled"})
    process_wall = time.perf_counter() - start
    return {"backend": backend, **json.loads(done.stdout.strip().splitlines()[-1]),
            "process_wall_s": round(process_wall, 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=["hf", "vllm"])
    args = parser.parse_args()
    runs = [one_run(backend) for backend in args.backends]
    result = {"what": __doc__.splitlines()[0], "command": ["python", "perf/startup_figures.py", *sys.argv[1:]],
              "host": f"{os.cpu_count()} CPUs (shared), no GPU", "runs": runs}
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
