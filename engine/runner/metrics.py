"""Rule-based run figures (no judge): outcome rates, failures, steps, tokens and throughput."""
from __future__ import annotations

import math
from collections import Counter
from typing import TYPE_CHECKING, Any

from tools_sim.observation import STATUS_NO_SUCH_FUNCTION, STATUS_REQUEST_INVALID

if TYPE_CHECKING:
    from engine.schedule.loop import ActorStats, SchedulerStats

_INVALID_CALL = {STATUS_NO_SUCH_FUNCTION, STATUS_REQUEST_INVALID}
OUTCOMES = ("answered", "gave_up", "max_steps", "failed")


def _rate(count: float, total: int) -> float:
    return round(100.0 * count / total, 2) if total else 0.0


class OutcomeTally:
    """outcome_metrics folded one record at a time (a run's records are not all kept in memory)."""

    def __init__(self) -> None:
        self.n = 0
        self.outcomes: Counter[str] = Counter()
        self.sources: Counter[str] = Counter()
        self.sums = Counter({"parse_failures": 0, "records_with_parse_failures": 0, "unmarked_plans": 0,
                             "planner_retries": 0, "tool_calls": 0, "invalid": 0, "api_errors": 0, "steps": 0})
        self.usage: dict[str, dict[str, int]] = {}

    def add(self, record: dict[str, Any]) -> None:
        self.n += 1
        self.outcomes[record["status"]] += 1
        sums = self.sums
        for key in ("parse_failures", "unmarked_plans", "planner_retries", "steps"):
            sums[key] += record[key]
        sums["records_with_parse_failures"] += record["parse_failures"] > 0
        for call in record["calls"]:
            sums["tool_calls"] += 1
            sums["invalid"] += call["status"] in _INVALID_CALL
            sums["api_errors"] += call["status"] not in _INVALID_CALL and call["status"] != 0
            self.sources[call["source"]] += 1
        add_usage(self.usage, record)

    def metrics(self) -> dict[str, Any]:
        n, sums = self.n, self.sums
        return {
            "n": n,
            **{f"{o}_rate": _rate(self.outcomes[o], n) for o in OUTCOMES},
            "parse_failures": sums["parse_failures"],
            "parse_failure_rate": _rate(sums["records_with_parse_failures"], n),
            "unmarked_plans": sums["unmarked_plans"],
            "planner_retries": sums["planner_retries"],
            "tool_calls": sums["tool_calls"],
            "invalid_call_rate": _rate(sums["invalid"], sums["tool_calls"]),
            "api_error_rate": _rate(sums["api_errors"], sums["tool_calls"]),
            "observation_sources": dict(self.sources),
            "mean_steps": round(sums["steps"] / n, 3) if n else 0.0,
            "tokens": self.usage,
        }


def outcome_metrics(records: list[dict[str, Any]]) -> dict[str, Any]:
    tally = OutcomeTally()
    for record in records:
        tally.add(record)
    return tally.metrics()


def add_usage(usage: dict[str, dict[str, int]], record: dict[str, Any]) -> None:
    """Adds a record's per-role token usage to `usage` (role -> calls, prompt and completion tokens)."""
    for role, u in record["usage"].items():
        total = usage.setdefault(role, {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0})
        for key in total:
            total[key] += u[key]


def token_usage(records: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    usage: dict[str, dict[str, int]] = {}
    for record in records:
        add_usage(usage, record)
    return usage


def throughput_metrics(new_trajectories: int, completion: int, wall_s: float, stats: SchedulerStats) -> dict[str, Any]:
    """Speed of this invocation only (resumed trajectories were timed by the run that made them): its
    trajectories and their completion tokens."""
    return {
        "schedule": stats.schedule,
        "wall_s": round(wall_s, 3),
        "trajectories_this_invocation": new_trajectories,
        "trajectories_per_s": _ratio(new_trajectories, wall_s, 3),
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
