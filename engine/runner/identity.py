"""Which run a run folder holds (issue 13, item 8): one agent with its settings, one benchmark, one seed and
one task set, recorded in run.json as `identity`. Reusing the folder for another identity is refused before
anything is written; adding tasks to it is explicit (`run --extend`). What only schedules or places the
work (executor, schedule, max_active, batch sizes, CPUs and GPUs) changes no trajectory and is left out.

The identity also lives beside the records, in identity.json, written before any record (issue 21, item 2):
deleting or breaking run.json cannot relabel them, and a folder holding records whose identity neither
file gives is refused.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from benchmarks.results.files import ANSWER_DIR, CHECKPOINT_FILE, IDENTITY_FILE, TRAJECTORIES_FILE, read_json, write_json_atomic
from engine.types import AgentSpec

# ModelSpec fields that say where and in what batches a model runs, not what it answers.
PLACEMENT_FIELDS = ("batch_size", "num_cpus", "num_gpus", "gpu_memory_utilization", "tensor_parallel_size", "engine",
                    "request_timeout_s", "max_retries")
# Benchmark info that says which tasks were drawn (the task set is compared on its own) or where files lie;
# how many of the drawn tasks' tools lack a description follows from the tasks drawn.
TASK_SELECTION_INFO = ("per_group", "sha256", "path", "tools_without_description")


class RunIdentityMismatch(ValueError):
    """A run folder asked to hold another run than the one it holds, or whose records' run is unknown."""


IDENTITY_KEYS = ("agent", "agent_settings_sha256", "strategy", "max_steps", "benchmark", "seed", "tasks")


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


def _valid(identity: Any) -> bool:
    return (isinstance(identity, dict) and set(identity) == set(IDENTITY_KEYS) and isinstance(identity["tasks"], list)
            and isinstance(identity["benchmark"], dict))


def _holds_records(run_dir: Path) -> bool:
    files = (run_dir / TRAJECTORIES_FILE, run_dir / CHECKPOINT_FILE)
    return any(f.is_file() and f.stat().st_size for f in files) or (run_dir / ANSWER_DIR).is_dir()


def recorded_identity(run_dir: Path, manifest: dict[str, Any]) -> dict[str, Any] | None:
    """The identity of the run whose records the folder holds: identity.json, else run.json's (folders written
    before identity.json); None for a folder without records. RunIdentityMismatch when it holds records and
    neither file gives a sound identity."""
    try:
        sidecar = read_json(run_dir / IDENTITY_FILE)
    except (ValueError, OSError):
        sidecar = None
    for identity in (sidecar, manifest.get("identity")):
        if _valid(identity):
            return identity
    if not _holds_records(run_dir):
        return None
    raise RunIdentityMismatch(
        f"{run_dir / IDENTITY_FILE}: missing or not a run identity (an object with {', '.join(IDENTITY_KEYS)}), and "
        f"{run_dir.name}/run.json has no sound `identity` either, so the records in {run_dir} cannot be told to belong "
        "to this run; move them aside, or give another --run-name or --out")


def write_identity(run_dir: Path, identity: dict[str, Any]) -> None:
    """identity.json, before any record of this identity is written."""
    write_json_atomic(run_dir / IDENTITY_FILE, identity)


def identity_id(identity: dict[str, Any]) -> str:
    """A short name of the run an identity describes, its task set left out (`run --extend` keeps it): what
    checkpoint lines are bound to."""
    return _sha256({k: v for k, v in identity.items() if k != "tasks"})[:16]
