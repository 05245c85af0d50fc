"""Scripted models that fail in known ways, one per error category of the analysis (and combinations),
with the first error (category, role, step) each must get on every trajectory, and the categories it must
show somewhere. The embedded benchmark's first tool of every task has required parameters; a call with
type-correct made-up values succeeds on the OK_GROUPS tasks and gets an error reply (status 12) on the others."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from engine.backends.scripted import _prompt_text, register_script
from engine.types import RoleRequest

OK_GROUPS = ("G1_category", "G2_category")
ERROR_GROUPS = ("G1_instruction", "G1_tool", "G2_instruction", "G3_instruction")
ALL_GROUPS = OK_GROUPS + ERROR_GROUPS
_SIGNATURE = re.compile(r"^- (\w+)\(([^)]*)\)", re.M)  # chat formats' tool lines: "- name(a: string, b?: integer)"


def observations(request: RoleRequest) -> int:
    return _prompt_text(request).count('{"error": ')


def first_tool(request: RoleRequest, value=lambda declared, n: n + 1 if declared == "integer" else "x" * (n + 1)):
    """The first tool's name and its required arguments made up by `value(type, calls so far)`."""
    name, params = _SIGNATURE.search(_prompt_text(request)).groups()
    n = observations(request)
    required = [p.split(":") for p in params.split(",") if p.strip() and "?" not in p.split(":")[0]]
    return name, {k.strip(): value(t.strip(), n) for k, t in required}


def call(name: str, arguments) -> str:
    text = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return f"Thought: try it.\nAction: {name}\nAction Input: {text}"


def _then_answer(make_call):
    """A backbone script: `make_call(request)` until one observation is in, then a made-up answer."""
    def script(request: RoleRequest) -> str:
        return "Final Answer: 42" if observations(request) else make_call(request)
    return script


def _unknown(request):
    name, arguments = first_tool(request)
    return call(name, {**arguments, "zz_extra": "1"})


def _wrong_type(request):
    name, arguments = first_tool(request)
    return call(name, {k: {"v": 1} for k in arguments})


def _repeat(request):
    return "Final Answer: 42" if observations(request) >= 2 else call(*first_tool(request, lambda t, n: 1 if t == "integer" else "x"))


def _raise(request):
    raise RuntimeError("model crashed")


def _multi(plan, caller, summarizer="Here is 42."):
    def script(request: RoleRequest) -> str:
        if request.role == "planner":
            return plan(request)
        return caller(request) if request.role == "caller" else summarizer
    return script


def _plan_once(request):
    return "I should look it up. Next: conclusion." if observations(request) else "I should look it up. Next: caller."


def _first_call(request):
    return call(*first_tool(request))


@dataclass(frozen=True)
class Case:
    script: str
    agent: str
    groups: tuple[str, ...]
    first: tuple[str, str, int]  # category, role, step
    also: frozenset[str] = frozenset()  # categories every trajectory must also show


SCRIPTS = {
    "fail-empty": lambda r: "",
    "fail-unparseable": lambda r: "Thought: done.\nAction: Finish\nAction Input: not json",
    "fail-hallucinated": _then_answer(lambda r: call("no_such_api_for_nobody", {})),
    "fail-missing-arg": _then_answer(lambda r: call(first_tool(r)[0], {})),
    "fail-unknown-arg": _then_answer(_unknown),
    "fail-argument-type": _then_answer(_wrong_type),
    "fail-invalid-json": _then_answer(lambda r: call(first_tool(r)[0], "{oops")),
    "fail-tool-error": _then_answer(_first_call),
    "fail-repeated": _repeat,
    "fail-step-limit": _first_call,
    "fail-give-up": lambda r: "Thought: no tool helps.\nGive up.",
    "fail-no-tool": lambda r: "Final Answer: 42",
    "fail-wrong-answer": _then_answer(_first_call),
    "fail-crash": _raise,
    "fail-routing": _multi(lambda r: "I will look something up.", _first_call),
    "fail-summarizer": _multi(_plan_once, _first_call, summarizer=""),
    "fail-caller": _multi(_plan_once, lambda r: call("no_such_api_for_nobody", {})),
    "fail-planner-empty": _multi(lambda r: "", _first_call),
    # alpha-UMi's prompts list tools as JSON: the G1_category task's first tool is this one
    "fail-routing-alpha": _multi(lambda r: "I will look something up.",
                                 lambda r: call("scrabble_score_for_wordsmith", {"word": "quiz"})),
}
for _name, _script in SCRIPTS.items():
    register_script(_name, _script)

CASES = [
    Case("fail-empty", "chat-single", ALL_GROUPS, ("empty_output", "backbone", 1), frozenset({"step_limit"})),
    Case("fail-unparseable", "chat-single", ALL_GROUPS, ("unparseable_output", "backbone", 1), frozenset({"step_limit"})),
    Case("fail-hallucinated", "chat-single", ALL_GROUPS, ("hallucinated_api", "backbone", 1),
         frozenset({"answered_without_tool", "wrong_answer", "missing_facts"})),
    Case("fail-missing-arg", "chat-single", ALL_GROUPS, ("missing_required_argument", "backbone", 1), frozenset({"tool_error"})),
    Case("fail-unknown-arg", "chat-single", OK_GROUPS, ("unknown_argument", "backbone", 1)),
    Case("fail-argument-type", "chat-single", ALL_GROUPS, ("argument_type", "backbone", 1)),
    Case("fail-invalid-json", "chat-single", ALL_GROUPS, ("invalid_json_arguments", "backbone", 1), frozenset({"tool_error"})),
    Case("fail-tool-error", "chat-single", ERROR_GROUPS, ("tool_error", "backbone", 1), frozenset({"answered_without_tool"})),
    Case("fail-repeated", "chat-single", OK_GROUPS, ("repeated_call", "backbone", 2), frozenset({"wrong_answer", "missing_facts"})),
    Case("fail-step-limit", "chat-single", OK_GROUPS, ("step_limit", "backbone", 4)),
    Case("fail-give-up", "chat-single", ALL_GROUPS, ("gave_up", "backbone", 1)),
    Case("fail-no-tool", "chat-single", ALL_GROUPS, ("answered_without_tool", "backbone", 1),
         frozenset({"wrong_answer", "missing_facts"})),
    Case("fail-wrong-answer", "chat-single", OK_GROUPS, ("wrong_answer", "backbone", 2), frozenset({"missing_facts"})),
    Case("fail-crash", "chat-single", ALL_GROUPS, ("empty_output", "backbone", 1)),
    Case("fail-routing", "chat-multi", OK_GROUPS, ("routing_error", "planner", 1), frozenset({"step_limit"})),
    Case("fail-summarizer", "chat-multi", OK_GROUPS, ("empty_output", "summarizer", 2)),
    Case("fail-caller", "chat-multi", ALL_GROUPS, ("hallucinated_api", "caller", 1), frozenset({"answered_without_tool"})),
    Case("fail-planner-empty", "alpha-umi", ALL_GROUPS, ("empty_output", "planner", 1)),
    Case("fail-routing-alpha", "alpha-umi", ("G1_category",), ("routing_error", "planner", 1),
         frozenset({"step_limit", "repeated_call"})),
]
