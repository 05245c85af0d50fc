"""What one run is asked to do: the agent, where its folder goes, its seed, executor and schedule (built by
`run`, `sweep` and the main job; engine.runner.run runs it)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from engine.execution.control import RunControl
from engine.execution.executor import Executor
from engine.schedule import DEFAULT_SCHEDULE
from engine.types import AgentSpec


@dataclass
class RunConfig:
    agent: AgentSpec
    out_dir: Path
    run_name: str
    seed: int = 0
    executor: str = "ray"
    ray_address: str | None = None
    max_active: int | None = None
    schedule: str = DEFAULT_SCHEDULE
    progress: bool = True
    retry_failed: bool = True  # a resumed run tries its failed trajectories again
    extend: bool = False  # the run folder may gain tasks (engine.runner.identity)
    benchmark: dict[str, Any] = field(default_factory=dict)  # name, files + hashes, generation params
    command: list[str] = field(default_factory=list)
    # A sweep's grower (engine.runner.sweep_growth): told of the executor once its replicas run, with the
    # trajectories left; returns what detaches it (before the executor shuts down).
    on_executor: Callable[[Executor, Callable[[], int]], Callable[[], None]] | None = None
    control: RunControl | None = None  # a sweep's: its stop flag and room deadline (the label is the run's name)
    sizing: dict[str, Any] | None = None  # where `auto` took each role's work from (replicas.sized_from_run)
