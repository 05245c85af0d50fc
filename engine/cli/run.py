"""`run --agent A --benchmark B`: one agent on one benchmark, every output of a run, optionally scored."""
from __future__ import annotations

import argparse
import gc
import json
from pathlib import Path

from benchmarks.core.types import LoadedBenchmark
from engine.execution.ray_start import RayUnavailable
from engine.execution.placement import PlacementImpossible
from engine.execution.replicas import AUTO, sized_from_run
from engine.execution.ray_executor import PlacementTimeout, RoleActorLost
from engine.runner.checkpoint import CheckpointError
from engine.runner.identity import RunIdentityMismatch
from engine.runner.run_lock import RunFolderBusy, hold_run_folder
from benchmarks.core.naming import path_part
from benchmarks.core.values import max_steps_problem, positive_number_problem
from benchmarks.results.files import SCORES_FILE, TRAJECTORIES_FILE, DiskFull
from benchmarks.results.trajectories import BAD_SUFFIX, corrupt_lines, move_corrupt_lines
from engine.cli.base import Subcommand, UserError, at_least, guarded
from engine.cli.options import (add_benchmark_args, add_model_args, check_benchmark_args, check_model_args,
                                resolve_agent, resolve_benchmark)
from engine.schedule import DEFAULT_SCHEDULE, SCHEDULES
from engine.search import STRATEGIES
from engine.types import AgentSpec
from tools_sim.simulator import MISS_POLICIES


def default_run_name(agent: AgentSpec, bench: LoadedBenchmark, seed: int) -> str:
    return f"{agent.name}__{bench.name}__seed{seed}"


def add_simulator_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--miss-policy", default="synthesize",
                        help=f"simulator miss policies in order, comma-separated ({', '.join(MISS_POLICIES)}); "
                             "error is always the last resort")
    parser.add_argument("--sim-model", default="embedded",
                        help="model of the llm and mirrorapi miss policies: a local model folder or embedded, "
                             "optionally as vllm:MODEL")


def check_trajectories(path: Path, repair: bool) -> None:
    """A resumed run's trajectories readable to the end, or (with --repair) its corrupt lines moved aside."""
    bad = corrupt_lines(path)
    if not bad:
        return
    if not repair:
        number, problem = bad[0]
        raise UserError(f"{path}: line {number} is not a trajectory record ({problem}; {len(bad)} such line(s)); "
                        f"rerun with --repair to move them aside to {path.name}{BAD_SUFFIX} and keep the rest")
    moved = move_corrupt_lines(path)
    print(f"umi-eval: moved {moved} corrupt line(s) of {path} to {path.name}{BAD_SUFFIX}")


def check_oracle_gold(agent: AgentSpec, bench: LoadedBenchmark) -> None:
    """The oracle replays gold solutions: a benchmark without them is refused before any run folder exists."""
    from engine.agents import agent_kind

    if not agent_kind(agent).replays_gold:
        return
    missing = [task.key for task in bench.tasks if task.gold is None]
    if missing:
        raise UserError(f"the oracle replays gold solutions, and {len(missing)} of the {len(bench.tasks)} tasks of "
                        f"{bench.name} have none (first: {missing[0]}); give a benchmark with gold: embedded, or "
                        "one written by `benchmark write`")


def run_summary(run_dir: Path) -> str:
    """The run's closing line: its outcome figures and, when the run scored itself (a benchmark with gold
    facts), the pass rate it computed."""
    from benchmarks.results.scores import read_scores
    from benchmarks.scoring.intervals import rate_text

    overall = json.loads((run_dir / "metrics.json").read_text())["overall"]
    line = (f"{run_dir}: {overall['n']} trajectories, answered {overall['answered_rate']}%, "
            f"invalid calls {overall['invalid_call_rate']}%, mean steps {overall['mean_steps']}")
    scores = read_scores(run_dir / SCORES_FILE)
    if scores.get("overall"):
        line += f"; {scores['judge']['id']} pass rate {rate_text(scores['overall'])} (n={scores['overall']['n']})"
    return line


class RunCommand(Subcommand):
    user_errors = (RoleActorLost, RayUnavailable, RunIdentityMismatch, RunFolderBusy, CheckpointError, DiskFull,
                   PlacementImpossible, PlacementTimeout)  # a run stopped or refused: its one-line reason, no traceback
    output_folders = ("out",)
    name = "run"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--agent", required=True, help="preset name or agent YAML file")
        add_benchmark_args(parser)
        parser.add_argument("--out", default="runs", help="output directory (default: runs)")
        parser.add_argument("--run-name", help="run folder name (default: <agent>__<benchmark>__seed<S>)")
        add_model_args(parser)
        parser.add_argument("--size-from", metavar="RUN_DIR",
                            help="--replicas auto sizes by the tokens each role generated per task in this finished "
                                 "run folder (an earlier run of the same agent) instead of its declared max_new_tokens")
        parser.add_argument("--placement-timeout", type=float, metavar="SECONDS",
                            help="Ray: how long the run waits for room in the cluster for its replicas before it stops "
                                 "(default 3600; a run that could never fit fails at once)")
        parser.add_argument("--max-active", type=int, help="trajectories in flight (default: all; continuous: twice the "
                                                                 "engines' capacity; 1 = one at a time)")
        parser.add_argument("--schedule", choices=SCHEDULES.names(), default=DEFAULT_SCHEDULE,
                            help="continuous (default): each request streamed to its engine as soon as it is ready, "
                                 "and returned as soon as it is done; lockstep: every trajectory one role call per "
                                 "tick (the reference); pipelined: each role actor refilled with a batch as soon as "
                                 "it is free. All three give the same trajectories")
        parser.add_argument("--max-steps", type=int, help="model rounds per chain, Finish included, as ToolBench's depth "
                                                                "limit counts them (default: the agent's, 4 = 12 tree nodes)")
        parser.add_argument("--strategy", choices=STRATEGIES.names(),
                            help="cot: one chain per task; dfsdt: ToolBench's DFS_woFilter_w2 tree search, batched across "
                                 "tasks (default: the agent's; a dfsdt agent is named <agent>-dfsdt)")
        add_simulator_args(parser)
        parser.add_argument("--store", help="simulator store (SQLite, see `sim import`); llm answers are saved there")
        parser.add_argument("--judge", help="also score the finished run with this judge (see `score --judge`)")
        parser.add_argument("--no-retry-failed", action="store_true",
                            help="a resumed run keeps its failed trajectories (default: tries them again)")
        parser.add_argument("--extend", action="store_true",
                            help="add this command's new tasks (a bigger --limit or --per-group, more groups) to an "
                                 "existing run folder of the same agent, benchmark and seed")
        parser.add_argument("--repair", action="store_true",
                            help="move corrupt lines of a resumed run's trajectories.jsonl aside (to trajectories.jsonl.bad)")
        parser.add_argument("--no-progress", action="store_true")

    def validate(self, args: argparse.Namespace) -> None:
        check_benchmark_args(args)
        check_model_args(args)
        at_least(args.max_active, 1, "--max-active")
        if args.placement_timeout is not None and (
                problem := positive_number_problem("--placement-timeout", args.placement_timeout)):
            raise UserError(problem)
        if args.max_steps is not None and (problem := max_steps_problem("--max-steps", args.max_steps)):
            raise UserError(problem)
        if args.run_name is not None:
            guarded(path_part)(args.run_name, "--run-name")
        if args.size_from is not None and (args.replicas or "").strip() != AUTO:
            raise UserError("--size-from sizes replicas the way --replicas auto does: give --replicas auto --gpus N too")

    def run(self, args: argparse.Namespace, argv: list[str]) -> int:
        from engine.execution.control import RunControl
        from engine.judges import check_judge_spec
        from engine.runner.build import Simulation, build_run
        from engine.runner.run import RunConfig

        agent, sizing = resolve_agent(args), None
        if args.size_from:
            agent, sizing = guarded(sized_from_run)(agent, args.gpus, Path(args.size_from))
        bench = resolve_benchmark(args)
        check_oracle_gold(agent, bench)
        if args.judge:
            guarded(check_judge_spec)(args.judge)
        run_name = args.run_name or guarded(path_part)(default_run_name(agent, bench, args.seed), "run name")
        config = RunConfig(agent=agent, out_dir=Path(args.out), run_name=run_name,
                           seed=args.seed, executor=args.executor, ray_address=args.ray_address, max_active=args.max_active,
                           schedule=args.schedule, progress=not args.no_progress,
                           retry_failed=not args.no_retry_failed, extend=args.extend, command=["umi-eval", *argv],
                           sizing=sizing, control=RunControl(room_timeout_s=args.placement_timeout)
                           if args.placement_timeout is not None else None)
        run = guarded(build_run)(config, bench, Simulation(args.cache, args.miss_policy, args.store, args.sim_model))
        gc.freeze()  # the tasks live to the end: the cyclic collector's full passes need not walk them (issue 12)
        with hold_run_folder(Path(args.out) / run_name):  # --repair writes too
            check_trajectories(Path(args.out) / run_name / TRAJECTORIES_FILE, args.repair)
            run_dir = run.execute()
        print(run_summary(run_dir))
        if args.judge:
            from engine.cli.score import score_in_its_folder, summary
            from engine.judges.scoring import ScoreRequest

            print(summary(*guarded(score_in_its_folder)(ScoreRequest(run_dir, args.judge))))
        return 0
