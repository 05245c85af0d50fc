"""Shared fixtures: where the real ToolBench/StableToolBench data lives (never committed)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("UMI_EVAL_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))

os.environ.setdefault("RAY_AUTH_MODE", "disabled")
# `datasets` caches every parquet/JSON file it reads; the tests' caches go to a folder removed at exit,
# not into the user's cache. Set before any test module imports datasets (it reads this at import).
_DATASETS_CACHE = tempfile.TemporaryDirectory(prefix="umi-eval-tests-datasets-")
os.environ.setdefault("HF_DATASETS_CACHE", _DATASETS_CACHE.name)

try:  # property tests (tests/test_hardening_properties.py): Hypothesis is the test extra
    from hypothesis import settings as _hypothesis_settings
except ImportError:
    pass
else:
    # The fast lane tries each property on the same 100 inputs every run (derandomized: seeded, so a failure
    # reproduces and no run draws a different verdict); HYPOTHESIS_PROFILE=thorough tries 1,000 fresh ones.
    _hypothesis_settings.register_profile("fast", max_examples=100, derandomize=True, deadline=None)
    _hypothesis_settings.register_profile("thorough", max_examples=1000, deadline=None)
    _hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real data folder; tests that need it skip with the reason when it is absent."""
    if not (SHARED_DATA / "stabletoolbench").is_dir():
        pytest.skip(f"real ToolBench data not found at {SHARED_DATA} (set UMI_EVAL_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    from perf.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-llama"))
