"""What the report shows, read from run folders: leaderboard entries, single/multi pairs, per-role usage,
actor timelines, trajectories with their verdicts and DFSDT trees. Files only: no model, no engine.

Runs are told apart by their folder, never by their name (names repeat across output folders): each gets
a page key (`r0`, `r1`, ...) and a label, its run name, or `parent/name` where names repeat.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.analysis import analyse
from benchmarks.analysis.sources import run_source
from benchmarks.leaderboard import entry, pairable
from benchmarks.results.files import ANSWER_DIR, SCORES_FILE, TRAJECTORIES_FILE, read_json
from benchmarks.results.metrics_file import read_metrics
from benchmarks.results.shapes import readable_runs
from benchmarks.results.raw_answers import query_id
from benchmarks.results.scores import passed_by_query, read_scores
from benchmarks.results.trajectories import latest_records
from benchmarks.scoring.intervals import paired_difference
from benchmarks.scoring.verified_scores import regenerated_gold_facts
from benchmarks.results.manifest import read_manifest

USAGE_FIELDS = ("calls", "prompt_tokens", "completion_tokens", "latency_s")


@dataclass
class RunView:
    key: str  # the run's id in the page
    label: str
    folder: Path
    entry: dict[str, Any]  # its leaderboard entry (benchmarks.leaderboard.entry)
    records: list[dict[str, Any]]  # latest record of each trajectory, file order
    passed: dict[str, float]  # per task key, from scores.json
    metrics: dict[str, Any]
    trees: dict[str, dict[str, Any]] = field(default_factory=dict)  # task key -> DFSDT root node
    gold: dict[str, tuple[str, ...]] = field(default_factory=dict)  # task key -> gold facts (embedded benchmark)
    analysis: dict[str, Any] = field(default_factory=dict)  # benchmarks.analysis: why trajectories failed

    @property
    def finished(self) -> bool:
        return self.entry["status"] == "finished"

    def verdict(self, task_key: str) -> str:
        if task_key not in self.passed:
            return "unscored"
        return "passed" if self.passed[task_key] else "failed"


def labels(folders: list[Path], names: list[str]) -> list[str]:
    """Run names, made unique where they repeat: `parent/name`, then a `#i` suffix if that repeats too."""
    repeated = {name for name, count in Counter(names).items() if count > 1}
    wanted = [f"{folder.parent.name}/{name}" if name in repeated else name for folder, name in zip(folders, names)]
    again = {label for label, count in Counter(wanted).items() if count > 1}
    return [f"{label} #{i}" if label in again else label for i, label in enumerate(wanted)]


def read_trees(folder: Path) -> dict[str, dict[str, Any]]:
    """DFSDT trees of a run: `answer/<group>/<qid>_<method>.json` files holding a `tree` (CoT runs have none)."""
    trees = {}
    for path in sorted((folder / ANSWER_DIR).glob("*/*.json")):
        raw = read_json(path, missing={})
        root = raw.get("tree", {}).get("tree") if isinstance(raw, dict) and isinstance(raw.get("tree"), dict) else None
        if isinstance(root, dict):
            trees[f"{path.parent.name}/{query_id(path.name)}"] = root
    return trees


def gather(folders: list[Path]) -> list[RunView]:
    """One view per run folder, in the order given."""
    read = readable_runs(folders, _read_run)  # a run with an unreadable file is skipped, with a warning
    names = labels([folder for folder, _ in read], [view.entry["run"] for _, view in read])
    for i, ((_, view), label) in enumerate(zip(read, names)):
        view.key, view.label = f"r{i}", label
    return [view for _, view in read]


def _read_run(folder: Path) -> RunView:
    return RunView(key="", label="", folder=folder, entry=entry(folder),
                   records=list(latest_records(folder / TRAJECTORIES_FILE).values()),
                   passed=passed_by_query(read_scores(folder / SCORES_FILE)), metrics=read_metrics(folder),
                   trees=read_trees(folder), gold=gold_facts(folder), analysis=analyse(run_source(folder)))


def gold_facts(folder: Path) -> dict[str, tuple[str, ...]]:
    """The facts a right answer states, where the benchmark has them (shown beside each final answer)."""
    try:
        return regenerated_gold_facts(read_manifest(folder))
    except ValueError:  # a benchmark without gold facts, or one that cannot be regenerated here
        return {}


def leaderboard_order(views: list[RunView]) -> list[RunView]:
    """Finished runs first, then by overall rate, best first; unfinished runs last."""
    return sorted(views, key=lambda v: (not v.finished, -((v.entry["overall"] or {}).get("rate") or 0.0), v.label))


def pairs(views: list[RunView]) -> list[dict[str, Any]]:
    """Single vs multi runs of one backbone (benchmarks.leaderboard.pairable), paired by folder: the
    difference multi - single over the tasks both scored, with its paired interval (benchmarks.scoring.intervals)."""
    return [{"single": s, "multi": m, "backbone": s.entry["models"],
             "difference": paired_difference(s.passed, m.passed)}
            for s in views for m in views if pairable(s.entry, m.entry)]


def first_errors_by_role(view: RunView) -> dict[str, dict[str, int]]:
    """{role: {first-error category: trajectories}} of a run, roles and categories sorted."""
    found: dict[str, dict[str, int]] = {}
    for trajectory in view.analysis.get("trajectories", {}).values():
        first = trajectory["first_error"]
        if first:
            by_role = found.setdefault(first["role"], {})
            by_role[first["category"]] = by_role.get(first["category"], 0) + 1
    return {role: dict(sorted(found[role].items())) for role in sorted(found)}


def role_usage(view: RunView) -> dict[str, dict[str, float]]:
    """Per role: model calls, prompt and completion tokens, and model time (latency_s summed over trajectories)."""
    usage: dict[str, dict[str, float]] = {}
    for record in view.records:
        for role, used in record.get("usage", {}).items():
            total = usage.setdefault(role, dict.fromkeys(USAGE_FIELDS, 0))
            for name in USAGE_FIELDS:
                total[name] += used.get(name, 0)
    return usage


def actor_timelines(view: RunView) -> dict[str, list[list[float]]]:
    """Per actor: its batches as [start s, busy s, size] (metrics.json; empty for runs made before timelines)."""
    actors = view.metrics.get("speed", {}).get("actors", {})
    return {key: actor.get("timeline", []) for key, actor in actors.items()}
