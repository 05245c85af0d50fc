"""alpha-UMi's static (teacher-forced, step-level) evaluation, Table 1 of the paper (docs/alpha-umi.md).

A test file is a JSON list of {"tools": [{"Name", "function", "input"}], "instruction", "conversations"};
every gold `assistant` turn carrying a `Next:` marker is one sample, with the gold turns before it as
history. Prediction and reference are both written as upstream's inference wrote them (the plan, then the
caller's or summarizer's output) and read as its evaluate-*.py read them (roles.alpha_umi.read_step): plan
call, finish or give up (`Next: give up` / `Next: conclusion` anywhere, without the period); a call's action
and arguments; a finish's answer (after the last `conclusion: `). Metrics, in percent, as the authors'
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
from roles.alpha_umi import (EOS, MARK_CALLER, MARK_CONCLUSION, MARK_GIVE_UP, drop_colon, is_empty_output,
                             read_backbone_step, read_step, route_plan)
from roles.types import Action, Turn

CALL, FINISH, GIVE_UP = "call", "finish", "give up"
NONE = "none"
_ROUTES = {"caller": CALL, "conclusion": FINISH, "give_up": GIVE_UP}
_MARKERS = (MARK_CALLER, MARK_CONCLUSION, MARK_GIVE_UP)
_TURN_ROLES = ("user", "assistant", "caller", "observation", "conclusion")
STATIC_PREFIX = "asssitant: "  # sic: infer_pipeline.py writes its predictions so (no effect on their reading)


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


def outcome_of(step: Action) -> StepOutcome:
    if step.kind == "give_up":
        return StepOutcome(GIVE_UP)
    if step.kind == "answer":
        return StepOutcome(FINISH, answer=step.answer)
    return StepOutcome(CALL, step.name, step.arguments)


def static_output(text: str) -> str:
    """A generation as upstream's static inference keeps it: as decoded (unstripped), one leading ": "
    dropped, and `none` when empty (or "." / ",")."""
    text = drop_colon(text)
    return NONE if is_empty_output(text) else text


def static_plan(planner_text: str) -> tuple[str, str]:
    """(call | finish | give up, the plan text handed on), as infer_pipeline.py routes a planner output: cut
    after its first marker in the order give up, conclusion, caller; unmarked text gets `Next: caller.` glued
    on without a space (the real-time runner adds one); whitespace is kept."""
    text = static_output(planner_text)
    routed = route_plan(text)
    return (CALL, text + MARK_CALLER) if routed is None else (_ROUTES[routed[0]], routed[1])


def multi_outcome(planner: str, caller: str | None = None, summarizer: str | None = None) -> StepOutcome:
    """The multi-LLM agent's step as upstream scores it: the prediction text infer_pipeline.py writes (the
    plan, then `</s>caller: ` or `</s>conclusion: ` and that role's output) read by evaluate-multi_agent.py."""
    plan, thought = static_plan(planner)
    if plan == GIVE_UP:
        return outcome_of(read_step(thought))
    role, output = ("conclusion", summarizer) if plan == FINISH else ("caller", caller)
    return outcome_of(read_step(f"{STATIC_PREFIX}{thought}{EOS}{role}: {static_output(output or '')}"))


def single_outcome(text: str) -> StepOutcome:
    """The single-LLM backbone's step as evaluate-backbone.py reads it (`conclusion: give up`, `conclusion: `
    and the answer after the last one, or a call)."""
    return outcome_of(read_backbone_step(static_output(text)))


def reference_text(conversations: list[dict[str, str]], index: int) -> str:
    """The gold step as infer_pipeline.py writes it: a plan marked `Next: caller` (period or not) or `Next:
    conclusion.` with the turn after it, `assistant: plan</s>role: value</s>`; any other plan alone. Upstream
    fails on a plan that ends the conversation; here it stands without a following turn."""
    value = conversations[index]["value"]
    if "Next: caller" not in value and MARK_CONCLUSION not in value:
        return value
    following = conversations[index + 1] if index + 1 < len(conversations) else None
    after = f"{following['from']}: {following['value']}{EOS}" if following else ""
    return f"assistant: {value}{EOS}{after}"


def backbone_target(text: str, following: Turn | None) -> str:
    """A gold assistant turn as the backbone's data records it (prepro_backbone.py), its marker removed: with the
    caller turn after it, or `conclusion: ` and the answer after it; a give-up reads `conclusion: give up.`."""
    if MARK_GIVE_UP in text:
        return text.replace(MARK_GIVE_UP, "").strip() + "\nconclusion: give up."
    if following is not None and following.role == "caller":
        return text.replace(MARK_CALLER, "").strip() + "\n" + following.text
    if following is not None and following.role == "conclusion":
        return text.replace(MARK_CONCLUSION, "").strip() + "\nconclusion: " + following.text
    return text


def _reference(conversations: list[dict[str, str]], index: int, kind: str) -> StepOutcome:
    if kind == "multi":
        return outcome_of(read_step(reference_text(conversations, index)))
    following = conversations[index + 1] if index + 1 < len(conversations) else None
    target = backbone_target(conversations[index]["value"], Turn(following["from"], following["value"]) if following else None)
    return single_outcome(target)


def static_samples(path: Path, kind: str = "multi") -> list[StaticSample]:
    """The samples of a test file, with the references of the multi-LLM agent's or (kind "single") the backbone's
    data; a malformed record is an error naming the file and the record."""
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
                                            _reference(conversations, index, kind)))
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
        "rouge_l": _mean([rouge_l(NONE if p.answer is None else p.answer, r.answer or "") for r, p in finishes]),
        "n": {"samples": len(pairs), "calls": len(calls), "calls_with_json_arguments": len(f1), "finishes": len(finishes)},
    }
