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
reader skips); an entry names its try, so a finished try's events are never replayed into the next one. On
open the file is compacted, atomically, to the live entries, so it does not grow across resumes; a finished
run removes it.

    {"key": [task_key, agent, seed], "tries": 1, "started_at": 1.7e9, "from": 0, "events": [["r", {RoleResult}], ["o", {Observation}]]}
"""
from __future__ import annotations

import dataclasses
import json
import os
import warnings
from pathlib import Path
from typing import Any, Callable, TypeVar

import orjson

from benchmarks.results.files import write_bytes_atomic
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

    def __init__(self, path: Path, expected_tries: dict[Key, int]) -> None:
        self.path = path
        self.saved = {key: journal for key, journal in read_journals(path).items()
                      if expected_tries.get(key) == journal.tries}
        write_bytes_atomic(path, b"".join(_line(key, journal, 0) for key, journal in self.saved.items()))
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
        if self._lines and self._fd >= 0:
            os.write(self._fd, b"".join(self._lines))
        self._lines = []

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
            self._lines.append(_line(key, _Journal(trajectory.tries, trajectory.started_at, pending), start))
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


def _line(key: Key, journal: _Journal, start: int) -> bytes:
    """One line (events hold RoleResult and Observation objects, or their fields once read back). Text UTF-8
    cannot hold (a lone surrogate in model text) makes orjson fail; json then escapes it, so it replays exactly."""
    data = {"key": list(key), "tries": journal.tries, "started_at": journal.started_at, "from": start,
            "events": journal.events}
    try:
        return orjson.dumps(data, default=str) + b"\n"
    except orjson.JSONEncodeError:
        return json.dumps(data, separators=(",", ":"), default=_fields).encode("ascii") + b"\n"


def _fields(value: Any) -> Any:
    return dataclasses.asdict(value) if dataclasses.is_dataclass(value) else str(value)


def read_journals(path: Path) -> dict[Key, _Journal]:
    """Each trajectory's events, from its lines in order. A line that does not parse (a torn last line) is
    skipped, and so is a line that does not follow on from the events read so far."""
    journals: dict[Key, _Journal] = {}
    if not path.is_file():
        return journals
    with path.open("rb") as handle:
        for raw in handle:
            try:
                line = json.loads(raw)
                key, tries, start, events = tuple(line["key"]), line["tries"], line["from"], line["events"]
            except (ValueError, KeyError, TypeError):
                continue
            journal = journals.get(key)
            if start == 0:
                journals[key] = _Journal(tries, line.get("started_at", 0.0), list(events))
            elif journal is not None and journal.tries == tries and start == len(journal.events):
                journal.events += events
    return journals
