"""Simulator-side data types: a tool call coming in, an observation going out."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

# "world": answered by a benchmark's own deterministic data (the embedded benchmark), like a real API.
ObservationSource = Literal["cache", "world", "synthesized", "llm", "mirrorapi", "mirrorapi-cot", "error"]


@dataclass(frozen=True)
class ToolCall:
    """A call as the model wrote it: `name` is the action name, `arguments` the raw argument text.

    `tools` are the functions offered to the agent for this task (benchmarks.core.types.ToolSpec), so the
    name can be resolved by ToolBench's rules (exact, then suffix).
    """

    tools: tuple[Any, ...]
    name: str
    arguments: str
    compat: Literal["strict", "upstream"] = "strict"  # "upstream": ToolBench's dispatch quirks (engine.types.AgentSpec)


@dataclass(frozen=True)
class Observation:
    """What the agent sees after a call, plus where it came from.

    `text` is exactly ToolBench's observation string: json.dumps({"error", "response"}) cut to 1,024
    characters + "...". `status` follows ToolBench's codes (0 ok, 1 no such function, 12 request invalid, ...).
    """

    text: str
    status: int
    source: ObservationSource
    function_name: str | None = None
    error: str = ""
    response: Any = ""
    truncated: bool = False
