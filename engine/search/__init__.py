"""Search strategies: how a task becomes a schedulable unit of model requests.

A strategy gives the schedulers an Agent and one unit per task; a unit asks for one request (or tool call)
at a time and says when it is done through `unit.trajectory.done`, like an Episode, so any scheduler that
drives Episodes drives it. `cot` is one chain per task (the Episode itself); `dfsdt` is ToolBench's
DFS_woFilter_w2 tree (engine.search.dfsdt), whose frontier requests are batched with every other tree's.
A strategy also writes its own outputs per finished unit and adds its figures to metrics.json.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Protocol

from benchmarks.core.registry import Registry
from benchmarks.core.types import Task
from engine.agents import Agent, Episode, agent_kind, make_agent, start_episode
from benchmarks.results.converted import dumps_converted
from benchmarks.results.raw_answers import convert_folder
from engine.search.answer_files import answer_dir, answer_path, tree_metrics, write_raw_json
from engine.search.dfsdt import DFSDT_LIMITS, METHOD, DfsAgent, DfsLimits, TreeEpisode
from benchmarks.results.tooleval_export import converted_group_text
from engine.types import AgentSpec

class SearchStrategy(Protocol):
    name: str

    def agent(self, spec: AgentSpec) -> Agent: ...
    def start(self, task: Task, spec: AgentSpec, seed: int) -> Any: ...
    def write_outputs(self, unit: Any, run_dir: Path) -> None: ...
    def tooleval_text(self, spec: AgentSpec, tasks: dict[str, Task], group: str, records: list[dict[str, Any]],
                      run_dir: Path) -> str: ...
    def tooleval_from_records(self, spec: AgentSpec) -> bool: ...
    def limits(self, spec: AgentSpec) -> dict[str, Any]: ...
    def metrics(self, records: list[dict[str, Any]]) -> dict[str, Any]: ...


class Cot:
    """One chain per task, as the agent runs it (ToolBench's CoT@1)."""

    name = "cot"

    def agent(self, spec: AgentSpec) -> Agent:
        return make_agent(spec)

    def start(self, task: Task, spec: AgentSpec, seed: int) -> Episode:
        return start_episode(task, spec, seed)

    def write_outputs(self, unit: Any, run_dir: Path) -> None:
        pass

    def tooleval_text(self, spec: AgentSpec, tasks: dict[str, Task], group: str, records: list[dict[str, Any]],
                      run_dir: Path) -> str:
        """The converted answers of the raw CoT answers our chains stand for (benchmarks.results.tooleval_export)."""
        return converted_group_text(tasks, records)

    def tooleval_from_records(self, spec: AgentSpec) -> bool:
        """Whether tooleval_text is the records' converted answers (so a run may write it record by record)."""
        return True

    def limits(self, spec: AgentSpec) -> dict[str, Any]:
        return {}

    def metrics(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        return {"strategy": self.name}


class Dfsdt:
    """ToolBench's DFS_woFilter_w2; each finished tree also writes upstream's raw answer file."""

    name = "dfsdt"

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
        """ToolBench's converter run on the group's raw answer files. alpha-UMi's collab files hold
        `observation` messages, which that converter refuses (alpha-UMi converted them with its own variant of
        it), so a multi-LLM tree's chosen chain is exported as a chain instead."""
        if agent_kind(spec).collaborative:
            return converted_group_text(tasks, records)
        return dumps_converted(convert_folder(answer_dir(run_dir, group), METHOD))

    def tooleval_from_records(self, spec: AgentSpec) -> bool:
        return agent_kind(spec).collaborative

    def limits(self, spec: AgentSpec) -> dict[str, Any]:
        return self._limits(spec).forward_args()

    def metrics(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        return {"strategy": self.name, **tree_metrics(records)}


# Strategies by name: a class built with no arguments. Adding one is its module plus one line here.
STRATEGIES: Registry[type] = Registry("search strategy")
STRATEGIES.register("cot", Cot)
STRATEGIES.register("dfsdt", Dfsdt)


def make_strategy(name: str, dfs_limits: DfsLimits | None = None) -> SearchStrategy:
    """The strategy `name`; `dfs_limits` (tests) replaces DFSDT's upstream limits."""
    cls = STRATEGIES.get(name)
    return cls(dfs_limits) if dfs_limits is not None and cls is Dfsdt else cls()
