"""Miss policies: what answers a well-formed call the cache does not know.

A policy takes a whole tick's misses at once, so a batched one (an LLM) answers them in one generate,
and returns None for a miss it cannot answer, which passes it to the next policy of the chain. Policies
named on the command line are entries of MISS_POLICIES: a factory `(cache, generate) -> MissPolicy`; adding
one is its module plus one `register` line here. A factory marked `needs_model = True` gets the model of
`--sim-model` as `generate` (see needs_model).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from benchmarks.core.registry import Registry
from benchmarks.core.types import Responder, ToolSpec
from tools_sim.layout import ApiPath, api_path
from tools_sim.observation import API_NOT_WORKING_ERROR, STATUS_REQUEST_INVALID, make_observation
from tools_sim.synthesize import synthesize
from tools_sim.types import Observation


@dataclass(frozen=True)
class Miss:
    """A well-formed call of a known function. `where` is its cache path when that is not the one the
    spec's names give (the /virtual server computes paths by its own rules)."""

    spec: ToolSpec
    arguments: dict[str, Any]
    where: ApiPath | None = None

    @property
    def path(self) -> ApiPath:
        return self.where or api_path(self.spec.category, self.spec.tool, self.spec.api)


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
        response = synthesize(miss.spec.template_response, "/".join(miss.path), miss.arguments)
        return make_observation({"error": "", "response": response}, "synthesized", miss.spec.function_name)


class ErrorPolicy:
    """ToolBench's reply for an API that gives nothing back."""

    name = "error"

    def respond(self, misses: Sequence[Miss]) -> list[Observation | None]:
        return [make_observation({"error": API_NOT_WORKING_ERROR, "response": ""}, "error",
                                 m.spec.function_name) for m in misses]


class ResponderPolicy:
    """A benchmark's own data as a miss policy (the embedded world): its reply, or an invalid-request error
    (status 12) when it refuses the arguments; APIs it does not know pass to the next policy."""

    def __init__(self, responder: Responder, name: str = "world") -> None:
        self.responder = responder
        self.name = name

    def respond(self, misses: Sequence[Miss]) -> list[Observation | None]:
        return [self._observation(m) for m in misses]

    def _observation(self, miss: Miss) -> Observation | None:
        reply = self.responder(miss.spec, miss.arguments)
        name = miss.spec.function_name
        if reply is None:
            return None
        if reply.invalid:
            return make_observation({"error": reply.invalid, "response": ""}, "error", name, status=STATUS_REQUEST_INVALID)
        return make_observation({"error": "", "response": reply.response}, self.name, name)


# A factory gets the simulator's cache (a policy may save its answers there) and the model's batched
# generate function (None when no model was given).
PolicyFactory = Callable[[Any, Any], MissPolicy]
MISS_POLICIES: Registry[PolicyFactory] = Registry("miss policy")
MISS_POLICIES.register("synthesize", lambda cache, generate: SynthesizePolicy())
MISS_POLICIES.register("error", lambda cache, generate: ErrorPolicy())
MISS_POLICIES.register("llm", "tools_sim.llm:llm_policy")
MISS_POLICIES.register("mirrorapi", "tools_sim.mirrorapi:mirrorapi_policy")
MISS_POLICIES.register("mirrorapi-cot", "tools_sim.mirrorapi:mirrorapi_cot_policy")


def needs_model(names: Sequence[Any]) -> bool:
    """Whether any of these policies (names, or policies given as objects) asks a model to simulate."""
    return any(getattr(MISS_POLICIES.get(n), "needs_model", False) for n in names if isinstance(n, str) and n in MISS_POLICIES)
