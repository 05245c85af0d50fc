"""Rule-based run figures (no judge): outcome rates, failures, steps, tokens and throughput."""
from __future__ import annotations

import math
from collections import Counter
from typing import TYPE_CHECKING, Any

from tools_sim.observation import STATUS_NO_SUCH_FUNCTION, STATUS_REQUEST_INVALID

if TYPE_CHECKING:
    from engine.scheduler import ActorStats, SchedulerStats

_INVALID_CALL = {STATUS_NO_SUCH_FUNCTION, STATUS_REQUEST_INVALID}
OUTCOMES = ("answered", "gave_up", "max_steps", "failed")


def _rate(count: float, total: int) -> float:
    return round(100.0 * count / total, 2) if total else 0.0


def outcome_metrics(records: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(records)
    outcomes = Counter(r["status"] for r in records)
    calls = [c for r in records for c in r["calls"]]
    invalid = sum(c["status"] in _INVALID_CALL for c in calls)
    api_errors = sum(c["status"] not in _INVALID_CALL and c["status"] != 0 for c in calls)
    return {
        "n": n,
        **{f"{o}_rate": _rate(outcomes[o], n) for o in OUTCOMES},
        "parse_failures": sum(r["parse_failures"] for r in records),
        "parse_failure_rate": _rate(sum(r["parse_failures"] > 0 for r in records), n),
        "unmarked_plans": sum(r["unmarked_plans"] for r in records),
        "planner_retries": sum(r["planner_retries"] for r in records),
        "tool_calls": len(calls),
        "invalid_call_rate": _rate(invalid, len(calls)),
        "api_error_rate": _rate(api_errors, len(calls)),
        "observation_sources": dict(Counter(c["source"] for c in calls)),
        "mean_steps": round(sum(r["steps"] for r in records) / n, 3) if n else 0.0,
        "tokens": token_usage(records),
    }


def token_usage(records: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    usage: dict[str, dict[str, int]] = {}
    for record in records:
        for role, u in record["usage"].items():
            total = usage.setdefault(role, {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0})
            for key in total:
                total[key] += u[key]
    return usage


def throughput_metrics(new_records: list[dict[str, Any]], wall_s: float, stats: SchedulerStats) -> dict[str, Any]:
    """Speed of this invocation only (resumed trajectories were timed by the run that made them)."""
    completion = sum(u["completion_tokens"] for u in token_usage(new_records).values())
    return {
        "schedule": stats.schedule,
        "wall_s": round(wall_s, 3),
        "trajectories_this_invocation": len(new_records),
        "trajectories_per_s": _ratio(len(new_records), wall_s, 3),
        "completion_tokens_per_s": _ratio(completion, wall_s, 2),
        "ticks": stats.ticks,
        "role_calls": stats.role_calls,
        "generate_wall_s": round(stats.generate_s, 3),
        "tools_wall_s": round(stats.tools_s, 3),
        "timeline_started_at": round(stats.started_at, 3),
        "actors": {key: actor_metrics(actor, wall_s, stats.started_at) for key, actor in stats.actors.items()},
    }


def actor_metrics(actor: ActorStats, wall_s: float, origin: float) -> dict[str, Any]:
    """Busy time and utilisation (busy / wall), batch sizes, each request's wait for its batch to start, and
    the timeline: per batch [start, busy seconds, size], start in seconds from `origin` (scheduling began)."""
    sizes, waits = actor.batch_sizes, sorted(actor.queue_s)
    return {
        "busy_s": round(actor.busy_s, 3),
        "utilisation": _ratio(actor.busy_s, wall_s, 3),
        "batches": len(sizes),
        "retried_batches": actor.retried_batches,
        "requests": sum(sizes),
        "mean_batch_size": round(sum(sizes) / len(sizes), 2) if sizes else 0.0,
        "max_batch_size": max(sizes, default=0),
        "batch_size_histogram": {str(size): count for size, count in sorted(Counter(sizes).items())},
        "queue_s": {
            "total": round(sum(waits), 3),
            "mean": round(sum(waits) / len(waits), 4) if waits else 0.0,
            "p50": round(_percentile(waits, 50), 4),
            "p95": round(_percentile(waits, 95), 4),
            "max": round(waits[-1], 4) if waits else 0.0,
        },
        "timeline": [[round(start - origin, 4), round(busy, 4), size] for (start, busy), size in zip(actor.spans, sizes)],
    }


def _ratio(amount: float, wall_s: float, digits: int) -> float:
    return round(amount / wall_s, digits) if wall_s else 0.0


def _percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for none)."""
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]
