"""The parser of every subcommand and the dispatch: parse, validate, run; a user's mistake is one line on
stderr and exit status 2, never a traceback."""
from __future__ import annotations

import argparse
import sys

from engine.cli.analyze import AnalyzeCommand
from engine.cli.base import Subcommand, UserError
from engine.runner.provenance import umi_eval_version
from engine.cli.benchmark import BenchmarkCommand
from engine.cli.convert import ConvertCommand
from engine.cli.export import ExportCommand
from engine.cli.inspect import InspectCommand
from engine.cli.leaderboard import LeaderboardCommand
from engine.cli.main_job import main_job
from engine.cli.report import ReportCommand
from engine.cli.presets import PresetsCommand
from engine.cli.run import RunCommand
from engine.cli.score import ScoreCommand
from engine.cli.sim import SimCommand
from engine.cli.static import StaticCommand
from engine.cli.sweep import SweepCommand

SUBCOMMANDS: tuple[Subcommand, ...] = (RunCommand(), BenchmarkCommand(), ScoreCommand(), LeaderboardCommand(),
                                       SimCommand(), InspectCommand(), SweepCommand(), StaticCommand(),
                                       ConvertCommand(), ExportCommand(), ReportCommand(), PresetsCommand(),
                                       AnalyzeCommand())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="umi-eval", description="Batched offline evaluation of tool-using LLM agents.")
    parser.add_argument("--version", action="version", version=f"umi-eval {umi_eval_version()}")
    sub = parser.add_subparsers(dest="command")
    for command in SUBCOMMANDS:
        command.add_arguments(sub.add_parser(command.name, help=command.help))
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    if args.command is None:
        return main_job(run_subcommand=main)
    command = next(c for c in SUBCOMMANDS if c.name == args.command)
    try:
        command.validate(args)
        return command.run(args, argv)
    except (UserError, *command.user_errors) as exc:
        print(f"umi-eval: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:  # Ctrl-C: the run folder says what is saved; a traceback says nothing more
        saved = getattr(exc, "saved_trajectories", 0)
        print(f"umi-eval: interrupted; {saved} trajectories saved; rerun the same command to resume", file=sys.stderr)
        return 130
