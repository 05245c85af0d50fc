"""Which running runs grow into a sweep's free GPUs (docs/cluster.md, "Runs grow into freed GPUs").

A pure decision, shared by the sweep (engine.runner.sweep) and the cluster model (perf/cluster_model.py): given
the GPUs no queued run can take and what each running run still has to do, it hands out one replica at a time:
1. to the run that would finish last: the most work left per GPU it holds (a GPU given to a run about to end
   is lost to the sweep's makespan; one given to the last run shortens it);
2. to that run's bottleneck engine: the most requests in flight per replica;
3. only where that engine has more than the router's spill margin in flight per replica: a new replica takes
   the first requests of new trajectories and those that spill from an overloaded home (engine.execution.
   routing), and below the margin no started trajectory would ever reach it;
4. within the run's cap, and only while the replica's GPUs fit.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.execution.routing import SPILL_MARGIN


@dataclass
class RunLoad:
    """What a running run has and still has to do, as the decision sees it."""
    name: str
    work_left: float  # trajectories not finished
    gpus: float  # GPUs it holds now (grown ones included)
    in_flight: dict[str, int]  # per engine: requests in flight on its replicas
    replicas: dict[str, int]  # per engine: replicas now
    gpus_each: dict[str, float]  # per engine: GPUs one more replica takes
    can_grow: int  # replicas it may still add (its cap less those it grew)


@dataclass(frozen=True)
class Growth:
    run: str
    engine: str


@dataclass
class _Candidate:
    load: RunLoad
    replicas: dict[str, int] = field(default_factory=dict)


def plan_growth(free_gpus: float, runs: list[RunLoad], min_in_flight: int = SPILL_MARGIN) -> list[Growth]:
    """The replicas to add, in order (rules in the module docstring); ties go to the run and engine given first."""
    candidates = [_Candidate(run, dict(run.replicas)) for run in runs]
    gpus = {c.load.name: c.load.gpus for c in candidates}
    room = {c.load.name: c.load.can_grow for c in candidates}
    plan: list[Growth] = []
    while True:
        growable = [(c, engine) for c in candidates if room[c.load.name] > 0
                    if (engine := _bottleneck(c, free_gpus, min_in_flight)) is not None]
        if not growable:
            return plan
        chosen, engine = max(growable, key=lambda pair: pair[0].load.work_left / max(gpus[pair[0].load.name], 1e-9))
        plan.append(Growth(chosen.load.name, engine))
        chosen.replicas[engine] += 1
        gpus[chosen.load.name] += chosen.load.gpus_each[engine]
        room[chosen.load.name] -= 1
        free_gpus -= chosen.load.gpus_each[engine]


def _bottleneck(candidate: _Candidate, free_gpus: float, min_in_flight: int) -> str | None:
    """The engine with the most requests in flight per replica, if a new replica of it fits and would get work."""
    load = candidate.load
    fits = [engine for engine, n in candidate.replicas.items()
            if load.gpus_each.get(engine, 0) <= free_gpus + 1e-9 and load.in_flight.get(engine, 0) / n > min_in_flight]
    if not fits:
        return None
    return max(fits, key=lambda engine: load.in_flight.get(engine, 0) / candidate.replicas[engine])
