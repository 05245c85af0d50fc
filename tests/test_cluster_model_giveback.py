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


def test_the_engines_rule_releases_finished_roles_only_and_the_caller_with_the_planner():
    """ENGINE_RELEASE, the engine's own rule: a role goes, all its replicas at once, once no trajectory has it
    ahead as the agents declare it (the caller stays while the planner does), whether a run waits or not."""
    from perf.cluster_model import ENGINE_RELEASE

    held_runs, _ = _sweep(None)
    runs, result = _sweep(ENGINE_RELEASE)
    assert all(run.left == 0 for run in runs) and runs[1].started_at < held_runs[1].started_at
    for run in runs:
        when = {role: [t for t, r, _ in run.given_back if r == role] for role in run.replicas}
        assert len(when["planner"]) == run.replicas["planner"] and len(when["caller"]) == run.replicas["caller"]
        assert min(when["caller"]) >= max(when["planner"])  # declared: ahead while the planner is
        assert max(when["planner"]) < run.ended_at  # before the run's end: its tail is the summarizer's
    alone = [RunModel("alone", 60, {"planner": 1, "caller": 1, "summarizer": 1})]
    simulate(alone, 3, give_back=ENGINE_RELEASE)
    assert {role for _, role, _ in alone[0].given_back} >= {"planner", "caller"}  # no taker needed
