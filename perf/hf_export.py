"""Export and reload of a large run as a Hugging Face dataset: time and size, parquet vs the run's jsonl.

The run is made cheaply: the oracle agent on the embedded benchmark with the local executor (every trajectory
answers with the gold calls, so rows are of a realistic shape but carry no token usage).

    .venv/bin/python perf/hf_export.py [--trajectories 10000]
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import datasets  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from perf.common import write_result  # noqa: E402
from benchmarks.loading import load_benchmark  # noqa: E402
from benchmarks.results.files import TRAJECTORIES_FILE  # noqa: E402
from benchmarks.results.hf_dataset import PARQUET_FILE, export_runs, record_from_row  # noqa: E402
from benchmarks.results.trajectories import latest_records  # noqa: E402
from engine.config.presets import load_agent  # noqa: E402
from engine.runner.run import Run, RunConfig  # noqa: E402
from engine.runner.tool_simulator import build_simulator  # noqa: E402

GROUPS = 6


def _size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, round(time.perf_counter() - start, 3)


def _oracle_run(n: int, workdir: Path) -> tuple[Path, float]:
    bench = load_benchmark("embedded", per_group=-(-n // GROUPS))
    config = RunConfig(agent=load_agent("oracle"), out_dir=workdir, run_name="oracle", executor="local", progress=False)
    return _timed(lambda: Run(config, bench.tasks[:n], build_simulator(bench, None, "synthesize")).execute())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trajectories", type=int, default=10_000)
    parser.add_argument("--out", default="perf/results/hf_export.json")
    args = parser.parse_args()
    datasets.disable_progress_bars()
    workdir = Path(tempfile.mkdtemp(prefix="umi-hf-export-"))
    try:
        run_dir, run_s = _oracle_run(args.trajectories, workdir / "runs")
        jsonl = run_dir / TRAJECTORIES_FILE
        records, jsonl_read_s = _timed(lambda: list(latest_records(jsonl).values()))
        (hf_dir, rows), hf_export_s = _timed(lambda: export_runs([run_dir], workdir / "hf", "hf", "perf"))
        (pq_dir, _), pq_export_s = _timed(lambda: export_runs([run_dir], workdir / "pq", "parquet", "perf"))
        hf_rows, hf_reload_s = _timed(lambda: datasets.load_from_disk(str(hf_dir)).to_list())
        _, hf_open_s = _timed(lambda: datasets.load_from_disk(str(hf_dir)))
        pq_table, pq_read_s = _timed(lambda: pq.read_table(pq_dir / PARQUET_FILE))
        pq_rows, pq_reload_s = _timed(lambda: datasets.load_dataset(
            "parquet", data_files=str(pq_dir / PARQUET_FILE), split="train", cache_dir=str(workdir / "cache")).to_list())
        same = [record_from_row(r) for r in hf_rows] == records == [record_from_row(r) for r in pq_rows]
        result = {
            "run": {"agent": "oracle", "benchmark": "embedded", "executor": "local", "trajectories": rows,
                    "wall_s": round(run_s, 2)},
            "jsonl": {"bytes": _size(jsonl), "read_records_s": jsonl_read_s},
            "hf": {"bytes": _size(hf_dir), "export_s": hf_export_s, "open_s (load_from_disk, memory-mapped)": hf_open_s,
                   "reload_s (load_from_disk + every row as Python)": hf_reload_s},
            "parquet": {"bytes": _size(pq_dir / PARQUET_FILE), "export_s": pq_export_s,
                        "read_table_s (pyarrow)": pq_read_s, "rows": pq_table.num_rows,
                        "reload_s (load_dataset + every row as Python)": pq_reload_s},
            "parquet_over_jsonl_size": round(_size(pq_dir / PARQUET_FILE) / _size(jsonl), 3),
            "same_records_after_reload": same,
        }
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    write_result(args.out, result)


if __name__ == "__main__":
    main()
