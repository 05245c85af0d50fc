"""`leaderboard DIR...`: one leaderboard from many runs, as JSON, Markdown, CSV or HTML."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks.leaderboard import COLUMNS, LEADERBOARD_FORMATS, build, render, run_dirs
from engine.cli.base import Subcommand, check_output_file


class LeaderboardCommand(Subcommand):
    name = "leaderboard"
    user_errors = (ValueError,)

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("dirs", nargs="+", metavar="DIR", help="run folders, or folders holding run folders")
        parser.add_argument("--format", choices=LEADERBOARD_FORMATS.names(), default="md")
        parser.add_argument("--out", help="write to this file instead of printing")
        parser.add_argument("--pair", action="append", default=[], metavar="SINGLE_RUN,MULTI_RUN",
                            help="also show these two runs side by side (runs of one backbone are paired automatically)")
        parser.add_argument("--columns", action="append", default=[], choices=COLUMNS,
                            help="optional columns: errors (each run's first errors and their roles, from its analysis)")

    def validate(self, args: argparse.Namespace) -> None:
        if any(len(p.split(",")) != 2 for p in args.pair):
            raise ValueError("--pair takes SINGLE_RUN,MULTI_RUN")
        check_output_file(args.out, "--out")

    def run(self, args: argparse.Namespace, argv: list[str]) -> int:
        pairs = [tuple(p.split(",")) for p in args.pair]
        text = render(build(run_dirs(args.dirs), pairs, args.columns), args.format)
        if args.out:
            Path(args.out).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return 0
