"""The vllm backend's engine settings and capacity figures, without starting vLLM (issue 12, item 4)."""
from __future__ import annotations

import json

from engine.backends.vllm import engine_arguments, kv_capacity
from engine.types import ModelSpec


def test_max_num_seqs_is_the_engines_not_the_batch_size(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"max_position_embeddings": 2048}))
    for on_gpu in (True, False):
        args = engine_arguments(ModelSpec(backend="vllm", batch_size=3), str(tmp_path), on_gpu)
        assert "max_num_seqs" not in args and args["enable_prefix_caching"] is True
    assert engine_arguments(ModelSpec(backend="vllm", batch_size=4096), str(tmp_path), False)["max_num_batched_tokens"] == 2048


def test_the_window_is_what_the_kv_cache_holds_at_full_context():
    assert kv_capacity(blocks=1000, block_size=16, max_num_seqs=256, max_context=2048) == {
        "kv_cache_blocks": 1000, "block_size": 16, "kv_cache_tokens": 16000, "max_num_seqs": 256, "window": 7}
    assert kv_capacity(blocks=10**6, block_size=16, max_num_seqs=256, max_context=2048)["window"] == 256
    assert kv_capacity(blocks=0, block_size=16, max_num_seqs=256, max_context=2048)["window"] == 1
