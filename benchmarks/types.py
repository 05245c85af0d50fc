"""Benchmark-side data types: what a task is, independent of how it is run."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ToolSpec:
    """One RapidAPI endpoint as the agent sees it (ToolBench naming rules applied).

    `schema` is the exact ToolBench function schema ({"name", "description", "parameters"}), the
    byte-exact interface with ToolEval's `available_tools`; `api_entry` is the raw api_list entry the
    task file gave (kept for the simulator and for export). `category`, `tool` and `api` are the raw
    names of that entry (standardize them with benchmarks.naming where a cache path needs them);
    `template_response` is parsed when the file gave it as a JSON string.
    """

    category: str
    tool: str
    api: str
    function_name: str
    description: str
    parameters: dict[str, Any]
    template_response: Any = None
    api_entry: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def schema(self) -> dict[str, Any]:
        return {"name": self.function_name, "description": self.description, "parameters": self.parameters}


@dataclass(frozen=True)
class GoldCall:
    """One call of a gold solution: the function name, its arguments and the expected observation."""

    name: str
    arguments: dict[str, Any]
    response: Any = None


@dataclass(frozen=True)
class Gold:
    """What a correct run looks like, when a benchmark knows it (the embedded benchmark does)."""

    calls: tuple[GoldCall, ...] = ()
    answer: str = ""
    facts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Task:
    """One query of one benchmark group, with the tools offered to the agent (Finish excluded)."""

    benchmark: str
    group: str
    query_id: str
    query: str
    tools: tuple[ToolSpec, ...]
    relevant_apis: tuple[tuple[str, str], ...] = ()
    gold: Gold | None = None

    @property
    def key(self) -> str:
        return f"{self.group}/{self.query_id}"
