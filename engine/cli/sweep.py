"""`sweep SWEEP.yaml`: many agents x benchmarks x seeds, resumable (engine.runner.sweep holds the procedure)."""
from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path
from typing import Any

from engine.execution.ray_start import RayUnavailable
from engine.execution.ray_executor import RoleActorLost
from engine.cli.base import Subcommand, UserError
from engine.cli.options import resolve_agent
from engine.types import AgentSpec


def sweep_agent(entry: dict[str, Any]) -> AgentSpec:
    """One agent of a sweep file, resolved and validated as `run --agent ...` would be."""
    from engine.runner.sweep import AGENT_KEYS

    try:
        return resolve_agent(argparse.Namespace(**{key: entry.get(key) for key in AGENT_KEYS}))
    except UserError as exc:
        raise ValueError(str(exc)) from exc


class SweepCommand(Subcommand):
    user_errors = (RoleActorLost, RayUnavailable)  # a run stopped, resumable: its one-line reason, no traceback
    name = "sweep"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("file", help="sweep YAML: agents, benchmarks, seeds, out, executor, judge (docs/reference.md, 'Sweeps')")
        parser.add_argument("--dry-run", action="store_true", help="print the runs and which are done; run nothing")
        parser.add_argument("--extend", action="store_true",
                            help="add the tasks a benchmark entry now selects (a bigger limit or per_group, more "
                                 "groups) to its runs' folders, finished ones included (as `run --extend`)")
        parser.add_argument("--no-progress", action="store_true")

    def run(self, args: argparse.Namespace, argv: list[str]) -> int:
        from benchmarks import leaderboard
        from engine.cli.score import score_in_its_folder
        from engine.judges.scoring import ScoreRequest
        from engine.runner.sweep import SweepError, execute, load_sweep, plan_table, start_with

        try:
            sweep = load_sweep(Path(args.file), sweep_agent)
        except SweepError as exc:
            raise UserError(str(exc)) from exc
        if args.extend:  # recorded in sweep.json with the file's settings
            sweep = dataclasses.replace(sweep, settings={**sweep.settings, "extend": True})
        print(plan_table(sweep))
        if args.dry_run:
            return 0
        starter = start_with(sweep.out, not args.no_progress, ["umi-eval", *argv])
        state = execute(sweep, starter, lambda run_dir, judge: score_in_its_folder(ScoreRequest(run_dir, judge)),
                        progress=not args.no_progress)
        failed = {name: run["error"] for name, run in state["runs"].items() if run["status"] == "failed"}
        if (sweep.out / "leaderboard.json").is_file():
            print("\n" + leaderboard.table(json.loads((sweep.out / "leaderboard.json").read_text())))
        for name, error in failed.items():
            print(f"umi-eval: run {name} failed: {error} (details in {sweep.out}/sweep.json; rerun the sweep to retry)")
        return 1 if failed else 0
