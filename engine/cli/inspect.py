"""`inspect --benchmark B --query-id ID`: a task's function schemas, or the exact prompt a role gets."""
from __future__ import annotations

import argparse
import json
from typing import Any

from benchmarks.core.schemas import function_schemas
from benchmarks.core.types import Task
from engine.cli.base import Subcommand, guarded
from engine.cli.options import add_benchmark_args, find_task, resolve_benchmark
from engine.presets import load_agent
from engine.types import AgentSpec


class InspectCommand(Subcommand):
    name = "inspect"
    help = "show the function schemas, or the exact prompt a role gets"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        add_benchmark_args(parser)
        parser.add_argument("--query-id", required=True)
        parser.add_argument("--agent", default="alpha-umi")
        parser.add_argument("--role", help="role whose first-step prompt to print (default: the agent's first)")
        parser.add_argument("--tools", action="store_true", help="print the function schemas as JSON")

    def run(self, args: argparse.Namespace, argv: list[str]) -> int:
        bench = resolve_benchmark(args)
        task = find_task(bench.tasks, str(args.query_id))
        if args.tools:
            print(json.dumps(function_schemas(task), indent=2, ensure_ascii=False))
            return 0
        agent = guarded(load_agent)(args.agent)
        prompt = first_prompt(agent, task, args.role)
        print(prompt if isinstance(prompt, str) else json.dumps(prompt, indent=2, ensure_ascii=False))
        return 0


@guarded
def first_prompt(agent: AgentSpec, task: Task, role: str | None) -> Any:
    """The exact prompt a role gets at the first step (the caller and summarizer as if the planner routed there)."""
    from engine.agents import make_agent, start_episode

    if agent.kind == "oracle":
        raise ValueError("the oracle agent has no prompts")
    roles = list(agent.roles)
    role = role or roles[0]
    if role not in roles:
        raise ValueError(f"unknown role {role!r} for agent {agent.name}; valid: {', '.join(roles)}")
    fmt = make_agent(agent).format
    ctx = start_episode(task, agent, 0).context()
    if role == "backbone":
        return fmt.step_prompt(ctx)
    return {"planner": lambda: fmt.planner_prompt(ctx), "caller": lambda: fmt.caller_prompt(ctx, ""),
            "summarizer": lambda: fmt.summarizer_prompt(ctx)}[role]()
