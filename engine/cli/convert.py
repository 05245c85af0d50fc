"""`convert RAW_ANSWERS --out DIR`: ToolBench/StableToolBench raw answers to the converted answers ToolEval
reads, byte-equal to upstream's converter (benchmarks.results.raw_answers)."""
from __future__ import annotations

import argparse
from pathlib import Path

from engine.cli.base import Subcommand, guarded


class ConvertCommand(Subcommand):
    name = "convert"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("raw_answers", help="a folder of <qid>_<method>.json raw answers (one group), or a folder "
                                                "of such group folders (<model>/)")
        parser.add_argument("--out", required=True, help="folder for <group>.json")
        parser.add_argument("--method", help="the method named in the file names and written into each answer "
                                             "(default: the one in the file names, e.g. CoT@1 or DFS_woFilter_w2)")
        parser.add_argument("--indent", type=int, help="JSON indent (default none, as ToolBench's converter; "
                                                       "StableToolBench's current one writes 2)")

    def run(self, args: argparse.Namespace, argv: list[str]) -> int:
        from benchmarks.results.raw_answers import convert_path

        for path in guarded(convert_path)(Path(args.raw_answers), Path(args.out), args.method, args.indent):
            print(f"wrote {path}")
        return 0
