"""Schedules: how the requests of many units become work on the role engines, and when each unit steps.

Owns the step loop's policies (lockstep: the reference, every unit one step per tick, one batch per engine;
pipelined: each engine refilled with a batch as soon as it is free; continuous: every request streamed alone
the moment it is ready), the hook a run's checkpoint fills (hooks.py), and the registry `SCHEDULES`, the one
list of schedule names. May import engine.types, engine.agents and engine.execution (the executor interface),
never engine.runner, engine.config or engine.cli.
"""
from __future__ import annotations

from benchmarks.core.registry import Registry

SCHEDULES: Registry = Registry("schedule")
SCHEDULES.register("lockstep", "engine.schedule.lockstep:LockstepScheduler")
SCHEDULES.register("pipelined", "engine.schedule.pipelined:PipelinedScheduler")
SCHEDULES.register("continuous", "engine.schedule.continuous:ContinuousScheduler")
DEFAULT_SCHEDULE = "continuous"  # measured fastest (docs/performance.md); lockstep stays the reference
