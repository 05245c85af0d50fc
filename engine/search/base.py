"""What a search strategy is: how a task becomes a schedulable unit, what it writes, what it reports."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from benchmarks.core.types import Task
from engine.agents import Agent
from engine.types import AgentSpec


class SearchStrategy(Protocol):
    name: str
    agent_suffix: str  # added to the agent's name (so to its run folders): runs of two strategies never mix

    def agent(self, spec: AgentSpec) -> Agent: ...
    def start(self, task: Task, spec: AgentSpec, seed: int) -> Any: ...
    def write_outputs(self, unit: Any, run_dir: Path) -> None: ...
    def tooleval_text(self, spec: AgentSpec, tasks: dict[str, Task], group: str, records: list[dict[str, Any]],
                      run_dir: Path) -> str: ...
    def tooleval_from_records(self, spec: AgentSpec) -> bool: ...
    def limits(self, spec: AgentSpec) -> dict[str, Any]: ...
    def metrics(self, records: list[dict[str, Any]]) -> dict[str, Any]: ...
    def expected_calls(self, spec: AgentSpec) -> float:
        """Model calls a task is expected to take before any has finished: the progress bar's prior."""
