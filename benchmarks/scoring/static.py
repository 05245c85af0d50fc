"""alpha-UMi's static (teacher-forced, step-level) evaluation, Table 1 of the paper (docs/alpha-umi.md).

A test file is a JSON list of {"tools": [{"Name", "function", "input"}], "instruction", "conversations"};
every gold `assistant` turn carrying a `Next:` marker is one sample, with the gold turns before it as
history. Prediction and reference are both written as upstream's inference wrote them (the plan, then the
caller's or summarizer's output) and read as its evaluate-*.py read them (roles.alpha_umi_steps): plan
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
from typing import Any, Protocol, Sequence

from benchmarks.core.steps import CALL, FINISH, NONE, StepOutcome
from benchmarks.scoring.rouge import rouge_l

# The metrics of alpha-UMi's Table 1, in its order, with its labels (the main job and the report print them).
STATIC_METRICS = (("plan_acc", "Plan ACC"), ("act_em", "Act. EM"), ("hallu", "Hallu."), ("arg_f1", "Arg. F1"), ("rouge_l", "R-L"))


class Sample(Protocol):
    """A static sample as the metrics need it (roles.alpha_umi_steps.StaticSample)."""

    reference: StepOutcome
    tool_names: set[str]


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


def static_metrics(samples: Sequence[Sample], predictions: Sequence[StepOutcome]) -> dict[str, Any]:
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
