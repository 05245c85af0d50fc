"""trajectories.jsonl: append-only, one record per finished trajectory, flushed as each one ends.

A record is engine.types.Trajectory as a JSON object (Trajectory.to_record), plus its `steps`; it is the
resume point of a run: (task_key, agent, seed) names a trajectory that needs no second run.

A rerun of the same command reads the file back to skip what is done and appends after it; it never
rewrites a finished line. The one exception is a torn last line (the process was killed mid-write): that
fragment is cut off, since no reader could use it and appending after it would corrupt the next line.
Model text with a lone surrogate is written with U+FFFD in its place (benchmarks.results.files.dumps).
"""
from __future__ import annotations

import os
import time
import warnings
from pathlib import Path
from typing import Any, Iterator, Mapping, TypedDict

import orjson

from benchmarks.results.files import dumps, write_bytes_atomic



class TurnRecord(TypedDict):
    role: str  # user | assistant | caller | observation | conclusion | ...: the role formats' turn roles
    text: str


class CallRecordJson(TypedDict):
    name: str  # as the model wrote it
    arguments: str
    observation: str  # the text the agent saw
    status: int  # ToolBench's status code
    source: str  # cache | synthesized | llm | world | error
    function_name: str | None  # the function it resolved to, None when none
    thought: str


class UsageRecord(TypedDict):
    calls: int
    prompt_tokens: int
    completion_tokens: int
    latency_s: float


class _RecordFields(TypedDict):

    task_key: str  # "<group>/<query_id>"
    group: str
    query_id: str
    agent: str
    seed: int
    turns: list[TurnRecord]
    calls: list[CallRecordJson]
    status: str  # answered | gave_up | max_steps | failed
    final_answer: str
    finish_thought: str
    parse_failures: int
    unmarked_plans: int
    planner_retries: int
    error: str
    tries: int
    usage: dict[str, UsageRecord]  # per role
    started_at: float
    finished_at: float
    steps: int


class TrajectoryRecord(_RecordFields, total=False):
    """One line of trajectories.jsonl: engine.types.Trajectory as JSON, plus `steps` (its tool calls)."""

    search: dict[str, Any]  # a DFSDT tree's figures (engine.search); chains have none

def record_key(record: Mapping[str, Any]) -> tuple[str, str, int]:
    return record["task_key"], record["agent"], record["seed"]


def read_records(path: Path) -> Iterator[TrajectoryRecord]:
    if not path.exists():
        return
    with path.open("rb") as handle:
        for _, record in _records_with_offsets(path, handle):
            yield record


def iter_latest_records(path: Path) -> Iterator[TrajectoryRecord]:
    """latest_records one record at a time: the first pass keeps only where each trajectory's last line starts,
    the second reads those lines back, so memory holds offsets rather than records."""
    if not path.exists():
        return
    starts: dict[tuple[str, str, int], int] = {}
    with path.open("rb") as handle:
        for start, record in _records_with_offsets(path, handle):
            starts[record_key(record)] = start
        for start in starts.values():
            handle.seek(start)
            yield orjson.loads(handle.readline())


def _records_with_offsets(path: Path, handle: Any) -> Iterator[tuple[int, TrajectoryRecord]]:
    start = 0
    for number, line in enumerate(handle, 1):
        if not line.endswith(b"\n"):
            return  # torn tail, repaired by TrajectoryWriter
        try:
            yield start, orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise ValueError(f"{path}: line {number} is not valid JSON ({exc})") from None
        start += len(line)


def latest_records(path: Path) -> dict[tuple[str, str, int], dict[str, Any]]:
    """The last record of each trajectory (a retried trajectory has a line per try), in first-seen order."""
    latest: dict[tuple[str, str, int], dict[str, Any]] = {}
    for record in read_records(path):
        latest[record_key(record)] = record
    return latest


BAD_SUFFIX = ".bad"


def _is_corrupt(line: bytes) -> bool:
    try:
        return not isinstance(orjson.loads(line), dict)
    except orjson.JSONDecodeError:
        return True


def corrupt_lines(path: Path) -> list[int]:
    """Numbers (from 1) of the complete lines of `path` that are not JSON objects (a torn tail is not one)."""
    if not path.is_file():
        return []
    with path.open("rb") as handle:
        return [n for n, line in enumerate(handle, 1) if line.endswith(b"\n") and _is_corrupt(line)]


def move_corrupt_lines(path: Path) -> int:
    """Appends the corrupt complete lines of `path` to `<path>.bad` and rewrites `path` (atomically) without
    them; the number moved."""
    lines = path.read_bytes().splitlines(keepends=True)
    bad = [line for line in lines if line.endswith(b"\n") and _is_corrupt(line)]
    with path.with_name(path.name + BAD_SUFFIX).open("ab") as handle:
        handle.write(b"".join(bad))
        handle.flush()
        os.fsync(handle.fileno())
    write_bytes_atomic(path, b"".join(line for line in lines if not (line.endswith(b"\n") and _is_corrupt(line))))
    return len(bad)


class TrajectoryWriter:
    """Each line is flushed to the OS at once (a killed process loses nothing); fsync, which only guards
    against a power loss, runs at most once a second so it does not dominate a fast run.

    `done` holds the trajectories a run skips: all written ones, less the failed ones when `retry_failed`
    (their next try appends a new line, which readers take over the old one); `tries` how often each
    written one was tried."""

    FSYNC_INTERVAL_S = 1.0

    def __init__(self, path: Path, retry_failed: bool = False) -> None:
        self.path = path
        self._synced_at = time.monotonic()
        self._repair_torn_tail()
        latest = {record_key(record): (record.get("tries", 1), record["status"]) for record in read_records(path)}
        self.tries = {key: tries for key, (tries, _) in latest.items()}  # (only what it needs of each record is kept)
        self.done = {key for key, (_, status) in latest.items() if not (retry_failed and status == "failed")}
        self._handle = path.open("ab")

    def _repair_torn_tail(self) -> None:
        if not self.path.exists() or self.path.stat().st_size == 0:
            return
        data = self.path.read_bytes()
        if data.endswith(b"\n"):
            return
        keep = data.rfind(b"\n") + 1
        warnings.warn(f"{self.path}: dropping a torn last line of {len(data) - keep} bytes (interrupted write)")
        with self.path.open("r+b") as handle:
            handle.truncate(keep)

    def write(self, record: TrajectoryRecord | dict[str, Any]) -> None:
        self._handle.write(dumps(record) + b"\n")
        self._handle.flush()
        self.done.add(record_key(record))  # before fsync: a Ctrl-C during it must still count the line as saved
        if time.monotonic() - self._synced_at >= self.FSYNC_INTERVAL_S:
            self._sync()

    def _sync(self) -> None:
        os.fsync(self._handle.fileno())
        self._synced_at = time.monotonic()

    def close(self) -> None:
        self._sync()
        self._handle.close()
