"""The lazy backend: nothing is built until the first generate, and its identity does not change when it is."""
from __future__ import annotations

import pytest

from engine.backends.base import UnknownBackendError, make_backend
from engine.backends.lazy import LazyBackend
from engine.types import ModelSpec, RoleRequest, SamplingParams

REQUEST = RoleRequest("0", "planner", "question 'name': 'tool_0'", SamplingParams(), 0)


def test_built_at_the_first_generate_with_the_replies_of_the_backend_itself():
    spec = ModelSpec(model="call-once-then-answer", backend="scripted")
    lazy = LazyBackend(spec)
    assert lazy.backend is None and lazy.info() == {"backend": "scripted", "model": "call-once-then-answer", "loaded": False}
    assert [r.text for r in lazy.generate([REQUEST])] == [r.text for r in make_backend(spec).generate([REQUEST])]
    assert lazy.backend is not None and "loaded" not in lazy.info()


def test_a_local_model_is_named_by_the_fingerprint_its_loaded_backend_reports(tiny_model_dir):
    lazy = LazyBackend(ModelSpec(model=str(tiny_model_dir), backend="hf", dtype="fp32"))
    before = lazy.info()
    assert before["loaded"] is False
    assert lazy.load().info()["fingerprint"] == before["fingerprint"]


def test_bad_backends_and_models_fail_at_once(tmp_path):
    with pytest.raises(UnknownBackendError, match="unknown backend 'tpu'"):
        LazyBackend(ModelSpec(model="m", backend="tpu"))
    with pytest.raises(FileNotFoundError, match="has no config.json"):
        LazyBackend(ModelSpec(model=str(tmp_path), backend="vllm"))
