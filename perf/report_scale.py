"""The HTML report at scale: time to write it, page size, and time for headless Chromium to load and render it.

Three runs (oracle, scripted single and multi) on the embedded benchmark, local executor, then `umi-eval report`.

    .venv/bin/python perf/report_scale.py [--per-group 400] [--max-trajectories 1000]
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import run_eval  # noqa: E402
from perf.common import write_result  # noqa: E402
from benchmarks.report import write_report  # noqa: E402

RUNS = {"oracle": ["--agent", "oracle"],
        "single": ["--agent", "chat-single", "--backend", "scripted", "--model", "call-once-then-answer"],
        "multi": ["--agent", "chat-multi", "--backend", "scripted", "--model", "call-once-then-answer"]}
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_render_s(index: Path, profile: Path) -> float | None:
    """Seconds for Chromium to load the page, run its script (one trajectory opened) and dump the DOM."""
    chromium = shutil.which("chromium")
    if chromium is None:
        return None
    start = time.perf_counter()
    subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", f"{index.as_uri()}#traj=r0-0"],
                   capture_output=True, check=True, timeout=600)
    return round(time.perf_counter() - start, 2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-group", type=int, default=400)
    parser.add_argument("--max-trajectories", type=int, default=1000)
    parser.add_argument("--out", default="perf/results/report_scale.json")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="umi-report-"))
    try:
        for name, extra in RUNS.items():
            assert run_eval.main(["run", *extra, "--benchmark", "embedded", "--per-group", str(args.per_group),
                                  "--executor", "local", "--out", str(work / "runs"), "--run-name", name,
                                  "--no-progress"]) == 0
        start = time.perf_counter()
        index = write_report(sorted((work / "runs").iterdir()), work / "report", args.max_trajectories)
        write_s = time.perf_counter() - start
        result = {"runs": len(RUNS), "trajectories_per_run": args.per_group * 6,
                  "max_trajectories_per_run": args.max_trajectories, "write_s": round(write_s, 2),
                  "index_html_bytes": index.stat().st_size,
                  "png_bytes": {p.name: p.stat().st_size for p in sorted(index.parent.glob("*.png"))},
                  "chromium_render_s": chromium_render_s(index, work / "profile")}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    write_result(args.out, result)


if __name__ == "__main__":
    main()
