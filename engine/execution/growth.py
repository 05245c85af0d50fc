"""Which running runs grow into a sweep's free GPUs (docs/cluster.md, "Runs grow into freed GPUs").

A pure decision, shared by the sweep (engine.runner.sweep_growth) and the cluster model (perf/cluster_model.py):
given the GPUs no queued run can take and what each running run still has to do, it hands out one replica at
a time:
1. to the run that would finish last: the most trajectories left per GPU it holds (a GPU given to a run about
   to end is lost to the sweep's makespan; one given to the last run shortens it);
2. to that run's bottleneck engine: the most work per task per replica, the work `auto` sizes replicas by
   (engine.execution.replicas), so a grown run has the replicas `auto` would give it at its new GPU count.
   Not the requests in flight now: at a run's start every trajectory waits on the planner, and a rule by
   queue would give every free GPU to planners and leave the summarizer to be the run's tail
   (perf/cluster_model.py measured both);
3. only while the run has more than MIN_TRAJECTORIES trajectories left per replica of that engine, counting
   the new one: a replica loads a model, and serves only trajectories not yet homed elsewhere and those that
   spill from an overloaded home (engine.execution.routing);
4. within the run's cap, and only while the replica's GPUs fit.
"""
from __future__ import annotations

from dataclasses import dataclass, field

MIN_TRAJECTORIES = 8  # per replica of the engine, the new one counted


@dataclass
class RunLoad:
    """What a running run has and still has to do, as the decision sees it."""
    name: str
    trajectories_left: float  # trajectories not finished
    gpus: float  # GPUs it holds now (grown ones included)
    work_per_task: dict[str, float]  # per engine: the work `auto` sizes by (engine.execution.replicas.engine_work)
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


def plan_growth(free_gpus: float, runs: list[RunLoad], min_trajectories: int = MIN_TRAJECTORIES) -> list[Growth]:
    """The replicas to add, in order (rules in the module docstring); ties go to the run and engine given first."""
    candidates = [_Candidate(run, dict(run.replicas)) for run in runs]
    gpus = {c.load.name: c.load.gpus for c in candidates}
    room = {c.load.name: c.load.can_grow for c in candidates}
    plan: list[Growth] = []
    while True:
        growable = [(c, engine) for c in candidates if room[c.load.name] > 0
                    if (engine := _bottleneck(c, free_gpus, min_trajectories)) is not None]
        if not growable:
            return plan
        chosen, engine = max(growable, key=lambda pair: pair[0].load.trajectories_left / max(gpus[pair[0].load.name], 1e-9))
        plan.append(Growth(chosen.load.name, engine))
        chosen.replicas[engine] += 1
        gpus[chosen.load.name] += chosen.load.gpus_each[engine]
        room[chosen.load.name] -= 1
        free_gpus -= chosen.load.gpus_each[engine]


def _bottleneck(candidate: _Candidate, free_gpus: float, min_trajectories: int) -> str | None:
    """The engine with the most work per task per replica, if a new replica of it fits and has work."""
    load = candidate.load
    fits = [engine for engine, n in candidate.replicas.items()
            if load.gpus_each.get(engine, 0) <= free_gpus + 1e-9 and load.trajectories_left / (n + 1) > min_trajectories]
    if not fits:
        return None
    return max(fits, key=lambda engine: load.work_per_task.get(engine, 0.0) / candidate.replicas[engine])
