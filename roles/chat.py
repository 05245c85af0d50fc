"""Prompt formats for generic instruct models: chat messages, rendered by the backend's chat template.

`chat-multi` splits the work like alpha-UMi (planner, caller, summarizer); `chat-single` is one ReAct
step per turn. Instructions are short, with one tiny example, because a 135M model has to follow them.
Parsers are lenient (case-insensitive markers, code fences, a bare JSON call object) since small models
drift from any format; they still never raise.

History mapping: user turns -> user; assistant, caller and conclusion turns -> assistant; observations
-> user "Observation: ..."; consecutive messages of one role are merged, because many chat templates
require user/assistant alternation.
"""
from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from roles.docs import tool_signatures
from roles.parsing import finish_action, first_object, strip_fences
from roles.types import Action, Plan, PromptContext, Turn, memoized

Message = dict[str, str]
Route = Literal["caller", "conclusion", "give_up"]

PLANNER_SYSTEM = (
    "You are the planner of an agent that answers the user's question with tools.\n"
    "Tools:\n{tools}\n\n"
    "Write one short thought about what to do next, then end with one of:\n"
    "Next: caller. (call a tool now)\nNext: conclusion. (answer now)\nNext: give up. (the tools cannot help)\n"
    "Example: I need the weather in Paris first. Next: caller."
)
CALLER_SYSTEM = (
    "You are the caller of an agent. Turn the planner's last thought into one tool call.\n"
    "Tools:\n{tools}\n\n"
    "Answer with two lines:\nAction: <tool name>\nAction Input: <JSON object of arguments>\n"
    'Example:\nAction: get_weather\nAction Input: {"city": "Paris"}'
)
SUMMARIZER_SYSTEM = (
    "You are the summarizer of an agent. Using the tool results in the conversation, write the final "
    "answer to the user's question. Write only the answer.\n"
    "Example: It is sunny and 18 degrees in Paris."
)
SINGLE_SYSTEM = (
    "You answer the user's question with tools, one tool call per turn.\n"
    "Tools:\n{tools}\n\n"
    "To call a tool, answer:\nThought: <one sentence>\nAction: <tool name>\nAction Input: <JSON object>\n"
    "When you know the answer, answer:\nThought: <one sentence>\nFinal Answer: <the answer>\n"
    "If the tools cannot help, answer: Give up.\n"
    'Example:\nThought: I need the weather in Paris.\nAction: get_weather\nAction Input: {"city": "Paris"}'
)
PLANNER_CUE = "What next? End with Next: caller., Next: conclusion. or Next: give up."
CALLER_CUE = "Write the tool call for this thought."
SUMMARIZER_CUE = "Write the final answer to my question."
OBSERVATION = "Observation: "
GIVE_UP_TEXT = "Give up."
_CHAT_ROLES = {"user": "user", "observation": "user", "assistant": "assistant", "caller": "assistant",
               "conclusion": "assistant"}

# A little punctuation/space inside markers ("Final Answer**:", "Action :"); quotes excluded so the keys
# of a bare JSON call ("action": ...) are no markers.
_P = r"[^\w\n\"']{0,3}"
_ACTION = re.compile(rf"\baction{_P}:", re.I)
_ACTION_INPUT = re.compile(rf"\baction{_P}input{_P}:", re.I)
_FINAL_ANSWER = re.compile(rf"\bfinal{_P}answer{_P}:", re.I)
_GIVE_UP_LINE = re.compile(r"^[^\w\n]*give[ _-]?up\b", re.I | re.M)
_GIVE_UP_ONLY = re.compile(r"[^\w]*give[ _-]?up[^\w]*", re.I)
_THOUGHT_PREFIX = re.compile(rf"^[^\w\n]*thought{_P}:", re.I)
_ANSWER_PREFIX = re.compile(rf"^[^\w\n]*(final{_P}answer|answer|conclusion){_P}:", re.I)
_STEP_END = re.compile(rf"\n[^\w\n]*(observation|thought|action({_P}input)?|final{_P}answer){_P}:", re.I)
_NEXT = re.compile(r"next\s{0,3}:\s{0,3}(caller|call|conclusion|conclude|answer|finish|give[ _-]?up)\b\.?", re.I)
_ROUTES: dict[str, Route] = {"caller": "caller", "call": "caller", "conclusion": "conclusion",
                             "conclude": "conclusion", "answer": "conclusion", "finish": "conclusion"}
_NAME_KEYS = ("name", "action", "tool")
_ARGUMENT_KEYS = ("arguments", "action_input", "parameters", "args", "input")
_NAME_JUNK = " \t*`'\""


def _merge(messages: Iterable[Message]) -> list[Message]:
    """Join consecutive messages of one role with a newline."""
    merged: list[Message] = []
    for msg in messages:
        if merged and merged[-1]["role"] == msg["role"]:
            merged[-1] = {"role": msg["role"], "content": merged[-1]["content"] + "\n" + msg["content"]}
        else:
            merged.append(msg)
    return merged


def _history(turns: Iterable[Turn]) -> list[Message]:
    return [{"role": _CHAT_ROLES.get(t.role, "user"),
             "content": OBSERVATION + t.text if t.role == "observation" else t.text} for t in turns]


def chat_messages(system: str, ctx: PromptContext, cue: str = "") -> list[Message]:
    """System message, the history (starting with the user's query), then an optional user cue."""
    tail = [{"role": "user", "content": cue}] if cue else []
    return _merge([{"role": "system", "content": system}, *_history(ctx.history), *tail])


def _system(template: str, ctx: PromptContext) -> str:
    return template.replace("{tools}", memoized(ctx, "tool signatures", lambda: tool_signatures(ctx.tools)))


def _clean_name(region: str) -> str:
    """The first non-empty line of `region`, without quotes, bold markers or trailing punctuation."""
    for line in region.split("\n"):
        name = line.strip(_NAME_JUNK).rstrip(".,;:").strip(_NAME_JUNK)
        if name:
            return name
    return ""


def _until_step_end(rest: str) -> str:
    """Free text up to the next step marker (an imagined observation or next step is dropped)."""
    end = _STEP_END.search(rest)
    return (rest[:end.start()] if end else rest).strip()


def _arguments(rest: str) -> str:
    """An Action Input value: its JSON object when it starts with one, else the free text (the
    simulator then reports non-JSON input, as StableToolBench's server does)."""
    value = rest.lstrip(" \t\r\n*`")  # bold/code markers left over from "**Action Input:**"
    found = first_object(value) if value.startswith("{") else None
    return found[1] if found is not None else _until_step_end(value)


def _thought(head: str) -> str:
    return _THOUGHT_PREFIX.sub("", head.strip(), count=1).strip()


def _marked_call(text: str, action: re.Match[str]) -> tuple[str, str, str]:
    """(thought, name, arguments) from an `Action:` marker onwards; no `Action Input:` means `{}`."""
    after = action.end()
    action_input = _ACTION_INPUT.search(text, after)
    name = _clean_name(text[after:action_input.start()] if action_input else text[after:])
    arguments = _arguments(text[action_input.end():]) if action_input else "{}"
    return _thought(text[:action.start()]), name, arguments


def _json_call(text: str) -> tuple[str, str, str] | None:
    """A bare JSON call such as {"name": ..., "arguments": {...}} (also "action"/"action_input")."""
    found = first_object(text)
    if found is None:
        return None
    obj: dict[str, Any] = found[0]
    name = next((v for k in _NAME_KEYS if isinstance(v := obj.get(k), str)), None)
    if name is None:
        return None
    args: Any = next((obj[k] for k in _ARGUMENT_KEYS if k in obj), {})
    arguments = args if isinstance(args, str) else json.dumps(args, ensure_ascii=False)
    return _thought(text[:text.find("{")]), name.strip(), arguments


def _call(text: str) -> tuple[str, str, str] | None:
    action = _ACTION.search(text)
    return _marked_call(text, action) if action else _json_call(text)


def _call_action(call: tuple[str, str, str] | None) -> Action:
    if call is None:
        return Action(kind="parse_error", error="no 'Action:' line or JSON call object")
    thought, name, arguments = call
    if not name:
        return Action(kind="parse_error", thought=thought, arguments=arguments, error="empty action name")
    return Action(kind="call", thought=thought, name=name, arguments=arguments)


@dataclass(frozen=True)
class ChatMulti:
    """Planner / caller / summarizer for any instruct model. The engine records the plan's thought as
    an `assistant` turn before building the caller or summarizer prompt (as for alpha-umi)."""

    name: ClassVar[str] = "chat-multi"
    kind: ClassVar[str] = "multi"
    stop: ClassVar[tuple[str, ...]] = ("\nObservation:",)
    served_by: ClassVar[str] = "chat-api"
    static_eval: ClassVar[bool] = False

    def planner_prompt(self, ctx: PromptContext) -> list[Message]:
        return chat_messages(_system(PLANNER_SYSTEM, ctx), ctx, PLANNER_CUE)

    def caller_prompt(self, ctx: PromptContext, thought: str) -> list[Message]:
        """`thought` is already the last history turn, so it is not repeated."""
        return chat_messages(_system(CALLER_SYSTEM, ctx), ctx, CALLER_CUE)

    def summarizer_prompt(self, ctx: PromptContext) -> list[Message]:
        return chat_messages(SUMMARIZER_SYSTEM, ctx, SUMMARIZER_CUE)

    def parse_plan(self, text: str) -> Plan:
        """The LAST `Next:` marker decides (the instruction asks to end with it); no marker -> caller."""
        text = text.strip()
        if text in ("", ".", ","):
            return Plan(next="retry", thought="")
        found = deque(_NEXT.finditer(text), maxlen=1)
        if not found:
            return Plan(next="caller", thought=text, marked=False)
        last = found[0]
        route: Route = _ROUTES.get(last.group(1).lower(), "give_up")
        return Plan(next=route, thought=text[:last.end()])

    def parse_call(self, text: str, thought: str = "") -> Action:
        return _call_action(_call(strip_fences(text)))

    def parse_summary(self, text: str, thought: str = "") -> Action:
        answer = _ANSWER_PREFIX.sub("", strip_fences(text).strip(), count=1).strip()
        if not answer:
            return Action(kind="parse_error", error="empty summarizer output")
        return Action(kind="answer", answer=answer)

    def call_turn(self, text: str, action: Action) -> Turn:
        return Turn("caller", f"Action: {action.name}\nAction Input: {action.arguments}")


@dataclass(frozen=True)
class ChatSingle:
    """One ReAct step per turn: a tool call, `Final Answer: ...`, or `Give up.`; plain text without
    any marker or call is taken as the final answer."""

    name: ClassVar[str] = "chat-single"
    kind: ClassVar[str] = "single"
    stop: ClassVar[tuple[str, ...]] = ("\nObservation:",)
    served_by: ClassVar[str] = "chat-api"
    static_eval: ClassVar[bool] = False

    def step_prompt(self, ctx: PromptContext) -> list[Message]:
        return chat_messages(_system(SINGLE_SYSTEM, ctx), ctx)

    def parse_step(self, text: str) -> Action:
        """The EARLIEST marker wins (small models often go on with an imagined observation and answer).
        A call to ToolBench's `Finish` is understood too."""
        text = strip_fences(text)
        found = [m for m in (_ACTION.search(text), _FINAL_ANSWER.search(text), _GIVE_UP_LINE.search(text)) if m]
        if not found:
            call = _json_call(text)
            # Plain prose with no call is the model answering, as chat function-calling APIs treat it.
            return _call_action(call) if call or not text.strip() else self._final_answer("", text.strip())
        first = min(found, key=lambda m: m.start())
        thought = _thought(text[:first.start()])
        if first.re is _GIVE_UP_LINE:
            return Action(kind="give_up", thought=thought)
        if first.re is _FINAL_ANSWER:
            return self._final_answer(thought, _until_step_end(text[first.end():]))
        action = _call_action(_marked_call(text, first))
        if action.kind == "call" and action.name.lower() == "finish":
            return finish_action(action.thought, action.name, action.arguments)
        return action

    @staticmethod
    def _final_answer(thought: str, answer: str) -> Action:
        if _GIVE_UP_ONLY.fullmatch(answer):
            return Action(kind="give_up", thought=thought)
        if not answer:
            return Action(kind="parse_error", thought=thought, error="empty final answer")
        return Action(kind="answer", thought=thought, answer=answer)

    def step_turns(self, text: str, action: Action) -> tuple[Turn, ...]:
        """The step in the canonical form the instruction shows, so the model sees clean examples."""
        thought = f"Thought: {action.thought}\n" if action.thought else ""
        if action.kind == "call":
            return (Turn("assistant", f"{thought}Action: {action.name}\nAction Input: {action.arguments}"),)
        if action.kind == "answer":
            return (Turn("assistant", f"{thought}Final Answer: {action.answer}"),)
        if action.kind == "give_up":
            return (Turn("assistant", f"{thought}{GIVE_UP_TEXT}"),)
        return (Turn("assistant", text.strip()),)

