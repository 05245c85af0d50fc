"""Benchmark-side data types: what a task is, independent of how it is run, and what loading a benchmark gives."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from benchmarks.core.naming import path_part

# The longest name a group or query id gets in a run folder: a DFSDT raw answer's temporary file.
_LONGEST_SUFFIX = "._DFS_woFilter_w2.json.tmp"


@dataclass(frozen=True)
class ToolSpec:
    """One RapidAPI endpoint as the agent sees it (ToolBench naming rules applied).

    `schema` is the exact ToolBench function schema ({"name", "description", "parameters"}), the
    byte-exact interface with ToolEval's `available_tools`; `api_entry` is the raw api_list entry the
    task file gave (kept for the simulator and for export). `category`, `tool` and `api` are the raw
    names of that entry (standardize them with benchmarks.core.naming where a cache path needs them);
    `template_response` is parsed when the file gave it as a JSON string. `tool_description` is the
    tool's own description (from the tool JSON files), None when none was found.
    """

    category: str
    tool: str
    api: str
    function_name: str
    description: str
    parameters: dict[str, Any]
    template_response: Any = None
    api_entry: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    tool_description: str | None = field(default=None, compare=False, hash=False)

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

    def __post_init__(self) -> None:
        # Group and query id name files of a run folder (tooleval/<group>.json, answer/<group>/<qid>_...):
        # checked here, so that no loader can hand the engine a name that leads outside --out.
        path_part(self.group, "group", _LONGEST_SUFFIX)
        path_part(self.query_id, "query_id", _LONGEST_SUFFIX)

    @property
    def key(self) -> str:
        return f"{self.group}/{self.query_id}"


@dataclass(frozen=True)
class ToolReply:
    """A benchmark's own answer to one tool call: a response, or why the arguments are invalid."""

    response: Any = ""
    invalid: str = ""  # non-empty: the arguments were refused, with this reason


# A benchmark's data as a tool: a reply, or None for an API it does not know (the simulator asks on).
Responder = Callable[[ToolSpec, dict[str, Any]], "ToolReply | None"]

# One preloaded response, as StableToolBench's cache holds it: category, tool, api, arguments, raw
# arguments text, response.
CachedResponse = tuple[str, str, str, dict[str, Any], str, Any]


@dataclass
class LoadedBenchmark:
    """What `--benchmark` resolves to: the tasks and whatever the simulator should know of the benchmark."""

    name: str
    tasks: list[Task]
    info: dict[str, Any]  # recorded in run.json: files and their hashes, or generation parameters
    cache_entries: list[CachedResponse] = field(default_factory=list)
    responder: Responder | None = None  # answers non-cached calls with the benchmark's own data
    cache_dir: Path | None = None  # a response cache shipped with the benchmark files
