"""A backend built on its first generate, so that work whose replies are all cached never loads a model.

A re-scoring from the judge cache asks no question of its judge; loading the judge's model anyway would
cost a vLLM engine's start (tens of seconds) or more. Until it is built, a lazy backend describes its
model without loading it: backend, model, dtype, and for local model folders the same content
fingerprint the loaded backend reports, so ids derived from it (a judge's cache key) do not change.
"""
from __future__ import annotations

from typing import Any

from engine.backends.base import BACKENDS, Backend, check_backend_name, make_backend
from engine.backends.model_files import fingerprint, model_id, resolve_model_path
from engine.types import ModelSpec, RoleRequest, RoleResult

class LazyBackend:
    def __init__(self, spec: ModelSpec) -> None:
        check_backend_name(spec.backend)
        self.spec = spec
        self.identity = _identity(spec)  # a missing model folder is an error now, not at the first question
        self.backend: Backend | None = None

    def load(self) -> Backend:
        """The backend, built now if it is not yet (a benchmark times generation, not loading)."""
        if self.backend is None:
            self.backend = make_backend(self.spec)
        return self.backend

    def generate(self, requests: list[RoleRequest]) -> list[RoleResult]:
        return self.load().generate(requests)

    def info(self) -> dict[str, Any]:
        return self.backend.info() if self.backend is not None else {**self.identity, "loaded": False}

    def open_stream(self, capacity: int) -> Any:
        return self.load().open_stream(capacity)


def _identity(spec: ModelSpec) -> dict[str, Any]:
    if not BACKENDS.get(spec.backend).local_model:
        return {"backend": spec.backend, "model": spec.model}
    return {"backend": spec.backend, "model": model_id(spec.model), "dtype": spec.dtype,
            "fingerprint": fingerprint(resolve_model_path(spec.model))}
