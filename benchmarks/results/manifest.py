"""run.json: everything needed to know what produced a run and to reproduce it, and where it stands.

Written when a run starts (status "running") and again when it ends ("finished", or "failed" / "interrupted" with the reason), atomically;
engine.runner.run fills it, engine.runner.provenance supplies the versions, hardware and commit.
"""
from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any, Literal, TypedDict

import orjson

from benchmarks.results.files import RUN_FILE, DiskFull, read_json, rewrite_in_place, write_json_atomic
from benchmarks.results.shapes import Each, check

RunStatus = Literal["running", "finished", "failed", "interrupted"]


class RunManifest(TypedDict, total=False):
    run_name: str
    agent: dict[str, Any]  # engine.types.AgentSpec.to_json()
    models: dict[str, Any]  # per role actor: backend info (model, revision or fingerprint, dtype, device)
    benchmark: dict[str, Any]  # files and their hashes, or generation parameters
    seed: int
    identity: dict[str, Any]  # the one run this folder holds: agent + settings, benchmark, seed, tasks (engine.runner.identity)
    executor: str
    ray_address: str | None
    max_active: int | None
    schedule: str
    limits: dict[str, Any]
    n_tasks: int
    simulator: dict[str, Any]
    versions: dict[str, str]
    hardware: dict[str, Any]
    git_commit: str | None
    command: list[str]
    started_at: str
    ended_at: str
    status: RunStatus
    reason: str  # what ended a run that did not finish
    process: dict[str, Any]  # host, pid, start_ticks of the process running it (engine.runner.provenance)
    previous_attempt: dict[str, Any]  # how the last attempt at this folder ended, when it did not finish


def write_manifest(run_dir: Path, manifest: RunManifest) -> None:
    """run.json, atomically; on a full disk, rewritten in place, so that it still says how the run ended."""
    try:
        write_json_atomic(run_dir / RUN_FILE, manifest)
    except DiskFull:
        if not (run_dir / RUN_FILE).is_file():
            raise
        rewrite_in_place(run_dir / RUN_FILE, orjson.dumps(manifest, option=orjson.OPT_INDENT_2))


# What readers of run.json use, with its types (benchmarks.results.shapes; other fields are free).
SHAPE = {"run_name": str, "agent": {"name": str, "kind": str}, "models": Each({"model": str}), "benchmark": {"name": str},
         "seed": int, "status": str, "reason": (str, type(None)), "process": dict, "identity": dict,
         "started_at": (str, type(None)), "ended_at": (str, type(None))}


def read_manifest(run_dir: Path) -> RunManifest:
    """The manifest of a run folder; {} when the folder holds none; ValueError naming a field of the wrong type."""
    manifest = read_json(run_dir / RUN_FILE, missing={})
    if not isinstance(manifest, dict):
        raise ValueError(f"{run_dir / RUN_FILE}: not a run manifest (a JSON object)")
    return check(run_dir / RUN_FILE, manifest, SHAPE)  # type: ignore[return-value]


# A run's status in run.json: "running" while its process works, then "finished" or "interrupted" (with a
# "reason"). A process killed outright (SIGKILL, the OOM killer, Ray ending its driver when the node's
# raylet dies) writes nothing more, so "running" is also recorded with the process that wrote it, and
# readers ask `effective_status`, which tells a live run from a dead one.
def _start_ticks(pid: int) -> int | None:
    """When the process started (clock ticks since boot, from /proc): tells a pid from its later reuse."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[19])  # field 22; the name before ")" may hold spaces


def this_process() -> dict[str, Any]:
    """Who is running the run: host, pid and the pid's start time."""
    return {"host": socket.gethostname(), "pid": os.getpid(), "start_ticks": _start_ticks(os.getpid())}


def _alive(process: dict[str, Any]) -> bool | None:
    """Whether the recorded process still runs; None when this host cannot tell (another host)."""
    if process.get("host") != socket.gethostname() or not isinstance(process.get("pid"), int):
        return None
    try:
        os.kill(process["pid"], 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process holds the pid
        pass
    recorded, current = process.get("start_ticks"), _start_ticks(process["pid"])
    return recorded is None or current is None or recorded == current


def effective_status(manifest: dict[str, Any]) -> tuple[str, str | None]:
    """(status, reason) of a run.json: a run recorded as running whose process is gone was interrupted."""
    status, reason = manifest.get("status", "unknown"), manifest.get("reason")
    if status == "running" and _alive(manifest.get("process") or {}) is False:
        process = manifest["process"]
        return "interrupted", (f"its process (pid {process['pid']} on {process['host']}) ended without recording "
                               "an end: killed (SIGKILL, out of memory) or ended by Ray when its node died")
    return status, reason
