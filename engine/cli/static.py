"""`static --agent A --data FILE`: alpha-UMi's teacher-forced step metrics (engine.runner.static_eval)."""
from __future__ import annotations

import argparse
from pathlib import Path

from engine.cli.base import Subcommand, at_least, check_seed, guarded
from engine.cli.options import add_model_args, resolve_agent


class StaticCommand(Subcommand):
    output_folders = ("out",)
    name = "static"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--agent", required=True, help="alpha-umi, alpha-umi-backbone, or an agent YAML file of those formats")
        parser.add_argument("--data", required=True, help="alpha-UMi static test file: a JSON list of {tools, instruction, conversations}")
        parser.add_argument("--out", default="runs", help="output directory (default: runs); writes static__<agent>__<data>/static.json")
        parser.add_argument("--limit", type=int, help="only the first N samples (steps) of the file")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--prompt-tokens", type=int, default=3750,
                            help="keep the last N prompt tokens (default 3750, the authors' static collator)")
        add_model_args(parser)
        parser.add_argument("--no-progress", action="store_true")

    def validate(self, args: argparse.Namespace) -> None:
        at_least(args.limit, 1, "--limit")
        at_least(args.prompt_tokens, 1, "--prompt-tokens")
        check_seed(getattr(args, "seed", None))

    def run(self, args: argparse.Namespace, argv: list[str]) -> int:
        from engine.runner.static_eval import StaticConfig, load_static, metrics_table, run_static

        agent = resolve_agent(args)
        samples = guarded(load_static)(agent, Path(args.data))
        config = StaticConfig(agent=agent, data=Path(args.data), out_dir=Path(args.out), seed=args.seed, limit=args.limit,
                              prompt_tokens=args.prompt_tokens,
                              executor=args.executor, ray_address=args.ray_address, progress=not args.no_progress,
                              command=["umi-eval", *argv])
        path, report = run_static(config, samples)
        print(metrics_table(report))
        if report["failed_requests"]:
            print(f"warning: {report['failed_requests']} model requests failed (their text counts as empty)")
        print(f"per-sample predictions in {path}")
        return 0
