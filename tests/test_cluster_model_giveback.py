"""perf/cluster_model.py's give-back: runs hand idle replicas to a queued run, and every trajectory still ends."""
from __future__ import annotations

from perf.cluster_model import GiveBackRule, RunModel, simulate, sweep_runs


def _sweep(rule: GiveBackRule | None, load_s: float = 0.0) -> tuple[list[RunModel], dict]:
    runs = sweep_runs(3, 60, 3, False)
    return runs, simulate(runs, 4, give_back=rule, load_s=load_s)


def test_a_queued_run_starts_on_replicas_given_back_and_nothing_is_lost():
    held_runs, held = _sweep(None)
    runs, result = _sweep(GiveBackRule(idle_s=1.0, release_finished=True))
    assert result["replicas_given_back"] > 0 and all(run.left == 0 for run in runs)
    # the second run waited for the first to end; with give-back it starts in the first run's tail
    assert runs[1].started_at < held_runs[1].started_at == held_runs[0].ended_at


def test_every_role_keeps_a_replica_unless_finished_roles_may_go():
    runs, _ = _sweep(GiveBackRule(idle_s=1.0))
    assert all(sum(run.routers[role].alive) >= 1 for run in runs for role in run.routers)
    runs, _ = _sweep(GiveBackRule(idle_s=1.0, release_finished=True))
    assert any(sum(run.routers[role].alive) == 0 for run in runs for role in run.routers)


def test_a_model_load_delays_the_start():
    _, quick = _sweep(None)
    _, loaded = _sweep(None, load_s=30.0)
    assert loaded["makespan_s"] >= quick["makespan_s"] + 30.0
