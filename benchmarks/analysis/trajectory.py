"""One chain's analysis: each step's errors (category, role, detail) and observation source, and the
trajectory's first error: the first error of its earliest step with any (a step's errors in the order its
outputs came, then in category precedence)."""
from __future__ import annotations

from typing import Any

from benchmarks.analysis.categories import CALL, END, PLAN
from benchmarks.analysis.chains import CallView, Chain, Round
from benchmarks.analysis.detect import StepContext, call_key, in_scope

SIMULATED_SOURCES = ("world", "synthesized", "llm")  # miss policies that made up a reply


def observation_source(call: CallView) -> dict[str, str] | None:
    """Where an observation came from: cache, simulated (with the miss policy) or error; None when unknown."""
    if call.source in SIMULATED_SOURCES:
        return {"kind": "simulated", "policy": call.source}
    if call.source in ("cache", "error"):
        return {"kind": call.source}
    return None


def scope_errors(scope: str, ctx: StepContext, role: str | None) -> list[dict[str, Any]]:
    found = []
    for category in in_scope(scope):
        hit = category.detect(scope, ctx)
        if hit is not None:
            found.append({"category": category.name, "role": hit.role or role, "detail": hit.detail})
    return found


def _call_output_role(chain: Chain, round_: Round) -> str:
    makers = [o for o in round_.outputs if o.role != "planner"]
    return makers[-1].role if makers else ("caller" if chain.kind == "multi" else "backbone")


def step_errors(ctx: StepContext, last: bool) -> list[dict[str, Any]]:
    """The errors of one round: its plans, its call, and at the chain's last round the chain's end."""
    errors = []
    for output in ctx.round.outputs:
        if output.role == "planner":
            ctx.output = output
            errors += scope_errors(PLAN, ctx, "planner")
    if ctx.round.call is not None:
        makers = [o for o in ctx.round.outputs if o.role != "planner"]
        ctx.output, ctx.call = (makers[-1] if makers else None), ctx.round.call
        errors += scope_errors(CALL, ctx, _call_output_role(ctx.chain, ctx.round))
    if last:
        errors += scope_errors(END, ctx, None)
    return errors


def analyse_chain(chain: Chain, **context: Any) -> dict[str, Any]:
    """{"steps": [{"step", "errors", "source"?}], "first_error": {category, role, step, detail} or None}."""
    rounds = chain.rounds
    if len(rounds) > 1 and not rounds[-1].outputs and rounds[-1].call is None and chain.status != "failed":
        rounds = rounds[:-1]  # a chain stopped right after a call (step limit) has no round after it
    seen: set[tuple[str, str]] = set()
    steps, first = [], None
    for index, round_ in enumerate(rounds):
        ctx = StepContext(chain, round_, seen=seen, **context)
        step: dict[str, Any] = {"step": round_.step, "errors": step_errors(ctx, index == len(rounds) - 1)}
        if round_.call is not None:
            seen.add(call_key(round_.call))
            source = observation_source(round_.call)
            if source:
                step["source"] = source
        if first is None and step["errors"]:
            first = {**step["errors"][0], "step": round_.step}
        steps.append(step)
    return {"steps": steps, "first_error": first}


