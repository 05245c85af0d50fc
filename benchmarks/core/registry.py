"""Named extension points: one small registry per kind (backend, role format, miss policy, judge, benchmark
loader, search strategy), in the manner of lm-evaluation-harness's `lm_eval/api/registry.py`.

An entry is either an object or a lazy reference `"package.module:attribute"`, imported on first use, so
naming a backend does not import torch and listing the judges does not load a model. Adding an extension is
its own module plus one `register` line in the package that owns the registry.
"""
from __future__ import annotations

import difflib
import importlib
from typing import Generic, Iterable, Iterator, TypeVar

T = TypeVar("T")


class UnknownNameError(ValueError):
    """A name no registry entry has; the message lists the available ones."""


class Registry(Generic[T]):
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T | str] = {}

    def register(self, name: str, entry: T | str) -> None:
        """Adds `entry` (an object, or "module:attribute" imported on first `get`) under `name`."""
        if isinstance(entry, str) and ":" not in entry:
            raise ValueError(f"lazy {self.kind} entry {entry!r} must be 'module:attribute'")
        self._entries[name] = entry

    def __call__(self, name: str):
        """As a decorator: `@REGISTRY("name")` registers what it decorates."""
        def decorate(obj: T) -> T:
            self.register(name, obj)
            return obj
        return decorate

    def names(self) -> list[str]:
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def check(self, name: str) -> None:
        """Raises UnknownNameError naming the available entries (and the closest one) unless `name` is known."""
        if name not in self._entries:
            raise UnknownNameError(f"unknown {self.kind} {name!r}; available: {', '.join(self.names())}"
                                   f"{did_you_mean(name, self._entries)}")

    def get(self, name: str) -> T:
        self.check(name)
        entry = self._entries[name]
        if isinstance(entry, str):
            entry = resolve_reference(entry)
            self._entries[name] = entry
        return entry


def resolve_reference(reference: str):
    """The object a lazy reference "package.module:attribute" names, imported now."""
    module, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module), attribute)


def did_you_mean(name: object, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest of `choices` to a misspelt `name`, or ''."""
    close = difflib.get_close_matches(str(name), list(choices), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""
