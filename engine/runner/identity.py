"""Which run a run folder holds (issue 13, item 8): one agent with its settings, one benchmark, one seed and
one task set, recorded in run.json as `identity`. Reusing the folder for another identity is refused before
anything is written; adding tasks to it is explicit (`run --extend`). What only schedules or places the
work (executor, schedule, max_active, batch sizes, CPUs and GPUs) changes no trajectory and is left out.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from engine.types import AgentSpec

# ModelSpec fields that say where and in what batches a model runs, not what it answers.
PLACEMENT_FIELDS = ("batch_size", "num_cpus", "num_gpus", "gpu_memory_utilization", "tensor_parallel_size", "engine")
# Benchmark info that says which tasks were drawn (the task set is compared on its own) or where files lie;
# how many of the drawn tasks' tools lack a description follows from the tasks drawn.
TASK_SELECTION_INFO = ("per_group", "sha256", "path", "tools_without_description")


class RunIdentityMismatch(ValueError):
    """A run folder asked to hold another run than the one it holds."""


def _sha256(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def agent_settings(agent: AgentSpec) -> dict[str, Any]:
    """The agent's settings that change its trajectories (strategy and limits included)."""
    settings = agent.to_json()
    settings.pop("placement")
    settings.pop("export_variant")  # how answers are exported, not what they are
    for role in settings["roles"].values():
        for name in PLACEMENT_FIELDS:
            role.pop(name, None)
    return settings


def run_identity(agent: AgentSpec, benchmark_info: dict[str, Any], seed: int, task_keys: Iterable[str]) -> dict[str, Any]:
    return {"agent": agent.name, "agent_settings_sha256": _sha256(agent_settings(agent)), "strategy": agent.strategy,
            "max_steps": agent.max_steps,
            "benchmark": {k: v for k, v in benchmark_info.items() if k not in TASK_SELECTION_INFO},
            "seed": seed, "tasks": sorted(task_keys)}


def describe(identity: dict[str, Any]) -> str:
    bench = identity.get("benchmark", {})
    return (f"agent {identity.get('agent')} (settings {str(identity.get('agent_settings_sha256'))[:12]}, strategy "
            f"{identity.get('strategy')}, max_steps {identity.get('max_steps')}), benchmark {bench.get('name')} "
            f"({_sha256(bench)[:12]}), seed {identity.get('seed')}, {len(identity.get('tasks', []))} tasks")


def check_identity(run_dir: Any, recorded: dict[str, Any] | None, wanted: dict[str, Any], extend: bool) -> None:
    """Raises RunIdentityMismatch unless `wanted` may use the folder holding `recorded` (None: an empty
    folder, or one written before identities were recorded). `extend` lets the task set grow, never shrink."""
    if not recorded or recorded == wanted:
        return
    same_run = {k: v for k, v in recorded.items() if k != "tasks"} == {k: v for k, v in wanted.items() if k != "tasks"}
    if same_run and extend and set(recorded["tasks"]) <= set(wanted["tasks"]):
        return
    hint = ("--extend only adds tasks; this task set leaves some out" if same_run and extend else
            "add --extend to run more tasks in it" if same_run else "give another --run-name or --out")
    raise RunIdentityMismatch(f"run folder {run_dir} holds {describe(recorded)}; this command is {describe(wanted)} "
                              f"({hint})")
