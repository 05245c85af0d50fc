"""The growth decision (engine.execution.growth): which running run and engine get a sweep's free GPUs."""
from __future__ import annotations

from engine.execution.growth import MIN_TRAJECTORIES, Growth, RunLoad, plan_growth

WORK = {"planner": 3.0, "caller": 2.0, "summarizer": 1.0}  # per task, as auto sizes by


def _run(name: str, left: float, gpus: float = 3.0, can_grow: int = 8, replicas: dict[str, int] | None = None,
         work: dict[str, float] = WORK) -> RunLoad:
    replicas = replicas or dict.fromkeys(work, 1)
    return RunLoad(name, left, gpus, work, replicas, dict.fromkeys(replicas, 1.0), can_grow)


def test_a_free_gpu_goes_to_the_run_with_most_trajectories_left_per_gpu_and_its_heaviest_engine():
    runs = [_run("a", 50), _run("b", 200, gpus=4, replicas={"planner": 2, "caller": 1, "summarizer": 1})]
    # b: 50 per GPU beats a's 16.7; its planner has 1.5 per replica, its caller 2
    assert plan_growth(1, runs) == [Growth("b", "caller")]


def test_several_gpus_are_handed_out_one_at_a_time_as_auto_would_size_the_run():
    from engine.execution.replicas import dhondt

    plan = plan_growth(5, [_run("a", 1000)])
    grown = {engine: 1 + sum(g.engine == engine for g in plan) for engine in WORK}
    assert plan[0] == Growth("a", "planner") and grown == dhondt(WORK, dict.fromkeys(WORK, 1), 8)


def test_nothing_grows_without_trajectories_room_or_a_fitting_gpu():
    few = _run("few", 2 * MIN_TRAJECTORIES)  # a second replica would share only MIN_TRAJECTORIES
    capped = _run("capped", 1000, can_grow=0)
    assert plan_growth(4, [few, capped]) == []
    assert plan_growth(0.5, [_run("a", 1000)]) == []  # a replica takes a whole GPU
    assert len(plan_growth(5, [_run("a", 1000, can_grow=2)])) == 2  # the cap holds
    # each engine's second replica would share just over MIN_TRAJECTORIES: one each, none a third
    assert plan_growth(5, [_run("a", 2 * MIN_TRAJECTORIES + 1)]) == [Growth("a", e) for e in ("planner", "caller", "summarizer")]


def test_two_runs_share_the_gpus_as_their_time_left_evens_out():
    runs = [_run("a", 120), _run("b", 90)]
    plan = plan_growth(3, runs)
    # a: 40 per GPU -> 30 after one; b: 30 per GPU; a tie goes to the run given first; then b (30) over a (24)
    assert [g.run for g in plan] == ["a", "a", "b"]
