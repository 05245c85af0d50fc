"""Role-side data types: conversation turns and what a role's output means."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Union

# Canonical turn roles (alpha-UMi's vocabulary); every prompt format renders them its own way.
TurnRole = Literal["user", "assistant", "caller", "observation", "conclusion"]

# A prompt is either plain text (completion models) or chat messages (rendered by the backend's
# chat template).
Prompt = Union[str, list[dict[str, str]]]


@dataclass(frozen=True)
class Turn:
    role: TurnRole
    text: str


@dataclass(frozen=True)
class Plan:
    """A planner's decision. `next` is "caller", "conclusion", "give_up" or "retry" (empty output).

    `marked` is False when no `Next:` marker was found and the routing default was applied.
    """

    next: Literal["caller", "conclusion", "give_up", "retry"]
    thought: str
    marked: bool = True


@dataclass(frozen=True)
class Action:
    """What a caller, summarizer or single-LLM step asks for.

    kind: "call" (name + raw arguments text), "answer" (final answer text), "give_up", or
    "parse_error" (`error` says why; the engine counts it and moves on by the agent's rules).
    """

    kind: Literal["call", "answer", "give_up", "parse_error"]
    thought: str = ""
    name: str = ""
    arguments: str = ""
    answer: str = ""
    error: str = ""


@dataclass(frozen=True)
class PromptContext:
    """Everything a role's prompt may depend on: the query, the offered tools and the history so far."""

    query: str
    tools: tuple[Any, ...]  # benchmarks.core.types.ToolSpec, Finish excluded
    history: tuple[Turn, ...]
