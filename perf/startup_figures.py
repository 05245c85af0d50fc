"""Time to first request: a one-task run of the embedded model on Ray, once per backend (hf, vllm), as the command
runs it. Reports metrics.json's `startup_s` (Ray started, the role actor up, its engine built) and
`first_request_s` (the first role request handed to the engine), the command's own wall time (imports and
benchmark generation included), and for vllm the engine's capacity and prefix-cache hits from run.json.

    python perf/startup_figures.py [--backends hf vllm]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "perf" / "results" / "startup_figures.json"


def one_run(backend: str, out: Path) -> dict:
    command = [sys.executable, "run_eval.py", "run", "--agent", "chat-single", "--backend", backend, "--model", "embedded",
               "--dtype", "fp32", "--benchmark", "embedded", "--per-group", "1", "--limit", "1", "--max-steps", "1",
               "--executor", "ray", "--out", str(out), "--run-name", backend, "--no-progress"]
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env={**os.environ, "RAY_AUTH_MODE": "disabled"}, check=True, capture_output=True)
    command_wall = time.perf_counter() - start
    speed = json.loads((out / backend / "metrics.json").read_text())["speed"]
    models = json.loads((out / backend / "run.json").read_text())["models"]
    engine = {key: {k: info[k] for k in ("capacity", "prefix_cache_hit_tokens") if k in info} for key, info in models.items()}
    return {"backend": backend, "command_wall_s": round(command_wall, 2), "startup_s": speed["startup_s"],
            "first_request_s": speed["first_request_s"], "run_wall_s": speed["wall_s"], "engine": engine,
            "command": " ".join(["python", *command[1:]])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=["hf", "vllm"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        runs = [one_run(backend, Path(scratch)) for backend in args.backends]
    result = {"what": __doc__.splitlines()[0], "host": f"{os.cpu_count()} CPUs (shared), no GPU", "runs": runs}
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
