"""run.json: everything needed to know what produced a run and to reproduce it, and where it stands.

Written when a run starts (status "running") and again when it ends ("finished", or "failed" / "interrupted" with the reason), atomically;
engine.run fills it, engine.provenance supplies the versions, hardware and commit.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, TypedDict

from benchmarks.results.files import RUN_FILE, read_json, write_json_atomic

RunStatus = Literal["running", "finished", "failed", "interrupted"]


class RunManifest(TypedDict, total=False):
    run_name: str
    agent: dict[str, Any]  # engine.types.AgentSpec.to_json()
    models: dict[str, Any]  # per role actor: backend info (model, revision or fingerprint, dtype, device)
    benchmark: dict[str, Any]  # files and their hashes, or generation parameters
    seed: int
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


def write_manifest(run_dir: Path, manifest: RunManifest) -> None:
    write_json_atomic(run_dir / RUN_FILE, manifest)


def read_manifest(run_dir: Path) -> RunManifest:
    """The manifest of a run folder; {} when the folder holds none."""
    manifest = read_json(run_dir / RUN_FILE, missing={})
    if not isinstance(manifest, dict):
        raise ValueError(f"{run_dir / RUN_FILE}: not a run manifest (a JSON object)")
    return manifest  # type: ignore[return-value]
