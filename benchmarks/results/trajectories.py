"""trajectories.jsonl: append-only, one record per finished trajectory, flushed as each one ends.

A record is engine.types.Trajectory as a JSON object (Trajectory.to_record), plus its `steps`; it is the
resume point of a run: (task_key, agent, seed) names a trajectory that needs no second run.

A rerun of the same command reads the file back to skip what is done and appends after it; it never
rewrites a finished line. The one exception is a torn last line (the process was killed mid-write): that
fragment is cut off, since no reader could use it and appending after it would corrupt the next line.
Model text with a lone surrogate is written with U+FFFD in its place (benchmarks.results.files.dumps).
"""
from __future__ import annotations

import contextlib
import os
import time
import warnings
from pathlib import Path
from typing import Any, Iterator, Mapping, TypedDict

import orjson

from benchmarks.results.files import dumps, naming_a_full_disk, write_bytes_atomic



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


class ThoughtRecordJson(TypedDict):
    text: str  # a reply without a call (ChatGPT's function calling: a Thought node of ToolBench's chain)
    calls_before: int  # its place in the chain: after this many calls


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

    finish_arguments: str  # Finish's arguments as the model wrote them (single-LLM agents), absent otherwise
    search: dict[str, Any]  # a DFSDT tree's figures (engine.search); chains have none
    thoughts: list[ThoughtRecordJson]  # replies without a call (chat-fc), absent when none

STATUSES = ("answered", "gave_up", "max_steps", "failed")
_TEXT_FIELDS = ("task_key", "group", "query_id", "agent", "final_answer", "error")
_COUNT_FIELDS = ("seed", "steps")
_TIME_FIELDS = ("started_at", "finished_at")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def record_problem(record: Any) -> str | None:
    """What is wrong with a trajectories.jsonl line as a record (None when nothing): the fields a resume,
    the outputs and the scorers read, each with its type (issue 21, item 9)."""
    if not isinstance(record, dict):
        return f"expected a JSON object, got {type(record).__name__}"
    for name in _TEXT_FIELDS:
        if not isinstance(record.get(name), str):
            return f"field {name}: expected a string, got {_shown(record.get(name))}"
    for name in _COUNT_FIELDS:
        if not _is_int(record.get(name)):
            return f"field {name}: expected a whole number, got {_shown(record.get(name))}"
    for name in _TIME_FIELDS:
        value = record.get(name)
        if not (_is_int(value) or isinstance(value, float)):
            return f"field {name}: expected a Unix time (a number), got {_shown(value)}"
    if record.get("status") not in STATUSES:
        return f"field status: expected one of {', '.join(STATUSES)}, got {_shown(record.get('status'))}"
    tries = record.get("tries", 1)
    if not _is_int(tries) or tries < 1:
        return f"field tries: expected a whole number of at least 1, got {_shown(tries)}"
    for name, kind in (("turns", list), ("calls", list), ("usage", dict)):
        if not isinstance(record.get(name), kind):
            return f"field {name}: expected a JSON {'list' if kind is list else 'object'}, got {_shown(record.get(name))}"
    if not all(isinstance(call, dict) for call in record["calls"]):
        return "field calls: expected a list of objects"
    if not all(isinstance(u, dict) for u in record["usage"].values()):
        return "field usage: expected an object of objects (per role)"
    if not isinstance(record.get("finish_arguments", ""), str):
        return f"field finish_arguments: expected a string, got {_shown(record['finish_arguments'])}"
    if not _are_thoughts(record.get("thoughts", [])):
        return 'field thoughts: expected a list of {"text": string, "calls_before": whole number}'
    return None


def _are_thoughts(thoughts: Any) -> bool:
    """Whether a record's `thoughts` are what the ToolEval export reads (benchmarks.results.tooleval_export)."""
    return isinstance(thoughts, list) and all(
        isinstance(t, dict) and isinstance(t.get("text"), str) and _is_int(t.get("calls_before")) for t in thoughts)


def _shown(value: Any) -> str:
    return "nothing" if value is None else f"{type(value).__name__} {str(value)[:40]!r}"


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
            record = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise ValueError(f"{path}: line {number} is not valid JSON ({exc})") from None
        if problem := record_problem(record):
            raise ValueError(f"{path}: line {number} is not a trajectory record ({problem})")
        yield start, record
        start += len(line)


def latest_records(path: Path) -> dict[tuple[str, str, int], dict[str, Any]]:
    """The last record of each trajectory (a retried trajectory has a line per try), in first-seen order."""
    latest: dict[tuple[str, str, int], dict[str, Any]] = {}
    for record in read_records(path):
        latest[record_key(record)] = record
    return latest


BAD_SUFFIX = ".bad"


def line_problem(line: bytes) -> str | None:
    """Why a complete line is no record: not JSON, or a record_problem."""
    try:
        return record_problem(orjson.loads(line))
    except orjson.JSONDecodeError:
        return "not valid JSON"


def _is_corrupt(line: bytes) -> bool:
    return line_problem(line) is not None


def corrupt_lines(path: Path) -> list[tuple[int, str]]:
    """(number from 1, problem) of each complete line of `path` that is no valid record (a torn tail is not one)."""
    if not path.is_file():
        return []
    with path.open("rb") as handle:
        return [(n, problem) for n, line in enumerate(handle, 1)
                if line.endswith(b"\n") and (problem := line_problem(line)) is not None]


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
        self._failed = False  # a write failed (a full disk): closing must not fail again on its buffered bytes

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
        line = dumps(record) + b"\n"
        try:
            with naming_a_full_disk(self.path, len(line)):
                self._handle.write(line)
                self._handle.flush()
        except OSError:
            self._failed = True
            raise
        self.done.add(record_key(record))  # before fsync: a Ctrl-C during it must still count the line as saved
        if time.monotonic() - self._synced_at >= self.FSYNC_INTERVAL_S:
            self._sync()

    def _sync(self) -> None:
        os.fsync(self._handle.fileno())
        self._synced_at = time.monotonic()

    def close(self) -> None:
        if not self._failed:
            self._sync()
            self._handle.close()
            return
        with contextlib.suppress(OSError):  # the refused line again: it was reported; the next run cuts off its part
            self._handle.close()


def untimed(record: dict[str, Any]) -> dict[str, Any]:
    """A trajectory record without what measures time: two runs of the same trajectory differ only there."""
    usage = {role: {k: v for k, v in u.items() if k != "latency_s"} for role, u in record["usage"].items()}
    return {**{k: v for k, v in record.items() if k not in ("started_at", "finished_at")}, "usage": usage}
