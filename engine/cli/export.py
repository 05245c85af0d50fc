"""`export RUN_DIR... --format hf|parquet --out DIR`: runs as a Hugging Face dataset, one row per trajectory,
with a dataset card (benchmarks.results.hf_dataset)."""
from __future__ import annotations

import argparse
from pathlib import Path

from benchmarks.results.dataset_formats import DATASET_FORMATS
from engine.cli.base import Subcommand, UserError, guarded


class ExportCommand(Subcommand):
    output_folders = ("out",)
    name = "export"
    user_errors = (FileExistsError,)

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("runs", nargs="+", help="run folders, or folders of run folders")
        parser.add_argument("--format", choices=DATASET_FORMATS.names(), default="hf",
                            help="hf: a folder datasets.load_from_disk reads (default); parquet: trajectories.parquet")
        parser.add_argument("--out", required=True, help="a new or empty folder")

    def run(self, args: argparse.Namespace, argv: list[str]) -> int:
        import datasets

        from benchmarks.leaderboard import run_dirs
        from benchmarks.results.hf_dataset import export_runs
        from engine.runner.provenance import library_versions

        datasets.disable_progress_bars()
        runs = guarded(run_dirs)(args.runs)
        if not runs:
            raise UserError(f"no run folders in {', '.join(args.runs)}")
        out, rows = guarded(export_runs)(runs, Path(args.out), args.format,
                                         library_versions().get("umi-eval", "unknown"))
        print(f"exported {rows} trajectories of {len(runs)} run(s) to {out} ({args.format})")
        return 0
