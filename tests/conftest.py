"""Shared fixtures: where the real ToolBench/StableToolBench data lives (never committed)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("UMI_EVAL_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))

os.environ.setdefault("RAY_AUTH_MODE", "disabled")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real data folder; tests that need it skip with the reason when it is absent."""
    if not (SHARED_DATA / "stabletoolbench").is_dir():
        pytest.skip(f"real ToolBench data not found at {SHARED_DATA} (set UMI_EVAL_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    from tests.helpers.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-llama"))
