"""Text derived from objects that never change once loaded (a task's ToolSpecs), kept by object identity.

A benchmark's tasks share their ToolSpec objects wherever they offer the same tool (the embedded benchmark's 10k
tasks hold 68), so a tool's doc line or schema JSON is rendered once per tool instead of once per task.
"""
from __future__ import annotations

from typing import Any, Callable, Generic, TypeVar

Value = TypeVar("Value")


class IdentityMemo(Generic[Value]):
    """`build(obj)` once per object. Each entry holds its object, so an id is never reused while it is kept; at
    most `size` entries, all dropped when full (tasks that share no tools then cost a re-render, not memory)."""

    def __init__(self, build: Callable[[Any], Value], size: int = 4096) -> None:
        self.build = build
        self.size = size
        self._entries: dict[int, tuple[Any, Value]] = {}

    def __call__(self, obj: Any) -> Value:
        entry = self._entries.get(id(obj))
        if entry is not None and entry[0] is obj:
            return entry[1]
        value = self.build(obj)
        if len(self._entries) >= self.size:
            self._entries.clear()
        self._entries[id(obj)] = (obj, value)
        return value
