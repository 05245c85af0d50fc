"""Embedded benchmark generation time, and the oracle's verified pass rate and throughput.

    .venv/bin/python perf/oracle_and_generation.py [--generate-per-group 2000] [--oracle-per-group 200]
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

from benchmarks.embedded import generate  # noqa: E402
from benchmarks.loading import load_benchmark  # noqa: E402
from engine.runner.tool_simulator import build_simulator  # noqa: E402
from engine.config.presets import load_agent  # noqa: E402
from engine.runner.run import Run, RunConfig  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--generate-per-group", type=int, default=2000)
    parser.add_argument("--oracle-per-group", type=int, default=200)
    parser.add_argument("--out", default="perf/results/oracle_and_generation.json")
    args = parser.parse_args()

    start = time.perf_counter()
    bench = generate(args.generate_per_group, seed=0)
    generation_s = time.perf_counter() - start

    loaded = load_benchmark("embedded", per_group=args.oracle_per_group)
    workdir = Path(tempfile.mkdtemp(prefix="umi-oracle-"))
    try:
        config = RunConfig(agent=load_agent("oracle"), out_dir=workdir, run_name="oracle", executor="local", progress=False)
        start = time.perf_counter()
        run_dir = Run(config, loaded.tasks, build_simulator(loaded, None, "synthesize")).execute()
        oracle_s = time.perf_counter() - start
        scores = json.loads((run_dir / "scores.json").read_text())
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result = {
        "generation": {"per_group": args.generate_per_group, "queries": len(bench.tasks), "seconds": round(generation_s, 2)},
        "oracle": {"per_group": args.oracle_per_group, "trajectories": len(loaded.tasks), "wall_s": round(oracle_s, 2),
                   "trajectories_per_s": round(len(loaded.tasks) / oracle_s, 1),
                   "verified_pass_rate": scores["overall"]["rate"], "ci95": scores["overall"]["ci95"]},
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
