"""Native function calling, the way ToolBench runs ChatGPT (issue 20, item 8): tools go to the model as OpenAI tool
schemas and its calls come back as structured tool calls, not as ReAct text.

- Prompt (`ToolPrompt`): ToolBench's system message (the task description: roles.react.stored_system_message) and
  user template, then per step the assistant message (its thought as `content`, its call in `tool_calls`) and a
  `tool` message with the observation, as StableToolBench's ChatGPT conversations hold them; the tools are every
  api schema, then Finish.
- No call: a reply without a call is a thought (ToolBench's thought-only node): the agent asks again with it in the
  history, as an assistant message with content only.
- Reply: Hermes `<tool_call>{"name", "arguments"}</tool_call>` (the form of Qwen, Hermes and SmolLM3 templates),
  or a bare JSON object `{"name", "parameters" | "arguments"}` (Llama 3's). The openai backend writes an OpenAI
  `tool_calls` reply in the Hermes form. The text before the call is the thought; only the first call is read,
  as ToolBench's ChatGPT runner reads one function call per message.
- `chat-fc-multi` is `chat-multi` (roles.chat) whose caller gets the tools natively and answers with a tool call;
  the planner and the summarizer write text, as there.
- A chat template that takes no tools (`apply_chat_template(tools=...)` renders the same text without them) gets
  them by one convention, `as_text_messages`: the tool schemas (one JSON per line) and the Hermes call syntax
  appended to the system message, past calls written as `<tool_call>` text and tool replies as user messages
  wrapped in `<tool_response>`.
"""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from benchmarks.core.schemas import FINISH_SCHEMA
from roles.chat import ChatMulti, chat_messages
from roles.parsing import first_object, loads, step_action
from roles.react import USER_TEMPLATE, stored_system_message
from roles.types import Action, PromptContext, ToolPrompt, Turn, memoized

_HERMES = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.S)
_ARGUMENT_KEYS = ("arguments", "parameters")
TOOLS_IN_SYSTEM = (
    "\n\nYou can call these functions (OpenAI tool schemas, one per line):\n{tools}\n"
    "To call one, answer with your thought, then <tool_call>{{\"name\": <function name>, \"arguments\": "
    "<arguments object>}}</tool_call>"
)


def openai_tools(tools: Sequence[Any]) -> tuple[dict[str, Any], ...]:
    """The offered tools (ToolSpec) and Finish as OpenAI tool schemas."""
    return tuple({"type": "function", "function": schema} for schema in (*(t.schema for t in tools), FINISH_SCHEMA))


def hermes_call(name: str, arguments: Any) -> str:
    """A call in Hermes' text form; `arguments` is an object or its JSON text (kept as text when not JSON)."""
    if isinstance(arguments, str):
        ok, value = loads(arguments)
        arguments = value if ok else arguments
    return "<tool_call>\n" + json.dumps({"name": name, "arguments": arguments}, ensure_ascii=False) + "\n</tool_call>"


def parse_tool_call(text: str) -> tuple[str, str, str] | None:
    """(thought, name, arguments as JSON text) of the first call in a reply, or None when it makes none.
    Model output is untrusted: never raises."""
    match = _HERMES.search(text)
    start = match.start() if match else text.find("{")
    found = first_object(match.group(1) if match else text)
    if found is None or not isinstance(found[0].get("name"), str):
        return None
    call = found[0]
    arguments = next((call[key] for key in _ARGUMENT_KEYS if key in call), {})
    arguments = arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)
    return text[:start].strip(), call["name"].strip(), arguments


def _messages(ctx: PromptContext) -> list[dict[str, Any]]:
    """The conversation in OpenAI's shape: system, user, then each step's assistant and tool messages."""
    messages: list[dict[str, Any]] = [{"role": "system", "content": stored_system_message(ctx)}]
    last_call = None
    for i, turn in enumerate(ctx.history):
        if i == 0:
            messages.append({"role": "user", "content": USER_TEMPLATE.replace("{input_description}", turn.text)})
        elif turn.role == "observation" and last_call is not None:
            messages.append({"role": "tool", "tool_call_id": last_call[0], "name": last_call[1], "content": turn.text})
        elif turn.role == "observation":  # a reply to a step without a call (ChatGPT never gets one)
            messages.append({"role": "user", "content": turn.text})
        elif turn.role == "user":
            messages.append({"role": "user", "content": turn.text})
        else:
            call = parse_tool_call(turn.text)
            if call is None:
                messages.append({"role": "assistant", "content": turn.text})
                last_call = None
                continue
            last_call = (f"call_{i}", call[1])
            messages.append({"role": "assistant", "content": call[0], "tool_calls": [
                {"id": last_call[0], "type": "function", "function": {"name": call[1], "arguments": call[2]}}]})
    return messages


def as_text_messages(prompt: ToolPrompt) -> list[dict[str, str]]:
    """The conversation for a chat template that takes no tools (the convention in the module docstring)."""
    tools = "\n".join(json.dumps(tool["function"], ensure_ascii=False) for tool in prompt.tools)
    out: list[dict[str, str]] = []
    for message in prompt.messages:
        content = message.get("content") or ""
        if message["role"] == "system":
            out.append({"role": "system", "content": content + TOOLS_IN_SYSTEM.format(tools=tools)})
        elif message["role"] == "tool":
            out.append({"role": "user", "content": f"<tool_response>\n{content}\n</tool_response>"})
        elif message.get("tool_calls"):
            function = message["tool_calls"][0]["function"]
            call = hermes_call(function["name"], function["arguments"])
            out.append({"role": "assistant", "content": f"{content}\n{call}" if content else call})
        else:
            out.append({"role": message["role"], "content": content})
    return out


@dataclass(frozen=True)
class ChatFunctionCalling:
    """Single-LLM agent with native function calling (ToolBench's ChatGPT runner), Finish as a tool."""

    name: ClassVar[str] = "chat-fc"
    kind: ClassVar[str] = "single"
    stop: ClassVar[tuple[str, ...]] = ()
    served_by: ClassVar[str] = "chat-api"
    static_eval: ClassVar[bool] = False
    # ChatGPT's runner: DFSDT trees take its shape (engine.search.dfsdt), a reply without a call is a thought-only
    # node, and a chain's length is counted in tree nodes (engine.agents)
    native_calls: ClassVar[bool] = True

    def step_prompt(self, ctx: PromptContext) -> ToolPrompt:
        tools = memoized(ctx, "openai tools", lambda: openai_tools(ctx.tools))
        return ToolPrompt(tuple(_messages(ctx)), tools)

    def parse_step(self, text: str) -> Action:
        """A call, Finish, or a thought: ToolBench's runner keeps a reply without a function call as a Thought
        node and asks again from it."""
        call = parse_tool_call(text)
        if call is None:
            return Action("thought", thought=text.strip())
        return step_action(text, call, "no tool call in the reply")

    def step_turns(self, text: str, action: Action) -> tuple[Turn, ...]:
        """The reply as generated: the prompt reads its thought and call back from it."""
        return (Turn("assistant", text),)


CALLER_SYSTEM = ("You are the caller of an agent. Turn the planner's last thought into one call of the functions "
                 "you are given.")
CALLER_CUE = "Call the function for this thought."


@dataclass(frozen=True)
class ChatFunctionCallingMulti(ChatMulti):
    """chat-multi with a function-calling caller: the tools go natively to the caller, which answers with a call."""

    name: ClassVar[str] = "chat-fc-multi"
    stop: ClassVar[tuple[str, ...]] = ()

    def caller_prompt(self, ctx: PromptContext, thought: str) -> ToolPrompt:
        tools = memoized(ctx, "openai tools", lambda: openai_tools(ctx.tools))
        return ToolPrompt(tuple(chat_messages(CALLER_SYSTEM, ctx, CALLER_CUE)), tools)

    def parse_call(self, text: str, thought: str = "") -> Action:
        return step_action(text, parse_tool_call(text), "no tool call in the reply")
