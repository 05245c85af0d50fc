"""alpha-UMi's prompt formats and parsers, byte-exact with the released checkpoints (docs/alpha-umi.md).

Sources read: X-PLUG/Multi-LLM-Agent, GLPFT/utils/prompt_lib.py (templates), GLPFT/process_data/
toolbench/prepro_*.py (training inputs and history), ToolBench-multiLLM/.../collab_agent_model.py and
inference/utils.py (real-time routing and parsing), GLPFT/inference_utils/toolbench/ (static test).

Upstream fills templates with chained `str.replace`, which would also substitute a placeholder that
happens to occur inside the query or an observation; here each slot is filled once, in one pass,
which is identical on every input that does not contain a literal "{doc}"/"{history}"/... text.
"""
from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from roles.docs import DOC_STYLES, DocStyle, alpha_umi_doc, tool_names
from roles.types import Action, Plan, PromptContext, Turn, memoized, rendered_history

# The four templates of GLPFT/utils/prompt_lib.py ("toolbench_*"), written out whole so they can be
# diffed against the spec; typos are part of the trained format.
PLANNER_TEMPLATE = (
    "You have assess to the following apis:\n"
    "{doc}\n"
    "The conversation history is:\n"
    "{history}\n"
    "You are the assistant to plan what to do next and whether is caller's or conclusion's turn to answer.\n"
    "Answer with a following format:\n"
    "The thought of the next step, followed by Next: caller or conclusion or give up."
)
CALLER_TEMPLATE = (
    "You have assess to the following apis:\n"
    "{doc}\n"
    "The conversation history is:\n"
    "{history}\n"
    "The thought of this step is:\n"
    "{thought}\n"
    "Base on the thought make an api call in the following format:\n"
    "Action: the name of api that should be called in this step, should be exactly in [{tool_names}],\n"
    "Action Input: the api call request."
)
SUMMARIZER_TEMPLATE = (
    "Make a conclusion based on the conversation history:\n"
    "{history}"
)
BACKBONE_TEMPLATE = (
    "You have assess to the following apis:\n"
    "{doc}\n"
    "The conversation history is:\n"
    "{history}\n"
    "You should answer the action of next step in the following format:\n"
    "The thought to solve the question,\n"
    "Action: the name of api that should be called in this step, should be exactly in [{tool_names}],\n"
    "Action Input: the api call request.\n"
    "Once you think the question is finished, output conclusion: the final answer of the question or give up "
    "if you think you cannot answer this question.\n"
)

SYSTEM_PREFIX = "system: "  # training prefixed every input with it; the authors' inference did not
EOS = "</s>"  # literal text in the history, and the stop string of every role
CUES = {"planner": " assistant: ", "caller": " caller: ", "summarizer": " conclusion: "}

MARK_CALLER, MARK_CONCLUSION, MARK_GIVE_UP = "Next: caller.", "Next: conclusion.", "Next: give up."
Route = Literal["give_up", "conclusion", "caller"]
_ROUTING: tuple[tuple[str, Route], ...] = (
    (MARK_GIVE_UP, "give_up"), (MARK_CONCLUSION, "conclusion"), (MARK_CALLER, "caller"))  # precedence order
# Upstream ROUTES a plan by the markers with their period, but READS a whole step (plan, then the caller's or
# summarizer's output) by these, without it (utils.collab_agent_parser in real time, evaluate-*.py statically).
READ_GIVE_UP, READ_CONCLUSION = "Next: give up", "Next: conclusion"
ACTION, ACTION_INPUT = "Action:", "Action Input:"
CONCLUSION = "conclusion: "
ASSISTANT = "assistant: "
DEFAULT_ACTION, DEFAULT_ARGUMENTS = "none", "{}"
EMPTY_PLAN = "none"  # what upstream goes on with when the planner's output stays empty
_EMPTY_OUTPUTS = ("", ".", ",")  # upstream treats these as "no output" (planner retries)
UNMARKED_ROUTES: tuple[str, ...] = ("caller", "conclusion")
ObservationStyle = Literal["alpha-umi", "toolbench"]
OBSERVATION_STYLES: tuple[str, ...] = ("alpha-umi", "toolbench")

_SLOT = re.compile(r"\{(doc|tool_names|history|thought)\}")


def fill(template: str, **slots: str) -> str:
    """Substitute the template's {slots} in one pass (inserted text is never re-scanned)."""
    pieces = list(_template_pieces(template))  # literal, slot name, literal, ..., literal
    pieces[1::2] = [slots[name] for name in pieces[1::2]]  # a slice, not a test per piece: every prompt passes here
    return "".join(pieces)


@functools.lru_cache(maxsize=64)
def _template_pieces(template: str) -> tuple[str, ...]:
    return tuple(_SLOT.split(template))


def doc_slots(tools: Sequence[Any], style: DocStyle) -> tuple[str, str]:
    """The {doc} and {tool_names} slots. Tools given as dicts are doc entries already ({"Name", "function",
    "input"}: the static test files carry them so) and are dumped as given, as upstream's static inference does."""
    if tools and all(isinstance(t, dict) for t in tools):
        return "".join(json.dumps(t) + "\n" for t in tools), ", ".join(str(t["Name"]) for t in tools)
    return alpha_umi_doc(tools, style), tool_names(tools)


def render_turn(turn: Turn) -> str:
    """`role: text</s>`, except an observation, which carries no `</s>` (as in training)."""
    return f"{turn.role}: {turn.text}" + ("" if turn.role == "observation" else EOS)


def render_history(history: tuple[Turn, ...]) -> str:
    return "".join(render_turn(t) for t in history)


def drop_colon(text: str) -> str:
    """Upstream drops one leading ": " of a generation (the cue's colon, repeated by the model)."""
    return text[2:] if text.startswith(": ") else text


def clean_output(text: str) -> str:
    """The real-time planner's output as upstream reads it: stripped, then one leading ": " dropped."""
    return drop_colon(text.strip())


def is_empty_output(text: str) -> bool:
    return text.strip() in _EMPTY_OUTPUTS


def route_plan(text: str) -> tuple[Route, str] | None:
    """The route of the first marker found in the order give up, conclusion, caller, and the text cut right
    after that marker; None when no marker (with its period) occurs."""
    for marker, route in _ROUTING:
        if marker in text:
            return route, text[:text.index(marker) + len(marker)]
    return None


def parse_action(text: str) -> tuple[str, str, str]:
    """(thought, action, action_input) of a caller/backbone output, as the authors parse it: action =
    after the LAST `Action:` up to the next `Action Input:`; input = after the LAST `Action Input:`."""
    arguments = DEFAULT_ARGUMENTS
    if ACTION_INPUT in text:
        arguments = text[text.rindex(ACTION_INPUT) + len(ACTION_INPUT):].strip()
    if ACTION not in text:
        return text.strip(), DEFAULT_ACTION, arguments
    start = text.rindex(ACTION)
    action = text[start + len(ACTION):]
    if ACTION_INPUT in action:
        action = action[:action.index(ACTION_INPUT)]
    return text[:start].strip(), action.strip(), arguments


def answer_after_conclusion(text: str) -> str:
    """The text after the LAST `conclusion: `. Upstream tests for `conclusion:` and then looks up
    `conclusion: `, which raises when only the former occurs; the whole text is the answer then."""
    return text[text.rindex(CONCLUSION) + len(CONCLUSION):] if CONCLUSION in text else text


def read_step(text: str) -> Action:
    """A whole multi-agent step as upstream reads it: the plan, `</s>caller: ` or `</s>conclusion: `, and that
    role's output (evaluate-multi_agent.py parse_output; utils.collab_agent_parser in real time, which first
    drops a leading `assistant: `). `Next: give up` anywhere -> give up; else `Next: conclusion` anywhere ->
    the answer after the last `conclusion: ` with every `</s>` removed; else a call parsed from the text
    between the first and second `</s>` (upstream raises when there is no `</s>`: here that is no call text)."""
    if READ_GIVE_UP in text:
        return Action(kind="give_up", thought=text[:text.index(READ_GIVE_UP)].strip())
    if READ_CONCLUSION in text:
        answer = answer_after_conclusion(text).replace(EOS, "")
        return Action(kind="answer", thought=text[:text.index(READ_CONCLUSION)].strip(), answer=answer)
    parts = text.split(EOS)
    _, name, arguments = parse_action(parts[1] if len(parts) > 1 else "")
    return Action(kind="call", thought=text.split(EOS + "caller: ")[0].strip(), name=name, arguments=arguments)


@dataclass(frozen=True)
class _AlphaUmiBase:
    """Options shared by the multi-LLM agent and its single-LLM backbone.

    `doc_style` "bare" is the doc the authors' real-time runner sent (rapidapi.py `template_for_input`);
    "training" is the training data's. `observations` "alpha-umi" is what that runner's environment
    returned (rapidapi.py: the response alone); "toolbench" is ToolBench's {"error", "response"} JSON.
    """

    doc_style: DocStyle = "bare"
    system_prefix: bool = False
    observations: ObservationStyle = "alpha-umi"

    stop: ClassVar[tuple[str, ...]] = (EOS,)
    served_by: ClassVar[str] = "local"
    static_eval: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if self.doc_style not in DOC_STYLES:
            raise ValueError(f"doc_style must be one of {DOC_STYLES}, got {self.doc_style!r}")
        if not isinstance(self.system_prefix, bool):
            raise ValueError(f"system_prefix must be a bool, got {self.system_prefix!r}")
        if self.observations not in OBSERVATION_STYLES:
            raise ValueError(f"observations must be one of {OBSERVATION_STYLES}, got {self.observations!r}")

    def _prompt(self, template: str, ctx: PromptContext, cue: str, thought: str = "") -> str:
        doc, names = memoized(ctx, ("alpha-umi doc", self.doc_style), lambda: doc_slots(ctx.tools, self.doc_style))
        history = rendered_history(ctx, "alpha-umi history", render_turn)
        text = fill(template, doc=doc, tool_names=names, history=history, thought=thought)
        return (SYSTEM_PREFIX if self.system_prefix else "") + text + cue


@dataclass(frozen=True)
class AlphaUmi(_AlphaUmiBase):
    """The multi-LLM agent: planner, caller, summarizer, as the authors' real-time runner drove them
    (ToolBench-multiLLM collab_agent_model.py and utils.collab_agent_parser).

    Contract with the engine: the planner's `Plan.thought` is recorded as an `assistant` turn BEFORE
    the caller or summarizer prompt is built (their {history} ends with it, as upstream's `dispatch`).
    `unmarked` routes planner output without any `Next:` marker ("caller": the authors' repo,
    "conclusion": the ModelScope port); such plans have `marked=False` so the engine can count them.
    The caller's and summarizer's outputs are read together with the plan (`read_step`), so an output that
    says `Next: give up` or `Next: conclusion`, with or without the period, ends the step as upstream's did.
    """

    unmarked: Literal["caller", "conclusion"] = "caller"

    name: ClassVar[str] = "alpha-umi"
    kind: ClassVar[str] = "multi"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.unmarked not in UNMARKED_ROUTES:
            raise ValueError(f"unmarked must be one of {UNMARKED_ROUTES}, got {self.unmarked!r}")

    def planner_prompt(self, ctx: PromptContext) -> str:
        return self._prompt(PLANNER_TEMPLATE, ctx, CUES["planner"])

    def caller_prompt(self, ctx: PromptContext, thought: str) -> str:
        return self._prompt(CALLER_TEMPLATE, ctx, CUES["caller"], thought)

    def summarizer_prompt(self, ctx: PromptContext) -> str:
        return self._prompt(SUMMARIZER_TEMPLATE, ctx, CUES["summarizer"])

    def parse_plan(self, text: str) -> Plan:
        """Route by the first marker found in the order give up, conclusion, caller; the thought is cut
        right after its marker. Unmarked text gets the default route's marker appended (" Next: caller."
        as upstream's real-time code does), so the history always shows a marked plan."""
        text = clean_output(text)
        if is_empty_output(text):
            return Plan(next="retry", thought="")
        routed = route_plan(text)
        if routed is not None:
            return Plan(next=routed[0], thought=routed[1])
        marker = MARK_CALLER if self.unmarked == "caller" else MARK_CONCLUSION
        return Plan(next=self.unmarked, thought=f"{text} {marker}", marked=False)

    def parse_call(self, text: str, thought: str = "") -> Action:
        """The step `thought</s>caller: output` as upstream reads it: a call (a missing action is `none`
        and missing input `{}`; the environment then answers "No such function name"), or a give-up or
        an answer when the text says `Next: give up` / `Next: conclusion`. The thought of a call is the
        caller's text before its action, as before."""
        step = read_step(f"{thought}{EOS}caller: {text.strip()}".removeprefix(ASSISTANT))
        if step.kind != "call":
            return step
        return step.with_thought(parse_action(text.strip())[0])

    def parse_summary(self, text: str, thought: str = "") -> Action:
        """The step `thought</s>conclusion: output` as upstream reads it: the answer is the text after the
        last `conclusion: ` (an empty one included: upstream's Finish accepted it); `Next: give up` in
        the output gives up."""
        text = text.strip()
        step = read_step(f"{thought}{EOS}{CONCLUSION}{text}".removeprefix(ASSISTANT))
        if step.kind == "give_up":
            return step
        # The last `conclusion: ` of the step is the cue's or one in the output: the answer is the output's.
        return Action(kind="answer", answer=answer_after_conclusion(text).replace(EOS, ""))

    def call_turn(self, text: str, action: Action) -> Turn:
        """The caller's output as generated (stripped, as upstream's decoding loop returns it)."""
        return Turn("caller", text.strip())


def read_backbone_step(text: str) -> Action:
    """A backbone output as upstream reads it (evaluate-backbone.py `parse_output`): `conclusion: give up`
    -> give up; `conclusion: ` -> the answer after the LAST one, unstripped; otherwise a call parsed like
    the caller's output."""
    if "conclusion: give up" in text:
        return Action(kind="give_up", thought=text[:text.index("conclusion: give up")].strip())
    if CONCLUSION in text:
        start = text.rindex(CONCLUSION)
        return Action(kind="answer", thought=text[:start].strip(), answer=text[start + len(CONCLUSION):])
    thought, name, arguments = parse_action(text)
    return Action(kind="call", thought=thought, name=name, arguments=arguments)


@dataclass(frozen=True)
class AlphaUmiBackbone(_AlphaUmiBase):
    """The stage-1 backbone doing every step alone (the single-LLM baseline).

    Its training data (GLPFT prepro_backbone.py) records each step as ONE `assistant` turn holding the
    whole target (thought, newline, then `Action: ...\\nAction Input: ...` or `conclusion: ...`); no
    separate caller turn. `step_turns` records the cleaned output the same way.
    """

    name: ClassVar[str] = "alpha-umi-backbone"
    kind: ClassVar[str] = "single"

    def step_prompt(self, ctx: PromptContext) -> str:
        return self._prompt(BACKBONE_TEMPLATE, ctx, CUES["planner"])

    def parse_step(self, text: str) -> Action:
        """The cleaned output read as evaluate-backbone.py reads a step (`read_backbone_step`)."""
        return read_backbone_step(clean_output(text))

    def step_turns(self, text: str, action: Action) -> tuple[Turn, ...]:
        return (Turn("assistant", clean_output(text)),)
