"""Each actor's busy timeline in metrics.json: one [start offset, busy seconds, batch size] per batch."""
from __future__ import annotations

import json

import pytest

import run_eval
from engine.executor import LocalExecutor
from engine.placement import distinct_models
from engine.metrics import actor_metrics
from tests.engine.test_pipeline import _planner_one_at_a_time, _sleeping_backends
from tests.helpers.scheduling import run, weather_tasks


@pytest.mark.parametrize("schedule", ["lockstep", "pipelined"])
def test_every_batch_is_a_span_of_its_actor(schedule):
    agent = _planner_one_at_a_time()
    executor = LocalExecutor(distinct_models(agent.roles), _sleeping_backends(agent, 0.05))
    _, scheduler = run(agent, weather_tasks(4), schedule, executor=executor)
    for actor in scheduler.stats.actors.values():
        timeline = actor_metrics(actor, 10.0, scheduler.stats.started_at)["timeline"]
        assert [size for _, _, size in timeline] == actor.batch_sizes
        assert all(start >= 0 and busy >= 0.05 - 0.005 for start, busy, _ in timeline)
        ordered = sorted(timeline)
        for (start, busy, _), (next_start, _, _) in zip(ordered, ordered[1:]):
            assert start + busy <= next_start + 0.005  # an actor runs one batch at a time
        assert sum(busy for _, busy, _ in timeline) == pytest.approx(actor.busy_s, abs=0.01)


def test_metrics_json_holds_the_timeline(tmp_path):
    argv = ["run", "--agent", "chat-multi", "--benchmark", "embedded", "--per-group", "1", "--backend", "scripted",
            "--model", "call-once-then-answer", "--executor", "local", "--out", str(tmp_path), "--no-progress"]
    assert run_eval.main(argv) == 0
    speed = json.loads((tmp_path / "chat-multi__embedded__seed0" / "metrics.json").read_text())["speed"]
    [actor] = speed["actors"].values()
    assert len(actor["timeline"]) == actor["batches"] == 4  # lockstep: planner, caller, planner, summarizer
    assert speed["timeline_started_at"] > 1e9  # a Unix time: offsets are from when scheduling began
    assert all(0 <= start <= speed["wall_s"] for start, _, _ in actor["timeline"])
