"""The files of a run folder by name, and the one way whole-file JSON outputs are written and read.

    <out>/<run>/run.json            manifest (benchmarks.results.manifest)
    <out>/<run>/trajectories.jsonl  one record per finished trajectory (benchmarks.results.trajectories)
    <out>/<run>/checkpoint.jsonl    the steps of trajectories in flight, until the run finishes (engine.runner.checkpoint)
    <out>/<run>/tooleval/<group>.json   ToolEval converted answers (benchmarks.results.converted)
    <out>/<run>/metrics.json        rule-based figures and speed (written by engine.runner.metrics)
    <out>/<run>/scores.json         rates with intervals and every query's labels (benchmarks.results.scores)
    <out>/<run>/answer/<group>/<qid>_<method>.json   DFSDT: ToolBench's raw answer file, with its search tree
    <out>/leaderboard.json          one entry per run (benchmarks.results.leaderboard)
"""
from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable

import orjson

RUN_FILE = "run.json"
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


def write_json_atomic(path: Path, data: Any) -> None:
    """Whole-file JSON outputs are replaced atomically: a crash leaves the old file or the new one."""
    write_bytes_atomic(path, dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS))


def write_bytes_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def read_json(path: Path, missing: Any = None) -> Any:
    """A whole-file JSON output; `missing` when the file does not exist; a ValueError naming a corrupt one."""
    try:
        return orjson.loads(path.read_bytes())
    except FileNotFoundError:
        return missing
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from None


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
