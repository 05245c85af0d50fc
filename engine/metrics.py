"""Rule-based run figures (no judge): outcome rates, failures, steps, tokens and throughput."""
from __future__ import annotations

from collections import Counter
from typing import Any

from tools_sim.observation import STATUS_NO_SUCH_FUNCTION, STATUS_REQUEST_INVALID

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


def throughput_metrics(new_records: list[dict[str, Any]], wall_s: float, busy_s: dict[str, float], scheduler_stats: Any) -> dict[str, Any]:
    """Speed of this invocation only (resumed trajectories were timed by the run that made them)."""
    completion = sum(u["completion_tokens"] for u in token_usage(new_records).values())
    batch_sizes = scheduler_stats.batch_sizes
    return {
        "wall_s": round(wall_s, 3),
        "trajectories_this_invocation": len(new_records),
        "trajectories_per_s": round(len(new_records) / wall_s, 3) if wall_s else 0.0,
        "completion_tokens_per_s": round(completion / wall_s, 2) if wall_s else 0.0,
        "ticks": scheduler_stats.ticks,
        "role_calls": scheduler_stats.role_calls,
        "generate_wall_s": round(scheduler_stats.generate_s, 3),
        "tools_wall_s": round(scheduler_stats.tools_s, 3),
        "actors": {
            key: {
                "busy_s": round(busy, 3),
                "utilisation": round(busy / wall_s, 3) if wall_s else 0.0,
                "batches": len(batch_sizes.get(key, [])),
                "mean_batch_size": round(sum(batch_sizes.get(key, [])) / max(1, len(batch_sizes.get(key, []))), 2),
            }
            for key, busy in busy_s.items()
        },
    }
