"""One build step for a run (engine.runner.build): `run`, `sweep` and the main job build the same Run."""
from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.loading import load_benchmark
from engine.config.presets import PRESETS
from engine.runner.build import Simulation, build_run
from engine.runner.run import RunConfig


def test_the_run_records_its_benchmark_and_simulates_as_asked(tmp_path: Path) -> None:
    bench = load_benchmark("embedded", per_group=1)
    run = build_run(RunConfig(PRESETS["oracle"], tmp_path, "r", executor="local", progress=False), bench,
                    Simulation(miss_policy="error"))
    assert run.config.benchmark == bench.info and set(run.tasks) == {t.key for t in bench.tasks}
    assert run.simulator.describe()["miss_policy"] == ["world", "error"]
    assert (run.execute() / "metrics.json").is_file()


def test_a_bad_miss_policy_fails_before_any_output(tmp_path: Path) -> None:
    bench = load_benchmark("embedded", per_group=1)
    with pytest.raises(ValueError, match="nope"):
        build_run(RunConfig(PRESETS["oracle"], tmp_path, "r", executor="local"), bench, Simulation(miss_policy="nope"))
    assert not (tmp_path / "r").exists()
