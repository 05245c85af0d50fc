"""Search strategies: how a task becomes a schedulable unit of model requests.

A strategy gives the schedulers an Agent and one unit per task; a unit asks for one request (or tool call)
at a time and says when it is done through `unit.trajectory.done`, like an Episode, so any scheduler that
drives Episodes drives it. `cot` is one chain per task (the Episode itself); `dfsdt` is ToolBench's
DFS_woFilter_w2 tree (engine.search.dfsdt), whose frontier requests are batched with every other tree's.
A strategy also writes its own outputs per finished unit, adds its figures to metrics.json, names the suffix
of its agents (and so of their run folders), and gives the progress bar its prior of calls per task. Each
strategy is its own module (cot.py, dfsdt_strategy.py; the protocol in base.py); adding one is its module
plus one line here.
"""
from __future__ import annotations

from benchmarks.core.registry import Registry
from engine.search.base import SearchStrategy

# Strategies by name: a class built with no arguments, imported on first use.
STRATEGIES: Registry[type] = Registry("search strategy")
STRATEGIES.register("cot", "engine.search.cot:Cot")
STRATEGIES.register("dfsdt", "engine.search.dfsdt_strategy:Dfsdt")


def make_strategy(name: str, dfs_limits=None) -> SearchStrategy:
    """The strategy `name`; `dfs_limits` (tests) replaces DFSDT's upstream limits."""
    cls = STRATEGIES.get(name)
    return cls(dfs_limits) if dfs_limits is not None and name == "dfsdt" else cls()


def strategy_of_name(agent_name: str) -> tuple[str, str]:
    """An agent name split into its base and the strategy whose suffix it ends with ("cot" when none does)."""
    for name in STRATEGIES:
        suffix = STRATEGIES.get(name).agent_suffix
        if suffix and agent_name.endswith(suffix):
            return agent_name.removesuffix(suffix), name
    return agent_name, "cot"
