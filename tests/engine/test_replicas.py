"""Role replicas (engine.execution): same trajectories whatever the replica count, in every schedule; requests
spread over replicas and stick to their trajectory's; a dead replica's requests go to its sibling."""
from __future__ import annotations

import os
import threading
import time
from concurrent.futures import Future

import pytest

from engine.backends.streaming import ImmediateStream
from engine.types import RoleRequest, SamplingParams

from engine.backends.scripted import ScriptedBackend, call_once_then_answer
from engine.execution.replicas import with_replicas
from engine.execution.local import LocalExecutor
from engine.execution.ray_executor import RayExecutor
from engine.execution.placement import distinct_models
from engine.schedule import SCHEDULES
from tests.helpers.scheduling import run, scripted, weather_tasks

SCHEDULE_NAMES = list(SCHEDULES)


def _agent(planner: int = 1, caller: int = 1):
    return with_replicas(scripted("alpha-umi", "call-once-then-answer", per_role=True, batch_size=4),
                         {"planner": planner, "caller": caller})


def _record_replicas(executor: LocalExecutor) -> dict[str, dict[str, set[int]]]:
    """Per actor key: trajectory -> the replicas that served its requests."""
    seen: dict[str, dict[str, set[int]]] = {}
    for key, workers in executor.workers.items():
        for n, worker in enumerate(workers):
            generate = worker.backend.generate

            def recording(requests, key=key, n=n, generate=generate):
                for request in requests:
                    seen.setdefault(key, {}).setdefault(request.request_id.rpartition("|")[0], set()).add(n)
                return generate(requests)

            worker.backend.generate = recording
    return seen


@pytest.mark.parametrize("schedule", SCHEDULE_NAMES)
def test_same_trajectories_whatever_the_replica_count(schedule):
    tasks = weather_tasks(12)
    reference = run(_agent(), tasks, schedule)[0]
    for planner, caller in ((2, 1), (3, 2)):
        agent = _agent(planner, caller)
        executor = LocalExecutor(distinct_models(agent.roles))
        seen = _record_replicas(executor)
        assert run(agent, tasks, schedule, executor=executor)[0] == reference
        planner_key = agent.roles["planner"].actor_key
        assert {n for replicas in seen[planner_key].values() for n in replicas} == set(range(planner))  # all used
        assert all(len(replicas) == 1 for replicas in seen[planner_key].values())  # sticky: small queues never spill
        executor.shutdown()


def test_replica_counts_and_pools_are_per_engine():
    agent = _agent(planner=3)
    executor = LocalExecutor(distinct_models(agent.roles))
    assert {role: len(executor.workers[spec.actor_key]) for role, spec in agent.roles.items()} == \
        {"planner": 3, "caller": 1, "summarizer": 1}
    assert executor.info()[agent.roles["planner"].actor_key]["replicas"][2]["backend"] == "scripted"
    executor.shutdown()


def test_openai_base_urls_are_replicas():
    from engine.execution.pool import replica_specs
    from engine.types import ModelSpec

    specs = replica_specs(ModelSpec(backend="openai", model="m@http://a:1/v1,http://b:2/v1"))
    assert [spec.model for spec in specs] == ["m@http://a:1/v1", "m@http://b:2/v1"]


def test_listeners_hear_every_submission_and_result():
    agent = _agent(planner=2)
    executor = LocalExecutor(distinct_models(agent.roles))
    submitted, finished = [], []
    executor.on_submit.append(lambda key, requests: submitted.extend(requests))
    executor.on_finished.append(finished.extend)
    records = run(agent, weather_tasks(4), "continuous", executor=executor)[0]
    calls = sum(u["calls"] for r in records for u in r["usage"].values())
    assert len(submitted) == len(finished) == calls
    executor.shutdown()


class DiesOnce(ScriptedBackend):
    """The first replica process to get a request kills itself (marker file: once across processes)."""

    def __init__(self, marker) -> None:
        super().__init__(call_once_then_answer)
        self.marker = marker

    def generate(self, requests):
        try:  # created atomically: of two replicas asked at once, exactly one dies
            os.close(os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return super().generate(requests)
        os._exit(1)


@pytest.fixture(scope="module")
def ray_session():
    ray = pytest.importorskip("ray")
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield ray
    ray.shutdown()


@pytest.mark.slow
@pytest.mark.ray
@pytest.mark.parametrize("schedule", SCHEDULE_NAMES)
def test_a_dead_replicas_requests_go_to_its_sibling_and_nothing_is_lost(ray_session, tmp_path, schedule):
    agent = with_replicas(scripted("alpha-umi", "call-once-then-answer", num_cpus=0.25), {"planner": 2})
    key = agent.roles["planner"].actor_key
    executor = RayExecutor(distinct_models(agent.roles), backends={key: DiesOnce(tmp_path / "died")},
                           streaming=SCHEDULES.get(schedule).streaming, restart_backoff_s=0.01)
    try:
        records = run(agent, weather_tasks(6), schedule, executor=executor)[0]
        assert sum(executor.restarts.values()) == 1
        where = executor.info()[key]["replicas"]  # waits for a replacement still starting
        assert all(executor.pools.routers[key].alive)
    finally:
        executor.shutdown()
    assert (tmp_path / "died").exists()
    assert records == run(agent, weather_tasks(6), schedule)[0]
    assert all(r["status"] == "answered" for r in records)
    assert len(where) == 2 and all(len(w["node_id"]) == 56 for w in where)  # Ray's hex node ids


class GrowsMidRun:
    """Asks the executor for one more replica of each key once `after` results have come back."""

    def __init__(self, executor, keys, after: int = 3) -> None:
        self.executor, self.keys, self.after, self.seen = executor, keys, after, 0

    def __call__(self, results) -> None:
        self.seen += len(results)
        if self.seen >= self.after and self.keys:
            for key in self.keys:
                self.executor.grow(key)
            self.keys = []


@pytest.mark.parametrize("schedule", SCHEDULE_NAMES)
def test_same_trajectories_when_replicas_are_added_mid_run(schedule):
    """Growth (a sweep giving a run freed GPUs) adds replicas mid-run: the new ones serve requests, and the
    trajectories are those of one replica per role."""
    tasks = weather_tasks(12)
    reference = run(_agent(), tasks, schedule)[0]
    agent = _agent()
    executor = LocalExecutor(distinct_models(agent.roles))
    planner, caller = agent.roles["planner"].actor_key, agent.roles["caller"].actor_key
    executor.on_finished.append(GrowsMidRun(executor, [planner, planner, caller]))
    served: set[tuple[str, int]] = set()
    split, streamed = executor.pools.split, executor.pools.streamed  # batches, and the continuous schedule's requests
    executor.pools.split = lambda key, requests: [served.add((p.key, p.replica)) or p for p in split(key, requests)]
    executor.pools.streamed = lambda key, request: (lambda p: served.add((p.key, p.replica)) or p)(streamed(key, request))
    try:
        assert run(agent, tasks, schedule, executor=executor)[0] == reference
        assert len(executor.workers[planner]) == 3 and len(executor.workers[caller]) == 2
        info = executor.info()[planner]["replicas"]
        assert [("grown_unix_s" in r) for r in info] == [False, True, True]
        assert all(load == 0 for load in executor.pools.routers[planner].load)  # every request counted back
    finally:
        executor.shutdown()
    assert served & {(planner, 1), (planner, 2)}, "the grown planner replicas served no request"


class BurstLog(ScriptedBackend):
    """Logs each hand-over to its stream as `pid size` (to a file: it runs in a Ray actor). With `marker`, the
    first replica handed several requests answers the first and dies before the others (once across processes)."""

    def __init__(self, log, marker=None) -> None:
        super().__init__(call_once_then_answer)
        self.log, self.marker = log, marker

    def open_stream(self, capacity: int) -> ImmediateStream:
        return _LoggedStream(self, capacity)


class _LoggedStream(ImmediateStream):
    def __init__(self, backend: BurstLog, capacity: int) -> None:
        super().__init__(backend.generate, capacity)
        self.backend = backend

    def submit(self, request):
        return self.submit_many([request])[0]

    def submit_many(self, requests):
        with open(self.backend.log, "a") as log:
            log.write(f"{os.getpid()} {len(requests)}\n")
        if self.backend.marker and len(requests) > 1:
            try:
                os.close(os.open(self.backend.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            except FileExistsError:
                return super().submit_many(requests)
            threading.Timer(0.5, os._exit, (1,)).start()  # after the first result has reached the driver
            return super().submit_many(requests[:1]) + [Future() for _ in requests[1:]]
        return super().submit_many(requests)


def _requests(n: int) -> list[RoleRequest]:
    return [RoleRequest(f"task{i}|0", "planner", "user: weather?", SamplingParams(), i) for i in range(n)]


def _log(path) -> list[tuple[int, int]]:
    return [tuple(map(int, line.split())) for line in path.read_text().splitlines()]


@pytest.mark.slow
@pytest.mark.ray
def test_a_burst_is_one_actor_call_and_a_death_mid_burst_loses_nothing(ray_session, tmp_path):
    from engine.execution.ray_executor import Burst

    for replicas, marker in ((1, None), (2, tmp_path / "died")):
        agent = with_replicas(scripted("alpha-umi", "call-once-then-answer", num_cpus=0.25), {"planner": replicas})
        key, log = agent.roles["planner"].actor_key, tmp_path / f"log{replicas}"
        executor = RayExecutor(distinct_models(agent.roles), backends={key: BurstLog(log, marker)}, streaming=True,
                               restart_backoff_s=0.01)
        try:
            tickets = executor.submit_requests([(key, request) for request in _requests(6)])
            bursts = {id(ticket.part.future) for ticket in tickets}
            assert all(isinstance(ticket.part.future, Burst) for ticket in tickets) and len(bursts) == replicas
            done = []
            while len(done) < len(tickets):
                done += executor.wait_requests([t for t in tickets if t not in {d.ticket for d in done}], timeout=30)
        finally:
            executor.shutdown()
        assert sorted(d.streamed.result.request_id for d in done) == sorted(r.request_id for r in _requests(6))
        assert all(d.streamed.result.error is None and d.streamed.result.text for d in done)
        calls = _log(log)
        if marker is None:
            assert [size for _, size in calls] == [6]  # the six in one actor call, one hand-over to the stream
        else:  # 3 each; the dead one answered 1, and its other 2 went on to the sibling in one call
            assert marker.exists() and sum(executor.restarts.values()) == 1
            assert [size for _, size in calls] == [3, 3, 2] and calls[2][0] in {calls[0][0], calls[1][0]}  # the sibling


class NeverAnswers(ScriptedBackend):
    """Batches sleep past any test; streamed requests are taken and never answered."""

    def __init__(self) -> None:
        super().__init__(call_once_then_answer)

    def generate(self, requests):
        import time

        time.sleep(120)
        return super().generate(requests)

    def open_stream(self, capacity: int) -> ImmediateStream:
        stream = ImmediateStream(self.generate, capacity)
        stream.submit_many = lambda requests: [Future() for _ in requests]
        return stream


@pytest.mark.slow
@pytest.mark.ray
@pytest.mark.parametrize("streaming", [True, False])
def test_a_stop_flag_set_from_another_thread_ends_a_ray_wait_at_once(ray_session, streaming):
    """How a sweep's Ctrl-C reaches its runs' threads: their executors' waits raise the interrupt it names."""
    from engine.execution.control import RunControl, StopFlag

    agent = scripted("chat-single", "call-once-then-answer", num_cpus=0.25)
    key = agent.roles["backbone"].actor_key
    stop = StopFlag()
    executor = RayExecutor(distinct_models(agent.roles), backends={key: NeverAnswers()}, streaming=streaming,
                           control=RunControl(stop=stop))
    try:
        threading.Timer(0.5, stop.set, (lambda: KeyboardInterrupt("stopped by the sweep"),)).start()
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt, match="stopped by the sweep"):
            if streaming:
                executor.wait_requests(executor.submit_requests([(key, request) for request in _requests(3)]))
            else:
                executor.wait_any([executor.submit(key, _requests(3))])
        assert time.monotonic() - started < 3
    finally:
        executor.shutdown()
