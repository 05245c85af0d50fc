"""How many replicas each role engine gets: given (`replicas:` per role, `--replicas planner=2,caller=1`) or
`auto`, sized from each role's work within the GPUs the run is given (docs/cluster.md, "Replicas").

`auto` gives every engine one replica, then hands out the remaining GPUs one replica at a time to the engine
whose replicas carry the most work each (D'Hondt's rule: it minimises the busiest replica's share, which
bounds the run when every role works at once), and `--gpus` says how many the run is given. A role's work per task is its expected calls per task times
its declared tokens per call (max_new_tokens: decode dominates a 7B model's time on one GPU); the expected
calls are alpha-UMi's with two tool calls per task (planner 3, caller 2, summarizer 1). The counts and the
work are recorded in run.json (`replicas`), the agent's roles carry the counts, and the command says `auto`.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from benchmarks.results.metrics_file import read_metrics

from engine.types import AgentSpec, ModelSpec

AUTO = "auto"
MEASURED_FROM = "measured from "  # run.json `replicas.sized_from`, then the run folder
EXPECTED_CALLS = {"planner": 3.0, "caller": 2.0, "summarizer": 1.0, "backbone": 3.0}


class ReplicaSpecError(ValueError):
    pass


def parse_replicas(text: str, roles: list[str]) -> dict[str, int] | str:
    """`planner=2,caller=1` -> {"planner": 2, "caller": 1}; `auto` -> "auto"."""
    if text.strip() == AUTO:
        return AUTO
    counts = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        role, _, value = part.partition("=")
        if role not in roles:
            raise ReplicaSpecError(f"--replicas: unknown role {role!r}; valid: {', '.join(roles)}")
        if not value.isdigit() or int(value) < 1:
            raise ReplicaSpecError(f"--replicas: {part!r} needs a count of at least 1, e.g. {role}=2")
        counts[role] = int(value)
    return counts


def with_replicas(agent: AgentSpec, counts: dict[str, int]) -> AgentSpec:
    roles = {role: dataclasses.replace(spec, replicas=counts.get(role, spec.replicas)) for role, spec in agent.roles.items()}
    return dataclasses.replace(agent, roles=roles)


def role_work(role: str, spec: ModelSpec) -> float:
    return EXPECTED_CALLS.get(role, 1.0) * max(1, spec.sampling.max_new_tokens)


def auto_replicas(agent: AgentSpec, gpus: int, measured: dict[str, float] | None = None) -> AgentSpec:
    """The agent with replicas sized to `gpus` GPUs (roles that share an engine share its replicas), by each
    role's declared work, or its `measured` work (tokens generated per task) when given."""
    work = engine_work(agent, measured)
    gpus_each = {spec.actor_key: max(1, spec.tensor_parallel_size) for spec in agent.roles.values()}
    counts = dhondt(work, gpus_each, gpus)
    return dataclasses.replace(agent, roles={role: dataclasses.replace(spec, replicas=counts[spec.actor_key])
                                             for role, spec in agent.roles.items()})


def engine_work(agent: AgentSpec, measured: dict[str, float] | None = None) -> dict[str, float]:
    work: dict[str, float] = {}
    for role, spec in agent.roles.items():
        role_share = measured.get(role, 0.0) if measured is not None else role_work(role, spec)
        work[spec.actor_key] = work.get(spec.actor_key, 0.0) + role_share
    return work


def measured_work(run_dir: Path, roles: list[str]) -> dict[str, float]:
    """Per role, the tokens it generated per task in a finished run (metrics.json `overall`: `tokens` per role,
    `n` tasks); a role the run never called did no work. Refused when the run measured other roles."""
    overall = read_metrics(run_dir).get("overall") or {}
    n, tokens = overall.get("n") or 0, overall.get("tokens") or {}
    if not n or not tokens:
        raise ReplicaSpecError(f"{run_dir}: no measured tokens to size replicas from (metrics.json missing or "
                               "empty: a finished run folder is needed)")
    if set(tokens) - set(roles):
        raise ReplicaSpecError(f"{run_dir}: its run measured roles {', '.join(sorted(tokens))}, and this agent has "
                               f"{', '.join(roles)}: size from a run of the same agent")
    return {role: tokens.get(role, {}).get("completion_tokens", 0) / n for role in roles}


def sized_from_run(agent: AgentSpec, gpus: int, run_dir: Path) -> tuple[AgentSpec, dict[str, Any]]:
    """`auto` over the work `run_dir` measured; with the record run.json keeps of it (replicas_record)."""
    measured = measured_work(run_dir, list(agent.roles))
    sized = auto_replicas(agent, gpus, measured)
    return sized, {"sized_from": f"{MEASURED_FROM}{run_dir}", "work": engine_work(sized, measured)}


def apply_replicas(agent: AgentSpec, text: str | None, gpus: int | None) -> AgentSpec:
    """`--replicas` (and `--gpus` for auto) applied to the agent."""
    if not text:
        return agent
    counts = parse_replicas(text, list(agent.roles))
    if counts != AUTO:
        return with_replicas(agent, counts)
    if not gpus:
        raise ReplicaSpecError("--replicas auto sizes replicas within the run's GPUs: give them with --gpus N")
    return auto_replicas(agent, gpus)


def dhondt(work: dict[str, float], gpus_each: dict[str, int], gpus: int) -> dict[str, int]:
    """One replica each, then one more at a time to the engine with the most work per replica that still fits."""
    counts = dict.fromkeys(work, 1)
    left = gpus - sum(gpus_each.values())
    while True:
        fits = [key for key in work if gpus_each[key] <= left]
        if not fits:
            return counts
        key = max(fits, key=lambda k: (work[k] / counts[k], -list(work).index(k)))
        counts[key] += 1
        left -= gpus_each[key]


def replicas_record(agent: AgentSpec, sizing: dict[str, Any] | None = None) -> dict[str, Any]:
    """run.json `replicas`: each engine's replica count, the work per task `auto` sizes them by and where that
    work came from (`sizing`, from sized_from_run; else the declared work)."""
    counts: dict[str, int] = {}
    for spec in agent.roles.values():
        counts[spec.actor_key] = max(counts.get(spec.actor_key, 1), spec.replicas)
    return {"replicas": counts, **(sizing or {"sized_from": "declared", "work": engine_work(agent)})}
