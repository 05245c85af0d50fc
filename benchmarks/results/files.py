"""The files of a run folder by name, and the one way whole-file JSON outputs are written and read.

    <out>/<run>/run.json            manifest (benchmarks.results.manifest)
    <out>/<run>/identity.json       the run the records belong to, written before any record (engine.runner.identity)
    <out>/<run>/run.lock            held (fcntl.flock) by the one process writing the folder (engine.runner.run_lock)
    <out>/<run>/trajectories.jsonl  one record per finished trajectory (benchmarks.results.trajectories)
    <out>/<run>/checkpoint.jsonl    the steps of trajectories in flight, until the run finishes (engine.runner.checkpoint)
    <out>/<run>/tooleval/<group>.json   ToolEval converted answers (benchmarks.results.converted)
    <out>/<run>/metrics.json        rule-based figures and speed (written by engine.runner.metrics)
    <out>/<run>/scores.json         rates with intervals and every query's labels (benchmarks.results.scores)
    <out>/<run>/answer/<group>/<qid>_<method>.json   DFSDT: ToolBench's raw answer file, with its search tree
    <out>/leaderboard.json          one entry per run (benchmarks.results.leaderboard)
"""
from __future__ import annotations

import contextlib
import dataclasses
import errno
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterator

import orjson

from benchmarks.core.naming import path_part

RUN_FILE = "run.json"
IDENTITY_FILE = "identity.json"
LOCK_FILE = "run.lock"
TRAJECTORIES_FILE = "trajectories.jsonl"
CHECKPOINT_FILE = "checkpoint.jsonl"
TOOLEVAL_DIR = "tooleval"
METRICS_FILE = "metrics.json"
SCORES_FILE = "scores.json"
ANSWER_DIR = "answer"
LEADERBOARD_FILE = "leaderboard.json"


def _valid_text(text: str) -> str:
    """Surrogate pairs joined, lone surrogates replaced by U+FFFD."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _without_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _valid_text(value)
    if isinstance(value, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_without_surrogates(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _without_surrogates(dataclasses.asdict(value))
    return value


def dumps(data: Any, option: int = 0) -> bytes:
    """orjson.dumps; text it cannot encode is cleaned first, only when it fails. Model text is untrusted: a
    lone UTF-16 surrogate ("\\ud800", which a JSON reply can spell) has no UTF-8 form, so it becomes U+FFFD
    rather than failing the write."""
    try:
        return orjson.dumps(data, option=option)
    except orjson.JSONEncodeError:
        return orjson.dumps(_without_surrogates(data), option=option)


def group_file(folder: Path, group: str) -> Path:
    """`<folder>/<group>.json` (a run's tooleval/ and convert's outputs): the group checked as a file name."""
    return folder / f"{path_part(group, 'group', '.json.tmp.')}.json"


class DiskFull(OSError):
    """No space (or quota) left while writing a file of a run: one line naming the file, what the write needed
    and what is free (issue 21, item 15), instead of a chain of OSErrors."""

    def __init__(self, path: Path, needed: int) -> None:
        free = shutil.disk_usage(next((p for p in (path, *path.parents) if p.exists()), Path("."))).free
        super().__init__(errno.ENOSPC, f"no space left on the device to write {path}: the write needed {needed:,} "
                                       f"bytes, {free:,} are free; free some space and rerun the same command to resume")

    def __str__(self) -> str:
        return self.strerror


_FULL = (errno.ENOSPC, errno.EDQUOT)


@contextlib.contextmanager
def naming_a_full_disk(path: Path, needed: int) -> Iterator[None]:
    """A write to `path` of `needed` bytes: a full disk or quota raises DiskFull naming them."""
    try:
        yield
    except OSError as exc:
        if exc.errno in _FULL and not isinstance(exc, DiskFull):
            raise DiskFull(path, needed) from None
        raise


def write_json_atomic(path: Path, data: Any) -> None:
    """Whole-file JSON outputs are replaced atomically: a crash leaves the old file or the new one."""
    write_bytes_atomic(path, dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS))


def write_bytes_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with naming_a_full_disk(path, len(data)):
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            tmp.write_bytes(data)
        except OSError:
            tmp.unlink(missing_ok=True)  # a partial temporary helps no one, least of all a full disk
            raise
        os.replace(tmp, path)


def rewrite_in_place(path: Path, data: bytes) -> None:
    """Overwrites an existing file's bytes where they lie: on a full disk, a small file that grows by less
    than its last block still takes the new text, where a new temporary file cannot be made."""
    with naming_a_full_disk(path, len(data)), path.open("r+b") as handle:
        handle.write(data)
        handle.truncate()


def read_json(path: Path, missing: Any = None) -> Any:
    """A whole-file JSON output; `missing` when the file does not exist; a ValueError naming a corrupt one."""
    try:
        return orjson.loads(path.read_bytes())
    except FileNotFoundError:
        return missing
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from None


def out_problem(target: Path, flag: str, folder: bool = True) -> str | None:
    """Why `target` cannot be written as a folder (or, `folder` false, as a file): it, or the nearest existing
    folder on the way to it, is something else. None when it can."""
    if not folder and target.is_dir():
        return f"{flag} {target} is a folder, not a file"
    existing = next((p for p in (target.parent if not folder else target, *target.parents) if p.exists()), None)
    if existing is None or existing.is_dir():
        return None
    if not folder:
        return f"{flag} {target}: {existing} is a file, not a folder"
    where = "" if existing == target else f" (its parent {existing} is)"
    return f"{flag} {target} is a file, not a folder{where}"


def write_new_folder(out: str | Path, fill: Callable[[Path], object]) -> Path:
    """A folder written whole: `fill(folder)` writes into a temporary sibling that is renamed to `out` at the
    end, so a crash leaves nothing half-written under the target name. `out` must be new or empty
    (FileExistsError otherwise); returns it."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        raise FileExistsError(f"{out}: folder exists and is not empty; give a new or empty folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        fill(partial)
        partial.chmod(0o755)  # mkdtemp makes it private
        if out.is_dir():
            out.rmdir()  # empty (checked above); rename cannot replace a folder portably
        os.rename(partial, out)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return out
