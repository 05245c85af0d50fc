"""How long the fast lane (`pytest -m "not slow"`) takes at two revisions, one after the other in one sitting,
with the machine's load before and after each (a loaded machine stretches both alike: compare them, not a
figure from another day).

    python perf/fast_lane.py REV_A REV_B

Each revision runs from its own `git archive` copy, with the same real-data folder (UMI_EVAL_SHARED_DATA, or the
one beside this checkout), so both see the same tests. Writes perf/results/fast_lane_<A>_<B>.json.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from perf.compare_outputs import checkout, rev_name  # noqa: E402
COMMAND = [sys.executable, "-m", "pytest", "-m", "not slow", "-q", "-p", "no:cacheprovider"]


def load() -> str:
    """The 1, 5 and 15 minute load averages, as `uptime` prints them."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def fast_lane(tree: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree),
           "UMI_EVAL_SHARED_DATA": os.environ.get("UMI_EVAL_SHARED_DATA", str(ROOT.parent / "shared" / "data"))}
    before = load()
    done = subprocess.run(COMMAND, cwd=tree, env=env, capture_output=True, text=True)
    summary = done.stdout.strip().splitlines()[-1]
    seconds = re.search(r" in ([\d.]+)s", summary)
    return {"summary": summary, "seconds": float(seconds.group(1)) if seconds else None, "returncode": done.returncode,
            "load_before": before, "load_after": load()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rev_a")
    parser.add_argument("rev_b")
    args = parser.parse_args()
    result = {"command": " ".join(["python", "-m", "pytest", *COMMAND[3:]]), "cores": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        for rev in (args.rev_a, args.rev_b):
            result[rev_name(rev)] = fast_lane(checkout(rev, Path(tmp) / rev_name(rev)))
            print(rev_name(rev), result[rev_name(rev)], flush=True)
    out = ROOT / "perf" / "results" / f"fast_lane_{rev_name(args.rev_a)}_{rev_name(args.rev_b)}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(out)


if __name__ == "__main__":
    main()
