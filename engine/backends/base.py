"""The one protocol every model backend implements, and the registry that builds them by name."""
from __future__ import annotations

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


def register_backend(name: str, factory: Callable[[ModelSpec], Backend]) -> None:
    _FACTORIES[name] = factory


def backend_names() -> list[str]:
    _load_builtin()
    return sorted(_FACTORIES)


def make_backend(spec: ModelSpec) -> Backend:
    _load_builtin()
    if spec.backend not in _FACTORIES:
        raise UnknownBackendError(f"unknown backend {spec.backend!r}; valid: {', '.join(sorted(_FACTORIES))}")
    return _FACTORIES[spec.backend](spec)


def _load_builtin() -> None:
    # Imported on first use (the modules register themselves); cached by Python after that.
    from engine.backends import hf, scripted  # noqa: F401
