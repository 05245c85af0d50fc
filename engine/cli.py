"""The subcommands behind run_eval.py. Everything is validated before anything is written."""
from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path
from typing import Any

from benchmarks import leaderboard
from benchmarks.core.schemas import function_schemas
from benchmarks.scoring.judges import check_judge_spec
from benchmarks.loading import LoadedBenchmark, load_benchmark
from benchmarks.toolbench import BenchmarkFormatError
from benchmarks.core.types import Task
from engine.agents import make_agent, start_episode
from engine.backends.base import BACKENDS, UnknownBackendError, make_backend
from engine.embedded_model import EmbeddedModelMissing
from engine.records import write_json_atomic
from engine.presets import AgentConfigError, load_agent, override_models
from engine.run import Run, RunConfig
from engine.types import AgentSpec, SamplingParams
from roles.registry import UnknownFormatError, get_format
from tools_sim.cache import ResponseCache
from tools_sim.policies import ResponderPolicy
from tools_sim.simulator import Simulator


class UserError(Exception):
    """A mistake in what the user asked for; printed without a traceback."""


_USER_ERRORS = (AgentConfigError, UnknownBackendError, UnknownFormatError, BenchmarkFormatError,
                FileNotFoundError, EmbeddedModelMissing, ValueError)


def _guarded(fn):
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except _USER_ERRORS as exc:
            raise UserError(str(exc)) from exc
    return wrapper


@_guarded
def resolve_agent(args: argparse.Namespace) -> AgentSpec:
    agent = override_models(load_agent(args.agent), backend=getattr(args, "backend", None), model=getattr(args, "model", None),
                            dtype=getattr(args, "dtype", None), batch_size=getattr(args, "batch_size", None))
    if getattr(args, "max_steps", None) is not None:
        agent = dataclasses.replace(agent, max_steps=args.max_steps)
    validate_agent(agent)
    return agent


def validate_agent(agent: AgentSpec) -> None:
    """Fails fast on an unknown format, backend or model folder, before any output exists."""
    if agent.kind != "oracle":
        get_format(agent.format, **agent.format_options)
    for role, spec in agent.roles.items():
        try:
            BACKENDS.get(spec.backend).check_spec(spec)
        except UnknownBackendError as exc:
            raise UnknownBackendError(f"role {role}: {exc}") from exc
        except ValueError as exc:
            raise ValueError(f"role {role}: {exc}") from exc


@_guarded
def resolve_benchmark(args: argparse.Namespace) -> LoadedBenchmark:
    return load_benchmark(args.benchmark, groups=args.groups, limit=args.limit, tools_dir=args.tools_dir,
                          seed=args.seed, per_group=args.per_group)


@_guarded
def build_simulator(bench: LoadedBenchmark, cache_dir: str | None, miss_policy: str, store: str | None = None,
                    sim_model: str = "embedded") -> Simulator:
    """The simulator of a run: a store or a cache folder, the benchmark's own answers, then the miss policies."""
    cache_dir = cache_dir or bench.cache_dir
    cache = ResponseCache.open(store) if store else ResponseCache.read_dir(cache_dir) if cache_dir else ResponseCache()
    for entry in bench.cache_entries:
        cache.add(*entry)
    policies: list[Any] = [p.strip() for p in miss_policy.split(",") if p.strip()]
    if bench.responder is not None:
        policies.insert(0, ResponderPolicy(bench.responder))
    return Simulator(cache, policies, generate=simulator_generate(sim_model) if "llm" in policies else None)


def simulator_generate(model: str):
    """The llm miss policy's model (`MODEL` or `BACKEND:MODEL`, hf by default): chat prompts in, texts out,
    greedy as StableToolBench's temperature 0, and JSON-constrained where the backend can (vllm)."""
    from engine.backends.base import make_backend
    from engine.types import ModelSpec, RoleRequest

    prefix = model.split(":")[0]
    local = prefix in BACKENDS and BACKENDS.get(prefix).local_model
    backend_name, _, path = model.partition(":") if local else ("hf", "", model)
    sampling = simulator_sampling(backend_name)
    backend = make_backend(ModelSpec(model=path, backend=backend_name, sampling=sampling))

    def generate(prompts: list[list[dict[str, str]]]) -> list[str]:
        requests = [RoleRequest(str(i), "simulator", p, sampling, 0) for i, p in enumerate(prompts)]
        return [r.text for r in backend.generate(requests)]

    return generate


def simulator_sampling(backend: str) -> SamplingParams:
    from tools_sim.llm import REPLY_SCHEMA

    schema = json.dumps(REPLY_SCHEMA, sort_keys=True) if BACKENDS.get(backend).json_schema else None
    return SamplingParams(max_new_tokens=1024, json_schema=schema)


def cmd_sim(args: argparse.Namespace, argv: list[str]) -> int:
    """`sim serve --miss-policy ...llm...`: the /virtual server with a model behind its misses."""
    from tools_sim.cli import run_sim

    return run_sim(args, generate=_guarded(simulator_generate)(args.sim_model))


def default_run_name(agent: AgentSpec, bench: LoadedBenchmark, seed: int) -> str:
    return f"{agent.name}__{bench.name}__seed{seed}"


def cmd_run(args: argparse.Namespace, argv: list[str]) -> int:
    agent = resolve_agent(args)
    bench = resolve_benchmark(args)
    if args.judge:
        _guarded(check_judge_spec)(args.judge)
    simulator = build_simulator(bench, args.cache, args.miss_policy, args.store, args.sim_model)
    config = RunConfig(agent=agent, out_dir=Path(args.out), run_name=args.run_name or default_run_name(agent, bench, args.seed),
                       seed=args.seed, executor=args.executor, ray_address=args.ray_address, max_active=args.max_active,
                       schedule=args.schedule, progress=not args.no_progress, benchmark=bench.info,
                       command=["umi-eval", *argv])
    run_dir = Run(config, bench.tasks, simulator).execute()
    overall = json.loads((run_dir / "metrics.json").read_text())["overall"]
    print(f"{run_dir}: {overall['n']} trajectories, answered {overall['answered_rate']}%, "
          f"invalid calls {overall['invalid_call_rate']}%, mean steps {overall['mean_steps']}")
    if args.judge:
        from benchmarks.score_cli import score_with_defaults, summary

        print(summary(*_guarded(score_with_defaults)(run_dir, args.judge)))
    return 0


def sweep_agent(entry: dict[str, Any]) -> AgentSpec:
    """One agent of a sweep file, resolved and validated as `run --agent ...` would be."""
    from engine.sweep import AGENT_KEYS

    try:
        return resolve_agent(argparse.Namespace(**{key: entry.get(key) for key in AGENT_KEYS}))
    except UserError as exc:
        raise ValueError(str(exc)) from exc


def cmd_sweep(args: argparse.Namespace, argv: list[str]) -> int:
    from benchmarks.score_cli import score_with_defaults
    from engine.sweep import SweepError, execute, load_sweep, plan_table, start_with

    try:
        sweep = load_sweep(Path(args.file), sweep_agent)
    except SweepError as exc:
        raise UserError(str(exc)) from exc
    print(plan_table(sweep))
    if args.dry_run:
        return 0
    starter = start_with(build_simulator, sweep.out, not args.no_progress, ["umi-eval", *argv])
    state = execute(sweep, starter, lambda run_dir, judge: score_with_defaults(run_dir, judge))
    failed = {name: run["error"] for name, run in state["runs"].items() if run["status"] == "failed"}
    if (sweep.out / "leaderboard.json").is_file():
        print("\n" + leaderboard.table(json.loads((sweep.out / "leaderboard.json").read_text())))
    for name, error in failed.items():
        print(f"umi-eval: run {name} failed: {error} (details in {sweep.out}/sweep.json; rerun the sweep to retry)")
    return 1 if failed else 0


def cmd_inspect(args: argparse.Namespace, argv: list[str]) -> int:
    bench = resolve_benchmark(args)
    task = _find_task(bench.tasks, str(args.query_id))
    if args.tools:
        print(json.dumps(function_schemas(task), indent=2, ensure_ascii=False))
        return 0
    agent = _guarded(load_agent)(args.agent)
    prompt = first_prompt(agent, task, args.role)
    print(prompt if isinstance(prompt, str) else json.dumps(prompt, indent=2, ensure_ascii=False))
    return 0


def cmd_benchmark(args: argparse.Namespace, argv: list[str]) -> int:
    from benchmarks.embedded import generate, write
    from tools_sim.cache import write_cache_dir

    if args.per_group < 1:
        raise UserError("--per-group must be at least 1")
    try:
        out = write(generate(args.per_group, args.seed), args.out, write_cache_dir)
    except (FileExistsError, NotADirectoryError) as exc:
        raise UserError(str(exc)) from exc
    print(f"wrote the embedded benchmark ({args.per_group} queries per group, seed {args.seed}) to {out}")
    return 0


def cmd_static(args: argparse.Namespace, argv: list[str]) -> int:
    """alpha-UMi's teacher-forced step metrics on a test file of its format (engine.static_eval)."""
    from engine.static_eval import StaticConfig, load_static, metrics_table, run_static

    if args.limit is not None and args.limit < 1:
        raise UserError("--limit must be at least 1")
    agent = resolve_agent(args)
    samples = _guarded(load_static)(agent, Path(args.data))
    config = StaticConfig(agent=agent, data=Path(args.data), out_dir=Path(args.out), seed=args.seed, limit=args.limit,
                          executor=args.executor, ray_address=args.ray_address, progress=not args.no_progress,
                          command=["umi-eval", *argv])
    path, report = run_static(config, samples)
    print(metrics_table(report))
    if report["failed_requests"]:
        print(f"warning: {report['failed_requests']} model requests failed (their text counts as empty)")
    print(f"per-sample predictions in {path}")
    return 0


def cmd_convert(args: argparse.Namespace, argv: list[str]) -> int:
    """ToolBench/StableToolBench raw answers to ToolEval converted answers (benchmarks.answer_convert)."""
    from benchmarks.answer_convert import convert_path

    written = _guarded(convert_path)(Path(args.raw_answers), Path(args.out), args.method, args.indent)
    for path in written:
        print(f"wrote {path}")
    return 0


def _find_task(tasks: list[Task], query_id: str) -> Task:
    for task in tasks:
        if task.query_id == query_id:
            return task
    raise UserError(f"query id {query_id} not found in the benchmark ({len(tasks)} tasks loaded)")


@_guarded
def first_prompt(agent: AgentSpec, task: Task, role: str | None) -> Any:
    """The exact prompt a role gets at the first step (the caller and summarizer as if the planner routed there)."""
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


MAIN_JOB_AGENTS = ("chat-single", "chat-multi")
MAIN_JOB_PER_GROUP = 2  # 12 queries per agent: about 5 minutes on a 2-core CPU (measured), under the 10 allowed


def main_job(per_group: int = MAIN_JOB_PER_GROUP, out: str = "runs", executor: str = "ray") -> int:
    """Single- vs multi-LLM agents from the embedded model on the embedded benchmark; prints the table."""
    bench = load_benchmark("embedded", per_group=per_group, seed=0)
    run_dirs = []
    for name in MAIN_JOB_AGENTS:
        agent = load_agent(name)
        simulator = build_simulator(bench, None, "synthesize")
        config = RunConfig(agent=agent, out_dir=Path(out), run_name=default_run_name(agent, bench, 0), executor=executor,
                           benchmark=bench.info, command=["umi-eval"])
        run_dirs.append(Run(config, bench.tasks, simulator).execute())
    board = leaderboard.build(run_dirs)
    write_json_atomic(Path(out) / "leaderboard.json", board)
    print(f"\nembedded benchmark, {per_group} queries per group; verified pass rate % [95% CI]\n")
    print(leaderboard.table(board))
    print(f"\nruns and leaderboard.json under {out}/")
    return 0
