"""Which idle replicas a running run gives back to the sweep: the broader give-back the cluster model tries
beside the engine's own (docs/cluster.md, "Runs give back finished engines").

The engine gives back whole engines once no trajectory has their role ahead (engine.schedule.loop,
Executor.release); the model's ENGINE_RELEASE applies that rule through this function (idle 0, finished
roles only, as the agents declare them). The rules below go further: idle replicas of roles still in use,
and roles finished as the model knows them. A pure decision used by the cluster model (perf/cluster_model.py)
only, so it lives here, beside the model; it names replicas, the caller releases them. A replica goes when:
1. someone could use its GPU (the caller says so: a queued run, or the growth decision for another run);
2. it has had no queued or running work for `idle_s` (an idle replica is the least loaded, so the router
   sends it every new trajectory first: idle this long means none came and every home is elsewhere);
3. its role has few trajectories left to serve: at most MIN_TRAJECTORIES per live replica, the one going
   counted (`needing`: those that will still call the role; trajectories left, where the caller cannot tell).
   Growth's rule mirrored (engine.execution.growth): a replica is never given back while growth would add it,
   so no GPU goes back and forth; and at a run's start, when the caller and summarizer have had no work yet
   but every trajectory will need them, nothing goes;
4. its role keeps at least `keep` live replicas (one, so the run can always finish); a role no live or
   queued trajectory will call again may go to zero, only where the caller knows that (`needing` = 0) and
   allows it (`release_finished`); with `min_trajectories` 0 only such roles go (the engine's rule).
Replicas grown last go first (highest index), so a role shrinks back towards what the run started with.
"""
from __future__ import annotations

from dataclasses import dataclass

from engine.execution.growth import MIN_TRAJECTORIES

KEEP = 1  # replicas of a role a run always keeps


@dataclass
class RoleIdle:
    """One role of a running run, as the decision sees it."""
    run: str
    role: str
    idle_s: list[float | None]  # per replica: seconds it has had no work; None: busy or already given back
    live: int  # replicas still routed to
    needing: int  # trajectories (live or queued) that will still call the role (at most those left)


@dataclass(frozen=True)
class GiveBack:
    run: str
    role: str
    replica: int


def plan_giveback(roles: list[RoleIdle], idle_s: float, keep: int = KEEP, release_finished: bool = False,
                  min_trajectories: int = MIN_TRAJECTORIES) -> list[GiveBack]:
    """The replicas to give back (rules in the module docstring), in the order of `roles`."""
    if keep < 1:
        raise ValueError(f"keep must be >= 1, not {keep}: a run gives back no role's last replica")
    plan = []
    for state in roles:
        floor = 0 if release_finished and state.needing == 0 else keep
        live = state.live
        for replica in sorted((n for n, s in enumerate(state.idle_s) if s is not None and s >= idle_s), reverse=True):
            if live <= floor or state.needing > min_trajectories * live:
                break
            plan.append(GiveBack(state.run, state.role, replica))
            live -= 1
    return plan
