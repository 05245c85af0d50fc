"""Per run and per group: how many trajectories have each category (and how many steps), the first errors
and the shares of the roles that made them, the pass rate of the trajectories with each category, and
where the observations came from. Folded one trajectory at a time."""
from __future__ import annotations

from collections import Counter
from typing import Any

from benchmarks.toolbench import order_groups

NO_ERROR = "none"  # the first-error key of a trajectory without errors


def _percent(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 2) if whole else None


class Tally:
    """The figures of one scope (a run, or one group of it)."""

    def __init__(self) -> None:
        self.n = 0
        self.with_category: Counter[str] = Counter()  # trajectories having it at some step
        self.steps: Counter[str] = Counter()  # steps having it
        self.first: Counter[str] = Counter()
        self.roles: Counter[str] = Counter()
        self.scored: Counter[str] = Counter()  # scored trajectories having the category
        self.passed: Counter[str] = Counter()
        self.sources: Counter[str] = Counter()

    def add(self, entry: dict[str, Any]) -> None:
        self.n += 1
        found: set[str] = set()
        for step in entry["steps"]:
            names = {e["category"] for e in step["errors"]}
            self.steps.update(names)
            found |= names
            if "source" in step:
                source = step["source"]
                self.sources[source["kind"] + (f":{source['policy']}" if "policy" in source else "")] += 1
        self.with_category.update(found)
        first = entry["first_error"]
        self.first[first["category"] if first else NO_ERROR] += 1
        if first:
            self.roles[first["role"]] += 1
        if entry.get("passed") is not None:
            for name in found or {NO_ERROR}:
                self.scored[name] += 1
                self.passed[name] += bool(entry["passed"])

    def figures(self) -> dict[str, Any]:
        errors = sum(self.roles.values())
        return {
            "n": self.n,
            "counts": dict(sorted(self.with_category.items())),
            "rates": {k: _percent(v, self.n) for k, v in sorted(self.with_category.items())},
            "step_counts": dict(sorted(self.steps.items())),
            "first_error": dict(sorted(self.first.items())),
            "first_error_roles": {k: _percent(v, errors) for k, v in sorted(self.roles.items())},
            "pass_rate_given": {k: {"n": self.scored[k], "rate": _percent(self.passed[k], self.scored[k])}
                                for k in sorted(self.scored)},
            "observation_sources": dict(sorted(self.sources.items())),
        }


class Aggregate:
    """A run's Tally overall and one per group."""

    def __init__(self) -> None:
        self.overall = Tally()
        self.groups: dict[str, Tally] = {}

    def add(self, entry: dict[str, Any]) -> None:
        self.overall.add(entry)
        self.groups.setdefault(entry["group"], Tally()).add(entry)

    def figures(self) -> dict[str, Any]:
        return {"overall": self.overall.figures(),
                "groups": {g: self.groups[g].figures() for g in order_groups(set(self.groups))}}
