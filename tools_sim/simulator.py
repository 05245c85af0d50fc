"""The tool simulator: one tick's calls in, ToolBench observations out, in memory and deterministic.

Order per call: resolve the function name (exact, then ToolBench's suffix rule), parse the argument
text, look the call up in the response cache, then ask the miss policies in order. Policies take a
whole tick's misses at once so a batched one (an LLM) answers them in one generate.
"""
from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from benchmarks.core.schemas import CollisionPolicy, resolve_function
from tools_sim.cache import Reply, ResponseCache
from tools_sim.keys import too_deep
from tools_sim.layout import ApiPath, api_path
from tools_sim.llm import Generate
from tools_sim.observation import (
    PARSE_ERROR,
    STATUS_NO_SUCH_FUNCTION,
    STATUS_OK,
    STATUS_PARSE_ERROR,
    make_observation,
    no_such_function_error,
)
from tools_sim.policies import MISS_POLICIES, ErrorPolicy, Miss, MissPolicy
from tools_sim.types import Observation, ToolCall

__all__ = ["MISS_POLICIES", "Miss", "MissPolicy", "Simulator", "make_policy", "parse_arguments"]

def make_policy(spec: str | MissPolicy, cache: ResponseCache | None = None,
                generate: Generate | None = None) -> MissPolicy:
    """A policy by name (or one given as is); `llm` needs the model's generate function."""
    if not isinstance(spec, str):
        return spec
    return MISS_POLICIES.get(spec)(cache, generate)


def parse_arguments(text: str) -> dict[str, Any] | None:
    """The argument dict of a call, as StableToolBench's server reads it ("" means {}); None when the
    text is not a JSON object or nests more than MAX_ARGUMENT_DEPTH levels. Never raises: the text is
    model output."""
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) and not too_deep(value) else None


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
    A miss no policy answers gets the error policy's reply. `lookup` and `count` may run on several
    threads (the /virtual server); `resolve_misses` runs on one thread at a time.
    """

    def __init__(self, cache: ResponseCache | None, miss_policy: Sequence[str | MissPolicy] = ("synthesize",),
                 collision: CollisionPolicy = "last", generate: Generate | None = None) -> None:
        self.cache = cache
        self.policies = [make_policy(p, cache, generate) for p in miss_policy]
        self.collision = collision
        self._last_resort = ErrorPolicy()
        self._lock = threading.Lock()
        self._total = _Counts()
        self._apis: dict[ApiPath, _Counts] = {}
        self._events: Counter[str] = Counter()  # truncated, suffix_matches
        self._collisions: Counter[str] = Counter()

    def call_many(self, calls: Sequence[ToolCall]) -> list[Observation]:
        """Observations for a whole tick of calls, in the order given."""
        results: list[Observation | None] = [None] * len(calls)
        misses: list[tuple[int, Miss]] = []
        for i, call in enumerate(calls):
            resolved = self._resolve(call)
            if not isinstance(resolved, Miss):
                results[i] = resolved
            elif (found := self.lookup(resolved)) is not None:
                results[i] = found[1]
            else:
                misses.append((i, resolved))
        for (i, _), answer in zip(misses, self.resolve_misses([m for _, m in misses]), strict=True):
            results[i] = answer
        return cast(list[Observation], results)

    def _resolve(self, call: ToolCall) -> Observation | Miss:
        """The call as a well-formed request of one API, or the error observation it earns."""
        upstream = call.compat == "upstream"
        spec = resolve_function(call.tools, call.name, self.collision, empty_matches_first=upstream)
        if spec is None:
            self.count(None, "errors", "no_such_function")
            return make_observation({"error": no_such_function_error(call.name), "response": ""}, "error",
                                    status=STATUS_NO_SUCH_FUNCTION)
        self._note_dispatch(call, spec.function_name)
        arguments = parse_arguments(call.arguments)
        if arguments is None:
            self.count(api_path(spec.category, spec.tool, spec.api), "errors", "parse_error")
            # Upstream's client maps the server's parse-error text to status 0, as any reply it does not know.
            return make_observation({"error": PARSE_ERROR, "response": ""}, "error", spec.function_name,
                                    status=STATUS_OK if upstream else STATUS_PARSE_ERROR)
        return Miss(spec, arguments)

    def _note_dispatch(self, call: ToolCall, function_name: str) -> None:
        """Counts the calls ToolBench's suffix rule resolved and the names several tools share."""
        with self._lock:
            if function_name != call.name:
                self._events["suffix_matches"] += 1
            if sum(t.function_name == function_name for t in call.tools) > 1:
                self._collisions[function_name] += 1

    def lookup(self, request: Miss) -> tuple[Reply, Observation] | None:
        """The cached record of a well-formed request and its observation (counted as a hit), or None."""
        hit = None if self.cache is None else self.cache.lookup_path(request.path, request.arguments)
        if hit is None:
            return None
        observation = make_observation(hit, "cache", request.spec.function_name)
        self.count(request.path, "hits", "cache", observation)
        return hit, observation

    def resolve_misses(self, misses: Sequence[Miss]) -> list[Observation]:
        """Answers from the policies in order, each asked once for all misses left; the error policy last."""
        results: list[Observation | None] = [None] * len(misses)
        left = list(range(len(misses)))
        for policy in (*self.policies, self._last_resort):
            if not left:
                break
            answers = policy.respond([misses[i] for i in left])
            for i, answer in zip(left, answers, strict=True):
                if answer is not None:
                    results[i] = answer
                    self.count(misses[i].path, "misses", policy.name, answer)
            left = [i for i in left if results[i] is None]
        return cast(list[Observation], results)

    def count(self, path: ApiPath | None, kind: CountKind, label: str, observation: Observation | None = None) -> None:
        """Record one answered call in the run totals and, when it names an API, that API's counts."""
        with self._lock:
            self._total.add(kind, label)
            if path is not None:
                counts = self._apis.get(path)
                if counts is None:
                    counts = self._apis[path] = _Counts()
                counts.add(kind, label)
            if observation is not None and observation.truncated:
                self._events["truncated"] += 1

    def stats(self) -> dict[str, Any]:
        """Totals (hits, misses by the policy that answered, errors by kind, observations cut at 1,024
        chars, suffix-rule dispatches, shared function names) and the same counts per API path
        (no_such_function is counted in the totals only: it names no API); then each policy's own."""
        with self._lock:
            return {**self._total.as_dict(),
                    "truncated": self._events["truncated"], "suffix_matches": self._events["suffix_matches"],
                    "collisions": dict(sorted(self._collisions.items())),
                    "apis": {"/".join(path): c.as_dict() for path, c in sorted(self._apis.items())},
                    "policies": {p.name: p.stats() for p in self.policies if hasattr(p, "stats")}}

    def describe(self) -> dict[str, Any]:
        """What run.json records about the simulator."""
        store = None if self.cache is None or self.cache.store is None else str(self.cache.store.path)
        return {"miss_policy": [p.name for p in self.policies], "collision": self.collision,
                "cached_records": 0 if self.cache is None else len(self.cache), "store": store}
