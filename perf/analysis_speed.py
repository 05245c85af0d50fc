"""Time and peak memory of `umi-eval analyze` on a 10,000-trajectory run: scripted alpha-UMi (seeded-walk: calls,
answers, give-ups and empty plans drawn per request) on the embedded benchmark, cot and dfsdt, local executor.

Each analysis runs in a fresh process (python -m perf.analysis_speed --analyse RUN), so its peak resident
memory (VmHWM) is its own; the figure includes the interpreter and imports, given apart as `baseline_rss_mb`.
`gold_facts_s` is the time to regenerate the embedded benchmark's gold facts (for `missing_facts`), which
`analyse_s` includes; `load_1min` the machine's load average when the analysis ended (a shared machine).

    .venv/bin/python perf/analysis_speed.py [--per-group 1667]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _rss_mb() -> float:
    """This process's peak resident memory (VmHWM: ru_maxrss would carry the forking parent's over exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def analyse_once(run: Path) -> dict:
    """In this process: analysis.json of one run, timed (what `umi-eval analyze RUN` does, less printing)."""
    from benchmarks.analysis import ANALYSIS_FILE, analyse, source_of
    from benchmarks.results.files import write_json_atomic

    from benchmarks.analysis.sources import gold_facts, run_source
    from benchmarks.results.manifest import read_manifest

    baseline = _rss_mb()
    start = time.perf_counter()
    gold_facts(read_manifest(run_source(run).path))
    facts_s = time.perf_counter() - start
    start = time.perf_counter()
    document = analyse(source_of(run))
    write_json_atomic(run / ANALYSIS_FILE, document)
    return {"load_1min": round(os.getloadavg()[0], 2), "trajectories": document["overall"]["n"], "analyse_s": round(time.perf_counter() - start, 2),
            "gold_facts_s": round(facts_s, 2),
            "peak_rss_mb": _rss_mb(), "baseline_rss_mb": baseline,
            "analysis_json_bytes": (run / ANALYSIS_FILE).stat().st_size,
            "first_error": document["overall"]["first_error"]}


def make_run(out: Path, strategy: str, per_group: int) -> tuple[Path, float]:
    import run_eval

    start = time.perf_counter()
    assert run_eval.main(["run", "--agent", "alpha-umi", "--backend", "scripted", "--model", "seeded-walk",
                          "--strategy", strategy, "--benchmark", "embedded", "--per-group", str(per_group),
                          "--executor", "local", "--out", str(out), "--run-name", strategy, "--no-progress"]) == 0
    return out / strategy, round(time.perf_counter() - start, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-group", type=int, default=1667)  # 6 groups: 10,002 trajectories
    parser.add_argument("--out", default="perf/results/analysis_speed.json")
    parser.add_argument("--analyse", metavar="RUN", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.analyse:
        print(json.dumps(analyse_once(Path(args.analyse))))
        return
    from perf.common import write_result

    work = Path(tempfile.mkdtemp(prefix="umi-analysis-"))
    result = {"agent": "alpha-umi", "model": "scripted:seeded-walk", "benchmark": "embedded", "per_group": args.per_group,
              "executor": "local"}
    try:
        for strategy in ("cot", "dfsdt"):
            run, run_s = make_run(work, strategy, args.per_group)
            done = subprocess.run([sys.executable, "-m", "perf.analysis_speed", "--analyse", str(run)], cwd=ROOT,
                                  capture_output=True, text=True, check=True)
            result[strategy] = {"run_s": run_s, **json.loads(done.stdout.strip().splitlines()[-1])}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    write_result(args.out, result)


if __name__ == "__main__":
    main()
