"""Local model folders: where a role's model lives and a content fingerprint for run.json (no torch)."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from engine.backends.embedded_model import EMBEDDED_MODEL_ID, embedded_model_dir


def resolve_model_path(model: str) -> Path:
    if model == "embedded":
        return embedded_model_dir()
    path = Path(model).expanduser()
    if not (path / "config.json").is_file():
        raise FileNotFoundError(
            f"model directory {model!r} has no config.json (give a local transformers model directory or"
            " 'embedded'; nothing is downloaded from a model hub)"
        )
    return path


def model_id(model: str) -> str:
    """The name recorded for a model: the embedded model's hub id, or the path as given."""
    return EMBEDDED_MODEL_ID if model == "embedded" else model


def fingerprint(path: Path) -> str:
    """A cheap content hash of a model directory: config files whole, weight files by size, head and tail."""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.iterdir() if p.is_file()):
        digest.update(file.name.encode())
        with file.open("rb") as handle:
            if file.suffix in {".json", ".jinja", ".txt", ".model"}:
                digest.update(handle.read())
            else:
                size = file.stat().st_size
                digest.update(str(size).encode() + handle.read(1 << 20))
                handle.seek(max(0, size - (1 << 20)))
                digest.update(handle.read())
    return digest.hexdigest()[:16]


def check_model_spec(spec) -> None:
    """A local-model backend's check before anything loads: the folder must hold a model."""
    resolve_model_path(spec.model)


def local_model_info(backend: str, spec, path: Path, device: str, max_context: int) -> dict[str, Any]:
    """What hf and vllm both record of a local model in run.json: id, content fingerprint, dtype, device."""
    return {"backend": backend, "model": model_id(spec.model), "fingerprint": fingerprint(path), "dtype": spec.dtype,
            "device": device, "max_context": max_context}
