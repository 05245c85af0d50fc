"""trajectories.jsonl: append-only, one line per finished trajectory, flushed as each one ends.

A rerun of the same command reads the file back to skip what is done and appends after it; it never
rewrites a finished line. The one exception is a torn last line (the process was killed mid-write): that
fragment is cut off, since no reader could use it and appending after it would corrupt the next line.
"""
from __future__ import annotations

import dataclasses
import os
import time
import warnings
from pathlib import Path
from typing import Any, Iterator

import orjson

from engine.types import Trajectory


def trajectory_record(trajectory: Trajectory) -> dict[str, Any]:
    record = dataclasses.asdict(trajectory)
    record["steps"] = trajectory.steps
    if not record["search"]:
        del record["search"]  # chains keep their records as before
    return record


def record_key(record: dict[str, Any]) -> tuple[str, str, int]:
    return record["task_key"], record["agent"], record["seed"]


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            if not line.endswith(b"\n"):
                return  # torn tail, repaired by TrajectoryWriter
            try:
                yield orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise ValueError(f"{path}: line {number} is not valid JSON ({exc})") from None


class TrajectoryWriter:
    """Each line is flushed to the OS at once (a killed process loses nothing); fsync, which only guards
    against a power loss, runs at most once a second so it does not dominate a fast run."""

    FSYNC_INTERVAL_S = 1.0

    def __init__(self, path: Path) -> None:
        self.path = path
        self._synced_at = time.monotonic()
        self._repair_torn_tail()
        self.done = {record_key(r) for r in read_records(path)}
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

    def write(self, record: dict[str, Any]) -> None:
        self._handle.write(orjson.dumps(record) + b"\n")
        self._handle.flush()
        if time.monotonic() - self._synced_at >= self.FSYNC_INTERVAL_S:
            self._sync()
        self.done.add(record_key(record))

    def _sync(self) -> None:
        os.fsync(self._handle.fileno())
        self._synced_at = time.monotonic()

    def close(self) -> None:
        self._sync()
        self._handle.close()


def write_json_atomic(path: Path, data: Any) -> None:
    """Whole-file JSON outputs are replaced atomically: a crash leaves the old file or the new one."""
    write_bytes_atomic(path, orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS))


def write_bytes_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
