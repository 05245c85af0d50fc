"""The shapes of the JSON files a run folder holds, checked where each is read (issue 21, item 12): a field of
the wrong type is named with its file, rather than failing later as a traceback in whoever reads it.

A shape is a type (or a tuple of types), a dict (an object whose named fields, where present, have those shapes;
other fields are free), `Each` (an object whose every value has one shape), `Items` (a list whose every item has
one shape) or `Maybe` (null or a shape). Missing fields are allowed: readers take defaults for what older versions did not write.
"""
from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, Union

T = TypeVar("T")

NUMBER = (int, float)


@dataclass(frozen=True)
class Each:
    shape: Any


@dataclass(frozen=True)
class Maybe:
    """null, or `shape`."""
    shape: Any


@dataclass(frozen=True)
class Items:
    shape: Any
    length: int | None = None


Shape = Union[type, tuple, dict, Each, Items, Maybe]

# A rate with its interval (scores.json, leaderboard.json).
RATE = {"rate": (int, float, type(None)), "ci95": Maybe(Items((int, float, type(None)))), "n": int}


def problem(value: Any, shape: Shape, where: str = "") -> str | None:
    """Where in `value` it first differs from `shape`, and how; None when it does not."""
    if isinstance(shape, Maybe):
        return None if value is None else problem(value, shape.shape, where)
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return _wrong(where, "an object", value)
        return next((p for name, inner in shape.items() if name in value
                     if (p := problem(value[name], inner, f"{where}.{name}" if where else name))), None)
    if isinstance(shape, Each):
        if not isinstance(value, dict):
            return _wrong(where, "an object", value)
        return next((p for key, item in value.items() if (p := problem(item, shape.shape, f"{where}.{key}"))), None)
    if isinstance(shape, Items):
        if not isinstance(value, list) or (shape.length is not None and len(value) != shape.length):
            return _wrong(where, "a list" + (f" of {shape.length}" if shape.length else ""), value)
        return next((p for i, item in enumerate(value) if (p := problem(item, shape.shape, f"{where}[{i}]"))), None)
    types = shape if isinstance(shape, tuple) else (shape,)
    if value is None and type(None) in types:
        return None
    if isinstance(value, bool) and bool not in types:
        return _wrong(where, _names(types), value)
    return None if isinstance(value, types) else _wrong(where, _names(types), value)


def check(path: Path, value: Any, shape: Shape) -> Any:
    """`value` (read from `path`), or ValueError naming the file, the field and what was expected."""
    if (found := problem(value, shape)) is not None:
        raise ValueError(f"{path}: {found}")
    return value


def _names(types: tuple) -> str:
    names = {int: "a number", float: "a number", str: "a string", dict: "an object", list: "a list",
             bool: "true or false", type(None): "null"}
    return " or ".join(dict.fromkeys(names.get(t, t.__name__) for t in types))


def _wrong(where: str, expected: str, value: Any) -> str:
    return f"field {where or '(the document)'}: expected {expected}, got {type(value).__name__} {str(value)[:40]!r}"


class SkippedRun(UserWarning):
    """A run folder left out of a leaderboard, report or export because one of its files is unreadable."""


def readable_runs(folders: Iterable[Path], read: Callable[[Path], T]) -> list[tuple[Path, T]]:
    """`read` of each run folder; a folder whose files it cannot read (ValueError, naming the file and field) is
    skipped with a SkippedRun warning, not fatal for the others. ValueError when no folder is readable."""
    read_ones, skipped = [], []
    for folder in folders:
        try:
            read_ones.append((folder, read(folder)))
        except ValueError as exc:
            skipped.append(str(exc))
            warnings.warn(SkippedRun(f"skipped run {folder}: {exc}"), stacklevel=2)
    if skipped and not read_ones:
        raise ValueError(f"no readable run: {skipped[0]}" + (f" (and {len(skipped) - 1} more)" if len(skipped) > 1 else ""))
    return read_ones
