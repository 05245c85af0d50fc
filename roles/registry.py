"""The prompt formats by name, and the two interfaces the engine drives them through.

A multi format serves three role models (planner, caller, summarizer); a single format serves one
model doing every step. Formats are frozen dataclasses: their fields are the options, so an agent's
`format_options` map onto them one to one and are validated here.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Protocol, runtime_checkable

from benchmarks.core.registry import Registry, UnknownNameError
from roles.types import Action, Plan, Prompt, PromptContext, Turn


class _Described(Protocol):
    """What every format declares about itself."""

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def stop(self) -> tuple[str, ...]:
        """Stop strings the role models should generate with."""

    @property
    def served_by(self) -> str:
        """How upstream served this format's models: "local" (ToolLLaMA, alpha-UMi: a local model whose
        parser ignores ToolBench's "valid" mark, total_tokens the decoded length) or "chat-api" (ChatGPT: the
        request drops invalid messages, total_tokens the API's prompt + completion)."""

    @property
    def static_eval(self) -> bool:
        """Whether alpha-UMi's static (teacher-forced) evaluation reads this format's turns."""


@runtime_checkable
class MultiFormat(_Described, Protocol):
    """Planner / caller / summarizer prompts and parsers (kind "multi")."""

    def planner_prompt(self, ctx: PromptContext) -> Prompt: ...

    def caller_prompt(self, ctx: PromptContext, thought: str) -> Prompt: ...

    def summarizer_prompt(self, ctx: PromptContext) -> Prompt: ...

    def parse_plan(self, text: str) -> Plan: ...

    def parse_call(self, text: str, thought: str = "") -> Action:
        """kind "call" (or "parse_error"); a format that reads the step with its plan `thought` may also
        say "give_up" or "answer" (alpha-umi, as upstream)."""

    def parse_summary(self, text: str, thought: str = "") -> Action:
        """kind "answer" ("parse_error" when empty, or "give_up" where the format reads it so)."""

    def call_turn(self, text: str, action: Action) -> Turn:
        """How the caller's output `text`, read as `action`, is recorded in history (a "caller" turn)."""


@runtime_checkable
class SingleFormat(_Described, Protocol):
    """One model does every step (kind "single")."""

    def step_prompt(self, ctx: PromptContext) -> Prompt: ...

    def parse_step(self, text: str) -> Action:
        """kind "call", "answer", "give_up" or "parse_error"."""

    def step_turns(self, text: str, action: Action) -> tuple[Turn, ...]:
        """The history turns recording this step (the engine appends the observation after them)."""


Format = MultiFormat | SingleFormat

# Format classes by name, imported on first use; adding a format is its module plus one line here.
FORMATS: Registry[type] = Registry("prompt format")
FORMATS.register("alpha-umi", "roles.alpha_umi:AlphaUmi")
FORMATS.register("alpha-umi-backbone", "roles.alpha_umi:AlphaUmiBackbone")
FORMATS.register("toolllama", "roles.react:ToolLlama")
FORMATS.register("chat-multi", "roles.chat:ChatMulti")
FORMATS.register("chat-single", "roles.chat:ChatSingle")
FORMATS.register("chat-fc", "roles.function_calling:ChatFunctionCalling")
FORMATS.register("chat-fc-multi", "roles.function_calling:ChatFunctionCallingMulti")

UnknownFormatError = UnknownNameError


def format_names() -> tuple[str, ...]:
    return tuple(FORMATS)


def get_format(name: str, **options: Any) -> Format:
    """The format `name` built with `options`; unknown names or options raise a ValueError naming
    the valid ones."""
    cls = FORMATS.get(name)
    valid = tuple(f.name for f in dataclasses.fields(cls))
    unknown = sorted(set(options) - set(valid))
    if unknown:
        raise ValueError(f"prompt format {name!r} has no option(s) {', '.join(unknown)}; "
                         f"valid options: {', '.join(valid) or 'none'}")
    fmt: Format = cls(**options)
    return fmt
