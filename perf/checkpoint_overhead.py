"""What checkpoints of trajectories in flight cost (engine/runner/checkpoint.py): a run of instant modelled models
(engine time only, so the cost is as large a share as it can be), timing the checkpoint's own methods.

    .venv/bin/python perf/checkpoint_overhead.py [--per-group 100] [--agent alpha-umi]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import run_eval  # noqa: E402
from engine.runner import checkpoint  # noqa: E402


def timed_hooks() -> dict[str, float]:
    """Wraps the checkpoint's hook methods to add up their time and calls."""
    spent = {"seconds": 0.0, "calls": 0}
    for name in ("generated", "observed", "commit"):
        method = getattr(checkpoint.Checkpoint, name)

        def timed(*args, method=method, **kwargs):
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                spent["seconds"] += time.perf_counter() - start
                spent["calls"] += 1

        setattr(checkpoint.Checkpoint, name, timed)
    return spent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-group", type=int, default=100)
    parser.add_argument("--agent", default="alpha-umi")
    parser.add_argument("--out", default="perf/results/checkpoint_overhead.json")
    args = parser.parse_args()
    spent = timed_hooks()
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        run_eval.main(["run", "--agent", args.agent, "--benchmark", "embedded", "--per-group", str(args.per_group),
                       "--backend", "modelled", "--model", "seeded-walk@instant", "--executor", "local",
                       "--out", out, "--run-name", "r", "--no-progress"])
        wall = time.perf_counter() - start
        trajectories = len((Path(out) / "r" / "trajectories.jsonl").read_bytes().splitlines())
    result = {"agent": args.agent, "trajectories": trajectories, "wall_s": round(wall, 3),
              "checkpoint_s": round(spent["seconds"], 3), "checkpoint_calls": spent["calls"],
              "checkpoint_share": round(spent["seconds"] / wall, 4)}
    print(json.dumps(result))
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
