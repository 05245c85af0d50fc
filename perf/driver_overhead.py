"""The driver alone, before vs after in one run: role calls per CPU-second and peak driver RSS (scripted backend).

The scripted backend (no model time), the local executor and the embedded benchmark, at each revision given.

Each (revision, agent, size) runs in its own process on a `git archive` of the revision. CPU-seconds are the
process's (every thread) over Run.execute alone: the benchmark is generated before the clock starts. Peak RSS
is the process's high-water mark from the moment the tasks are loaded (the kernel's counter is reset then), so it
holds the tasks themselves (`tasks_rss_mb`, also reported) plus what the driver adds. `--max-active` is the
admission window: lockstep admits every trajectory at once without one. `wire`: the pickled size of the
batches sent to a role actor (what Ray ships), at two windows: bounded by the window, not by the run.

    python perf/driver_overhead.py --revisions 14e8769 HEAD --sizes 10000 100000 [--max-active 1024]
    python perf/driver_overhead.py --revisions HEAD --sizes 10000 --schedule lockstep continuous
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "perf" / "results" / "driver_overhead.json"

CHILD = r"""
import json, resource, shutil, sys, tempfile, time
from pathlib import Path

def rss_mb(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) / 1024

from benchmarks.loading import load_benchmark
from engine.runner.tool_simulator import build_simulator
from engine.config.presets import load_agent, override_models
from engine.runner.run import Run, RunConfig

agent_name, size, max_active, schedule = sys.argv[1], int(sys.argv[2]), (int(sys.argv[3]) or None), sys.argv[4]
bench = load_benchmark("embedded", per_group=-(-size // 6))
tasks = bench.tasks[:size]
simulator = build_simulator(bench, None, "synthesize")
agent = override_models(load_agent(agent_name), backend="scripted", model="call-once-then-answer")
tasks_rss = rss_mb("VmRSS:")
if "gc.freeze()" in Path("engine/cli/run.py").read_text():  # as this revision's run command does
    import gc
    gc.freeze()
with open("/proc/self/clear_refs", "w") as handle:  # resets VmHWM, the peak RSS, to the current RSS
    handle.write("5")
workdir = Path(tempfile.mkdtemp(prefix="umi-driver-"))
try:
    config = RunConfig(agent=agent, out_dir=workdir, run_name="overhead", executor="local", progress=False,
                       max_active=max_active, schedule=schedule)
    cpu, wall = time.process_time(), time.perf_counter()
    run_dir = Run(config, tasks, simulator).execute()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    speed = json.loads((run_dir / "metrics.json").read_text())["speed"]
finally:
    shutil.rmtree(workdir, ignore_errors=True)
print(json.dumps({"role_calls": speed["role_calls"], "cpu_s": round(cpu, 2), "wall_s": round(wall, 2),
                  "role_calls_per_cpu_s": round(speed["role_calls"] / cpu, 1),
                  "tasks_rss_mb": round(tasks_rss, 1), "peak_rss_mb": round(rss_mb("VmHWM:"), 1)}))
"""


WIRE = r"""
import json, pickle, sys, tempfile
from pathlib import Path
from benchmarks.loading import load_benchmark
from engine.execution.local import LocalExecutor
from engine.runner.tool_simulator import build_simulator
from engine.config.presets import load_agent, override_models
from engine.runner.run import Run, RunConfig

sizes = []
submit = LocalExecutor.submit
def measured_submit(self, key, requests):
    sizes.append((len(requests), len(pickle.dumps(requests, protocol=5))))
    return submit(self, key, requests)
LocalExecutor.submit = measured_submit
size, max_active = int(sys.argv[1]), int(sys.argv[2])
bench = load_benchmark("embedded", per_group=-(-size // 6))
agent = override_models(load_agent("alpha-umi"), backend="scripted", model="call-once-then-answer")
config = RunConfig(agent=agent, out_dir=Path(tempfile.mkdtemp()), run_name="wire", executor="local", progress=False,
                   max_active=max_active, schedule="lockstep")  # batches: continuous sends one request per call
Run(config, bench.tasks[:size], build_simulator(bench, None, "synthesize")).execute()
print(json.dumps({"batches": len(sizes), "largest_batch_requests": max(n for n, _ in sizes),
                  "largest_batch_bytes": max(b for _, b in sizes),
                  "bytes_per_request": round(sum(b for _, b in sizes) / sum(n for n, _ in sizes)),
                  "largest_batch_mean_request_bytes": max(b // n for n, b in sizes)}))
"""


def wire(tree: Path, size: int, max_active: int) -> dict:
    """The pickled size of each batch a role actor is sent (what Ray would ship), HEAD's code: it grows with the
    window (max_active), never with the run."""
    env = {**os.environ, "PYTHONPATH": str(tree), "RAY_AUTH_MODE": "disabled"}
    done = subprocess.run([sys.executable, "-c", WIRE, str(size), str(max_active)], cwd=tree, env=env,
                          capture_output=True, text=True, check=True)
    return {"trajectories": size, "max_active": max_active, **json.loads(done.stdout.strip().splitlines()[-1])}


def tree_of(rev: str, scratch: Path) -> Path:
    into = scratch / rev
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def measure(tree: Path, agent: str, size: int, max_active: int | None, schedule: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree), "RAY_AUTH_MODE": "disabled"}
    done = subprocess.run([sys.executable, "-c", CHILD, agent, str(size), str(max_active or 0), schedule], cwd=tree, env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measured_row(trees: dict[str, Path], revisions: dict[str, str], args: argparse.Namespace, agent: str, size: int,
                 schedule: str) -> dict:
    """One (agent, size, schedule) at every revision, with the load average (1 min) before each measurement."""
    row = {"agent": agent, "trajectories": size, "max_active": args.max_active, "schedule": schedule}
    for rev, tree in trees.items():
        load = round(os.getloadavg()[0], 2)
        row[revisions[rev]] = {**measure(tree, agent, size, args.max_active, schedule), "load_1min_before": load}
        print(json.dumps(row), flush=True)
    first, last = (row[revisions[r]] for r in (args.revisions[0], args.revisions[-1]))
    row["ratio_role_calls_per_cpu_s"] = round(last["role_calls_per_cpu_s"] / first["role_calls_per_cpu_s"], 2)
    row["ratio_peak_rss"] = round(last["peak_rss_mb"] / first["peak_rss_mb"], 2)
    return row


def schedule_ratios(rows: list[dict], revisions: dict[str, str]) -> dict:
    """Per revision, each schedule's role calls per CPU-second over the first schedule's, measured in this run."""
    first = rows[0]
    return {"agent": first["agent"], "trajectories": first["trajectories"],
            f"role_calls_per_cpu_s_over_{first['schedule']}": {
                row["schedule"]: {commit: round(row[commit]["role_calls_per_cpu_s"] / first[commit]["role_calls_per_cpu_s"], 2)
                                  for commit in revisions.values()} for row in rows[1:]}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revisions", nargs="+", default=["14e8769", "HEAD"])
    parser.add_argument("--sizes", nargs="+", type=int, default=[10_000, 100_000])
    parser.add_argument("--agents", nargs="+", default=["alpha-umi"])
    parser.add_argument("--max-active", type=int, default=1024)
    parser.add_argument("--schedule", nargs="+", default=["lockstep"],
                        help="lockstep (in every revision) or, from 26e2bc6, continuous; several: measured in turn, "
                             "and each revision's role calls per CPU-second of each relative to the first")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    revisions = {rev: subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", rev], capture_output=True,
                                     text=True, check=True).stdout.strip() for rev in args.revisions}
    runs = []
    with tempfile.TemporaryDirectory() as scratch:
        trees = {rev: tree_of(commit, Path(scratch)) for rev, commit in revisions.items()}
        for agent in args.agents:
            for size in args.sizes:
                rows = [measured_row(trees, revisions, args, agent, size, schedule) for schedule in args.schedule]
                runs += rows + ([schedule_ratios(rows, revisions)] if len(rows) > 1 else [])
        wire_sizes = [wire(trees[args.revisions[-1]], 4 * args.max_active, window) for window in (args.max_active // 4, args.max_active)]
    result = {"what": __doc__.splitlines()[0], "command": ["python", "perf/driver_overhead.py", *sys.argv[1:]],
              "revisions": revisions, "host": f"{os.cpu_count()} CPUs (shared)", "runs": runs, "wire": wire_sizes}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
