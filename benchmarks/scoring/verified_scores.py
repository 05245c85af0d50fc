"""The verified pass rate of a run whose tasks carry gold facts (no judge model): engine.runner.run writes it.

A query passes when the trajectory finished with give_answer and the answer states every gold fact
(benchmarks.scoring.verified). Rates come per group and overall with their 95% intervals (benchmarks.scoring.intervals).
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from benchmarks.toolbench import order_groups
from benchmarks.core.types import Task
from benchmarks.scoring.judges import VERIFIED_JUDGE
from benchmarks.results.scores import ScoresDocument, scores_document
from benchmarks.scoring.intervals import rate_with_ci
from benchmarks.scoring.verified import verified_pass

def has_gold_facts(tasks: Iterable[Task]) -> bool:
    tasks = list(tasks)
    return bool(tasks) and all(t.gold is not None and t.gold.facts for t in tasks)


def verified_scores(records: Iterable[Mapping[str, Any]], tasks: Mapping[str, Task], seed: int = 0) -> ScoresDocument:
    passes: dict[str, bool] = {}
    groups: dict[str, list[bool]] = {}
    for record in records:
        task = tasks[record["task_key"]]
        passed = verified_pass(record["final_answer"], record["status"] == "answered", task.gold.facts)
        passes[record["task_key"]] = passed
        groups.setdefault(record["group"], []).append(passed)
    rates = {"groups": {g: rate_with_ci(groups[g], seed=seed) for g in order_groups(groups)},
             "overall": rate_with_ci(list(passes.values()), seed=seed)}
    return scores_document("verified_pass_rate", VERIFIED_JUDGE, rates, {k: {"passed": p} for k, p in passes.items()})


def regenerated_gold_facts(manifest: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """{task key: gold facts} of a run of the embedded benchmark, regenerated from run.json's benchmark
    info (name, per_group, seed) and checked against its sha256, so the facts are the run's own."""
    info = manifest.get("benchmark") or {}
    if info.get("name") != "embedded":
        raise ValueError(f"the verified judge needs gold facts; only runs of the embedded benchmark carry them "
                         f"(this run's benchmark: {info.get('name')!r})")
    from benchmarks.embedded import load_embedded

    bench = load_embedded(per_group=info.get("per_group"), seed=info.get("seed", 0))
    if info.get("sha256") and bench.info.get("sha256") != info["sha256"]:
        raise ValueError(f"the embedded benchmark regenerated here ({bench.info.get('world_version')}) differs from the "
                         f"run's ({info.get('world_version')}): its gold facts cannot be trusted for this run")
    return {t.key: t.gold.facts for t in bench.tasks if t.gold is not None}
