"""One trajectory as the analysis reads it: rounds (steps) of model outputs, each ending in at most one tool
call, and how the chain ended. Built from a trajectories.jsonl record or a ToolEval converted answer.

A step is a round: the outputs that led to one tool call (multi-LLM: the planner's plan, then the caller's
call; single-LLM: the backbone's), numbered from 1; the round after the last call is the chain's end (the
answer, the give-up). Model text is data: it is only compared and measured here."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

import orjson

# The record's turn roles as the agent's roles, per agent kind (run.json agent.kind).
TURN_ROLES = {
    "multi": {"assistant": "planner", "caller": "caller", "conclusion": "summarizer"},
    "single": {"assistant": "backbone", "caller": "backbone", "conclusion": "backbone"},
    "oracle": {"caller": "oracle", "conclusion": "oracle"},
}


@dataclass(frozen=True)
class Output:
    role: str
    text: str


@dataclass(frozen=True)
class CallView:
    name: str
    arguments: str
    observation: str
    status: int | None  # ToolBench's status code; None where the file has none (converted answers)
    source: str | None  # cache | world | synthesized | llm | error; None where unknown
    function_name: str | None


@dataclass
class Round:
    step: int
    outputs: list[Output] = field(default_factory=list)
    call: CallView | None = None


@dataclass
class Chain:
    kind: str  # multi | single | oracle
    rounds: list[Round]
    status: str  # answered | gave_up | max_steps | failed
    final_answer: str
    error: str = ""
    unmarked_plans: int = 0

    @property
    def end(self) -> Round:
        return self.rounds[-1]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _call(call: Mapping[str, Any]) -> CallView:
    status = call.get("status")
    source, function = call.get("source"), call.get("function_name")
    return CallView(_text(call.get("name")), _text(call.get("arguments")), _text(call.get("observation")),
                    status if isinstance(status, int) else None, source if isinstance(source, str) else None,
                    function if isinstance(function, str) else None)


def chain_from_record(record: Mapping[str, Any], kind: str) -> Chain:
    """The rounds of a record: turns after the query, split after each observation; the i-th observation
    belongs to the record's i-th call."""
    roles = TURN_ROLES.get(kind, TURN_ROLES["single"])
    calls = [_call(c) for c in record.get("calls") or [] if isinstance(c, dict)]
    rounds, current = [], Round(1)
    for turn in (record.get("turns") or [])[1:]:
        role = turn.get("role") if isinstance(turn, dict) else None
        if role == "observation":
            current.call = calls[len(rounds)] if len(rounds) < len(calls) else None
            rounds.append(current)
            current = Round(len(rounds) + 1)
        elif role in roles:
            current.outputs.append(Output(roles[role], _text(turn.get("text"))))
    rounds.append(current)
    return Chain(kind, rounds, _text(record.get("status")), _text(record.get("final_answer")),
                 _text(record.get("error")), _count(record.get("unmarked_plans")))


_ERROR_FIELD = re.compile(r'\s*\{\s*"error"\s*:\s*"((?:[^"\\]|\\.)*)"')  # a reply's leading error field


def _reply_status(response: str) -> tuple[int | None, str | None]:
    """A converted answer keeps no status code: a reply whose `error` text is not empty counts as an error
    (code None, source error); read from the text's start, since long replies are cut and no longer parse."""
    found = _ERROR_FIELD.match(response)
    if found and found.group(1):
        return None, "error"
    return 0, None


def finish_arguments(text: str) -> dict[str, Any]:
    try:
        parsed = orjson.loads(text)
    except orjson.JSONDecodeError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def chain_from_converted(answer: Mapping[str, Any]) -> Chain:
    """A ToolEval converted answer (one backbone): tool nodes are calls, assistant nodes outputs, Finish the end."""
    rounds, current, status, final = [], Round(1), "max_steps", ""
    node = (answer.get("answer_details") or [None])[0]
    while isinstance(node, dict):  # a chain: each node has at most one child
        message = node.get("message")
        if node.get("role") == "assistant":
            current.outputs.append(Output("backbone", _text(message)))
        elif node.get("role") == "tool" and isinstance(message, dict):
            name, arguments = _text(message.get("name")), _text(message.get("arguments"))
            if name == "Finish":
                args = finish_arguments(arguments)
                status = "answered" if args.get("return_type") == "give_answer" else "gave_up"
                final = _text(args.get("final_answer"))
                current.outputs.append(Output("backbone", arguments))
            else:
                response = _text(message.get("response"))
                code, source = _reply_status(response)
                current.outputs.append(Output("backbone", f"Action: {name}\nAction Input: {arguments}"))
                current.call = CallView(name, arguments, response, code, source, None)
                rounds.append(current)
                current = Round(len(rounds) + 1)
        following = node.get("next") or []
        node = following[0] if following else None
    rounds.append(current)
    return Chain("single", rounds, status, final)
