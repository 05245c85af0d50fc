"""The tool simulator: one tick's calls in, ToolBench observations out, in memory and deterministic.

Order per call: resolve the function name (exact, then ToolBench's suffix rule), parse the argument
text, look the call up in the response cache, then ask the miss policies in order. Policies take a
whole tick's misses at once so a batched one (an LLM) can answer them in one generate.
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, cast

from benchmarks.schemas import CollisionPolicy, resolve_function
from benchmarks.types import ToolSpec
from tools_sim.cache import ResponseCache, api_path
from tools_sim.observation import (
    API_NOT_WORKING_ERROR,
    PARSE_ERROR,
    STATUS_NO_SUCH_FUNCTION,
    STATUS_PARSE_ERROR,
    make_observation,
    no_such_function_error,
)
from tools_sim.synthesize import synthesize
from tools_sim.types import Observation, ToolCall


@dataclass(frozen=True)
class Miss:
    """A well-formed call of a known function that the cache could not answer."""

    spec: ToolSpec
    arguments: dict[str, Any]


class MissPolicy(Protocol):
    """Answers a batch of misses; None for a miss it cannot answer passes it to the next policy."""

    name: str

    def respond(self, misses: Sequence[Miss]) -> list[Observation | None]: ...


class SynthesizePolicy:
    """A response built from the API's template_response, seeded by the call."""

    name = "synthesize"

    def respond(self, misses: Sequence[Miss]) -> list[Observation | None]:
        return [self._observation(m) for m in misses]

    @staticmethod
    def _observation(miss: Miss) -> Observation:
        spec = miss.spec
        identity = "/".join(api_path(spec.category, spec.tool, spec.api))
        response = synthesize(spec.template_response, identity, miss.arguments)
        return make_observation({"error": "", "response": response}, "synthesized", spec.function_name)


class ErrorPolicy:
    """ToolBench's reply for an API that gives nothing back."""

    name = "error"

    def respond(self, misses: Sequence[Miss]) -> list[Observation | None]:
        return [make_observation({"error": API_NOT_WORKING_ERROR, "response": ""}, "error",
                                 m.spec.function_name) for m in misses]


MISS_POLICIES: dict[str, Callable[[], MissPolicy]] = {
    "synthesize": SynthesizePolicy,
    "error": ErrorPolicy,
}


def _policy(spec: str | MissPolicy) -> MissPolicy:
    if not isinstance(spec, str):
        return spec
    if spec not in MISS_POLICIES:
        raise ValueError(f"unknown miss policy {spec!r}; valid: {', '.join(MISS_POLICIES)}")
    return MISS_POLICIES[spec]()


def parse_arguments(text: str) -> dict[str, Any] | None:
    """The argument dict of a call, as StableToolBench's server reads it ("" means {}); None when the
    text is not a JSON object. Never raises: the text is model output."""
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


CountKind = Literal["hits", "misses", "errors"]


@dataclass
class _Counts:
    hits: int = 0
    misses: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)

    def add(self, kind: CountKind, label: str) -> None:
        if kind == "hits":
            self.hits += 1
        else:
            getattr(self, kind)[label] += 1

    def as_dict(self) -> dict[str, Any]:
        return {"calls": self.hits + self.misses.total() + self.errors.total(), "hits": self.hits,
                "misses": dict(sorted(self.misses.items())), "errors": dict(sorted(self.errors.items()))}


class Simulator:
    """Answers tool calls from a response cache, then from the miss policies in order.

    `collision` picks among tools sharing a function name ("last" is what upstream dispatches to).
    A miss no policy answers gets the error policy's reply.
    """

    def __init__(self, cache: ResponseCache | None, miss_policy: Sequence[str | MissPolicy] = ("synthesize",),
                 collision: CollisionPolicy = "last") -> None:
        self.cache = cache
        self.policies = [_policy(p) for p in miss_policy]
        self.collision = collision
        self._last_resort = ErrorPolicy()
        self._total = _Counts()
        self._functions: dict[str, _Counts] = {}

    def call_many(self, calls: Sequence[ToolCall]) -> list[Observation]:
        """Observations for a whole tick of calls, in the order given."""
        results: list[Observation | None] = [None] * len(calls)
        misses: list[tuple[int, Miss]] = []
        for i, call in enumerate(calls):
            answer = self._answer(call)
            if isinstance(answer, Miss):
                misses.append((i, answer))
            else:
                results[i] = answer
        for policy in (*self.policies, self._last_resort):
            if not misses:
                break
            misses = self._ask(policy, misses, results)
        return cast(list[Observation], results)  # the last resort answers every miss left

    def _answer(self, call: ToolCall) -> Observation | Miss:
        spec = resolve_function(call.tools, call.name, self.collision)
        if spec is None:
            self._record(None, "errors", "no_such_function")
            return make_observation({"error": no_such_function_error(call.name), "response": ""}, "error",
                                    status=STATUS_NO_SUCH_FUNCTION)
        arguments = parse_arguments(call.arguments)
        if arguments is None:
            self._record(spec.function_name, "errors", "parse_error")
            return make_observation({"error": PARSE_ERROR, "response": ""}, "error", spec.function_name,
                                    status=STATUS_PARSE_ERROR)
        hit = None if self.cache is None else self.cache.lookup(spec.category, spec.tool, spec.api, arguments)
        if hit is None:
            return Miss(spec, arguments)
        self._record(spec.function_name, "hits", "cache")
        return make_observation(hit, "cache", spec.function_name)

    def _ask(self, policy: MissPolicy, misses: list[tuple[int, Miss]],
             results: list[Observation | None]) -> list[tuple[int, Miss]]:
        """Fills what `policy` answers into results; returns the misses it passed on."""
        answers = policy.respond([m for _, m in misses])
        left = []
        for (i, miss), answer in zip(misses, answers, strict=True):
            if answer is None:
                left.append((i, miss))
            else:
                results[i] = answer
                self._record(miss.spec.function_name, "misses", policy.name)
        return left

    def _record(self, function_name: str | None, kind: CountKind, label: str) -> None:
        self._total.add(kind, label)
        if function_name is not None:
            self._functions.setdefault(function_name, _Counts()).add(kind, label)

    def stats(self) -> dict[str, Any]:
        """Totals and per-function counts: cache hits, misses by the policy that answered, errors by kind
        (no_such_function is counted in the totals only: it has no function)."""
        return {**self._total.as_dict(),
                "functions": {name: c.as_dict() for name, c in sorted(self._functions.items())}}
