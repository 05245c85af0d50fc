"""The modelled backend: scripted text, GPU-like generation time; and local actors overlapping in threads."""
from __future__ import annotations

import pytest

from engine.backends.base import make_backend
from engine.backends.modelled import PROFILES, ModelledBackend, TimingProfile, parse_model
from engine.backends.scripted import ScriptedBackend, call_once_then_answer
from engine.execution.local import LocalExecutor
from engine.types import ModelSpec, RoleRequest, RoleResult, SamplingParams
from tests.helpers.clock import FakeClock


def _requests(n: int, role: str = "planner") -> list[RoleRequest]:
    return [RoleRequest(str(i), role, f"question {i} 'name': 'tool_{i}'", SamplingParams(), i) for i in range(n)]


def _sleeper(seconds: float, batch_size: int = 64, clock=None) -> ModelledBackend:
    return ModelledBackend(ScriptedBackend(call_once_then_answer), TimingProfile(seconds, 0.0, 0.0), batch_size, "sleeper",
                           *([clock] if clock else []))


def test_replies_are_the_scripted_ones():
    spec = ModelSpec(model="call-once-then-answer@instant", backend="modelled")
    modelled = make_backend(spec).generate(_requests(3))
    scripted = ScriptedBackend(call_once_then_answer).generate(_requests(3))
    assert [(r.text, r.prompt_tokens, r.completion_tokens) for r in modelled] == \
           [(r.text, r.prompt_tokens, r.completion_tokens) for r in scripted]
    assert make_backend(spec).info()["profile"] == {"overhead_s": 0.0, "prefill_s": 0.0, "decode_s": 0.0,
                                                   "spread": 1.0}


def test_time_grows_with_every_prompt_token_and_with_the_longest_reply():
    profile = TimingProfile(overhead_s=0.5, prefill_s=0.01, decode_s=0.1)
    results = [RoleResult("a", "", prompt_tokens=100, completion_tokens=3),
               RoleResult("b", "", prompt_tokens=50, completion_tokens=7)]
    assert profile.seconds(results) == pytest.approx(0.5 + 0.01 * 150 + 0.1 * 7)


def test_a_batch_larger_than_batch_size_runs_as_consecutive_sub_batches():
    clock = FakeClock()
    results = _sleeper(0.1, batch_size=2, clock=clock).generate(_requests(5))
    assert clock.slept == [0.1, 0.1, 0.1]  # three sub-batches of 0.1 s, one after the other
    assert [r.latency_s for r in results] == [pytest.approx(0.1)] * 5
    assert [r.request_id for r in results] == ["0", "1", "2", "3", "4"]


def test_model_names_choose_the_script_and_the_profile():
    assert parse_model("call-once-then-answer") == ("call-once-then-answer", PROFILES["gpu-like"])
    assert parse_model("call-once-then-answer@instant") == ("call-once-then-answer", PROFILES["instant"])
    with pytest.raises(ValueError, match="unknown timing profile 'tpu'.*valid: gpu-like, instant"):
        parse_model("call-once-then-answer@tpu")


def test_speed_divides_every_modelled_time():
    script, profile = parse_model("call-once-then-answer@gpu-like,speed=4")
    base = PROFILES["gpu-like"]
    assert script == "call-once-then-answer"
    assert profile.overhead_s == pytest.approx(base.overhead_s / 4)
    assert profile.prefill_s == pytest.approx(base.prefill_s / 4)
    assert profile.decode_s == pytest.approx(base.decode_s / 4)
    for bad in ("speed=0", "speed=fast", "tp=2", "speed=-1"):
        with pytest.raises(ValueError, match=f"bad option '{bad}'.*speed=N"):
            parse_model(f"call-once-then-answer@gpu-like,{bad}")
    with pytest.raises(ValueError, match="unknown script 'nope'"):
        make_backend(ModelSpec(model="nope@instant", backend="modelled"))


def test_local_actors_overlap_like_separate_gpus():
    models = {"a": ModelSpec(model="a"), "b": ModelSpec(model="b")}
    executor = LocalExecutor(models, {"a": _sleeper(0.3), "b": _sleeper(0.3)})
    done = executor.gather([executor.submit("a", _requests(2)), executor.submit("b", _requests(2))])
    spans = [(d.timing.started_at, d.timing.started_at + d.timing.busy_s) for d in done]
    # The two batches ran at the same time (their spans overlap), read from the actors' own clocks, not the
    # wall clock of a loaded machine; one after the other they would not.
    assert max(start for start, _ in spans) < min(end for _, end in spans)
    assert all(busy >= 0.3 for busy in executor.busy_seconds().values())


def test_wait_any_returns_the_first_batch_done_without_waiting_for_the_others():
    models = {"fast": ModelSpec(model="fast"), "slow": ModelSpec(model="slow")}
    executor = LocalExecutor(models, {"fast": _sleeper(0.01), "slow": _sleeper(0.6)})
    slow, fast = executor.submit("slow", _requests(1)), executor.submit("fast", _requests(2))
    first = executor.wait_any([slow, fast])
    assert [done.batch for done in first] == [fast] and len(first[0].results) == 2  # the slow one not waited for
    assert [done.batch for done in executor.wait_any([slow])] == [slow]


def test_spread_varies_modelled_reply_lengths_up_to_n_times_and_keeps_the_text():
    script, profile = parse_model("call-once-then-answer@gpu-like,spread=10")
    assert profile.spread == 10 and profile.decode_s == PROFILES["gpu-like"].decode_s
    steps = [profile.decode_steps(RoleResult(f"task{i}|agent|0|{i % 4}", "", completion_tokens=10)) for i in range(300)]
    assert min(steps) >= 10 and max(steps) <= 100 and max(steps) / min(steps) > 8
    assert steps == [profile.decode_steps(RoleResult(f"task{i}|agent|0|{i % 4}", "", completion_tokens=10))
                     for i in range(300)]  # a fixed hash of the request id: every schedule sees the same
    assert PROFILES["gpu-like"].decode_steps(RoleResult("x", "", completion_tokens=7)) == 7
    for bad in ("spread=0.5", "spread=many"):
        with pytest.raises(ValueError, match=f"bad option '{bad}'"):
            parse_model(f"call-once-then-answer@gpu-like,{bad}")


def _words(request: RoleRequest) -> str:
    return "w " * int(request.request_id)  # reply length = the request id, in tokens (words)


def _submitted_together(stream, ids: list[int]) -> list:
    """Every request queued before the engine thread takes any: it waits on the stream's (re-entrant) lock."""
    with stream._wake:
        return [stream.submit(RoleRequest(str(n), "planner", "p", SamplingParams(), 0)) for n in ids]


def test_the_continuous_batching_model_returns_each_request_after_its_own_steps():
    """Two 2-step requests and a 20-step one start together (capacity 3, 20 ms a step): the short ones
    return after 2 steps, not when the long one ends."""
    clock = FakeClock()
    stream = ModelledBackend(ScriptedBackend(_words), TimingProfile(0.0, 0.0, 0.02), 3, "m", clock).open_stream(3)
    short, long, other = (future.result(timeout=30).result for future in _submitted_together(stream, [2, 20, 2]))
    stream.close()
    assert short.completion_tokens == other.completion_tokens == 2 and long.completion_tokens == 20
    assert short.latency_s == other.latency_s == pytest.approx(2 * 0.02)  # the short ones did not wait
    assert long.latency_s == pytest.approx(20 * 0.02)
    assert stream.busy_seconds() == pytest.approx(20 * 0.02) and stream.steps == 20


def test_the_continuous_batching_model_runs_at_most_capacity_requests_per_step():
    """Capacity 1: three 5-step requests run one after the other; a slot frees only when a request ends."""
    clock = FakeClock()
    stream = ModelledBackend(ScriptedBackend(_words), TimingProfile(0.0, 0.0, 0.02), 1, "m", clock).open_stream(1)
    start = clock.perf_counter()
    results = [future.result(timeout=30).result for future in _submitted_together(stream, [5, 5, 5])]
    stream.close()
    assert clock.perf_counter() - start == pytest.approx(3 * 5 * 0.02)  # one after the other
    assert [r.latency_s for r in results] == [pytest.approx(5 * 0.02)] * 3  # each from when it joined
    assert stream.steps == 15 and stream.running_sum == 15
