"""The parser of every subcommand and the dispatch: parse, validate, run; a user's mistake is one line on
stderr and exit status 2, never a traceback."""
from __future__ import annotations

import argparse
import sys
import warnings

from benchmarks.core.registry import resolve_reference
from benchmarks.results.shapes import SkippedRun
from engine.cli.base import Subcommand, UserError, check_output_folder

# Subcommands by name: what `--help` says of each, and its class, imported only when it is the one chosen, so
# a command pays for its own imports alone (the report's matplotlib, a run's Ray). Adding one is its module
# plus one line here.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "run": ("evaluate one agent on one benchmark", "engine.cli.run:RunCommand"),
    "benchmark": ("the embedded benchmark", "engine.cli.benchmark:BenchmarkCommand"),
    "score": ("score a run folder or ToolEval converted answers with a judge", "engine.cli.score:ScoreCommand"),
    "leaderboard": ("one leaderboard from many runs", "engine.cli.leaderboard:LeaderboardCommand"),
    "sim": ("the tool response simulator: store import/export, stats, /virtual", "engine.cli.sim:SimCommand"),
    "inspect": ("show the function schemas, or the exact prompt a role gets", "engine.cli.inspect:InspectCommand"),
    "sweep": ("many agents x benchmarks x seeds, resumable (a sweep YAML file)", "engine.cli.sweep:SweepCommand"),
    "static": ("alpha-UMi's teacher-forced step metrics (Plan ACC, Act. EM, Hallu., Arg. F1, R-L)",
               "engine.cli.static:StaticCommand"),
    "convert": ("ToolBench raw answers to the converted answers ToolEval reads", "engine.cli.convert:ConvertCommand"),
    "export": ("runs as a Hugging Face dataset (save_to_disk folder or parquet) with a dataset card",
               "engine.cli.export:ExportCommand"),
    "report": ("a static HTML report of many runs: plots, pairs, per-role usage, actor timelines, trajectories",
               "engine.cli.report:ReportCommand"),
    "presets": ("list the agent presets, or show one preset's settings", "engine.cli.presets:PresetsCommand"),
    "analyze": ("why trajectories failed: per-step error categories, first error and role, run-vs-run diffs",
                "engine.cli.analyze:AnalyzeCommand"),
}


_show_warning = warnings.showwarning


def _show(message, category, filename, lineno, file=None, line=None) -> None:  # type: ignore[no-untyped-def]
    """A run skipped for an unreadable file is one line on stderr; other warnings as Python shows them."""
    if issubclass(category, SkippedRun):
        print(f"umi-eval: warning: {message}", file=sys.stderr)
    else:
        _show_warning(message, category, filename, lineno, file, line)


def subcommand(name: str) -> Subcommand:
    command = resolve_reference(SUBCOMMANDS[name][1])()
    command.name = name
    return command


def chosen_command(argv: list[str]) -> str | None:
    """The subcommand argv names: its first word that is not an option (the top level takes no values)."""
    first = next((word for word in argv if not word.startswith("-")), None)
    return first if first in SUBCOMMANDS else None


def build_parser(chosen: str | None = None) -> tuple[argparse.ArgumentParser, Subcommand | None]:
    """The parser, with the arguments of the `chosen` subcommand only (every other one is listed by its help)."""
    from engine.runner.provenance import umi_eval_version

    parser = argparse.ArgumentParser(prog="umi-eval", description="Batched offline evaluation of tool-using LLM agents.")
    parser.add_argument("--version", action="version", version=f"umi-eval {umi_eval_version()}")
    sub = parser.add_subparsers(dest="command")
    command = None
    for name, (help_text, _) in SUBCOMMANDS.items():
        sub_parser = sub.add_parser(name, help=help_text)
        if name == chosen:
            command = subcommand(name)
            command.add_arguments(sub_parser)
    return parser, command


def main(argv: list[str] | None = None) -> int:
    if argv is None:  # the process's command (`umi-eval`, `python run_eval.py`), not a call from Python
        from engine.runner.interrupts import own_the_process

        own_the_process()
    argv = sys.argv[1:] if argv is None else argv
    parser, command = build_parser(chosen_command(argv))
    args = parser.parse_args(argv)
    if command is None:
        from engine.cli.main_job import main_job

        return main_job(run_subcommand=main)
    warnings.showwarning = _show
    try:
        command.validate(args)
        for option in command.output_folders:
            check_output_folder(getattr(args, option, None), f"--{option.replace('_', '-')}")
        return command.run(args, argv)
    except (UserError, *command.user_errors) as exc:
        print(f"umi-eval: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:  # Ctrl-C, SIGTERM, SIGHUP: the run folder says what is saved; a traceback says nothing more
        saved = getattr(exc, "saved_trajectories", 0)
        how = f"terminated by {exc.signal_name}" if hasattr(exc, "signal_name") else "interrupted"
        print(f"umi-eval: {how}; {saved} trajectories saved; rerun the same command to resume", file=sys.stderr)
        from engine.runner.interrupts import last_line_said

        last_line_said()
        return getattr(exc, "exit_code", 130)
