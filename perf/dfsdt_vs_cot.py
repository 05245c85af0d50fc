"""DFSDT vs CoT on the embedded benchmark, and batched DFSDT vs one tree at a time.

    .venv/bin/python perf/dfsdt_vs_cot.py [--per-group 5] [--fail-rate 0.3]
    .venv/bin/python perf/dfsdt_vs_cot.py --only-embedded --embedded-per-group 1 --out perf/results/dfsdt_vs_cot_embedded.json

1. A scripted chat-single agent that knows each task's gold chain but gives up at random (each step, with
   probability --fail-rate, seeded per request): CoT loses every chain with a give-up; DFSDT backtracks
   and tries again. Verified pass rate and model queries per task of each.
2. The same agent on the modelled backend (gpu-like timing): all trees batched together vs one tree at a
   time (max_active 1, ToolBench's way), same seeds: the trees must be identical; the wall-clock ratio.
3. With --embedded-per-group N: the embedded model (chat-single and chat-multi, temperature 0.5, seeded)
   under CoT and DFSDT on N queries per group (hf backend on this machine's CPU: slow, keep N small).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.loading import load_benchmark  # noqa: E402
from engine.runner import provenance  # noqa: E402
from engine.backends.scripted import register_script  # noqa: E402
from engine.runner.tool_simulator import build_simulator  # noqa: E402
from engine.config.presets import load_agent, override_models, with_strategy  # noqa: E402
from benchmarks.results.trajectories import read_records  # noqa: E402
from engine.runner.run import Run, RunConfig  # noqa: E402
from engine.types import RoleRequest, SamplingParams  # noqa: E402

SCRIPT = "gold-or-give-up"


def gold_or_give_up(tasks: list, fail_rate: float):
    """A chat-single script that follows the task's gold chain, giving up at random at each step."""
    by_query = {task.query: task for task in tasks}

    def script(request: RoleRequest) -> str:
        messages = request.prompt
        first = messages[1]["content"] if len(messages) > 1 else ""
        task = next((t for query, t in by_query.items() if first.startswith(query)), None)  # a diversity prompt may follow
        if task is None or random.Random(request.seed).random() < fail_rate:
            return "Thought: I cannot do this.\nGive up."
        done = sum(message["role"] == "assistant" for message in messages)
        if done < len(task.gold.calls):
            call = task.gold.calls[done]
            return f"Thought: step {done + 1}.\nAction: {call.name}\nAction Input: {json.dumps(call.arguments)}"
        return f"Thought: I have it.\nFinal Answer: {task.gold.answer}"

    return script


def run_once(agent, bench, out: Path, name: str, max_active: int | None = None) -> tuple[float, Path]:
    config = RunConfig(agent=agent, out_dir=out, run_name=name, executor="local", max_active=max_active,
                       progress=False, benchmark=bench.info)
    start = time.perf_counter()
    run_dir = Run(config, bench.tasks, build_simulator(bench, None, "synthesize")).execute()
    return time.perf_counter() - start, run_dir


def summary(run_dir: Path, wall_s: float) -> dict[str, Any]:
    records = list(read_records(run_dir / "trajectories.jsonl"))
    scores = json.loads((run_dir / "scores.json").read_text())["overall"]
    metrics = json.loads((run_dir / "metrics.json").read_text())
    search = metrics["search"]
    queries = [r["search"]["model_queries"] if "search" in r else max((u["calls"] for u in r["usage"].values()), default=0)
               for r in records]
    out = {"tasks": len(records), "verified_pass_rate": scores, "answered_rate": metrics["overall"]["answered_rate"],
           "model_queries_per_task": round(sum(queries) / len(queries), 2),
           "role_calls_per_task": round(sum(u["calls"] for r in records for u in r["usage"].values()) / len(records), 2),
           "wall_s": round(wall_s, 2)}
    if search.get("strategy") == "dfsdt":
        out["trees"] = {k: v for k, v in search.items() if k != "per_tree"}
    return out


def trees_of(run_dir: Path) -> dict[str, Any]:
    return {str(p.relative_to(run_dir)): json.loads(p.read_text()) for p in sorted((run_dir / "answer").rglob("*.json"))}


def scripted_figures(args, bench, out: Path) -> dict[str, Any]:
    register_script(SCRIPT, gold_or_give_up(bench.tasks, args.fail_rate))
    cot = override_models(load_agent("chat-single"), backend="scripted", model=SCRIPT)
    dfs = with_strategy(cot, "dfsdt")
    results = {"fail_rate": args.fail_rate}
    for label, agent in (("cot", cot), ("dfsdt", dfs)):
        wall, run_dir = run_once(agent, bench, out, f"scripted-{label}")
        results[label] = summary(run_dir, wall)
    lost = set(json.loads((out / "scripted-cot" / "scores.json").read_text())["per_query"].items())
    found = json.loads((out / "scripted-dfsdt" / "scores.json").read_text())["per_query"]
    results["recovered_by_dfsdt"] = sum(1 for key, passed in lost if not passed and found[key])
    results["lost_by_dfsdt"] = sum(1 for key, passed in lost if passed and not found[key])
    return results


def batched_figures(args, bench, out: Path) -> dict[str, Any]:
    modelled = override_models(load_agent("chat-single"), backend="modelled", model=f"{SCRIPT}@gpu-like")
    agent = with_strategy(modelled, "dfsdt")
    batched_wall, batched = run_once(agent, bench, out, "batched")
    single_wall, single = run_once(agent, bench, out, "one-at-a-time", max_active=1)
    same_records = [strip(r) for r in read_records(batched / "trajectories.jsonl")] == \
        sorted_like([strip(r) for r in read_records(single / "trajectories.jsonl")], batched)
    return {"backend": "modelled gpu-like (scripted replies, modelled generation time)",
            "trees": len(bench.tasks), "identical_trees": trees_of(batched) == trees_of(single) and same_records,
            "batched_wall_s": round(batched_wall, 2), "one_tree_at_a_time_wall_s": round(single_wall, 2),
            "speedup": round(single_wall / batched_wall, 2),
            "mean_batch_size": {label: mean_batch_size(run_dir) for label, run_dir in (("batched", batched), ("one_at_a_time", single))}}


def mean_batch_size(run_dir: Path) -> float:
    actors = json.loads((run_dir / "metrics.json").read_text())["speed"]["actors"]
    return next(iter(actors.values()))["mean_batch_size"]


def strip(record: dict[str, Any]) -> dict[str, Any]:
    usage = {role: {k: v for k, v in u.items() if k != "latency_s"} for role, u in record["usage"].items()}
    return {**{k: v for k, v in record.items() if k not in ("started_at", "finished_at")}, "usage": usage}


def sorted_like(records: list[dict[str, Any]], run_dir: Path) -> list[dict[str, Any]]:
    order = [r["task_key"] for r in read_records(run_dir / "trajectories.jsonl")]
    by_key = {r["task_key"]: r for r in records}
    return [by_key[key] for key in order]


def embedded_figures(args, out: Path, record) -> None:
    """Each run's summary is recorded as soon as it ends (a slow CPU may not finish them all)."""
    bench = load_benchmark("embedded", per_group=args.embedded_per_group, seed=0)
    sampling = SamplingParams(temperature=0.5, max_new_tokens=128)
    results: dict[str, Any] = {"sampling": dataclasses.asdict(sampling), "queries": len(bench.tasks)}
    for preset in args.embedded_presets:
        base = override_models(load_agent(preset), sampling=sampling)
        for strategy in ("cot", "dfsdt"):
            wall, run_dir = run_once(with_strategy(base, strategy), bench, out, f"embedded-{preset}-{strategy}")
            results[f"{preset}/{strategy}"] = summary(run_dir, wall)
            record("embedded_model", results)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-group", type=int, default=5)
    parser.add_argument("--fail-rate", type=float, default=0.3)
    parser.add_argument("--embedded-per-group", type=int, default=0)
    parser.add_argument("--embedded-presets", nargs="+", default=["chat-single", "chat-multi"])
    parser.add_argument("--only-embedded", action="store_true", help="skip the scripted figures (1 and 2)")
    parser.add_argument("--out", default="perf/results/dfsdt_vs_cot.json")
    args = parser.parse_args()
    bench = load_benchmark("embedded", per_group=args.per_group, seed=0)
    result = {"command": " ".join(["perf/dfsdt_vs_cot.py", *sys.argv[1:]]), "hardware": provenance.hardware(),
              "benchmark": {"name": "embedded", "per_group": args.per_group, "queries": len(bench.tasks)}}
    if args.only_embedded:
        del result["benchmark"]

    def record(section: str, value: Any) -> None:
        result[section] = value
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
        print(json.dumps({section: value}, indent=2), flush=True)

    workdir = Path(tempfile.mkdtemp(prefix="umi-dfsdt-"))
    try:
        if not args.only_embedded:
            record("scripted_random_failures", scripted_figures(args, bench, workdir))
            record("batched_vs_one_tree_at_a_time", batched_figures(args, bench, workdir))
        if args.embedded_per_group:
            embedded_figures(args, workdir, record)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
