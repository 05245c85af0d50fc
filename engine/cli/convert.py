"""`convert RAW_ANSWERS --out DIR`: ToolBench/StableToolBench raw answers to the converted answers ToolEval
reads, byte-equal to upstream's converter (benchmarks.results.raw_answers)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.cli.base import Subcommand, guarded


class ConvertCommand(Subcommand):
    output_folders = ("out",)
    name = "convert"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("raw_answers", help="a folder of <qid>_<method>.json raw answers (one group), or a folder "
                                                "of such group folders (<model>/)")
        parser.add_argument("--out", required=True, help="folder for <group>.json")
        parser.add_argument("--method", help="the method named in the file names and written into each answer "
                                             "(default: the one in the file names, e.g. CoT@1 or DFS_woFilter_w2)")
        parser.add_argument("--skip-bad", action="store_true",
                            help="exit 0 when some files are no raw answers (they are named and left out either way; "
                                 "without it the exit status is 1)")
        parser.add_argument("--indent", type=int, help="JSON indent (default none, as ToolBench's converter; "
                                                       "StableToolBench's current one writes 2)")
        parser.add_argument("--export-variant", choices=("toolbench", "alpha-umi"), default="toolbench",
                            help="whose copy of convert_to_answer_format.py to follow (alpha-umi: the one alpha-UMi's "
                                 "published numbers were judged on)")

    def run(self, args: argparse.Namespace, argv: list[str]) -> int:
        from benchmarks.results.raw_answers import VARIANTS, convert_path

        bad: list[str] = []
        for source, out in conversions(Path(args.raw_answers), Path(args.out)):
            for path in guarded(convert_path)(source, out, args.method, args.indent, VARIANTS[args.export_variant], bad):
                print(f"wrote {path}")
        for problem in bad:  # each bad file by name; the rest is converted
            print(f"umi-eval: {'skipped' if args.skip_bad else 'error'}: {problem}", file=sys.stderr)
        return 1 if bad and not args.skip_bad else 0


def conversions(path: Path, out: Path) -> list[tuple[Path, Path]]:
    """(raw answers, out folder) pairs: the path itself, or, for the folder above model folders (StableToolBench's
    `answer/`), each model folder into `out/<model>/`."""
    from benchmarks.results.raw_answers import raw_answer_groups

    if raw_answer_groups(path) or not path.is_dir():
        return [(path, out)]
    models = [sub for sub in sorted(path.iterdir()) if sub.is_dir() and raw_answer_groups(sub)]
    return [(model, out / model.name) for model in models] or [(path, out)]
