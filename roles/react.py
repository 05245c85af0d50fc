"""ToolLLaMA (ToolBench ReAct) format, as ToolLLaMA-2-7b-v2 was trained and run by ToolBench.

Sources read: OpenBMB/ToolBench toolbench/inference/Downstream_tasks/rapidapi.py (task description),
toolbench/utils.py `process_system_message`, toolbench/inference/LLM/tool_llama_model.py (prompt
rendering, "Assistant:\\n" cue), toolbench/tool_conversation.py (`tool-llama-single-round` roles),
preprocess/preprocess_toolllama_data.py (how past steps look in training), and the ReAct prompt strings
(the same text as StableToolBench's prompts/react_*.txt data files and the RapidAPI prefix).

Past assistant steps (`history`): ToolBench's inference keeps only what its `react_parser` reads as the thought
(the message `content`; the call rides in `function_call`, which the prompt never shows), so a later prompt
shows `Assistant: <thought>`; that is the default, `inference`. `training` shows the whole
"\\nThought: ...\\nAction: ...\\nAction Input: ..." block, as ToolLLaMA's training data does.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from roles.docs import toolbench_functions_repr, toolbench_tool_list
from roles.parsing import step_action
from roles.types import Action, PromptContext, Turn, memoized

SYSTEM_TEMPLATE = (
    "You are AutoGPT, you can use many tools(functions) to do the following task.\n"
    "First I will give you the task description, and your task start.\n"
    "At each step, you need to give your thought to analyze the status now and what to do next, with a "
    "function call to actually excute your step.\n"
    "After the call, you will get the call result, and you are now in a new state.\n"
    "Then you will analyze your status now, then decide what to do next...\n"
    "After many (Thought-call) pairs, you finally perform the task, then you can give your finial answer.\n"
    "Remember: \n"
    "1.the state change is irreversible, you can't go back to one of the former state, if you want to "
    "restart the task, say \"I give up and restart\".\n"
    "2.All the thought is short, at most in 5 sentence.\n"
    "3.You can do more then one trys, so if your plan is to continusly try some conditions, you can do one "
    "of the conditions per try.\n"
    "Let's Begin!\n"
    "Task description: {task_description}"
)
TASK_DESCRIPTION_PREFIX = (
    "You should use functions to help handle the real time user querys. Remember:\n"
    "1.ALWAYS call \"Finish\" function at the end of the task. And the final answer should contain enough "
    "information to show to the user,If you can't handle the task, or you find that function calls always "
    "fail(the function is not valid now), use function Finish->give_up_and_restart.\n"
    "2.Do not use origin tool names, use only subfunctions' names.\n"
    "You have access of the following tools:\n"
)
USER_TEMPLATE = "\n{input_description}\nBegin!\n"
# toolbench/utils.py process_system_message: the format hint and the function list, added at prompt time.
FORMAT_ANCHOR = "with a function call to actually excute your step."
FORMAT_HINT = " Your output should follow this format:\nThought:\nAction\nAction Input:\n"
FUNCTIONS_INTRO = "\nSpecifically, you have access to the following APIs: "

ROLE_NAMES = {"user": "User", "assistant": "Assistant", "caller": "Assistant", "conclusion": "Assistant",
              "observation": "Function"}
CUE = "Assistant:\n"
THOUGHT, ACTION, ACTION_INPUT = "Thought:", "Action:", "Action Input:"
HISTORY_STYLES = ("inference", "training")


def react_parser_thought(text: str) -> str:
    """The thought ToolBench's `react_parser` reads (toolbench/inference/utils.py), kept quirks and all: from
    after the first "Thought: " to the first "\\nAction: ", each `find` giving -1 when absent (so the slice
    then starts at index 8 or stops before the last character)."""
    return text[text.find("Thought: ") + len("Thought: "):text.find("\nAction: ")]


def stored_system_message(ctx: PromptContext) -> str:
    """The system message as ToolBench stores it in `train_messages` (task description filled in)."""
    return SYSTEM_TEMPLATE.replace("{task_description}", TASK_DESCRIPTION_PREFIX + toolbench_tool_list(ctx.tools))


def system_message(ctx: PromptContext) -> str:
    """The system turn as the model sees it: ToolBench's `process_system_message` adds the format hint
    and the function list (schemas plus Finish) to the stored message. Rendered once per trajectory."""
    return memoized(ctx, "toolbench system message", lambda: _system_message(ctx))


def _system_message(ctx: PromptContext) -> str:
    hinted = stored_system_message(ctx).replace(FORMAT_ANCHOR, FORMAT_ANCHOR + FORMAT_HINT)
    return hinted + FUNCTIONS_INTRO + toolbench_functions_repr(ctx.tools)


def _split(text: str) -> tuple[str, str, str] | None:
    """(thought, action, action_input) of a ReAct step, or None without an `Action:` marker.

    Like ToolBench's `react_parser`: the FIRST `Action:`; the action runs to the next line break (or
    `Action Input:`); the input is everything after the following `Action Input:`.
    """
    start = text.find(ACTION)
    if start < 0:
        return None
    head = text[:start]
    thought = head[head.find(THOUGHT) + len(THOUGHT):] if THOUGHT in head else head
    rest = text[start + len(ACTION):]
    input_at = rest.find(ACTION_INPUT)
    arguments = rest[input_at + len(ACTION_INPUT):].strip() if input_at >= 0 else ""
    action = rest[:input_at] if input_at >= 0 else rest
    return thought.strip(), action.split("\n", 1)[0].strip(), arguments


@dataclass(frozen=True)
class ToolLlama:
    """Single-LLM ReAct agent with ToolBench's Finish function for answers and give-ups."""

    name: ClassVar[str] = "toolllama"
    kind: ClassVar[str] = "single"
    stop: ClassVar[tuple[str, ...]] = ("</s>",)
    served_by: ClassVar[str] = "local"
    static_eval: ClassVar[bool] = False
    history: str = "inference"  # how past steps read: as ToolBench's inference renders them, or as trained

    def __post_init__(self) -> None:
        if self.history not in HISTORY_STYLES:
            raise ValueError(f"history must be one of {HISTORY_STYLES}, got {self.history!r}")

    def step_prompt(self, ctx: PromptContext) -> str:
        """`Role: content\\n` per message (tool-llama-single-round), then the "Assistant:\\n" cue; the
        first user turn is the query wrapped in ToolBench's user template."""
        parts = [f"System: {system_message(ctx)}\n"]
        for i, turn in enumerate(ctx.history):
            content = USER_TEMPLATE.replace("{input_description}", turn.text) if i == 0 else turn.text
            parts.append(f"{ROLE_NAMES.get(turn.role, 'User')}: {content}\n")
        return "".join(parts) + CUE

    def parse_step(self, text: str) -> Action:
        return step_action(text, _split(text), "no 'Action:' in output")

    def step_turns(self, text: str, action: Action) -> tuple[Turn, ...]:
        """The step as ToolBench's inference keeps it (its thought), or as ToolLLaMA's training data shows it
        (unparsed output then kept as generated)."""
        if self.history == "inference":
            return (Turn("assistant", react_parser_thought(text)),)
        if action.kind == "parse_error" and not action.name:
            return (Turn("assistant", text),)
        return (Turn("assistant", f"\n{THOUGHT} {action.thought}\n{ACTION} {action.name}\n"
                                  f"{ACTION_INPUT} {action.arguments}"),)
