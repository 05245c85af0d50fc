"""The give-back decision of the cluster model (perf.giveback): which idle replicas a running run hands back."""
from __future__ import annotations

import pytest

from perf.giveback import GiveBack, RoleIdle, plan_giveback
from engine.execution.growth import MIN_TRAJECTORIES, RunLoad, plan_growth


def _role(idle: list[float | None], needing: int, live: int | None = None, role: str = "planner") -> RoleIdle:
    return RoleIdle("a", role, idle, sum(s is not False for s in idle) if live is None else live, needing)


def test_idle_replicas_go_last_grown_first_down_to_one():
    plan = plan_giveback([_role([5.0, 5.0, 5.0], needing=0)], idle_s=2.0)
    assert plan == [GiveBack("a", "planner", 2), GiveBack("a", "planner", 1)]  # replica 0 stays


def test_a_replica_idle_less_than_the_threshold_or_busy_stays():
    assert plan_giveback([_role([None, 1.0], needing=0)], idle_s=2.0) == []
    assert plan_giveback([_role([None, 3.0], needing=0)], idle_s=2.0) == [GiveBack("a", "planner", 1)]


def test_nothing_goes_while_the_role_has_trajectories_ahead_as_growth_would_add_it_back():
    many = 2 * MIN_TRAJECTORIES + 1  # over MIN_TRAJECTORIES for each of two replicas
    assert plan_giveback([_role([9.0, 9.0], needing=many)], idle_s=2.0) == []
    assert plan_giveback([_role([9.0, 9.0], needing=many - 1)], idle_s=2.0) == [GiveBack("a", "planner", 1)]
    # and growth would not add the replica given back: its run has no more trajectories than that
    load = RunLoad("a", many - 1, 1, {"planner": 1.0}, {"planner": 1}, {"planner": 1.0}, 8)
    assert plan_growth(1, [load]) == []


def test_a_finished_role_goes_to_zero_only_when_allowed():
    role = _role([4.0, 4.0], needing=0)
    assert plan_giveback([role], idle_s=2.0, release_finished=True) == [GiveBack("a", "planner", 1), GiveBack("a", "planner", 0)]
    assert plan_giveback([_role([4.0, 4.0], needing=1)], idle_s=2.0, release_finished=True) == [GiveBack("a", "planner", 1)]


def test_replicas_already_given_back_count_for_nothing():
    # replica 1 is gone (None, not live): the one live idle replica is the role's last
    assert plan_giveback([_role([4.0, None], needing=0, live=1)], idle_s=2.0) == []


def test_keeping_no_replica_is_refused():
    with pytest.raises(ValueError, match="keep must be >= 1"):
        plan_giveback([], idle_s=1.0, keep=0)
