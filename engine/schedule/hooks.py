"""What a schedule tells of each unit as it steps: the hook a run's checkpoint fills (engine.runner.checkpoint)."""
from __future__ import annotations

from typing import Any, Protocol

from engine.types import RoleResult
from tools_sim.types import Observation, ToolCall


class StepHook(Protocol):
    """What a scheduler reports of each unit: a reply applied, an observation applied, a batch done."""

    def generated(self, unit: Any, result: RoleResult, call: ToolCall | None) -> None: ...
    def observed(self, unit: Any, observation: Observation) -> None: ...
    def commit(self) -> None: ...


class NoCheckpoint:
    """The hook of a scheduler run outside a run folder (tests, perf): records nothing."""

    def generated(self, unit: Any, result: RoleResult, call: ToolCall | None) -> None:
        pass

    def observed(self, unit: Any, observation: Observation) -> None:
        pass

    def commit(self) -> None:
        pass
