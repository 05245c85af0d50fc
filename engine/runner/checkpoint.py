"""checkpoint.jsonl: what the trajectories in flight have done so far, so that a killed or interrupted run
loses only the model calls running at that moment (issue 13, item 16).

A unit (an Episode, a DFSDT tree) is a deterministic function of its task, its seed and what it was given:
the model replies and the tool observations, in order (request seeds come from the trajectory and its
position, engine.agents.request_seed). So the file journals those events, not the unit: each line holds one
unit's events since its previous line, written when the unit waits for nothing (a reply that asked for a
tool call is written with its observation). A resumed run rebuilds each unit by replaying its events through
the agent, with no model or tool call, and goes on from its last completed step; its record is the one an
uninterrupted run writes. This works for any strategy and schedule: the schedulers report events from their
shared code (engine.schedule.loop.Scheduler) and commit once per batch of results.

Lines are appended with one write each commit (a killed process loses at most the unfinished line, which a
reader skips); an entry names its try, so a finished try's events are never replayed into the next one, and
its run (the run identity's hash less the task set), so another run's lines in the folder are never replayed
(issue 21, item 8). A line of the wrong shape is skipped with a warning. On open the file is compacted,
atomically, to the live entries, so it does not grow across resumes; a finished run removes it.

    {"key": [task_key, agent, seed], "run": "3f2a...", "tries": 1, "started_at": 1.7e9, "from": 0,
     "events": [["r", {RoleResult}], ["o", {Observation}]]}
"""
from __future__ import annotations

import dataclasses
import json
import math
import os
import warnings
from pathlib import Path
from typing import Any, Callable, TypeVar

import orjson

from benchmarks.results.files import naming_a_full_disk, write_bytes_atomic
from engine.types import RoleResult, Trajectory
from tools_sim.types import Observation, ToolCall

Key = tuple[str, str, int]
Event = list  # ["r", RoleResult] | ["o", Observation] (as JSON: their fields)
Unit = TypeVar("Unit")


def key_of(trajectory: Trajectory) -> Key:
    return trajectory.task_key, trajectory.agent, trajectory.seed


@dataclasses.dataclass
class _Journal:
    tries: int
    started_at: float
    events: list[Event] = dataclasses.field(default_factory=list)


class Checkpoint:
    """The journal of one run folder. `expected_tries` names the trajectories this run will do and the try
    each one is at: entries of any other trajectory or try are dropped on open."""

    def __init__(self, path: Path, expected_tries: dict[Key, int], run: str = "") -> None:
        self.path = path
        self.run = run
        self.saved = {key: journal for key, journal in read_journals(path, run).items()
                      if expected_tries.get(key) == journal.tries}
        write_bytes_atomic(path, b"".join(self._line(key, journal, 0) for key, journal in self.saved.items()))
        self._written: dict[Key, int] = {key: len(journal.events) for key, journal in self.saved.items()}
        self._pending: dict[Key, list[Event]] = {}  # events since the unit last waited for nothing
        self._lines: list[bytes] = []
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND)

    # -- the hook -------------------------------------------------------------------------------------------

    def generated(self, unit: Any, result: RoleResult, call: ToolCall | None) -> None:
        self._event(unit, ["r", result], waiting=call is not None)

    def observed(self, unit: Any, observation: Observation) -> None:
        self._event(unit, ["o", observation], waiting=False)

    def commit(self) -> None:
        """Writes the lines of the units that reached a step since the last commit, in one write."""
        lines, self._lines = b"".join(self._lines), []
        if lines and self._fd >= 0:
            with naming_a_full_disk(self.path, len(lines)):
                os.write(self._fd, lines)

    def _event(self, unit: Any, event: Event, waiting: bool) -> None:
        trajectory = unit.trajectory
        key = key_of(trajectory)
        pending = self._pending.setdefault(key, [])
        pending.append(event)
        if trajectory.done:  # its record is its checkpoint now
            self._pending.pop(key)
            self._written.pop(key, None)
        elif not waiting:
            start = self._written.get(key, 0)
            self._lines.append(self._line(key, _Journal(trajectory.tries, trajectory.started_at, pending), start))
            self._written[key] = start + len(pending)
            self._pending[key] = []

    # -- resuming -------------------------------------------------------------------------------------------

    def resume(self, start: Callable[[], Unit], agent: Any) -> Unit:
        """A new unit from `start`, moved on by its journaled events when it has some; a journal that no longer
        replays (the code changed under it) is dropped with a warning and the unit starts afresh."""
        unit = start()
        key = key_of(unit.trajectory)
        journal = self.saved.pop(key, None)
        if journal is None:
            return unit
        try:
            replay(unit, agent, journal.events)
        except Exception as exc:  # whatever the agent raises on events it no longer expects
            warnings.warn(f"{self.path}: the checkpoint of {key[0]} does not replay ({exc}); it starts afresh")
            self._written.pop(key, None)
            return start()
        unit.trajectory.started_at = journal.started_at
        return unit

    def close(self, finished: bool = False) -> None:
        """Writes what is committed-ready; a finished run has nothing in flight, so its file goes."""
        self.commit()
        if self._fd >= 0:
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = -1
        if finished:
            self.path.unlink(missing_ok=True)

    def _line(self, key: Key, journal: _Journal, start: int) -> bytes:
        return _line(key, self.run, journal, start)


def replay(unit: Any, agent: Any, events: list[Event]) -> None:
    """Applies journaled events to a fresh unit as the scheduler did: each reply must answer the request the
    unit asks for now (same id), and a reply that asked for a tool call is followed by its observation."""
    remaining = iter(events)
    for kind, data in remaining:
        need = agent.next_step(unit)
        if isinstance(need, ToolCall):
            _expect(kind == "o", "a tool call where the journal has a reply")
            agent.on_observation(unit, Observation(**data))
            continue
        _expect(kind == "r" and data["request_id"] == need.request_id,
                f"request {need.request_id} where the journal has {data.get('request_id', 'an observation')}")
        if agent.on_generation(unit, RoleResult(**data)) is not None:
            kind, data = next(remaining)
            _expect(kind == "o", "a reply where the journal has the observation of a call")
            agent.on_observation(unit, Observation(**data))
    _expect(not unit.trajectory.done, "the journal runs past the end of the trajectory")


def _expect(condition: bool, what: str) -> None:
    if not condition:
        raise ValueError(what)


def _line(key: Key, run: str, journal: _Journal, start: int) -> bytes:
    """One line (events hold RoleResult and Observation objects, or their fields once read back). Text UTF-8
    cannot hold (a lone surrogate in model text) makes orjson fail; json then escapes it, so it replays exactly."""
    data = {"key": list(key), "run": run, "tries": journal.tries, "started_at": journal.started_at, "from": start,
            "events": journal.events}
    try:
        return orjson.dumps(data, default=str) + b"\n"
    except orjson.JSONEncodeError:
        return json.dumps(data, separators=(",", ":"), default=_fields).encode("ascii") + b"\n"


def _fields(value: Any) -> Any:
    return dataclasses.asdict(value) if dataclasses.is_dataclass(value) else str(value)


def read_journals(path: Path, run: str | None = None) -> dict[Key, _Journal]:
    """Each trajectory's events of run `run` (None: of any run), from its lines in order. A line that does not parse (a torn
    last line) or has the wrong shape is skipped (with one warning for those of the wrong shape), and so is a
    line of another run or one that does not follow on from the events read so far. A checkpoint path that
    is not a file is refused (CheckpointError): the run could not journal its steps there."""
    journals: dict[Key, _Journal] = {}
    if path.exists() and not path.is_file():
        raise CheckpointError(f"{path}: expected the run's checkpoint file, found a folder or another non-file; "
                              "move it aside to resume")
    if not path.is_file():
        return journals
    wrong = 0
    with path.open("rb") as handle:
        for raw in handle:
            try:
                line = json.loads(raw)
            except ValueError:  # a torn line
                continue
            entry = _entry(line)
            if entry is None:
                wrong += 1
                continue
            key, tries, started_at, start, events = entry
            if run is not None and line.get("run", "") != run:
                continue
            journal = journals.get(key)
            if start == 0:
                journals[key] = _Journal(tries, started_at, events)
            elif journal is not None and journal.tries == tries and start == len(journal.events):
                journal.events += events
    if wrong:
        warnings.warn(f"{path}: {wrong} line(s) of the wrong shape skipped (expected {{\"key\": [task_key, agent, "
                      "seed], \"run\", \"tries\", \"started_at\", \"from\", \"events\": [[\"r\"|\"o\", {...}], ...]})")
    return journals


class CheckpointError(ValueError):
    """A checkpoint that the run cannot use."""


def _entry(line: Any) -> tuple[Key, int, float, int, list[Event]] | None:
    """The fields of a line, when each has its type; None otherwise."""
    if not isinstance(line, dict):
        return None
    key, tries, started_at, start, events = (line.get(k) for k in ("key", "tries", "started_at", "from", "events"))
    if not (isinstance(key, list) and len(key) == 3 and isinstance(key[0], str) and isinstance(key[1], str)
            and _whole(key[2], minimum=None) and _whole(tries, 1) and _whole(start, 0) and _time(started_at)
            and isinstance(events, list) and all(_event(e) for e in events)):
        return None
    return (key[0], key[1], key[2]), tries, float(started_at), start, list(events)


def _whole(value: Any, minimum: int | None) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and (minimum is None or value >= minimum)


def _time(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0


def _event(event: Any) -> bool:
    return isinstance(event, list) and len(event) == 2 and event[0] in ("r", "o") and isinstance(event[1], dict)
