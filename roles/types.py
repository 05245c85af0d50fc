"""Role-side data types: conversation turns and what a role's output means."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Union

# Canonical turn roles (alpha-UMi's vocabulary); every prompt format renders them its own way.
TurnRole = Literal["user", "assistant", "caller", "observation", "conclusion"]



@dataclass(frozen=True, eq=False)
class ToolPrompt:
    """Chat messages (OpenAI's shape: assistant `tool_calls`, `tool` replies) with the tools offered as OpenAI
    tool schemas: a local backend renders them through the model's chat template (`tools=`), the openai backend
    sends them as `tools` (roles.function_calling)."""

    messages: tuple[dict[str, Any], ...]
    tools: tuple[dict[str, Any], ...]


# A prompt is plain text (completion models), chat messages (rendered by the backend's chat template), or
# chat messages with tools (function calling).
Prompt = Union[str, list[dict[str, str]], ToolPrompt]


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

    kind: "call" (name + raw arguments text), "answer" (final answer text), "give_up", "thought" (a reply
    without a call that function-calling formats keep, as ToolBench's ChatGPT runner does, and ask again), or
    "parse_error" (`error` says why; the engine counts it and moves on by the agent's rules).
    """

    kind: Literal["call", "answer", "give_up", "thought", "parse_error"]
    thought: str = ""
    name: str = ""
    arguments: str = ""
    answer: str = ""
    error: str = ""

    def with_thought(self, thought: str) -> Action:
        """A copy with `thought`: dataclasses.replace without its walk over the fields' definitions (a parsed
        call takes its thought this way, once or twice per tool call)."""
        return Action(self.kind, thought, self.name, self.arguments, self.answer, self.error)


@dataclass(frozen=True)
class PromptContext:
    """Everything a role's prompt may depend on: the query, the offered tools and the history so far."""

    query: str
    tools: tuple[Any, ...]  # benchmarks.core.types.ToolSpec, Finish excluded
    history: tuple[Turn, ...]
    # What a format renders once per trajectory (its tool doc, its history so far), kept by the caller for the
    # next call of the same trajectory; a fresh context starts empty, which only costs a re-render.
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)


def memoized(ctx: PromptContext, key: Any, build: Callable[[], Any]) -> Any:
    """`build()`, computed once per memo (a trajectory): for text that depends on nothing that changes."""
    if key not in ctx.memo:
        ctx.memo[key] = build()
    return ctx.memo[key]


def rendered_history(ctx: PromptContext, key: Any, render_turn: Callable[[Turn], str]) -> str:
    """The concatenated rendering of ctx.history, extending the memo's previous rendering when the history only
    grew since (the same turn objects at the front); rendered whole otherwise."""
    count, last, text = ctx.memo.get(key, (0, None, ""))
    history = ctx.history
    if count > len(history) or (count and history[count - 1] is not last):
        count, text = 0, ""
    text += "".join(render_turn(turn) for turn in history[count:])
    ctx.memo[key] = (len(history), history[-1] if history else None, text)
    return text
