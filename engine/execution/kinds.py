"""The executors by name (`--executor local|ray`)."""
from __future__ import annotations

from engine.execution.control import RunControl
from engine.execution.executor import Executor
from engine.execution.local import LocalExecutor
from engine.execution.ray_executor import RayExecutor
from engine.types import ModelSpec

EXECUTORS = ("local", "ray")


def make_executor(kind: str, models: dict[str, ModelSpec], ray_address: str | None = None,
                  placement: str = "shared", streaming: bool = False, control: RunControl | None = None) -> Executor:
    """`streaming`: the actors take single requests (the continuous schedule); a local executor does both.
    `control`: the run's name, its stop flag and how long it waits for room (engine.execution.control)."""
    if kind == "local":
        return LocalExecutor(models, control=control)
    if kind == "ray":
        return RayExecutor(models, ray_address, placement=placement, streaming=streaming, control=control)
    raise ValueError(f"unknown executor {kind!r}; valid: {', '.join(EXECUTORS)}")
