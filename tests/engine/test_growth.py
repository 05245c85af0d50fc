"""The growth decision (engine.execution.growth): which running run and engine get a sweep's free GPUs."""
from __future__ import annotations

from engine.execution.growth import Growth, RunLoad, plan_growth
from engine.execution.routing import SPILL_MARGIN

ENGINES = ("planner", "caller", "summarizer")


def _run(name: str, left: float, in_flight: dict[str, int], gpus: float = 3.0, can_grow: int = 8,
         replicas: dict[str, int] | None = None) -> RunLoad:
    replicas = replicas or dict.fromkeys(ENGINES, 1)
    return RunLoad(name, left, gpus, in_flight, replicas, dict.fromkeys(replicas, 1.0), can_grow)


def test_a_free_gpu_goes_to_the_bottleneck_engine_of_the_run_with_most_work_left_per_gpu():
    runs = [_run("a", 50, {"planner": 40, "caller": 30, "summarizer": 10}),
            _run("b", 200, {"planner": 12, "caller": 5, "summarizer": 90})]
    assert plan_growth(1, runs) == [Growth("b", "summarizer")]


def test_work_left_is_per_gpu_held_and_the_bottleneck_is_per_replica():
    runs = [_run("a", 100, {"planner": 60, "caller": 40, "summarizer": 0}, gpus=4,
                 replicas={"planner": 2, "caller": 1, "summarizer": 1}),  # 25 per GPU
            _run("b", 60, {"planner": 30}, gpus=3)]  # 20 per GPU
    assert plan_growth(1, runs) == [Growth("a", "caller")]  # 40 per caller replica beats 30 per planner one


def test_several_gpus_are_handed_out_one_at_a_time_with_the_counts_updated():
    runs = [_run("a", 90, {"planner": 90, "caller": 40, "summarizer": 0})]
    # planner 90 per replica; then 45, still above caller's 40; then 30, below it
    assert plan_growth(3, runs) == [Growth("a", "planner"), Growth("a", "planner"), Growth("a", "caller")]


def test_nothing_grows_without_work_room_or_a_fitting_gpu():
    idle = _run("idle", 100, {"planner": SPILL_MARGIN, "caller": 0, "summarizer": 0})  # no spill would reach it
    capped = _run("capped", 100, {"planner": 90}, can_grow=0)
    assert plan_growth(4, [idle, capped]) == []
    assert plan_growth(0.5, [_run("a", 100, {"planner": 90})]) == []  # a replica takes a whole GPU
    assert len(plan_growth(5, [_run("a", 100, {"planner": 900}, can_grow=2)])) == 2  # the cap holds


def test_two_runs_share_the_gpus_as_their_time_left_evens_out():
    runs = [_run("a", 120, {"planner": 300}), _run("b", 90, {"planner": 300})]
    plan = plan_growth(3, runs)
    # a: 40 per GPU -> 30 after one; b: 30 per GPU; a tie goes to the run given first
    assert [g.run for g in plan] == ["a", "a", "b"]
