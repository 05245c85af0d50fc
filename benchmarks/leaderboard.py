"""One leaderboard from many run folders: leaderboard.json (DESIGN.md schema) and a text table."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from benchmarks.toolbench import order_groups

SCHEMA_VERSION = 1


def _read(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from None


def entry(run_dir: Path) -> dict[str, Any]:
    """A run's row: its scores with intervals, its rule-based figures and what produced it."""
    manifest, scores, metrics = (_read(run_dir / name) for name in ("run.json", "scores.json", "metrics.json"))
    if not manifest:
        raise ValueError(f"{run_dir}: not a run folder (no run.json)")
    overall = metrics.get("overall", {})
    return {
        "run": manifest["run_name"],
        "agent": manifest["agent"]["name"],
        "kind": manifest["agent"]["kind"],
        "models": sorted({m.get("model", "") for m in manifest.get("models", {}).values()}),
        "benchmark": manifest.get("benchmark", {}).get("name"),
        "judge": scores.get("judge", {}).get("id"),
        "metric": scores.get("metric"),
        "overall": scores.get("overall"),
        "groups": scores.get("groups", {}),
        "answered_rate": overall.get("answered_rate"),
        "invalid_call_rate": overall.get("invalid_call_rate"),
        "mean_steps": overall.get("mean_steps"),
        "tokens": sum(u["prompt_tokens"] + u["completion_tokens"] for u in overall.get("tokens", {}).values()),
        "wall_s": metrics.get("speed", {}).get("wall_s"),
        "status": manifest.get("status"),
    }


def build(run_dirs: list[Path]) -> dict[str, Any]:
    entries = [entry(d) for d in run_dirs]
    entries.sort(key=lambda e: -((e["overall"] or {}).get("rate") or 0.0))
    return {"schema_version": SCHEMA_VERSION, "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "entries": entries}


def _rate(score: dict[str, Any] | None) -> str:
    if not score or score.get("rate") is None:
        return "-"
    low, high = score["ci95"]
    return f"{score['rate']:.1f} [{low:.0f},{high:.0f}]"


def table(board: dict[str, Any]) -> str:
    """A Markdown table: per group the verified/judged pass rate with its 95% interval, then run figures."""
    groups = order_groups({g for e in board["entries"] for g in e["groups"]})
    head = ["agent", "kind", *groups, "overall", "answered %", "invalid call %", "mean steps", "tokens", "wall s"]
    rows = [[e["agent"], e["kind"], *(_rate(e["groups"].get(g)) for g in groups), _rate(e["overall"]),
             str(e["answered_rate"]), str(e["invalid_call_rate"]), str(e["mean_steps"]), str(e["tokens"]), str(e["wall_s"])]
            for e in board["entries"]]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
