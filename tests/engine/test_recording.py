"""The run folder's recorders (engine.runner.recording): a recorder added to the registry is told a run's
lifecycle in order and writes its own file, with no edit to the run loop; an interrupted run tells it so."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.execution.startup_clock import StartupClock
from engine.runner import run as run_module
from engine.runner.recorders import RECORDERS
from engine.runner.recording import RunEnd, RunRecorder
from engine.runner.run import Run, RunConfig
from tests.helpers.scheduling import scripted, weather_tasks
from tools_sim.cache import ResponseCache
from tools_sim.simulator import Simulator


class CountsRecorder(RunRecorder):
    """A new run-folder file, counts.json, and the events it was told."""

    events: list[str] = []

    def started(self) -> None:
        self.events.append("started")

    def engines_ready(self, models: dict[str, Any]) -> None:
        self.events.append("engines_ready")

    def task_finished(self, unit: Any) -> None:
        self.events.append("task_finished")

    def counted(self, record: dict[str, Any]) -> None:
        self.events.append("counted")

    def ended(self, end: RunEnd) -> None:
        self.events.append(f"ended {end.status}")

    def completed(self, end: RunEnd) -> None:
        self.events.append("completed")
        counted = self.events.count("counted")
        (self.run.dir / "counts.json").write_text(json.dumps({"counted": counted, "speed": sorted(end.speed or {})}))


def _run(tmp_path: Path, n: int) -> Path:
    config = RunConfig(agent=scripted("alpha-umi", "call-once-then-answer"), out_dir=tmp_path, run_name="run",
                       executor="local", progress=False)
    return Run(config, weather_tasks(n), Simulator(ResponseCache())).execute()


def test_a_recorder_in_the_registry_is_told_the_lifecycle_in_order_and_writes_its_file(tmp_path, monkeypatch) -> None:
    CountsRecorder.events = []
    monkeypatch.setattr(run_module, "RECORDERS", (*RECORDERS, CountsRecorder))
    run_dir = _run(tmp_path, 3)
    events = CountsRecorder.events
    assert events[:2] == ["started", "engines_ready"]
    assert events[2:8] == ["task_finished", "counted"] * 3  # the file's record counted as it is written
    assert events[8:] == ["ended finished", "completed"]
    written = json.loads((run_dir / "counts.json").read_text())
    assert written["counted"] == 3 and {"startup_s", "first_request_s", "prefix_cache_hit_tokens"} <= set(written["speed"])
    assert (run_dir / "metrics.json").is_file() and (run_dir / "run.json").is_file()


def test_an_interrupted_run_tells_its_recorders_and_completes_none(tmp_path, monkeypatch) -> None:
    CountsRecorder.events = []

    def no_executor(*args, **kwargs):
        raise RuntimeError("no engine")

    monkeypatch.setattr(run_module, "RECORDERS", (*RECORDERS, CountsRecorder))
    monkeypatch.setattr(run_module, "make_executor", no_executor)
    with pytest.raises(RuntimeError, match="no engine"):
        _run(tmp_path, 2)
    assert CountsRecorder.events == ["started", "ended interrupted"]
    run_dir = tmp_path / "run"
    manifest = json.loads((run_dir / "run.json").read_text())
    assert (manifest["status"], manifest["reason"]) == ("interrupted", "RuntimeError: no engine")
    assert not (run_dir / "counts.json").exists() and not (run_dir / "metrics.json").exists()


def test_the_startup_clock_reads_the_clock_it_is_given() -> None:
    now = [100.0]
    clock = StartupClock(lambda: now[0])
    now[0] = 102.5
    clock.engines_ready()
    now[0] = 103.0
    clock.submitted("actor", [])
    now[0] = 110.0
    clock.submitted("actor", [])  # only the first request is timed
    assert clock.figures() == {"startup_s": 2.5, "first_request_s": 3.0} and clock.elapsed() == 10.0
