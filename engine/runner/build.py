"""One build step for a run, shared by `run`, `sweep` and the main job: the simulator from where the run's tool
responses come, and the Run of a configuration on a benchmark, which records the benchmark it runs."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from benchmarks.core.types import LoadedBenchmark
from engine.runner.run import Run, RunConfig
from engine.runner.tool_simulator import build_simulator


@dataclass(frozen=True)
class Simulation:
    """Where tool responses come from: `run`'s --cache, --miss-policy, --store and --sim-model, or a sweep's
    benchmark `cache:` and `miss_policy:` (unset: the benchmark's own cache, then synthesized replies)."""

    cache: str | None = None
    miss_policy: str = "synthesize"
    store: str | None = None
    sim_model: str = "embedded"


def build_run(config: RunConfig, bench: LoadedBenchmark, simulation: Simulation = Simulation()) -> Run:
    """The Run of `config` on `bench`'s tasks with its simulator (a bad cache or policy raises before any output)."""
    simulator = build_simulator(bench, simulation.cache, simulation.miss_policy, simulation.store, simulation.sim_model)
    return Run(dataclasses.replace(config, benchmark=bench.info), bench.tasks, simulator)
