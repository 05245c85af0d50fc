"""The pipelined schedule: the same trajectories as lockstep, max_active, and the per-actor accounting."""
from __future__ import annotations

import dataclasses
import json
import re
import time

import pytest

import run_eval
from benchmarks.loading import load_benchmark
from engine.agents import make_agent, start_episode
from engine.backends.modelled import ModelledBackend, TimingProfile
from engine.backends.scripted import ScriptedBackend, call_once_then_answer, register_script
from engine.backends.scripted import _OBSERVATION_MARKERS as OBSERVATION_MARKERS
from engine.runner.tool_simulator import build_simulator
from engine.execution.local import LocalExecutor
from engine.runner.metrics import actor_metrics
from engine.execution.placement import distinct_models
from engine.config.presets import PRESETS
from engine.schedule import SCHEDULES
from engine.types import RoleRequest
from tests.helpers.scheduling import run, scripted, tiny, weather_tasks
from tools_sim.cache import ResponseCache
from tools_sim.simulator import Simulator

SCHEDULE_NAMES = list(SCHEDULES)


def call_k_times(request: RoleRequest) -> str:
    """Calls a tool 1 to 3 times (by the task's city number), then answers: trajectories of unequal length."""
    text = str(request.prompt)
    calls_wanted = 1 + int(re.search(r"city (\d+)", text).group(1)) % 3
    if sum(text.count(marker) for marker in OBSERVATION_MARKERS) >= calls_wanted:
        return call_once_then_answer(request)  # it has seen an observation: it concludes or answers
    if request.role == "planner":
        return "I should call forecast_for_weather_api. Next: caller."
    return 'Thought: call it.\nAction: forecast_for_weather_api\nAction Input: {"city_name": "x"}'


register_script("call-k-times", call_k_times)

AGENTS = {
    "alpha-umi, an actor per role": scripted("alpha-umi", "call-k-times", per_role=True, batch_size=3),
    "alpha-umi, one shared actor": scripted("alpha-umi", "call-k-times", batch_size=3),
    "chat-multi, an actor per role": scripted("chat-multi", "call-k-times", per_role=True, batch_size=2),
    "chat-single": scripted("chat-single", "call-k-times", batch_size=3),
    "toolllama": scripted("toolllama", "call-k-times", batch_size=3),
}


@pytest.mark.parametrize("name", AGENTS)
def test_pipelined_gives_the_trajectories_of_lockstep_with_the_scripted_backend(name):
    agent = AGENTS[name]
    lockstep, _ = run(agent, weather_tasks(10))
    pipelined, scheduler = run(agent, weather_tasks(10), "pipelined")
    assert pipelined == lockstep
    assert {len(r["calls"]) for r in lockstep} == {1, 2, 3}  # trajectories of unequal length, out of phase
    assert all(r["status"] == "answered" for r in lockstep)
    sizes = [size for actor in scheduler.stats.actors.values() for size in actor.batch_sizes]
    assert max(sizes) <= agent.roles[next(iter(agent.roles))].batch_size and sum(sizes) == scheduler.stats.role_calls


def test_pipelined_runs_a_tool_only_agent_like_lockstep():
    bench = load_benchmark("embedded", per_group=3)
    lockstep, _ = run(PRESETS["oracle"], bench.tasks, simulator=build_simulator(bench, None, "synthesize"))
    pipelined, scheduler = run(PRESETS["oracle"], bench.tasks, "pipelined", simulator=build_simulator(bench, None, "synthesize"))
    assert pipelined == lockstep and len(pipelined) == 18
    assert all(r["status"] == "answered" for r in pipelined)
    assert scheduler.stats.tool_calls == sum(len(r["calls"]) for r in pipelined)


@pytest.mark.slow
@pytest.mark.parametrize("preset", ["alpha-umi", "chat-single"])
def test_pipelined_gives_the_trajectories_of_lockstep_with_a_real_tiny_model(tiny_model_dir, preset):
    agent = tiny(preset, tiny_model_dir, per_role=True, batch_size=2)
    lockstep, _ = run(agent, weather_tasks(5))
    pipelined, _ = run(agent, weather_tasks(5), "pipelined")
    assert pipelined == lockstep
    assert all(r["status"] in ("answered", "gave_up", "max_steps") for r in pipelined)


@pytest.mark.parametrize("schedule", SCHEDULE_NAMES)
def test_max_active_bounds_the_trajectories_in_flight(schedule):
    agent = scripted("alpha-umi", "call-k-times", per_role=True, batch_size=4)
    tasks = weather_tasks(9)
    count = {"admitted": 0, "finished": 0, "peak": 0}

    def episodes():
        for task in tasks:
            count["admitted"] += 1
            count["peak"] = max(count["peak"], count["admitted"] - count["finished"])
            yield start_episode(task, agent, 0)

    def finished(episode):
        count["finished"] += 1

    scheduler = SCHEDULES.get(schedule)(make_agent(agent), LocalExecutor(distinct_models(agent.roles)),
                                    Simulator(ResponseCache()), max_active=3)
    scheduler.run(episodes(), finished)
    assert scheduler.peak_active == 3
    assert count == {"admitted": 9, "finished": 9, "peak": 4}  # drawn: one ahead (how the loop knows none is left)
    assert run(agent, tasks, schedule, max_active=3)[0] == run(agent, tasks)[0]


def _sleeping_backends(agent, seconds_per_batch: float) -> dict[str, ModelledBackend]:
    profile = TimingProfile(overhead_s=seconds_per_batch, prefill_s=0.0, decode_s=0.0)
    return {key: ModelledBackend(ScriptedBackend(call_once_then_answer), profile, spec.batch_size, "sleeper")
            for key, spec in distinct_models(agent.roles).items()}


def _planner_one_at_a_time():
    agent = scripted("alpha-umi", "call-once-then-answer", per_role=True, batch_size=4)
    roles = {role: dataclasses.replace(spec, batch_size=1) if role == "planner" else spec for role, spec in agent.roles.items()}
    return dataclasses.replace(agent, roles=roles)


@pytest.mark.parametrize("schedule", ["lockstep", "pipelined"])  # continuous: test_modelled's engine model
def test_busy_time_is_the_sum_of_the_modelled_batches(schedule):
    agent = _planner_one_at_a_time()
    executor = LocalExecutor(distinct_models(agent.roles), _sleeping_backends(agent, 0.05))
    start = time.perf_counter()
    _, scheduler = run(agent, weather_tasks(4), schedule, executor=executor)
    wall = time.perf_counter() - start
    models = distinct_models(agent.roles)
    for key, actor in scheduler.stats.actors.items():  # 0.05 s per sub-batch of at most the model's batch size
        modelled = 0.05 * sum(-(-size // models[key].batch_size) for size in actor.batch_sizes)
        assert modelled <= actor.busy_s <= wall  # counted per batch, not per request: a load stretches both
    if schedule == "lockstep":  # one role per tick: the actors' batches never overlap, so their busy time adds up
        assert sum(actor.busy_s for actor in scheduler.stats.actors.values()) <= wall
    assert scheduler.stats.actors[agent.roles["planner"].actor_key].busy_s >= 8 * 0.05
    # Pipelined: the caller and summarizer worked while the planner did. Lockstep: one role per tick here.
    # Read from the actors' spans, not the wall clock, which a loaded machine stretches.
    assert (_overlap_s(scheduler.stats.actors) > 0.02) == (schedule == "pipelined")


def _overlap_s(actors) -> float:
    """Seconds during which batches of two different actors ran at once."""
    spans = [(key, start, start + busy) for key, actor in actors.items() for start, busy in actor.spans]
    return sum(max(0.0, min(end_a, end_b) - max(start_a, start_b))
               for i, (key_a, start_a, end_a) in enumerate(spans)
               for key_b, start_b, end_b in spans[i + 1:] if key_a != key_b)


def test_queueing_time_runs_until_the_batch_starts():
    """Pipelined: four new trajectories wait in the planner's queue for its one-request batches (0, 1, 2, 3
    batches of 0.05 s). Lockstep hands the actor all four at once: they wait inside its call, counted busy."""
    agent = _planner_one_at_a_time()
    waits = {}
    for schedule in SCHEDULE_NAMES:
        executor = LocalExecutor(distinct_models(agent.roles), _sleeping_backends(agent, 0.05))
        _, scheduler = run(agent, weather_tasks(4), schedule, executor=executor)
        waits[schedule] = sorted(scheduler.stats.actors[agent.roles["planner"].actor_key].queue_s)
    assert len(waits["pipelined"]) == len(waits["lockstep"]) == 8
    assert waits["pipelined"][-1] >= 0.15 - 0.01 and sum(waits["pipelined"]) >= 0.3 - 0.02
    assert waits["lockstep"][-1] < waits["pipelined"][-1] / 2  # handed over at once: no batch waited for


@pytest.mark.parametrize("schedule", SCHEDULE_NAMES)
def test_run_outputs_record_the_schedule_and_every_actor(tmp_path, schedule):
    argv = ["run", "--agent", "chat-multi", "--benchmark", "embedded", "--per-group", "1", "--backend", "modelled",
            "--model", "call-once-then-answer@gpu-like", "--batch-size", "4", "--executor", "local",
            "--schedule", schedule, "--out", str(tmp_path), "--no-progress"]
    assert run_eval.main(argv) == 0
    run_dir = tmp_path / "chat-multi__embedded__seed0"
    assert json.loads((run_dir / "run.json").read_text())["schedule"] == schedule
    speed = json.loads((run_dir / "metrics.json").read_text())["speed"]
    assert speed["schedule"] == schedule
    actor = speed["actors"]["modelled:call-once-then-answer@gpu-like:bf16"]
    assert set(actor) == {"busy_s", "utilisation", "batches", "retried_batches", "requests", "mean_batch_size",
                          "max_batch_size", "batch_size_histogram", "queue_s", "timeline"}
    assert set(actor["queue_s"]) == {"total", "mean", "p50", "p95", "max"}
    assert actor["requests"] == speed["role_calls"] == 6 * 4
    assert sum(actor["batch_size_histogram"].values()) == actor["batches"]
    assert actor["max_batch_size"] == {"pipelined": 4, "continuous": 1}.get(schedule, 6)  # continuous: one by one
    assert actor["utilisation"] == pytest.approx(actor["busy_s"] / speed["wall_s"], abs=0.01)


@pytest.mark.parametrize("schedule", ["lockstep", "pipelined"])  # continuous: tests/engine/test_continuous.py
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
    """Each actor's busy timeline: one [start offset, busy seconds, batch size] per batch."""
    argv = ["run", "--agent", "chat-multi", "--benchmark", "embedded", "--per-group", "1", "--backend", "scripted",
            "--model", "call-once-then-answer", "--executor", "local", "--schedule", "lockstep", "--out", str(tmp_path),
            "--no-progress"]
    assert run_eval.main(argv) == 0
    speed = json.loads((tmp_path / "chat-multi__embedded__seed0" / "metrics.json").read_text())["speed"]
    [actor] = speed["actors"].values()
    assert len(actor["timeline"]) == actor["batches"] == 4  # lockstep: planner, caller, planner, summarizer
    assert speed["timeline_started_at"] > 1e9  # a Unix time: offsets are from when scheduling began
    assert all(0 <= start <= speed["wall_s"] for start, _, _ in actor["timeline"])
