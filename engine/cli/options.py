"""Arguments several subcommands share (where models run, which benchmark), and resolving them: an agent
and a benchmark checked before anything is written."""
from __future__ import annotations

import argparse
import dataclasses

from benchmarks.core.values import max_steps_problem, positive_int_problem
from benchmarks.core.types import LoadedBenchmark, Task
from benchmarks.loading import load_benchmark
from engine.backends.base import BACKENDS, UnknownBackendError
from engine.cli.base import UserError, at_least, check_seed, guarded
from engine.execution.replicas import apply_replicas
from engine.config.presets import EXPORT_VARIANTS, MODEL_NUMBER_CHECKS, greedy, load_agent, override_models, with_strategy
from engine.agents import agent_kind
from engine.types import AgentSpec
from roles.registry import get_format


def add_model_args(parser: argparse.ArgumentParser) -> None:
    """Where the role models run, and overrides of every role's model."""
    parser.add_argument("--executor", choices=("ray", "local"), default="ray")
    parser.add_argument("--ray-address", help="join an existing Ray cluster instead of starting a local one")
    parser.add_argument("--backend", help=f"override every role's backend ({', '.join(BACKENDS)}; auto: vllm where the "
                                          "official GPU vLLM is installed, else hf)")
    parser.add_argument("--model", help="override every role's model: a local model directory, or 'embedded'")
    parser.add_argument("--dtype", choices=("fp32", "bf16", "fp16"), help="override every role's dtype")
    parser.add_argument("--batch-size", type=int, help="override every role's generation batch size")
    parser.add_argument("--request-timeout", type=float, help="openai: seconds one attempt may take, the whole reply "
                                                               "(default 60; also request_timeout_s in agent YAML)")
    parser.add_argument("--max-retries", type=int, help="openai: attempts after the first on a transient failure "
                                                         "(default 5; also max_retries in agent YAML)")
    parser.add_argument("--replicas", help="engines per role, e.g. planner=2,caller=1, or 'auto' (sized to --gpus)")
    parser.add_argument("--gpus", type=int, help="the GPUs the run is given, for --replicas auto")
    parser.add_argument("--greedy", action="store_true",
                        help="decode every role greedily (the paper presets sample as their authors did)")
    parser.add_argument("--export-variant", choices=EXPORT_VARIANTS,
                        help="whose ToolEval converter exports DFSDT answer files (default: the agent's; the alpha-UMi "
                             "presets use alpha-umi, the variant their published numbers were judged on)")


def add_benchmark_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--benchmark", required=True,
                        help="'embedded', a query file, a StableToolBench-style folder, or a Hugging Face dataset "
                             "(save_to_disk folder, parquet or JSON-lines file, hf:OWNER/NAME from the local cache)")
    parser.add_argument("--groups", nargs="+", help="groups to load (default: all)")
    parser.add_argument("--limit", type=int, help="at most N queries per group")
    parser.add_argument("--tools-dir", help="ToolBench toolenv/tools folder, for minimal-form query files")
    parser.add_argument("--cache", help="StableToolBench tool_response_cache folder for the simulator")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-group", type=int, help="embedded benchmark: queries per group (default 20)")


def check_benchmark_args(args: argparse.Namespace) -> None:
    check_seed(args.seed)
    at_least(args.limit, 1, "--limit")
    at_least(args.per_group, 1, "--per-group")


# Command-line overrides of model fields: flag -> ModelSpec field.
MODEL_FLAGS = {"batch_size": "--batch-size", "request_timeout": "--request-timeout", "max_retries": "--max-retries"}
_FIELDS = {"batch_size": "batch_size", "request_timeout": "request_timeout_s", "max_retries": "max_retries"}


def check_model_args(args: argparse.Namespace) -> None:
    """The same checks as an agent file's model fields (engine.config.presets.MODEL_NUMBER_CHECKS)."""
    for attr, flag in MODEL_FLAGS.items():
        value = getattr(args, attr, None)
        if value is not None and (problem := MODEL_NUMBER_CHECKS[_FIELDS[attr]](flag, value)):
            raise UserError(problem)
    at_least(args.gpus, 1, "--gpus")


@guarded
def resolve_agent(args: argparse.Namespace) -> AgentSpec:
    agent = override_models(load_agent(args.agent), backend=getattr(args, "backend", None), model=getattr(args, "model", None),
                            dtype=getattr(args, "dtype", None),
                            **{_FIELDS[attr]: getattr(args, attr, None) for attr in MODEL_FLAGS})
    for key, check in (("batch_size", positive_int_problem), ("max_steps", max_steps_problem)):  # a sweep entry gives them as YAML values
        value = getattr(args, key, None)
        if value is not None and (problem := check(key, value)):
            raise ValueError(problem)
    if getattr(args, "greedy", False):
        agent = greedy(agent)
    if getattr(args, "export_variant", None) is not None:
        agent = dataclasses.replace(agent, export_variant=args.export_variant)
    if getattr(args, "max_steps", None) is not None:
        agent = dataclasses.replace(agent, max_steps=args.max_steps)
    if getattr(args, "strategy", None) is not None:
        agent = with_strategy(agent, args.strategy)
    agent = apply_replicas(agent, getattr(args, "replicas", None), getattr(args, "gpus", None))
    validate_agent(agent)
    return agent


def validate_agent(agent: AgentSpec) -> None:
    """Fails fast on an unknown format, backend or model folder, before any output exists."""
    if not agent_kind(agent).replays_gold:
        get_format(agent.format, **agent.format_options)
    for role, spec in agent.roles.items():
        try:
            BACKENDS.get(spec.backend).check_spec(spec)
        except UnknownBackendError as exc:
            raise UnknownBackendError(f"role {role}: {exc}") from exc
        except ValueError as exc:
            raise ValueError(f"role {role}: {exc}") from exc


@guarded
def resolve_benchmark(args: argparse.Namespace) -> LoadedBenchmark:
    return load_benchmark(args.benchmark, groups=args.groups, limit=args.limit, tools_dir=args.tools_dir,
                          seed=args.seed, per_group=args.per_group)


def find_task(tasks: list[Task], query_id: str) -> Task:
    """The task of a query id, or of a `GROUP/ID` key; an id that several groups share is refused with them named
    (ToolBench numbers queries per group, and so does the embedded benchmark)."""
    found = [task for task in tasks if query_id in (task.query_id, task.key)]
    if not found:
        raise UserError(f"query id {query_id} not found in the benchmark ({len(tasks)} tasks loaded)")
    if len(found) > 1:
        groups = [task.group for task in found]
        raise UserError(f"query id {query_id} is in {len(found)} groups ({', '.join(groups)}); name one: "
                        f"--query-id {groups[0]}/{query_id} (or --groups {groups[0]})")
    return found[0]
