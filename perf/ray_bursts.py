"""The Ray path of the continuous schedule, before vs after bursts: actor calls, wall time and the driver's
CPU per role call (scripted backend: no model time, so what is left is the driver and Ray's per-call cost).

Each revision runs in its own process on a `git archive` of it, with a local Ray of its own (RAY_ADDRESS=local:
never another process's cluster), alpha-UMi with each role its own actor, the embedded benchmark. CPU-seconds
are the driver process's (every thread) over Run.execute, Ray's start included (as in wall_s; run_wall_s is
wall_s less the engines' start-up, metrics.json `speed.startup_s`).

    python perf/ray_bursts.py --revisions 71a5e79 HEAD --trajectories 3000
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from perf.common import write_result  # noqa: E402
from perf.driver_overhead import tree_of  # noqa: E402
OUT = ROOT / "perf" / "results" / "ray_bursts.json"

CHILD = r"""
import dataclasses, json, shutil, sys, tempfile, time
from pathlib import Path
from benchmarks.loading import load_benchmark
from engine.runner.tool_simulator import build_simulator
from engine.config.presets import load_agent, override_models
from engine.runner.run import Run, RunConfig

size = int(sys.argv[1])
bench = load_benchmark("embedded", per_group=-(-size // 6))
agent = override_models(load_agent("alpha-umi"), backend="scripted", model="call-once-then-answer", num_cpus=0.25)
agent = dataclasses.replace(agent, placement="per-role", roles={r: dataclasses.replace(s, engine=r) for r, s in agent.roles.items()})
workdir = Path(tempfile.mkdtemp(prefix="umi-bursts-"))
try:
    config = RunConfig(agent=agent, out_dir=workdir, run_name="bursts", executor="ray", progress=False,
                       schedule="continuous")
    cpu, wall = time.process_time(), time.perf_counter()
    run_dir = Run(config, bench.tasks[:size], build_simulator(bench, None, "synthesize")).execute()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    metrics = json.loads((run_dir / "metrics.json").read_text())
finally:
    shutil.rmtree(workdir, ignore_errors=True)
calls = metrics["speed"]["role_calls"]
startup = metrics["speed"]["startup_s"]
print(json.dumps({"trajectories": size, "role_calls": calls, "wall_s": round(wall, 2), "startup_s": startup,
                  "run_wall_s": round(wall - startup, 2), "role_calls_per_run_s": round(calls / (wall - startup), 1),
                  "driver_cpu_s": round(cpu, 2), "role_calls_per_driver_cpu_s": round(calls / cpu, 1)}))
"""


def measure(tree: Path, size: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree), "RAY_AUTH_MODE": "disabled", "RAY_ADDRESS": "local"}
    done = subprocess.run([sys.executable, "-c", CHILD, str(size)], cwd=tree, env=env, capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revisions", nargs="+", default=["71a5e79", "HEAD"])
    parser.add_argument("--trajectories", type=int, default=3000)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    commits = {rev: subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", rev], capture_output=True, text=True,
                                   check=True).stdout.strip() for rev in args.revisions}
    result: dict = {"command": " ".join(["python", "perf/ray_bursts.py", *sys.argv[1:]]), "runs": {}}
    with tempfile.TemporaryDirectory() as scratch:
        for rev in args.revisions:
            load = round(os.getloadavg()[0], 2)
            result["runs"][commits[rev]] = {**measure(tree_of(rev, Path(scratch)), args.trajectories),
                                            "load_1min_before": load}
            print(json.dumps(result["runs"][commits[rev]]), flush=True)
    first, last = (result["runs"][commits[r]] for r in (args.revisions[0], args.revisions[-1]))
    result["ratio_role_calls_per_driver_cpu_s"] = round(last["role_calls_per_driver_cpu_s"]
                                                        / first["role_calls_per_driver_cpu_s"], 2)
    result["ratio_run_wall"] = round(last["run_wall_s"] / first["run_wall_s"], 2)
    write_result(args.out, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
