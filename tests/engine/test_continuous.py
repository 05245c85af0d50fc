"""The continuous schedule: lockstep's trajectories, an admission window, no request waiting on another, and
an interrupted run that keeps only finished trajectories."""
from __future__ import annotations

import dataclasses
import json
import threading

import pytest

import run_eval
from benchmarks.results.trajectories import read_records
from engine.agents import make_agent, start_episode
from engine.backends.scripted import ScriptedBackend, call_once_then_answer, register_script
from benchmarks.loading import load_benchmark
from engine.schedule.continuous import TOOL_ONLY_WINDOW, WINDOW_PER_SLOT, ContinuousScheduler
from engine.runner.tool_simulator import build_simulator
from engine.execution.local import LocalExecutor
from engine.runner.metrics import actor_metrics
from engine.schedule.pipelined import PipelinedScheduler
from engine.execution.placement import assign_engines, distinct_models
from engine.config.presets import PRESETS, override_models
from engine.backends.streaming import ConcurrentStream
from tests.engine.test_pipeline import AGENTS
from tests.helpers.scheduling import run, scripted, tiny, weather_tasks
from tools_sim.cache import ResponseCache
from tools_sim.simulator import Simulator

SCHEDULES = ("lockstep", "pipelined", "continuous")
SCHEDULERS = {"pipelined": PipelinedScheduler, "continuous": ContinuousScheduler}


@pytest.mark.parametrize("name", AGENTS)
def test_continuous_gives_the_trajectories_of_lockstep_with_the_scripted_backend(name):
    agent = AGENTS[name]
    lockstep, _ = run(agent, weather_tasks(10))
    continuous, scheduler = run(agent, weather_tasks(10), "continuous")
    assert continuous == lockstep
    assert {len(r["calls"]) for r in lockstep} == {1, 2, 3}  # trajectories of unequal length, out of phase
    assert scheduler.stats.role_calls == sum(sum(u["calls"] for u in r["usage"].values()) for r in lockstep)


def _modelled(preset: str, model: str, batch_size: int = 8):
    agent = override_models(PRESETS[preset], backend="modelled", model=model, batch_size=batch_size)
    return assign_engines(dataclasses.replace(agent, placement="per-role"))


@pytest.mark.parametrize("preset", ["alpha-umi", "chat-single"])
def test_every_schedule_gives_the_same_trajectories_on_the_modelled_gpu(preset):
    """Reply lengths spread 10x: the continuous-batching model returns requests in another order than the
    batches do, and the trajectories are the same."""
    agent = _modelled(preset, "call-k-times@gpu-like,speed=20,spread=10")
    records = {schedule: run(agent, weather_tasks(24), schedule)[0] for schedule in SCHEDULES}
    assert records["continuous"] == records["pipelined"] == records["lockstep"]
    assert len(records["lockstep"]) == 24 and {len(r["calls"]) for r in records["lockstep"]} == {1, 2, 3}


def test_a_tool_only_agent_runs_like_lockstep():
    bench = load_benchmark("embedded", per_group=3)
    simulator = build_simulator(bench, None, "synthesize")
    lockstep, _ = run(PRESETS["oracle"], bench.tasks, simulator=simulator)
    continuous, scheduler = run(PRESETS["oracle"], bench.tasks, "continuous", simulator=simulator)
    assert continuous == lockstep and len(continuous) == 18 and scheduler.window == TOOL_ONLY_WINDOW
    assert all(r["status"] == "answered" for r in continuous)


class _CountingEpisodes:
    """The episodes of `tasks`, counting those taken by the scheduler and not yet finished."""

    def __init__(self, agent, n: int) -> None:
        self.episodes = (start_episode(task, agent, 0) for task in weather_tasks(n))
        self.in_flight = 0
        self.most = 0
        self.finished = 0

    def __iter__(self):
        for episode in self.episodes:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            yield episode

    def on_finished(self, _episode) -> None:
        self.in_flight -= 1
        self.finished += 1


@pytest.mark.parametrize("max_active", [None, 5])
def test_trajectories_in_flight_never_exceed_the_window(max_active):
    agent = scripted("alpha-umi", "call-k-times", per_role=True, batch_size=3)
    episodes = _CountingEpisodes(agent, 60)
    scheduler = ContinuousScheduler(make_agent(agent), LocalExecutor(distinct_models(agent.roles)),
                                    Simulator(ResponseCache()), max_active)
    scheduler.run(episodes, episodes.on_finished)
    window = max_active or WINDOW_PER_SLOT * 3 * 3  # three engines of batch_size 3
    assert scheduler.window == window
    assert scheduler.peak_active == window  # filled, never beyond
    assert episodes.most == window + 1  # taken: one more, drawn ahead (how the loop knows when none is left)
    assert episodes.finished == 60 and episodes.in_flight == 0 and scheduler.active == 0


class OneSlowRequest(ScriptedBackend):
    """Answers at once, except the first request of task 0, which is held until `release` is set (or, when
    nothing sets it, `hold_s` passes); streamed concurrently. What ended the hold is kept in `released_by`."""

    def __init__(self, hold_s: float) -> None:
        super().__init__(call_once_then_answer)
        self.hold_s = hold_s
        self.slowed = threading.Event()
        self.release = threading.Event()
        self.released_by = ""

    def generate(self, requests):
        if any("city 0?" in str(r.prompt) for r in requests) and not self.slowed.is_set():
            self.slowed.set()
            self.released_by = "the others" if self.release.wait(self.hold_s) else "its own time"
        return super().generate(requests)

    def open_stream(self, capacity: int) -> ConcurrentStream:
        return ConcurrentStream(self.generate, capacity)


@pytest.mark.parametrize("schedule", ["pipelined", "continuous"])
def test_a_slow_request_blocks_no_other_trajectory(schedule):
    """Task 0's first request is held until the 11 other trajectories have finished. Continuous: they finish
    meanwhile and release it. Pipelined (the contrast): the others of its batch wait for it, so it is held for
    its own time and every other finishes after it. Order, not wall-clock time, is asserted."""
    agent = scripted("chat-single", "call-once-then-answer", batch_size=12)
    backend = OneSlowRequest(hold_s=60.0 if schedule == "continuous" else 0.2)
    executor = LocalExecutor(distinct_models(agent.roles), {next(iter(distinct_models(agent.roles))): backend})
    slow_key = weather_tasks(1)[0].key
    finished: list[tuple[str, str]] = []  # (task, what had ended the hold when it finished)

    def on_finished(episode) -> None:
        finished.append((episode.trajectory.task_key, backend.released_by))
        if sum(key != slow_key for key, _ in finished) == 11:
            backend.release.set()

    scheduler = SCHEDULERS[schedule](make_agent(agent), executor, Simulator(ResponseCache()))
    scheduler.run((start_episode(t, agent, 0) for t in weather_tasks(12)), on_finished)
    executor.shutdown()
    others = [released for key, released in finished if key != slow_key]
    assert len(others) == 11 and backend.slowed.is_set()
    if schedule == "continuous":
        assert others == [""] * 11 and finished[-1][0] == slow_key and backend.released_by == "the others"
    else:
        assert others == ["its own time"] * 11 and backend.released_by == "its own time"


def test_a_continuous_run_writes_its_schedule_and_the_window_is_the_cli_max_active(tmp_path):
    argv = ["run", "--agent", "alpha-umi", "--benchmark", "embedded", "--per-group", "2", "--backend", "modelled",
            "--model", "call-once-then-answer@gpu-like,speed=10,spread=10", "--batch-size", "4", "--executor",
            "local", "--schedule", "continuous", "--max-active", "3", "--out", str(tmp_path), "--no-progress"]
    assert run_eval.main(argv) == 0
    run_dir = tmp_path / "alpha-umi__embedded__seed0"
    assert json.loads((run_dir / "run.json").read_text())["schedule"] == "continuous"
    speed = json.loads((run_dir / "metrics.json").read_text())["speed"]
    assert speed["schedule"] == "continuous" and speed["trajectories_this_invocation"] == 12
    assert all(0 < actor["busy_s"] <= speed["wall_s"] for actor in speed["actors"].values())


def test_every_request_is_a_span_of_its_engine():
    """Streamed, each request is its own span on the timeline: from when the engine took it up to its end.
    The modelled engine runs them side by side (capacity 8), so spans overlap."""
    agent = _modelled("chat-single", "call-once-then-answer@gpu-like,speed=5,spread=10")
    _, scheduler = run(agent, weather_tasks(8), "continuous")
    [actor] = scheduler.stats.actors.values()
    timeline = actor_metrics(actor, 10.0, scheduler.stats.started_at)["timeline"]
    assert len(timeline) == scheduler.stats.role_calls == 16 and {size for _, _, size in timeline} == {1}
    assert all(start >= 0 and busy > 0 for start, busy, _ in timeline)
    ordered = sorted(timeline)
    assert any(start + busy > next_start for (start, busy, _), (next_start, _, _) in zip(ordered, ordered[1:]))
    assert sum(busy for _, busy, _ in timeline) > actor.busy_s  # side by side: more request time than engine time


def test_ctrl_c_leaves_only_finished_trajectories_on_disk(tmp_path):
    """A Ctrl-C at the 45th request (alpha-umi: four per trajectory), with up to 8 trajectories in flight: what is on disk is the trajectories
    that had finished, each whole; the interrupted ones are not there, and a rerun completes the rest."""
    calls = {"n": 0}

    def script(request):
        calls["n"] += 1
        if calls["n"] == 45:
            raise KeyboardInterrupt
        return call_once_then_answer(request)

    register_script("interrupt-at-45", script)
    argv = ["run", "--agent", "alpha-umi", "--benchmark", "embedded", "--per-group", "3", "--backend", "scripted",
            "--model", "interrupt-at-45", "--executor", "local", "--schedule", "continuous", "--max-active", "8",
            "--out", str(tmp_path), "--run-name", "r", "--no-progress"]
    assert run_eval.main(argv) == 130
    records = list(read_records(tmp_path / "r" / "trajectories.jsonl"))
    assert 0 < len(records) < 18
    assert all(r["status"] == "answered" and r["finished_at"] for r in records)
    assert json.loads((tmp_path / "r" / "run.json").read_text())["status"] == "interrupted"
    register_script("interrupt-at-45", call_once_then_answer)
    assert run_eval.main(argv) == 0
    assert len({r["task_key"] for r in read_records(tmp_path / "r" / "trajectories.jsonl")}) == 18


@pytest.mark.slow
def test_continuous_gives_the_trajectories_of_lockstep_with_a_real_tiny_model(tiny_model_dir):
    """hf streams through batch refill: whatever is queued when a batch ends forms the next."""
    agent = tiny("alpha-umi", tiny_model_dir, per_role=True, batch_size=3)
    lockstep, _ = run(agent, weather_tasks(5))
    continuous, _ = run(agent, weather_tasks(5), "continuous")
    assert continuous == lockstep
    assert all(r["status"] in ("answered", "gave_up", "max_steps") for r in continuous)


class _BatchOnly(ScriptedBackend):
    open_stream = None  # no stream of its own: batch refill, as hf gets


@pytest.mark.slow
@pytest.mark.ray
def test_ray_streaming_actors_give_the_trajectories_of_lockstep():
    """An async Ray actor per model, one call per request, batch refill inside it."""
    from engine.execution.ray_executor import RayExecutor

    agent = scripted("alpha-umi", "call-once-then-answer", batch_size=4)
    models = distinct_models(agent.roles)
    executor = RayExecutor(models, backends={key: _BatchOnly(call_once_then_answer) for key in models}, streaming=True)
    try:
        remote, _ = run(agent, weather_tasks(6), "continuous", executor=executor)
        assert all(seconds > 0 for seconds in executor.stream_busy_seconds().values())
    finally:
        executor.shutdown()
    assert remote == run(agent, weather_tasks(6))[0]


def test_a_wake_up_hands_its_requests_to_each_engine_together():
    """The requests a round asks for go to their streams in one call per engine (the scripted stream answers
    them in one backend call), each still its own span, and the trajectories stay lockstep's."""
    agent = scripted("alpha-umi", "call-once-then-answer", per_role=True)
    models = distinct_models(agent.roles)
    backends = {key: ScriptedBackend(call_once_then_answer) for key in models}
    executor = LocalExecutor(models, backends)
    told: list[tuple[str, int]] = []
    executor.on_submit.append(lambda key, requests: told.append((key, len(requests))))
    records, scheduler = run(agent, weather_tasks(12), "continuous", executor=executor)
    calls = [size for backend in backends.values() for size in backend.batches]
    assert sum(calls) == scheduler.stats.role_calls == sum(size for _, size in told)
    assert len(calls) == len(told) < scheduler.stats.role_calls and max(calls) == 12  # the first round: all 12 planners
    assert all(size == 1 for actor in scheduler.stats.actors.values() for size in actor.batch_sizes)
    assert records == run(agent, weather_tasks(12))[0]
