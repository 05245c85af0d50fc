"""The chain strategy: one chain per task, as the agent runs it (ToolBench's CoT@1)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.core.types import Task
from benchmarks.results.tooleval_export import converted_group_text
from engine.agents import Agent, Episode, agent_kind, make_agent, native_calls, start_episode
from engine.types import AgentSpec


class Cot:
    """One chain per task, as the agent runs it (ToolBench's CoT@1)."""

    name = "cot"
    agent_suffix = ""

    def agent(self, spec: AgentSpec) -> Agent:
        return make_agent(spec)

    def start(self, task: Task, spec: AgentSpec, seed: int) -> Episode:
        return start_episode(task, spec, seed)

    def write_outputs(self, unit: Any, run_dir: Path) -> None:
        pass

    def tooleval_text(self, spec: AgentSpec, tasks: dict[str, Task], group: str, records: list[dict[str, Any]],
                      run_dir: Path) -> str:
        """The converted answers of the raw CoT answers our chains stand for (benchmarks.results.tooleval_export)."""
        return converted_group_text(tasks, records, native_calls(spec))

    def tooleval_from_records(self, spec: AgentSpec) -> bool:
        """Whether tooleval_text is the records' converted answers (so a run may write it record by record)."""
        return True

    def limits(self, spec: AgentSpec) -> dict[str, Any]:
        return {}

    def metrics(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        return {"strategy": self.name}

    def expected_calls(self, spec: AgentSpec) -> float:
        """A chain's bound: overestimating lets the bar speed up later instead of stalling near the end."""
        return spec.max_steps * agent_kind(spec).model_calls_per_step
