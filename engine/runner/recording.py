"""The run folder's written files as recorders: each is told a run's lifecycle and writes its own file(s)
atomically, so the run loop names no output file and a new file is one RunRecorder class and one entry in
engine.runner.recorders.RECORDERS.

Events, in order: `started` (before any engine is built), `engines_ready` (the engines' description),
`task_finished` (a task's unit is done, before its record is written: a recorded task is complete), `counted`
(a record the run's outputs count: as it is written on a fresh run, the folder's latest records at the end of a
resumed one), `ended` (always, interrupted or not, after the run's own files are closed) and `completed` (a
finished run, its end-of-run files).

The resume state is not a recorder: identity.json, trajectories.jsonl and checkpoint.jsonl are read back by the
run to decide what is left to do (engine.runner.identity, engine.runner.checkpoint).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.core.types import Task
from engine.runner.run_config import RunConfig


@dataclass(frozen=True)
class RunContext:
    """What every recorder of one run knows from the start."""

    config: RunConfig
    dir: Path
    tasks: dict[str, Task]
    strategy: Any
    simulator: Any
    identity: dict[str, Any]


@dataclass(frozen=True)
class RunEnd:
    """How a run ended: its status and reason (run.json), and for a finished run the engines' description read
    after generating and its speed figures."""

    status: str
    reason: str | None = None
    models: dict[str, Any] | None = None
    speed: dict[str, Any] | None = None


class RunRecorder:
    """One run-folder file (or folder of files). Every event does nothing unless the recorder needs it."""

    def __init__(self, run: RunContext) -> None:
        self.run = run

    def written(self) -> bool:
        """Whether an earlier attempt left this recorder's output whole (a finished run has nothing to redo)."""
        return True

    def started(self) -> None:
        pass

    def engines_ready(self, models: dict[str, Any]) -> None:
        pass

    def task_finished(self, unit: Any) -> None:
        pass

    def counted(self, record: dict[str, Any]) -> None:
        pass

    def ended(self, end: RunEnd) -> None:
        pass

    def completed(self, end: RunEnd) -> None:
        pass


def close_all(steps: list[Callable[[], object] | None], raising: bool) -> None:
    """Runs every step, even after one fails (a full disk fails them alike); the first error is raised when
    `raising`, else dropped: the error that ended the run is the one to report, not a chain of its echoes."""
    first: Exception | None = None
    for step in steps:
        try:
            if step is not None:
                step()
        except Exception as exc:
            first = first or exc
    if first is not None and raising:
        raise first


class Recorders:
    """A run's recorders, told each event in registry order."""

    def __init__(self, kinds: Sequence[Callable[[RunContext], RunRecorder]], run: RunContext) -> None:
        self.all = [kind(run) for kind in kinds]

    def written(self) -> bool:
        return all(recorder.written() for recorder in self.all)

    def started(self) -> None:
        for recorder in self.all:
            recorder.started()

    def engines_ready(self, models: dict[str, Any]) -> None:
        for recorder in self.all:
            recorder.engines_ready(models)

    def task_finished(self, unit: Any) -> None:
        for recorder in self.all:
            recorder.task_finished(unit)

    def counted(self, record: dict[str, Any]) -> None:
        for recorder in self.all:
            recorder.counted(record)

    def count_all(self, records: Iterable[dict[str, Any]]) -> None:
        for record in records:
            self.counted(record)

    def ended(self, end: RunEnd) -> None:
        """Every recorder is told, even after one fails; the first error is raised."""
        close_all([lambda recorder=recorder: recorder.ended(end) for recorder in self.all], raising=True)

    def completed(self, end: RunEnd) -> None:
        for recorder in self.all:
            recorder.completed(end)
