"""Judges: who answers ToolEval's four judge functions, and the `--judge SPEC` that names one.

A judge gets a batch of JudgeCalls (function, prompt slots, sample index) and returns one Verdict per
call: a canonical label, or None when it has none (a model reply that never parsed, a recording that
lacks the label). The procedures (tooleval, preference) decide what None means, as upstream would.

Specs: `verified` (gold facts, no model), `replay:PATH[,PATH...]` (ToolEval result JSON),
`hf:MODEL_DIR` (any engine backend works the same way: `<backend>:<model>`), `openai:MODEL@BASE_URL`,
`embedded` (hf with the embedded model).
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Protocol, Sequence

from benchmarks.core.registry import Registry

from benchmarks.results.converted import answer_text, is_empty_answer
from benchmarks.scoring.prompts import function_prompt
from benchmarks.scoring.verified import states


@dataclass(frozen=True)
class JudgeCall:
    """One question to a judge. `context` identifies the query for rule and replay judges; it is never
    part of the prompt a model sees."""

    function: str
    variables: Mapping[str, str]
    sample: int
    context: Mapping[str, Any] = field(default_factory=dict)

    @property
    def prompt(self) -> str:
        return function_prompt(self.function, dict(self.variables))


@dataclass(frozen=True)
class Verdict:
    label: str | None
    replies: tuple[str, ...] = ()
    model_calls: int = 0
    cache_hits: int = 0


class Judge(Protocol):
    def judge(self, calls: Sequence[JudgeCall]) -> list[Verdict]:
        """One verdict per call, in order; never raises for a bad reply."""

    def info(self) -> dict[str, Any]:
        """What judged: spec, id, kind, model and revision, settings (recorded in scores.json)."""


class JudgeError(ValueError):
    """A judge spec or judge input that cannot work (printed as a user error)."""


@dataclass
class JudgeLog:
    """Counts over one scoring: questions per function, model calls, cache hits, calls without a verdict."""

    asked: Counter = field(default_factory=Counter)
    no_verdict: Counter = field(default_factory=Counter)
    model_calls: int = 0
    cache_hits: int = 0

    def ask(self, judge: Judge, calls: Sequence[JudgeCall]) -> list[str | None]:
        verdicts = judge.judge(calls) if calls else []
        for call, verdict in zip(calls, verdicts):
            self.asked[call.function] += 1
            if verdict.label is None:
                self.no_verdict[call.function] += 1
            self.model_calls += verdict.model_calls
            self.cache_hits += verdict.cache_hits
        return [v.label for v in verdicts]

    def to_json(self) -> dict[str, Any]:
        return {"asked": dict(self.asked), "no_verdict": dict(self.no_verdict),
                "model_calls": self.model_calls, "cache_hits": self.cache_hits}


VERIFIED_JUDGE = {"id": "verified", "kind": "verified", "note": "gold facts stated in the final answer; not judged by a model"}


class VerifiedJudge:
    """The embedded benchmark's rule as a ToolEval judge: an answer is Solved iff it states every gold
    fact (benchmarks.scoring.verified), every task is Solvable, and of two answers the one stating more facts is
    better (equal: no verdict, so the procedure flips its seeded coin)."""

    def __init__(self, facts: Mapping[str, Sequence[str]]) -> None:
        self.facts = facts

    def info(self) -> dict[str, Any]:
        return {"spec": "verified", **VERIFIED_JUDGE}

    def judge(self, calls: Sequence[JudgeCall]) -> list[Verdict]:
        return [Verdict(self._label(call)) for call in calls]

    def _facts(self, call: JudgeCall) -> Sequence[str]:
        key = f"{call.context.get('group')}/{call.context.get('query_id')}"
        if key not in self.facts:
            raise JudgeError(f"verified judge: no gold facts for query {key}")
        return self.facts[key]

    def _label(self, call: JudgeCall) -> str | None:
        facts = self._facts(call)
        if call.function == "check_task_solvable":
            return "Solvable"
        if call.function == "select_better_answer":
            stated = [_stated(_final_answer_of(call.variables[f"answer_{i}"]), facts) for i in (0, 1)]
            return None if stated[0] == stated[1] else str(stated.index(max(stated)))
        answer = call.variables["answer"]  # parse_answer_status gets the whole answer as JSON
        final = answer if call.function == "check_answer_status" else _final_answer_of(answer)
        return "Solved" if _stated(final, facts) == len(facts) else "Unsolved"


def _final_answer_of(answer_json: str) -> str:
    try:
        answer = json.loads(answer_json)
    except (ValueError, RecursionError):
        return ""
    final = answer.get("final_answer", "") if isinstance(answer, dict) else ""
    return final if isinstance(final, str) else ""


def _stated(final_answer: str, facts: Sequence[str]) -> int:
    """How many facts the Finish answer states (0 for no answer or a give-up)."""
    if is_empty_answer(final_answer):
        return 0
    text = answer_text(final_answer)
    return sum(states(text, fact) for fact in facts)


@dataclass(frozen=True)
class JudgeOptions:
    """Settings of model judges (upstream: temperature 0.2, max_tokens 1000, 3 tries per call)."""

    temperature: float = 0.2
    max_new_tokens: int = 1000
    attempts: int = 3
    batch_size: int = 64
    dtype: str = "bf16"
    cache_path: Path | None = None
    timeout_s: float = 60.0
    retries: int = 5
    concurrency: int = 8
    # (description, requests) -> a bar that a model judge moves with each answered batch (the command line's;
    # None: no bar)
    progress: Callable[[str, int], Any] | None = None


@dataclass(frozen=True)
class JudgeSpec:
    """A parsed `--judge` spec, as a judge factory receives it."""

    text: str  # as given, e.g. "hf:DIR"
    kind: str  # before the first colon
    rest: str  # after it
    options: JudgeOptions
    gold_facts: Mapping[str, Sequence[str]] | None = None


JudgeFactory = Callable[[JudgeSpec], "Judge"]
JUDGES: Registry[JudgeFactory] = Registry("judge")
# `BACKEND:MODEL` for any engine backend: registered by engine.judges, which runs models.
BACKEND_JUDGE = "BACKEND:MODEL"


def make_judge(spec: str, options: JudgeOptions = JudgeOptions(), gold_facts: Mapping[str, Sequence[str]] | None = None) -> Judge:
    """The judge a `--judge` spec names. `gold_facts` ({task key: facts}) is what `verified` needs."""
    kind, _, rest = spec.partition(":")
    name = kind if kind in JUDGES else BACKEND_JUDGE if rest and BACKEND_JUDGE in JUDGES else None
    if name is None:
        raise JudgeError(f"unknown judge spec {spec!r}; available: {', '.join(JUDGES)}")
    return JUDGES.get(name)(JudgeSpec(spec, kind, rest, options, gold_facts))


def verified_judge(spec: JudgeSpec) -> Judge:
    if spec.rest or spec.kind != "verified":
        raise JudgeError(f"the verified judge takes no argument, got {spec.text!r}")
    if spec.gold_facts is None:
        raise JudgeError("the verified judge needs gold facts: only runs of the embedded benchmark carry them")
    return VerifiedJudge(spec.gold_facts)


JUDGES.register("verified", verified_judge)
JUDGES.register("replay", "benchmarks.scoring.replay:replay_judge")


def check_judge_spec(spec: str) -> None:
    """Raises (JudgeError, FileNotFoundError) now if a judge spec cannot work: checked before a run or a
    sweep starts, not after hours of it. Cheap: a model judge loads its model at the first question."""
    make_judge(spec, JudgeOptions(), gold_facts={})
