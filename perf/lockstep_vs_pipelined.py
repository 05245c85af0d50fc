"""Lockstep vs pipelined scheduling: three role actors (one per alpha-UMi role) on the modelled backend.

The modelled backend replies with the `call-once-then-answer` script and sleeps for a GPU-like generation
time (engine/backends/modelled.py), so the three actors work in parallel like three GPUs, here in one
process: the local executor gives each actor a thread (Ray would give each CPU-only actor a whole CPU, and
a 2-core machine has two). For each size, both schedules run the same tasks of the embedded benchmark;
reported: wall times and their ratio, each actor's utilisation (busy / wall), batch sizes, queueing times,
the scheduler's own time, whether the trajectories are identical (records minus timing fields), and the
bounds that the work itself sets (see `bounds`).

The planner makes two calls per trajectory, so with equal hardware per role it bounds the wall time and the
other actors cannot be busy more than their share of the work. `--balanced` sizes each role's (modelled)
hardware to its work instead, as a deployment would (a tensor-parallel planner, a shared GPU for the
lightest roles): each role's speed is its lockstep work over the lightest role's, measured on 512 trajectories.
Then the bound is 100% for every actor, and what remains below it is the schedule's doing.

    .venv/bin/python perf/lockstep_vs_pipelined.py [--trajectories 64 512 4096] [--profile gpu-like] [--balanced]
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.loading import load_benchmark  # noqa: E402
from engine.runner import provenance  # noqa: E402
from engine.backends.modelled import parse_model  # noqa: E402
from engine.runner.tool_simulator import build_simulator  # noqa: E402
from engine.execution.placement import assign_engines  # noqa: E402
from engine.config.presets import load_agent, override_models  # noqa: E402
from benchmarks.results.trajectories import read_records  # noqa: E402
from engine.runner.run import Run, RunConfig
from engine.schedule import SCHEDULES  # noqa: E402
from engine.types import AgentSpec, SamplingParams  # noqa: E402
from benchmarks.results.trajectories import untimed  # noqa: E402  (a record without what measures time)


def three_actor_agent(preset: str, profile: str, backend: str = "modelled", max_new_tokens: int = 64) -> AgentSpec:
    """The preset on the modelled backend, every role its own actor (as with one GPU per role); with a real
    backend, the embedded model in fp32 (greedy: the two schedules must give the same trajectories)."""
    if backend == "modelled":
        agent = override_models(load_agent(preset), backend="modelled", model=f"call-once-then-answer@{profile}")
    else:
        agent = override_models(load_agent(preset), backend=backend, model="embedded", dtype="fp32",
                                sampling=SamplingParams(max_new_tokens=max_new_tokens))
    return assign_engines(dataclasses.replace(agent, placement="per-role"))


BALANCE_PROBE_TRAJECTORIES = 512


def balanced_agent(agent: AgentSpec, work: dict[str, float]) -> AgentSpec:
    """Each role of a modelled agent on hardware in proportion to its work ({role: busy seconds})."""
    lightest = min(work.values())
    roles = {role: dataclasses.replace(spec, model=f"{spec.model},speed={work[role] / lightest:.3f}")
             for role, spec in agent.roles.items()}
    return dataclasses.replace(agent, roles=roles)


def role_work(agent: AgentSpec, n: int) -> dict[str, float]:
    """Each role's busy seconds in a lockstep run of n trajectories: the least work it does."""
    bench = load_benchmark("embedded", per_group=-(-n // 6))
    speed, _ = run_once(agent, bench, bench.tasks[:n], "lockstep")
    roles = {spec.actor_key: role for role, spec in agent.roles.items()}
    return {roles[key]: actor["busy_s"] for key, actor in speed["actors"].items()}


def run_once(agent: AgentSpec, bench, tasks, schedule: str) -> tuple[dict, list[dict]]:
    workdir = Path(tempfile.mkdtemp(prefix="umi-schedule-"))
    try:
        config = RunConfig(agent=agent, out_dir=workdir, run_name=schedule, executor="local", schedule=schedule,
                           progress=False)
        run_dir = Run(config, tasks, build_simulator(bench, None, "synthesize")).execute()
        speed = json.loads((run_dir / "metrics.json").read_text())["speed"]
        records = sorted((untimed(r) for r in read_records(run_dir / "trajectories.jsonl")), key=lambda r: r["task_key"])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return speed, records


def summary(speed: dict, roles: dict[str, str]) -> dict:
    actors = {}
    for key, actor in speed["actors"].items():
        actors[roles[key]] = {"utilisation": actor["utilisation"], "busy_s": actor["busy_s"], "batches": actor["batches"],
                              "mean_batch_size": actor["mean_batch_size"], "queue_p50_s": actor["queue_s"]["p50"],
                              "queue_p95_s": actor["queue_s"]["p95"]}
    scheduler_s = speed["wall_s"] - speed["generate_wall_s"] - speed["tools_wall_s"]
    return {"wall_s": speed["wall_s"], "trajectories_per_s": speed["trajectories_per_s"],
            "scheduler_cpu_s": round(scheduler_s, 3), "tools_s": speed["tools_wall_s"], "actors": actors}


def bounds(lockstep: dict, pipelined: dict) -> dict:
    """What the work allows. Lockstep runs only full batches, so its busy times are each actor's least work.
    No schedule ends before its busiest actor has done its work, so another actor's utilisation is at most
    its work over the busiest one's."""
    work = {role: actor["busy_s"] for role, actor in lockstep["actors"].items()}
    busiest = max(work.values())
    return {"least_wall_s": busiest, "pipelined_wall_over_least": round(pipelined["wall_s"] / busiest, 3),
            "utilisation_at_most": {role: round(busy / busiest, 3) for role, busy in work.items()}}


def compare(agent: AgentSpec, n: int) -> dict:
    bench = load_benchmark("embedded", per_group=-(-n // 6))  # every group, as a run of that size would have
    tasks = bench.tasks[:n]
    roles = {spec.actor_key: role for role, spec in agent.roles.items()}
    out: dict = {"trajectories": n}
    records = {}
    for schedule in SCHEDULES:
        speed, records[schedule] = run_once(agent, bench, tasks, schedule)
        out[schedule] = summary(speed, roles)
        print(f"{n:>5} {schedule:<9} wall {speed['wall_s']:8.2f} s  utilisation "
              + " ".join(f"{role} {a['utilisation']:.2f}" for role, a in out[schedule]["actors"].items()), flush=True)
    out["wall_ratio_pipelined_over_lockstep"] = round(out["pipelined"]["wall_s"] / out["lockstep"]["wall_s"], 3)
    out["bounds"] = bounds(out["lockstep"], out["pipelined"])
    out["identical_trajectories"] = records["lockstep"] == records["pipelined"] and len(records["lockstep"]) == n
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trajectories", type=int, nargs="+", default=[64, 512, 4096])
    parser.add_argument("--agent", default="alpha-umi")
    parser.add_argument("--profile", default="gpu-like", help="timing profile of the modelled backend")
    parser.add_argument("--backend", default="modelled", help="modelled, or a real backend (hf, vllm) with the embedded model")
    parser.add_argument("--max-new-tokens", type=int, default=64, help="real backends only")
    parser.add_argument("--balanced", action="store_true", help="modelled backend: each role's hardware sized to its work")
    parser.add_argument("--out", help="default: perf/results/lockstep_vs_pipelined[_balanced].json")
    args = parser.parse_args()
    if args.balanced and args.backend != "modelled":
        parser.error("--balanced needs the modelled backend")
    out_path = args.out or f"perf/results/lockstep_vs_pipelined{'_balanced' if args.balanced else ''}.json"

    agent = three_actor_agent(args.agent, args.profile, args.backend, args.max_new_tokens)
    if args.balanced:
        agent = balanced_agent(agent, role_work(agent, BALANCE_PROBE_TRAJECTORIES))
    model = agent.roles[next(iter(agent.roles))]
    start = time.perf_counter()
    runs = [compare(agent, n) for n in args.trajectories]
    out = {
        "what": f"lockstep vs pipelined scheduling, three role actors on the {args.backend} backend, local executor "
                "(one thread per actor), embedded benchmark",
        "command": " ".join([".venv/bin/python", *sys.argv]),
        "agent": args.agent,
        "model": model.model,
        "role_models": {role: spec.model for role, spec in agent.roles.items()},
        "profile": dataclasses.asdict(parse_model(model.model)[1]) if args.backend == "modelled" else None,
        "batch_size": model.batch_size,
        "executor": "local",
        "hardware": provenance.hardware(),
        "versions": provenance.library_versions(),
        "total_s": round(time.perf_counter() - start, 1),
        "runs": runs,
    }
    Path(out_path).parent.mkdir(parents=True, exist_ok=True)
    Path(out_path).write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps([{k: r[k] for k in ("trajectories", "wall_ratio_pipelined_over_lockstep", "identical_trajectories")}
                      for r in runs], indent=2))


if __name__ == "__main__":
    main()
