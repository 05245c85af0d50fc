"""Decoding as the authors decoded (issue 20, item 3): alpha-UMi's collab_agent_model.py and ToolBench's
tool_llama_model.py sample every role at temperature 0.5 (top_p and top_k off) with force_generate=True;
GLPFT's static inference samples without forcing. Greedy is one option away."""
from __future__ import annotations

import argparse

import pytest

from engine.backends.base import make_backend
from engine.cli.options import resolve_agent
from engine.config.presets import PRESETS
from engine.runner.static_eval import static_decoding
from engine.types import ModelSpec, RoleRequest, SamplingParams

PAPER_PRESETS = ("alpha-umi", "alpha-umi-backbone", "toolllama", "alpha-umi-dfsdt", "alpha-umi-backbone-dfsdt",
                 "toolllama-dfsdt")


@pytest.mark.parametrize("preset", PAPER_PRESETS)
def test_paper_presets_sample_at_upstreams_temperature_with_a_forced_first_token(preset: str) -> None:
    for spec in PRESETS[preset].roles.values():
        assert (spec.sampling.temperature, spec.sampling.top_p, spec.sampling.min_new_tokens) == (0.5, 1.0, 1)


def _args(**kw) -> argparse.Namespace:
    return argparse.Namespace(agent="alpha-umi", backend=None, model=None, dtype=None, batch_size=None, **kw)


def test_greedy_is_one_option() -> None:
    agent = resolve_agent(_args(greedy=True))
    assert {(s.sampling.temperature, s.sampling.min_new_tokens) for s in agent.roles.values()} == {(0.0, 1)}
    assert {s.sampling.temperature for s in resolve_agent(_args()).roles.values()} == {0.5}


def test_static_inference_samples_without_forcing() -> None:
    agent = static_decoding(PRESETS["alpha-umi"], 3750)
    assert {(s.sampling.temperature, s.sampling.min_new_tokens, s.sampling.prompt_tokens)
            for s in agent.roles.values()} == {(0.5, 0, 3750)}


@pytest.mark.slow
def test_hf_forces_the_first_token_with_min_new_tokens(tiny_model_dir, monkeypatch) -> None:
    backend = make_backend(ModelSpec(model=str(tiny_model_dir), dtype="fp32"))
    seen: dict = {}
    generate = backend.model.generate

    def spy(**kwargs):
        seen.update(kwargs)
        return generate(**kwargs)

    monkeypatch.setattr(backend.model, "generate", spy)
    backend.generate([RoleRequest("0", "r", "user: hi", SamplingParams(max_new_tokens=2, min_new_tokens=1), 0)])
    assert seen["min_new_tokens"] == 1


def test_openai_asks_a_vllm_server_for_min_tokens() -> None:
    backend = make_backend(ModelSpec(model="m@http://127.0.0.1:9", backend="openai"))
    forced = RoleRequest("0", "r", "hi", SamplingParams(temperature=0.5, min_new_tokens=1), 7)
    assert backend.request_body(forced)[1]["min_tokens"] == 1
    assert "min_tokens" not in backend.request_body(RoleRequest("0", "r", "hi", SamplingParams(), 7))[1]


@pytest.mark.slow
def test_vllm_forces_the_first_token_with_min_tokens() -> None:
    vllm = pytest.importorskip("vllm")
    from engine.backends.vllm import VLLMBackend

    backend = object.__new__(VLLMBackend)  # no engine: only the request's sampling parameters are built
    backend.vllm = vllm
    params = backend._sampling(RoleRequest("0", "r", "hi", SamplingParams(temperature=0.5, min_new_tokens=1), 7))
    assert (params.min_tokens, params.temperature, params.seed) == (1, 0.5, 7)
