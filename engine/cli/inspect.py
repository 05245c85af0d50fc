"""`inspect --benchmark B --query-id ID`: a task's function schemas, or the exact prompt a role gets."""
from __future__ import annotations

import argparse
import json

from benchmarks.core.schemas import function_schemas
from engine.cli.base import Subcommand, guarded
from engine.cli.options import add_benchmark_args, check_benchmark_args, find_task, resolve_benchmark
from engine.runner.inspection import first_turn_prompt
from engine.config.presets import load_agent
from roles.types import ToolPrompt


class InspectCommand(Subcommand):
    name = "inspect"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        add_benchmark_args(parser)
        parser.add_argument("--query-id", required=True, help="a query id, or GROUP/ID where several groups have the id")
        parser.add_argument("--agent", default="alpha-umi")
        parser.add_argument("--role", help="role whose first-step prompt to print (default: the agent's first)")
        parser.add_argument("--tools", action="store_true", help="print the function schemas as JSON")

    def validate(self, args: argparse.Namespace) -> None:
        check_benchmark_args(args)

    def run(self, args: argparse.Namespace, argv: list[str]) -> int:
        bench = resolve_benchmark(args)
        task = find_task(bench.tasks, str(args.query_id))
        if args.tools:
            print(json.dumps(function_schemas(task), indent=2, ensure_ascii=False))
            return 0
        agent = guarded(load_agent)(args.agent)
        prompt = first_prompt(agent, task, args.role)
        if isinstance(prompt, ToolPrompt):  # function calling: the messages and the tools sent with them
            prompt = {"messages": list(prompt.messages), "tools": list(prompt.tools)}
        print(prompt if isinstance(prompt, str) else json.dumps(prompt, indent=2, ensure_ascii=False))
        return 0


first_prompt = guarded(first_turn_prompt)
