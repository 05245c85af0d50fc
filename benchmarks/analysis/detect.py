"""The detectors of the error categories (registered in benchmarks.analysis.categories, in this order, which
is their precedence), each a rule on what the files hold: no model, no judge, no text is executed.

Scopes: PLAN sees a planner output, CALL a tool call and the output that made it, END the chain's end."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import orjson

from benchmarks.analysis.categories import CALL, CATEGORIES, END, PLAN, Category, Hit, category
from benchmarks.analysis.chains import CallView, Chain, Output, Round
from benchmarks.core.schemas import resolve_function
from benchmarks.scoring.verified import states

# A plan routes by `Next: caller | conclusion | give up` (and the chat formats' synonyms).
_ROUTE = re.compile(r"next\s{0,3}:\s{0,3}(caller|call|conclusion|conclude|answer|finish|give[ _-]?up)\b", re.I)
_APPENDED_ROUTE = re.compile(r" Next: (caller|conclusion)\.$")  # what alpha-UMi's format appends to an unmarked plan
_EMPTY_PLAN = "none"  # what upstream goes on with once the planner's output stayed empty
_NO_ACTION = ("", "none")  # the formats' stand-ins for a call they could not read
OK, NO_SUCH_FUNCTION = 0, 1


class FunctionSchema(NamedTuple):
    function_name: str
    required: tuple[str, ...]
    types: dict[str, str]  # parameter -> declared type


def function_schemas(available_tools: Any) -> list[FunctionSchema]:
    """A converted answer's `available_tools` as what the checks need (Finish left out)."""
    schemas = []
    for tool in available_tools if isinstance(available_tools, list) else []:
        if not isinstance(tool, dict) or tool.get("name") in (None, "Finish"):
            continue
        parameters = tool.get("parameters") if isinstance(tool.get("parameters"), dict) else {}
        properties = parameters.get("properties") if isinstance(parameters.get("properties"), dict) else {}
        types = {str(k): str(v.get("type", "string")) if isinstance(v, dict) else "string" for k, v in properties.items()}
        required = tuple(str(r) for r in parameters.get("required") or [] if r)
        schemas.append(FunctionSchema(str(tool["name"]), required, types))
    return schemas


@dataclass
class StepContext:
    chain: Chain
    round: Round
    output: Output | None = None  # the output the scope is about
    call: CallView | None = None
    seen: set[tuple[str, str]] = field(default_factory=set)  # (function, canonical arguments) of earlier calls
    tools: list[FunctionSchema] | None = None  # None: unknown, so argument checks are skipped
    passed: bool | None = None  # the query's verdict, None when unscored
    facts: tuple[str, ...] | None = None  # gold facts (embedded benchmark)

    def schema(self) -> FunctionSchema | None:
        if not self.tools or self.call is None:
            return None
        return resolve_function(self.tools, self.call.function_name or self.call.name)  # type: ignore[arg-type]

    def arguments(self) -> dict[str, Any] | None:
        """The call's arguments as a JSON object ({} when blank), None when they are not one."""
        text = self.call.arguments.strip() if self.call else ""
        if not text:
            return {}
        try:
            parsed = orjson.loads(text)
        except orjson.JSONDecodeError:
            return None
        return parsed if isinstance(parsed, dict) else None

    def ok_calls(self) -> int:
        return sum(1 for r in self.chain.rounds if r.call and r.call.status == OK and r.call.source != "error")

    def next_role(self) -> str:
        """Who was to speak when the chain ended: the role after its last output."""
        if self.chain.kind != "multi":
            return "backbone"
        last = self.round.outputs[-1] if self.round.outputs else None
        if last is None:
            return "planner"
        if last.role == "planner":
            return "summarizer" if routes_to_conclusion(last.text) else "caller"
        return last.role


def routes_to_conclusion(plan: str) -> bool:
    found = list(_ROUTE.finditer(plan))
    return bool(found) and found[-1].group(1).lower() in ("conclusion", "conclude", "answer", "finish")


def canonical_arguments(text: str) -> str:
    try:
        return orjson.dumps(orjson.loads(text), option=orjson.OPT_SORT_KEYS).decode()
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        return text.strip()


def unread_call(call: CallView) -> bool:
    return call.name.strip() in _NO_ACTION or call.name == "Finish"


# ---- the vocabulary, in precedence order ------------------------------------------------------------

@category("empty_output", "the model's output for the step is empty (or the model failed to reply)", PLAN, CALL, END)
def _empty_output(scope: str, ctx: StepContext) -> Hit | None:
    if scope == PLAN:
        plan = _APPENDED_ROUTE.sub("", ctx.output.text).strip()
        return Hit("the planner's output stayed empty") if plan in ("", _EMPTY_PLAN) else None
    if scope == CALL:
        return Hit() if ctx.output is not None and not ctx.output.text.strip() else None
    if ctx.chain.status == "failed":
        return Hit(f"model error: {ctx.chain.error}", ctx.next_role())
    if ctx.chain.status == "answered" and not ctx.chain.final_answer.strip():
        return Hit("empty answer", _answerer(ctx.chain))
    if ctx.chain.status == "gave_up" and ctx.chain.kind == "multi" and ctx.next_role() == "summarizer":
        return Hit("the summarizer's output was empty or unreadable", "summarizer")
    return None


@category("unparseable_output", "the output could not be read as a call or an answer (no action, a bad Finish)", CALL)
def _unparseable(scope: str, ctx: StepContext) -> Hit | None:
    if ctx.output is not None and not ctx.output.text.strip():
        return None  # an empty output is that, not unreadable text
    return Hit(f"action {ctx.call.name!r}") if unread_call(ctx.call) else None


@category("routing_error", "the planner's output has no marker routing to caller, conclusion or give up", PLAN)
def _routing(scope: str, ctx: StepContext) -> Hit | None:
    text = ctx.output.text
    if _APPENDED_ROUTE.sub("", text).strip() in ("", _EMPTY_PLAN):
        return None  # an empty plan is empty_output
    if not _ROUTE.search(text):
        return Hit("no route marker")
    if _APPENDED_ROUTE.search(text) and _defaulted_before(ctx) < ctx.chain.unmarked_plans:
        return Hit("unmarked plan, routed by default")
    return None


def _defaulted_before(ctx: StepContext) -> int:
    """Plans of earlier steps that end as alpha-UMi's format ends an unmarked one. Its turn reads like a marked
    plan, so of the plans that could be unmarked, the first `unmarked_plans` (the record's count) are taken."""
    return sum(1 for r in ctx.chain.rounds[:ctx.round.step - 1] for o in r.outputs
               if o.role == "planner" and _APPENDED_ROUTE.search(o.text))


@category("hallucinated_api", "the call names a function the task does not offer", CALL)
def _hallucinated(scope: str, ctx: StepContext) -> Hit | None:
    call = ctx.call
    if unread_call(call):
        return None
    if call.status == NO_SUCH_FUNCTION or (ctx.tools is not None and ctx.schema() is None):
        return Hit(call.name)
    return None


def _checked_arguments(ctx: StepContext) -> tuple[FunctionSchema, dict[str, Any]] | None:
    schema, arguments = ctx.schema(), ctx.arguments()
    return (schema, arguments) if schema is not None and arguments is not None else None


@category("missing_required_argument", "a required parameter of the called function is absent", CALL)
def _missing_required(scope: str, ctx: StepContext) -> Hit | None:
    checked = _checked_arguments(ctx)
    missing = [name for name in checked[0].required if name not in checked[1]] if checked else []
    return Hit(", ".join(missing)) if missing else None


@category("unknown_argument", "an argument the called function does not declare", CALL)
def _unknown(scope: str, ctx: StepContext) -> Hit | None:
    checked = _checked_arguments(ctx)
    unknown = [str(name) for name in checked[1] if name not in checked[0].types] if checked else []
    return Hit(", ".join(unknown)) if unknown else None


def type_fits(declared: str, value: Any) -> bool:
    """ToolBench sends arguments as query values, so text that reads as the declared scalar fits too;
    an object or a list never fits a scalar, nor a non-number a number. `integer` takes any number: ToolBench
    declares every NUMBER parameter so (docs/formats.md section 3), fractions included."""
    if isinstance(value, (dict, list)):
        return declared in ("object", "array") and isinstance(value, dict) == (declared == "object")
    if declared in ("integer", "number"):
        return isinstance(value, (int, float)) and not isinstance(value, bool) or _is_number(str(value))
    if declared == "boolean":
        return isinstance(value, bool) or str(value).strip().lower() in ("true", "false")
    return value is not None or declared == "null"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@category("argument_type", "an argument whose JSON type the declared type cannot take", CALL)
def _argument_type(scope: str, ctx: StepContext) -> Hit | None:
    checked = _checked_arguments(ctx)
    wrong = [f"{k}: {checked[0].types[k]}" for k, v in checked[1].items()
             if k in checked[0].types and not type_fits(checked[0].types[k], v)] if checked else []
    return Hit(", ".join(wrong)) if wrong else None


@category("invalid_json_arguments", "the arguments are not blank and not a JSON object", CALL)
def _invalid_json(scope: str, ctx: StepContext) -> Hit | None:
    return Hit() if not unread_call(ctx.call) and ctx.arguments() is None else None


@category("tool_error", "the observation is an error, by its status code", CALL)
def _tool_error(scope: str, ctx: StepContext) -> Hit | None:
    call = ctx.call
    if call.status is None:
        return Hit("error reply") if call.source == "error" else None
    return Hit(f"status {call.status}") if call.status not in (OK, NO_SUCH_FUNCTION) else None


@category("repeated_call", "the same function with the same arguments as an earlier call of the chain", CALL)
def _repeated(scope: str, ctx: StepContext) -> Hit | None:
    return Hit() if call_key(ctx.call) in ctx.seen else None


def call_key(call: CallView) -> tuple[str, str]:
    return call.function_name or call.name, canonical_arguments(call.arguments)


@category("step_limit", "the chain stopped at the step limit", END)
def _step_limit(scope: str, ctx: StepContext) -> Hit | None:
    return Hit(role=_chooser(ctx.chain)) if ctx.chain.status == "max_steps" else None


def _chooser(chain: Chain) -> str:
    """Who decides to go on or stop: the planner of a multi-LLM agent, else the backbone."""
    return {"multi": "planner", "oracle": "oracle"}.get(chain.kind, "backbone")


@category("gave_up", "the agent gave up", END)
def _gave_up(scope: str, ctx: StepContext) -> Hit | None:
    return Hit(role=_chooser(ctx.chain)) if ctx.chain.status == "gave_up" else None


def _answerer(chain: Chain) -> str:
    return {"multi": "summarizer", "oracle": "oracle"}.get(chain.kind, "backbone")


@category("answered_without_tool", "answered although no call of the chain returned an ok observation", END)
def _without_tool(scope: str, ctx: StepContext) -> Hit | None:
    answered = ctx.chain.status == "answered"
    return Hit(f"{sum(1 for r in ctx.chain.rounds if r.call)} calls", _answerer(ctx.chain)) if answered and not ctx.ok_calls() else None


@category("wrong_answer", "answered, and the verified rule or the judge says unsolved", END)
def _wrong(scope: str, ctx: StepContext) -> Hit | None:
    return Hit(role=_answerer(ctx.chain)) if ctx.chain.status == "answered" and ctx.passed is False else None


@category("missing_facts", "answered without some gold facts (embedded benchmark)", END)
def _missing_facts(scope: str, ctx: StepContext) -> Hit | None:
    if ctx.chain.status != "answered" or not ctx.facts:
        return None
    absent = [fact for fact in ctx.facts if not states(ctx.chain.final_answer, fact)]
    return Hit("; ".join(absent), _answerer(ctx.chain)) if absent else None




def vocabulary() -> list[str]:
    """Every registered category, in precedence order."""
    return sorted(CATEGORIES.names(), key=lambda name: CATEGORIES.get(name).rank)


_IN_SCOPE: dict[tuple[str, tuple[str, ...]], list[Category]] = {}  # asked for every step: kept per registry content


def in_scope(scope: str) -> list[Category]:
    """The categories a scope is checked for, in precedence order."""
    key = (scope, tuple(CATEGORIES))
    if key not in _IN_SCOPE:
        _IN_SCOPE[key] = [CATEGORIES.get(name) for name in vocabulary() if scope in CATEGORIES.get(name).scopes]
    return _IN_SCOPE[key]
