"""The error categories of the step-level analysis: a registry of named categories in precedence order.

A category has a name, a rank (where it sorts among the errors of one step: a trajectory's first error is the
first error of its earliest step that has any), a one-line meaning, and a detector. Detectors are registered
in benchmarks.analysis.detect (the vocabulary of issue 23, in its order); adding a category is one
decorated function there."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from benchmarks.core.registry import Registry

# The scopes a detector is asked about: a planner's output, a call (with the output that made it), the chain's end.
PLAN, CALL, END = "plan", "call", "end"


@dataclass(frozen=True)
class Hit:
    """A category found at a step: what was found, and the role when the scope does not tell it."""

    detail: str = ""
    role: str | None = None


Detector = Callable[[str, Any], "Hit | None"]  # (scope, benchmarks.analysis.detect.StepContext) -> Hit or None


@dataclass(frozen=True)
class Category:
    name: str
    rank: int
    meaning: str
    scopes: tuple[str, ...]
    detect: Detector


CATEGORIES: Registry[Category] = Registry("error category")


def category(name: str, meaning: str, *scopes: str) -> Callable[[Detector], Detector]:
    """Registers the decorated detector as category `name`, ranked after those registered before it."""
    def register(detect: Detector) -> Detector:
        CATEGORIES.register(name, Category(name, len(CATEGORIES.names()), meaning, scopes, detect))
        return detect
    return register
