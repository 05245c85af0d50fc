"""alpha-UMi's static (teacher-forced, step-level) evaluation, Table 1 of the paper (spec/alpha-umi.md).

A test file is a JSON list of {"tools": [{"Name", "function", "input"}], "instruction", "conversations"};
every gold `assistant` turn carrying a `Next:` marker is one sample, with the gold turns before it as
history. Prediction and reference are both read with the routing rules (roles.alpha_umi): plan call,
finish or give up; a call's action and arguments; a finish's answer. Metrics, in percent, as the authors'
evaluate-*.py compute them:
- Plan ACC: predicted plan == reference plan, over all samples;
- Act. EM: predicted API name (`none` when no call was predicted) == reference, over reference calls;
- Hallu.: predicted calls to a name that is not `none` and not among the tools, over ALL samples;
- Arg. F1: over reference calls, see argument_f1;
- R-L: ROUGE-L F (rouge.py) of the predicted answer (`none` when no conclusion was planned) against the
  reference answer, over reference finishes.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from benchmarks.scoring.rouge import rouge_l
from roles.alpha_umi import AlphaUmi, AlphaUmiBackbone, clean_output, parse_action
from roles.types import Turn

CALL, FINISH, GIVE_UP = "call", "finish", "give up"
NONE = "none"
_ROUTES = {"caller": CALL, "retry": CALL, "conclusion": FINISH, "give_up": GIVE_UP}  # empty output: 'none', a call
_MARKERS = ("Next: caller.", "Next: conclusion.", "Next: give up.")
_TURN_ROLES = ("user", "assistant", "caller", "observation", "conclusion")


@dataclass(frozen=True)
class StepOutcome:
    """One step as read from text: the plan, and the call (action, arguments) or the answer it led to."""

    plan: str
    action: str | None = None
    arguments: str | None = None
    answer: str | None = None


@dataclass(frozen=True)
class StaticSample:
    tools: tuple[dict[str, Any], ...]
    instruction: str
    history: tuple[Turn, ...]
    reference: StepOutcome

    @property
    def tool_names(self) -> set[str]:
        return {t.get("Name") for t in self.tools}


def plan_of(planner_text: str) -> str:
    """call | finish | give up, by alpha-UMi's routing (unmarked text goes to the caller)."""
    return _ROUTES[AlphaUmi().parse_plan(planner_text).next]


def multi_outcome(planner: str, caller: str | None = None, summarizer: str | None = None) -> StepOutcome:
    """The multi-LLM agent's step: the planner's route, then the caller's call or the summarizer's answer."""
    plan = plan_of(planner)
    if plan == CALL:
        _, action, arguments = parse_action(clean_output(caller or ""))
        return StepOutcome(CALL, action, arguments)
    if plan == FINISH:
        return StepOutcome(FINISH, answer=clean_output(summarizer or "") or NONE)
    return StepOutcome(GIVE_UP)


def single_outcome(text: str) -> StepOutcome:
    """The single-LLM backbone's step (`conclusion: give up`, `conclusion: <answer>`, or a call)."""
    action = AlphaUmiBackbone().parse_step(text)
    if action.kind == "give_up":
        return StepOutcome(GIVE_UP)
    if action.kind == "answer":
        return StepOutcome(FINISH, answer=action.answer)
    return StepOutcome(CALL, action.name, action.arguments)


def _reference(conversations: list[dict[str, str]], index: int) -> StepOutcome:
    """The gold step: the planner turn's route, read with the caller or conclusion turn that follows it (a
    missing one reads as a call of `none` with `{}`, or an empty answer)."""
    planner = conversations[index]["value"]
    plan = plan_of(planner)
    following = conversations[index + 1] if index + 1 < len(conversations) else {}
    text = following.get("value", "") if following.get("from") == {CALL: "caller", FINISH: "conclusion"}.get(plan) else ""
    return StepOutcome(FINISH, answer=text) if plan == FINISH else multi_outcome(planner, caller=text)


def static_samples(path: Path) -> list[StaticSample]:
    """The samples of a test file; a malformed record is an error naming the file and the record."""
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: cannot read a static test file ({exc})") from None
    if not isinstance(records, list):
        raise ValueError(f"{path}: a static test file is a JSON list of records")
    samples = []
    for number, record in enumerate(records):
        conversations = _conversations(path, number, record)
        for index, turn in enumerate(conversations):
            if turn["from"] == "assistant" and any(m in turn["value"] for m in _MARKERS):
                history = tuple(Turn(t["from"], t["value"]) for t in conversations[:index])
                samples.append(StaticSample(tuple(record["tools"]), record["instruction"], history,
                                            _reference(conversations, index)))
    return samples


def _conversations(path: Path, number: int, record: Any) -> list[dict[str, str]]:
    def bad(what: str) -> ValueError:
        return ValueError(f"{path}: record {number}: {what}")

    if not isinstance(record, dict) or not isinstance(record.get("instruction"), str):
        raise bad("not an object with an 'instruction' string")
    tools = record.get("tools")
    if not isinstance(tools, list) or not all(isinstance(t, dict) and isinstance(t.get("Name"), str) for t in tools):
        raise bad("'tools' must be a list of objects with a 'Name'")
    conversations = record.get("conversations")
    if not isinstance(conversations, list):
        raise bad("'conversations' must be a list")
    for turn in conversations:
        if not isinstance(turn, dict) or turn.get("from") not in _TURN_ROLES or not isinstance(turn.get("value"), str):
            raise bad(f"a turn must be {{'from': one of {_TURN_ROLES}, 'value': str}}, got {str(turn)[:80]}")
    return conversations


def argument_f1(reference: StepOutcome, predicted: StepOutcome) -> float | None:
    """The authors' argument F1 of one reference call: 0 if the API differs; None (skipped) if the
    reference arguments are not JSON; 0 if the predicted ones are not a JSON object; reference {} -> 1 iff
    predicted {}; else per reference key 1 for the same value, 0.5 for another value, recall over the
    reference keys, precision over the predicted keys."""
    if (predicted.action or NONE) != reference.action:
        return 0.0
    try:
        ref = json.loads(reference.arguments or "")
    except (ValueError, RecursionError):
        return None
    try:
        cand = json.loads(predicted.arguments or "{}")
    except (ValueError, RecursionError):
        return 0.0
    if ref == {}:
        return float(cand == {})
    if not isinstance(ref, dict) or not isinstance(cand, dict):
        return 0.0
    score = sum(1.0 if cand[k] == v else 0.5 for k, v in ref.items() if k in cand)
    if score == 0:
        return 0.0
    recall, precision = score / len(ref), score / len(cand)
    return 2 * recall * precision / (recall + precision)


def _mean(values: Sequence[float]) -> float | None:
    return 100 * sum(values) / len(values) if values else None


def static_metrics(samples: Sequence[StaticSample], predictions: Sequence[StepOutcome]) -> dict[str, Any]:
    """Plan ACC, Act. EM, Hallu., Arg. F1 and R-L in percent (None where no sample counts), with counts."""
    if len(samples) != len(predictions):
        raise ValueError(f"{len(samples)} samples but {len(predictions)} predictions")
    pairs = list(zip(samples, predictions))
    calls = [(s.reference, p) for s, p in pairs if s.reference.plan == CALL]
    finishes = [(s.reference, p) for s, p in pairs if s.reference.plan == FINISH]
    f1 = [f for f in (argument_f1(r, p) for r, p in calls) if f is not None]
    hallucinated = [p.plan == CALL and p.action not in (None, NONE) and p.action not in s.tool_names for s, p in pairs]
    return {
        "plan_acc": _mean([float(p.plan == s.reference.plan) for s, p in pairs]),
        "act_em": _mean([float((p.action or NONE) == r.action) for r, p in calls]),
        "hallu": _mean([float(h) for h in hallucinated]),
        "arg_f1": _mean(f1),
        "rouge_l": _mean([rouge_l(p.answer or NONE, r.answer or "") for r, p in finishes]),
        "n": {"samples": len(pairs), "calls": len(calls), "calls_with_json_arguments": len(f1), "finishes": len(finishes)},
    }
