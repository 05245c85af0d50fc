"""The one protocol every model backend implements, and the registry that builds them by name."""
from __future__ import annotations

import importlib
from typing import Any, Callable, Protocol

from engine.types import ModelSpec, RoleRequest, RoleResult


class Backend(Protocol):
    def generate(self, requests: list[RoleRequest]) -> list[RoleResult]:
        """Results in the order of `requests`; a failed request carries `error`, never raises per item."""

    def info(self) -> dict[str, Any]:
        """Model id, revision or hash, dtype, device and library versions (recorded in run.json)."""


class UnknownBackendError(ValueError):
    pass


_FACTORIES: dict[str, Callable[[ModelSpec], Backend]] = {}
# Built-in backends by module, imported on first use: the scripted one must not pay torch's import.
_BUILTIN_MODULES = {
    "hf": "engine.backends.hf",
    "vllm": "engine.backends.vllm",
    "scripted": "engine.backends.scripted",
    "modelled": "engine.backends.modelled",
    "openai": "engine.backends.openai",
}


def register_backend(name: str, factory: Callable[[ModelSpec], Backend]) -> None:
    _FACTORIES[name] = factory


def backend_names() -> list[str]:
    return sorted(set(_FACTORIES) | set(_BUILTIN_MODULES))


def check_backend_name(name: str) -> None:
    """Raises UnknownBackendError, listing the valid names, unless `name` is a backend (imports nothing)."""
    if name not in backend_names():
        raise UnknownBackendError(f"unknown backend {name!r}; valid: {', '.join(backend_names())}")


def make_backend(spec: ModelSpec) -> Backend:
    check_backend_name(spec.backend)
    if spec.backend not in _FACTORIES:
        importlib.import_module(_BUILTIN_MODULES[spec.backend])  # the module registers itself
    return _FACTORIES[spec.backend](spec)
