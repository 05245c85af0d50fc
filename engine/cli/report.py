"""`report DIR... --out DIR`: the HTML report of many runs (benchmarks.report), with its plots as PNG files."""
from __future__ import annotations

import argparse
from pathlib import Path

from benchmarks.leaderboard import run_dirs
from benchmarks.report import DEFAULT_MAX_TRAJECTORIES, write_report
from engine.cli.base import Subcommand, at_least


class ReportCommand(Subcommand):
    name = "report"
    user_errors = (ValueError,)

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("dirs", nargs="+", metavar="RUN_DIR", help="run folders, or folders holding run folders")
        parser.add_argument("--out", default="report", help="folder for index.html and the PNG plots (default: report)")
        parser.add_argument("--max-trajectories", type=int, default=DEFAULT_MAX_TRAJECTORIES,
                            help=f"trajectories per run in the browser (default: {DEFAULT_MAX_TRAJECTORIES})")

    def validate(self, args: argparse.Namespace) -> None:
        at_least(args.max_trajectories, 1, "--max-trajectories")

    def run(self, args: argparse.Namespace, argv: list[str]) -> int:
        index = write_report(run_dirs(args.dirs), Path(args.out), args.max_trajectories)
        print(f"report: {index.resolve().as_uri()}")
        return 0
