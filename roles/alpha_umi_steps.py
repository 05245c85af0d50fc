"""alpha-UMi's step texts, as its static inference (infer_pipeline.py) wrote them and its evaluate-*.py read
them, and its static test files: every gold `assistant` turn carrying a `Next:` marker is one sample, with
the gold turns before it as history and its reference step read from the gold text (docs/alpha-umi.md).
benchmarks.scoring.static computes the metrics from the StepOutcomes read here.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.core.steps import CALL, FINISH, GIVE_UP, NONE, StepOutcome
from roles.alpha_umi import (EOS, MARK_CALLER, MARK_CONCLUSION, MARK_GIVE_UP, drop_colon, is_empty_output,
                             read_backbone_step, read_step, route_plan)
from roles.types import Action, Turn

_ROUTES = {"caller": CALL, "conclusion": FINISH, "give_up": GIVE_UP}
_MARKERS = (MARK_CALLER, MARK_CONCLUSION, MARK_GIVE_UP)
_TURN_ROLES = ("user", "assistant", "caller", "observation", "conclusion")
STATIC_PREFIX = "asssitant: "  # sic: infer_pipeline.py writes its predictions so (no effect on their reading)


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
