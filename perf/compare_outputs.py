"""Are two revisions' outputs the same? Runs the same fixed runs at each git revision (an oracle run,
scripted alpha-UMi chains and DFSDT trees under each schedule, and a scripted chat-multi run, all on the
embedded benchmark, in-process) and compares their files:
trajectories.jsonl with timestamps aside (and its keys in the same order), metrics.json but its speed figures,
tooleval/ and scores.json byte for byte, and the rates.

    python perf/compare_outputs.py REV_A REV_B [--per-group 3]

Writes perf/results/compare_outputs_<A>_<B>.json. Used to show that a restructuring changed no output.
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
SCRIPTED = ["--backend", "scripted", "--model", "call-once-then-answer"]
RUNS = {"oracle": ["--agent", "oracle"], "chat-multi": ["--agent", "chat-multi", *SCRIPTED]}
for _schedule in ("lockstep", "pipelined", "continuous"):  # alpha-UMi's chains and trees under every schedule
    for _strategy in ("cot", "dfsdt"):
        RUNS[f"alpha-umi-{_strategy}-{_schedule}"] = ["--agent", "alpha-umi", *SCRIPTED, "--strategy", _strategy,
                                                      "--schedule", _schedule]
TIMESTAMPS = {"started_at", "finished_at", "wall_s", "latency_s", "generated_at", "scored_at"}


def checkout(rev: str, into: Path) -> Path:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def run_all(tree: Path, out: Path, per_group: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(tree), "RAY_AUTH_MODE": "disabled"}
    for name, agent in RUNS.items():
        subprocess.run([sys.executable, "run_eval.py", "run", *agent, "--benchmark", "embedded", "--per-group",
                        str(per_group), "--executor", "local", "--out", str(out), "--run-name", name, "--no-progress"],
                       cwd=tree, env=env, check=True, capture_output=True)


def rev_name(rev: str) -> str:
    """The short commit hash of `rev` (HEAD, a branch or a hash), for the result's file name."""
    return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short=7", rev], capture_output=True, text=True,
                          check=True).stdout.strip()


def without_timestamps(value):
    if isinstance(value, dict):
        return {k: without_timestamps(v) for k, v in value.items() if k not in TIMESTAMPS}
    if isinstance(value, list):
        return [without_timestamps(v) for v in value]
    return value


def _keys(value) -> list:
    """Every object's keys in their written order, depth first (a dict comparison ignores the order)."""
    if isinstance(value, dict):
        return [list(value), *(_keys(v) for v in value.values())]
    if isinstance(value, list):
        return [_keys(v) for v in value]
    return []


def compare(a: Path, b: Path) -> dict[str, dict[str, bool]]:
    result = {}
    for name in RUNS:
        records = [[without_timestamps(json.loads(line)) for line in (d / name / "trajectories.jsonl").open()] for d in (a, b)]
        tooleval = sorted(p.name for p in (a / name / "tooleval").iterdir())
        scores = [json.loads((d / name / "scores.json").read_text()) for d in (a, b)]
        metrics = [{k: v for k, v in json.loads((d / name / "metrics.json").read_text()).items() if k != "speed"} for d in (a, b)]
        result[name] = {
            "trajectories_same_but_timestamps": records[0] == records[1],
            "trajectory_key_order_same": [_keys(r) for r in records[0]] == [_keys(r) for r in records[1]],
            "metrics_same_but_speed": metrics[0] == metrics[1],
            "tooleval_bytes_same": all((a / name / "tooleval" / f).read_bytes() == (b / name / "tooleval" / f).read_bytes()
                                       for f in tooleval),
            "scores_bytes_same": (a / name / "scores.json").read_bytes() == (b / name / "scores.json").read_bytes(),
            "rates_same": [(s["groups"], s["overall"]) for s in scores][0] == [(s["groups"], s["overall"]) for s in scores][1],
        }
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revisions", nargs=2)
    parser.add_argument("--per-group", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        outs = []
        for i, rev in enumerate(args.revisions):
            tree = checkout(rev, Path(scratch) / f"tree{i}")
            outs.append(Path(scratch) / f"out{i}")
            run_all(tree, outs[-1], args.per_group)
        result = {"command": ["python", "perf/compare_outputs.py", *args.revisions, "--per-group", str(args.per_group)],
                  "revisions": args.revisions, "runs": compare(*outs)}
    names = [rev_name(rev) for rev in args.revisions]
    path = ROOT / "perf" / "results" / f"compare_outputs_{names[0]}_{names[1]}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result["runs"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
