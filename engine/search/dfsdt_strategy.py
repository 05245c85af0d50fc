"""The DFSDT strategy: ToolBench's DFS_woFilter_w2 tree per task (engine.search.dfsdt), whose frontier requests
are batched with every other tree's; each finished tree also writes upstream's raw answer file."""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from benchmarks.core.types import Task
from benchmarks.results.converted import dumps_converted
from benchmarks.results.raw_answers import VARIANTS, convert_folder
from benchmarks.results.tooleval_export import converted_group_text
from engine.agents import Agent, agent_kind
from engine.search.answer_files import answer_dir, answer_path, tree_metrics, write_raw_json
from engine.search.dfsdt import DFSDT_LIMITS, METHOD, DfsAgent, DfsLimits, TreeEpisode
from engine.types import AgentSpec


class Dfsdt:
    """ToolBench's DFS_woFilter_w2; each finished tree also writes upstream's raw answer file."""

    name = "dfsdt"
    agent_suffix = "-dfsdt"

    def __init__(self, limits: DfsLimits = DFSDT_LIMITS) -> None:
        self.settings = limits

    def _limits(self, spec: AgentSpec) -> DfsLimits:
        """The tree's depth limit is the agent's chain limit in nodes (ToolBench uses 12 for both)."""
        return dataclasses.replace(self.settings, single_chain_max_step=spec.max_depth)

    def agent(self, spec: AgentSpec) -> Agent:
        if agent_kind(spec).replays_gold:
            raise ValueError("the oracle replays gold chains: it has no dfsdt strategy")
        return DfsAgent(spec, self._limits(spec))

    def start(self, task: Task, spec: AgentSpec, seed: int) -> TreeEpisode:
        return TreeEpisode(task, spec, seed, self._limits(spec))

    def write_outputs(self, unit: TreeEpisode, run_dir: Path) -> None:
        write_raw_json(answer_path(run_dir, unit.task.group, unit.task.query_id), unit.answer_file())

    def tooleval_text(self, spec: AgentSpec, tasks: dict[str, Task], group: str, records: list[dict[str, Any]],
                      run_dir: Path) -> str:
        """The agent's converter variant run on the group's raw answer files. alpha-UMi's collab files hold
        `observation` messages, which ToolBench's converter refuses: with that variant a multi-LLM tree's chosen
        chain is exported as a chain instead."""
        if self.tooleval_from_records(spec):
            return converted_group_text(tasks, records)
        return dumps_converted(convert_folder(answer_dir(run_dir, group), METHOD, VARIANTS[spec.export_variant]))

    def tooleval_from_records(self, spec: AgentSpec) -> bool:
        return agent_kind(spec).collaborative and spec.export_variant == "toolbench"

    def limits(self, spec: AgentSpec) -> dict[str, Any]:
        return self._limits(spec).forward_args()

    def metrics(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        return {"strategy": self.name, **tree_metrics(records)}

    def expected_calls(self, spec: AgentSpec) -> float:
        """A chain of the depth limit with every node tried `tree_beam_size` times (a tree that backtracks once
        per level), within the query budget; a query is one round of the agent."""
        limits = self._limits(spec)
        queries = min(spec.max_steps * limits.tree_beam_size, limits.max_query_count)
        return queries * agent_kind(spec).model_calls_per_step
