"""`benchmark write --per-group N --out DIR`: the embedded benchmark in ToolBench's own files."""
from __future__ import annotations

import argparse

from engine.cli.base import Subcommand, UserError, at_least


class BenchmarkCommand(Subcommand):
    name = "benchmark"
    help = "the embedded benchmark"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        write = actions.add_parser("write", help="write the embedded benchmark in ToolBench's own files")
        write.add_argument("--per-group", type=int, required=True, help="queries per group")
        write.add_argument("--out", required=True, help="a new or empty folder")
        write.add_argument("--seed", type=int, default=0)

    def validate(self, args: argparse.Namespace) -> None:
        at_least(args.per_group, 1, "--per-group")

    def run(self, args: argparse.Namespace, argv: list[str]) -> int:
        from benchmarks.embedded import generate, write
        from tools_sim.cache import write_cache_dir

        try:
            out = write(generate(args.per_group, args.seed), args.out, write_cache_dir)
        except (FileExistsError, NotADirectoryError) as exc:
            raise UserError(str(exc)) from exc
        print(f"wrote the embedded benchmark ({args.per_group} queries per group, seed {args.seed}) to {out}")
        return 0
