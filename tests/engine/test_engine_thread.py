"""A stream's engine thread (issue 21, items 5 and 6): a thread that dies fails the requests it held and every
later one, so the continuous schedule never waits forever; closing a stream joins its thread."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

import run_eval
from engine.backends.modelled import ContinuousBatchingModel, TimingProfile, parse_model
from engine.backends.scripted import ScriptedBackend, call_once_then_answer
from engine.config.presets import PRESETS, override_models
from engine.runner.run import Run, RunConfig
from engine.backends.streaming import BatchRefillStream
from engine.types import RoleRequest, RoleResult, SamplingParams
from tests.helpers.scheduling import weather_tasks
from tools_sim.cache import ResponseCache
from tools_sim.simulator import Simulator


def _request(i: int) -> RoleRequest:
    return RoleRequest(str(i), "backbone", f"question {i}", SamplingParams(), i)


def _overflowing(self, result):
    raise OverflowError("cannot convert float infinity to integer")


def test_a_modelled_engine_that_dies_fails_what_it_held_and_what_comes_after(monkeypatch) -> None:
    monkeypatch.setattr(TimingProfile, "decode_steps", _overflowing)
    _, profile = parse_model("seeded-walk@gpu-like")
    stream = ContinuousBatchingModel(ScriptedBackend(call_once_then_answer), profile, capacity=2)
    held = [stream.submit(_request(i)) for i in range(5)]
    for future in held:
        assert "modelled-engine engine thread died: OverflowError" in future.result(timeout=5).result.error
    later = stream.submit(_request(9))
    assert later.done() and "OverflowError" in later.result().result.error
    stream.close()


class BrokenResults:
    """A batch backend whose results are not results: the refill thread itself fails on them."""

    def generate(self, requests):
        return [None for _ in requests]


def test_a_refill_thread_that_dies_fails_its_batch_and_the_queue() -> None:
    stream = BatchRefillStream(BrokenResults().generate, capacity=2)
    futures = [stream.submit(_request(i)) for i in range(4)]
    for future in futures:
        assert "stream-refill engine thread died: AttributeError" in future.result(timeout=5).result.error
    stream.close()


class SlowBatch:
    def generate(self, requests):
        time.sleep(0.3)
        return [RoleResult(r.request_id, "ok") for r in requests]


def test_closing_a_refill_stream_joins_its_thread() -> None:
    stream = BatchRefillStream(SlowBatch().generate, capacity=1)
    future = stream.submit(_request(0))
    time.sleep(0.05)  # the batch is running
    stream.close()
    assert not stream.engine.thread.is_alive() and future.done()


def test_closing_a_modelled_stream_joins_its_thread() -> None:
    _, profile = parse_model("seeded-walk@gpu-like")
    stream = ContinuousBatchingModel(ScriptedBackend(call_once_then_answer), profile, capacity=2)
    stream.submit(_request(0)).result(timeout=5)
    stream.close()
    assert not stream.engine.thread.is_alive()


def test_a_continuous_run_on_a_dying_engine_ends_with_failed_records(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(TimingProfile, "decode_steps", _overflowing)
    agent = override_models(PRESETS["chat-single"], backend="modelled", model="seeded-walk@gpu-like")
    config = RunConfig(agent=agent, out_dir=tmp_path, run_name="r", executor="local", schedule="continuous",
                       progress=False)
    run_dir = Run(config, weather_tasks(4), Simulator(ResponseCache())).execute()
    records = [json.loads(line) for line in (run_dir / "trajectories.jsonl").read_text().splitlines()]
    assert len(records) == 4 and {r["status"] for r in records} == {"failed"}
    assert all("OverflowError" in r["error"] for r in records)
    assert json.loads((run_dir / "run.json").read_text())["status"] == "finished"


@pytest.mark.parametrize("option", ["spread=inf", "speed=inf", "spread=nan"])
def test_an_infinite_timing_option_is_refused(tmp_path: Path, capsys, option: str) -> None:
    assert run_eval.main(["run", "--agent", "chat-single", "--backend", "modelled", "--model", f"seeded-walk@gpu-like,{option}",
                          "--executor", "local", "--benchmark", "embedded", "--per-group", "1", "--out", str(tmp_path)]) == 2
    assert f"bad option {option!r}" in capsys.readouterr().err
