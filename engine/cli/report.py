"""`report DIR... --out DIR`: the HTML report of many runs (benchmarks.report), with its plots as PNG files."""
from __future__ import annotations

import argparse
from pathlib import Path

from benchmarks.leaderboard import run_dirs
from benchmarks.report import DEFAULT_MAX_TRAJECTORIES, write_report
from engine.cli.base import Subcommand, at_least

STATIC_REPORT = "static.json"  # what `static` writes in its folder (engine.runner.static_eval)


class ReportCommand(Subcommand):
    output_folders = ("out",)
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
        statics = static_reports(args.dirs)
        runs = run_dirs([d for d in args.dirs if not (Path(d) / STATIC_REPORT).is_file()])
        index = write_report(runs, Path(args.out), args.max_trajectories, statics)
        print(f"report: {index.resolve().as_uri()}")
        return 0


def static_reports(dirs: list[str]) -> list[Path]:
    """The `static` reports among the folders: a static folder itself, or those directly inside a folder (Table 1)."""
    found = []
    for raw in dirs:
        path = Path(raw)
        found += [path / STATIC_REPORT] if (path / STATIC_REPORT).is_file() else sorted(path.glob(f"*/{STATIC_REPORT}"))
    return found
