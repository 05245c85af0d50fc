"""`benchmark write --per-group N --out DIR [--format toolbench|hf|parquet]`: the embedded benchmark in
ToolBench's own files (with its gold solutions as an alpha-UMi static test file), or as a Hugging Face
dataset (benchmarks.hf_benchmark) to share on a hub."""
from __future__ import annotations

import argparse

from benchmarks.results.dataset_formats import DATASET_FORMATS
from engine.cli.base import Subcommand, UserError, at_least, check_seed

STATIC_TEST_FILE = "static_test.json"  # the gold solutions in alpha-UMi's static test format (toolbench format)


class BenchmarkCommand(Subcommand):
    output_folders = ("out",)
    name = "benchmark"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        write = actions.add_parser("write", help="write the embedded benchmark in ToolBench's own files")
        write.add_argument("--per-group", type=int, required=True, help="queries per group")
        write.add_argument("--out", required=True, help="a new or empty folder")
        write.add_argument("--seed", type=int, default=0)
        write.add_argument("--format", choices=("toolbench", *DATASET_FORMATS.names()), default="toolbench",
                           help="toolbench: ToolBench's files with gold/ (default); hf: a save_to_disk dataset; "
                                "parquet: one parquet file; both datasets with a card, read back by --benchmark DIR")

    def validate(self, args: argparse.Namespace) -> None:
        at_least(args.per_group, 1, "--per-group")
        check_seed(getattr(args, "seed", None))

    def run(self, args: argparse.Namespace, argv: list[str]) -> int:
        try:
            out = _write(args)
        except (FileExistsError, NotADirectoryError) as exc:
            raise UserError(str(exc)) from exc
        print(f"wrote the embedded benchmark ({args.per_group} queries per group, seed {args.seed}, "
              f"{args.format}) to {out}")
        return 0


def _write(args: argparse.Namespace):
    from benchmarks.embedded import generate, write

    bench = generate(args.per_group, args.seed)
    if args.format == "toolbench":
        from roles.alpha_umi_static_file import write_static_file
        from tools_sim.cache import write_cache_dir

        out = write(bench, args.out, write_cache_dir)
        write_static_file(bench.tasks, out / STATIC_TEST_FILE)  # for `umi-eval static --data`
        return out
    from benchmarks.embedded.source import describe
    from benchmarks.hf_benchmark import write_tasks
    from engine.runner.provenance import library_versions

    about = {**describe(bench), "umi_eval_version": library_versions().get("umi-eval")}
    return write_tasks(bench.tasks, args.out, args.format, about)
