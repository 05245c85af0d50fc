"""The one protocol every model backend implements, and the registry that builds them by name.

A backend is a registry entry: a `BackendKind` naming its factory ("module:attribute", imported on first
use, so naming the scripted backend does not import torch) and what the engine must know of it before
building one. Adding a backend is its module plus one `BACKENDS.register` line here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from benchmarks.core.registry import Registry, UnknownNameError, resolve_reference
from engine.types import ModelSpec, RoleRequest, RoleResult


class Backend(Protocol):
    """What every backend does: batched generation, a description, and a request stream (the continuous
    schedule)."""

    def generate(self, requests: list[RoleRequest]) -> list[RoleResult]:
        """Results in the order of `requests`; a failed request carries `error`, never raises per item."""

    def info(self) -> dict[str, Any]:
        """Model id, revision or hash, dtype, device and library versions (recorded in run.json)."""

    def open_stream(self, capacity: int) -> Any:
        """A request stream over this backend (engine.backends.streaming.RequestStream: requests one at a time,
        each returned as it finishes, `capacity` at once): vLLM's async engine, concurrent HTTP, the modelled
        continuous batching, immediate scripted replies, or batch refill over `generate` (hf)."""


UnknownBackendError = UnknownNameError


@dataclass(frozen=True)
class BackendKind:
    factory: str  # "module:attribute": a callable ModelSpec -> Backend
    local_model: bool = False  # loads a local model folder: resolved and fingerprinted before loading
    uses_gpu: bool = False  # takes GPUs when the node has them
    json_schema: bool = False  # can decode under a JSON schema (SamplingParams.json_schema)
    check: str | None = None  # "module:attribute": a cheap check of a ModelSpec, raising ValueError
    replica_split: str | None = None  # "module:attribute": a model name -> one per replica (openai: one per base URL)

    def build(self, spec: ModelSpec) -> Backend:
        return resolve_reference(self.factory)(spec)

    def replica_models(self, model: str) -> list[str]:
        """The model of each replica the model name itself names (most backends: none, so [model])."""
        return resolve_reference(self.replica_split)(model) if self.replica_split else [model]

    def check_spec(self, spec: ModelSpec) -> None:
        if self.check:
            resolve_reference(self.check)(spec)


BACKENDS: Registry[BackendKind] = Registry("backend")
BACKENDS.register("hf", BackendKind("engine.backends.hf:HFBackend", local_model=True, uses_gpu=True,
                                    check="engine.backends.model_files:check_model_spec"))
BACKENDS.register("vllm", BackendKind("engine.backends.vllm:VLLMBackend", local_model=True, uses_gpu=True,
                                      json_schema=True, check="engine.backends.model_files:check_model_spec"))
BACKENDS.register("openai", BackendKind("engine.backends.openai:from_spec", check="engine.backends.openai:check_spec",
                                        replica_split="engine.backends.openai:replica_models"))
BACKENDS.register("scripted", BackendKind("engine.backends.scripted:from_spec", check="engine.backends.scripted:from_spec"))
BACKENDS.register("modelled", BackendKind("engine.backends.modelled:from_spec", check="engine.backends.modelled:from_spec"))


def backend_names() -> list[str]:
    return BACKENDS.names()


def check_backend_name(name: str) -> None:
    """Raises UnknownBackendError, listing the valid names, unless `name` is a backend (imports nothing)."""
    BACKENDS.check(name)


def make_backend(spec: ModelSpec) -> Backend:
    return BACKENDS.get(spec.backend).build(spec)
