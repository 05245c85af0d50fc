"""`analyze RUN... [--against B]`: step-level error analysis (benchmarks.analysis): analysis.json in each run
folder, a table of first errors, and with two runs (or --against) the diff of the second against the first."""
from __future__ import annotations

import argparse
from pathlib import Path

from benchmarks.analysis import ANALYSIS_FILE, AnalysisInputError, analyse, source_of
from benchmarks.analysis.diff import compare, run_chains
from benchmarks.analysis.text import diff_lines, first_errors
from benchmarks.results.files import write_json_atomic
from engine.cli.base import Subcommand, UserError


class AnalyzeCommand(Subcommand):
    name = "analyze"
    user_errors = (AnalysisInputError, ValueError)

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="RUN",
                            help="run folders (analysis.json is written in each), raw answer folders or converted answer files")
        parser.add_argument("--against", metavar="RUN", help="diff every RUN against this run (B)")
        parser.add_argument("--out", help="for a source that is not a run folder: write its analysis to this file")

    def validate(self, args: argparse.Namespace) -> None:
        if args.out and len(args.paths) != 1:
            raise UserError("--out takes one source")

    def run(self, args: argparse.Namespace, argv: list[str]) -> int:
        sources = [source_of(Path(p)) for p in args.paths]
        documents = []
        for source in sources:
            document = analyse(source)
            target = Path(args.out) if args.out else (source.path / ANALYSIS_FILE if source.kind == "run" else None)
            if target is not None:
                write_json_atomic(target, document)
            print("\n".join(first_errors(document)))
            documents.append((source, document))
        for a, b in self._pairs(args, documents):
            self._diff(a, b)
        return 0

    @staticmethod
    def _pairs(args: argparse.Namespace, documents: list) -> list:
        if args.against:
            against = source_of(Path(args.against))
            other = (against, analyse(against))
            return [(d, other) for d in documents]
        return [(documents[0], documents[1])] if len(documents) == 2 else []

    @staticmethod
    def _diff(a, b) -> None:
        (source_a, doc_a), (source_b, doc_b) = a, b
        if "run" not in (source_a.kind, source_b.kind) or source_a.kind != source_b.kind:
            raise UserError("a diff needs two run folders")
        diff = compare(doc_a, doc_b, dict(run_chains(source_a)), dict(run_chains(source_b)))
        doc_a["against"] = diff
        write_json_atomic(source_a.path / ANALYSIS_FILE, doc_a)
        print("\n".join(diff_lines(diff)))
