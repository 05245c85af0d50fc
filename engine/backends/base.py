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
}


def register_backend(name: str, factory: Callable[[ModelSpec], Backend]) -> None:
    _FACTORIES[name] = factory


def backend_names() -> list[str]:
    return sorted(set(_FACTORIES) | set(_BUILTIN_MODULES))


def make_backend(spec: ModelSpec) -> Backend:
    if spec.backend not in _FACTORIES and spec.backend in _BUILTIN_MODULES:
        importlib.import_module(_BUILTIN_MODULES[spec.backend])  # the module registers itself
    if spec.backend not in _FACTORIES:
        raise UnknownBackendError(f"unknown backend {spec.backend!r}; valid: {', '.join(backend_names())}")
    return _FACTORIES[spec.backend](spec)
