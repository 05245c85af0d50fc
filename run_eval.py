"""umi-eval command line (also installed as `umi-eval`). A thin layer: parse, load, hand to engine.run."""
from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("RAY_AUTH_MODE", "disabled")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="umi-eval", description="Batched offline evaluation of tool-using LLM agents.")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="evaluate one agent on one benchmark")
    run.add_argument("--agent", required=True, help="preset name or agent YAML file")
    _benchmark_args(run)
    run.add_argument("--out", default="runs", help="output directory (default: runs)")
    run.add_argument("--run-name", help="run folder name (default: <agent>__<benchmark>__seed<S>)")
    _model_args(run)
    run.add_argument("--max-active", type=int, help="trajectories in flight (default: all; 1 = one at a time)")
    run.add_argument("--schedule", choices=("lockstep", "pipelined"), default="lockstep",
                     help="lockstep: every trajectory one role call per tick (the reference); pipelined: each "
                          "role actor refilled as soon as it is free (same trajectories, busier actors)")
    run.add_argument("--max-steps", type=int, help="tool rounds per trajectory (default: the agent's, 4)")
    run.add_argument("--miss-policy", default="synthesize",
                     help="simulator miss policies in order, comma-separated: synthesize, llm, error")
    run.add_argument("--store", help="simulator store (SQLite, see `sim import`); llm answers are saved there")
    run.add_argument("--sim-model", default="embedded", help="model of the llm miss policy: a local model folder or embedded, optionally as vllm:MODEL")
    run.add_argument("--judge", help="also score the finished run with this judge (see `score --judge`)")
    run.add_argument("--no-progress", action="store_true")
    bench = sub.add_parser("benchmark", help="the embedded benchmark").add_subparsers(dest="action", required=True)
    write = bench.add_parser("write", help="write the embedded benchmark in ToolBench's own files")
    write.add_argument("--per-group", type=int, required=True, help="queries per group")
    write.add_argument("--out", required=True, help="a new or empty folder")
    write.add_argument("--seed", type=int, default=0)
    from benchmarks.leaderboard import add_leaderboard_parser
    from benchmarks.score_cli import add_score_parser
    from tools_sim.cli import add_sim_parser  # light: no torch, no engine

    add_score_parser(sub)
    add_leaderboard_parser(sub)
    add_sim_parser(sub)
    inspect = sub.add_parser("inspect", help="show the function schemas, or the exact prompt a role gets")
    _benchmark_args(inspect)
    inspect.add_argument("--query-id", required=True)
    inspect.add_argument("--agent", default="alpha-umi")
    inspect.add_argument("--role", help="role whose first-step prompt to print (default: the agent's first)")
    inspect.add_argument("--tools", action="store_true", help="print the function schemas as JSON")
    sweep = sub.add_parser("sweep", help="many agents x benchmarks x seeds, resumable (a sweep YAML file)")
    sweep.add_argument("file", help="sweep YAML: agents, benchmarks, seeds, out, executor, judge (see README)")
    sweep.add_argument("--dry-run", action="store_true", help="print the runs and which are done; run nothing")
    sweep.add_argument("--no-progress", action="store_true")
    convert = sub.add_parser("convert", help="ToolBench raw answers to the converted answers ToolEval reads")
    convert.add_argument("raw_answers", help="a folder of <qid>_<method>.json raw answers (one group), or a folder "
                                             "of such group folders (<model>/)")
    convert.add_argument("--out", required=True, help="folder for <group>.json")
    convert.add_argument("--method", help="the method named in the file names and written into each answer "
                                          "(default: the one in the file names, e.g. CoT@1 or DFS_woFilter_w2)")
    convert.add_argument("--indent", type=int, help="JSON indent (default none, as ToolBench's converter; "
                                                    "StableToolBench's current one writes 2)")
    static = sub.add_parser("static", help="alpha-UMi's teacher-forced step metrics (Plan ACC, Act. EM, Hallu., Arg. F1, R-L)")
    static.add_argument("--agent", required=True, help="alpha-umi, alpha-umi-backbone, or an agent YAML file of those formats")
    static.add_argument("--data", required=True, help="alpha-UMi static test file: a JSON list of {tools, instruction, conversations}")
    static.add_argument("--out", default="runs", help="output directory (default: runs); writes static__<agent>__<data>/static.json")
    static.add_argument("--limit", type=int, help="only the first N samples (steps) of the file")
    static.add_argument("--seed", type=int, default=0)
    _model_args(static)
    static.add_argument("--no-progress", action="store_true")
    return parser


def _model_args(parser: argparse.ArgumentParser) -> None:
    """Where the role models run, and overrides of every role's model."""
    parser.add_argument("--executor", choices=("ray", "local"), default="ray")
    parser.add_argument("--ray-address", help="join an existing Ray cluster instead of starting a local one")
    parser.add_argument("--backend", help="override every role's backend (hf, scripted, ...)")
    parser.add_argument("--model", help="override every role's model: a local model directory, or 'embedded'")
    parser.add_argument("--dtype", choices=("fp32", "bf16", "fp16"), help="override every role's dtype")
    parser.add_argument("--batch-size", type=int, help="override every role's generation batch size")


def _benchmark_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--benchmark", required=True, help="'embedded', a query file, or a StableToolBench-style folder")
    parser.add_argument("--groups", nargs="+", help="groups to load (default: all)")
    parser.add_argument("--limit", type=int, help="at most N queries per group")
    parser.add_argument("--tools-dir", help="ToolBench toolenv/tools folder, for minimal-form query files")
    parser.add_argument("--cache", help="StableToolBench tool_response_cache folder for the simulator")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-group", type=int, help="embedded benchmark: queries per group (default 20)")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "sim" and "llm" not in getattr(args, "miss_policy", ""):  # no model: no engine import
        from tools_sim.cli import run_sim

        return run_sim(args)
    if args.command == "leaderboard":
        from benchmarks.leaderboard import run_leaderboard

        return run_leaderboard(args)
    if args.command == "score":
        from benchmarks.score_cli import run_score

        return run_score(args)
    from engine import cli  # heavy imports only after the arguments are known to be valid

    if args.command is None:
        return cli.main_job()
    try:
        return getattr(cli, f"cmd_{args.command}")(args, argv)
    except cli.UserError as exc:
        print(f"umi-eval: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
