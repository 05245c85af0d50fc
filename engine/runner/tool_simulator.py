"""The tool simulator of a run: a response store or cache folder, the benchmark's own answers (preloaded
responses, then its responder as the first miss policy), then the miss policies the user named; and the
model behind the `llm` miss policy, built from any engine backend."""
from __future__ import annotations

import json
from typing import Any

from benchmarks.core.types import LoadedBenchmark
from engine.backends.base import BACKENDS, Backend, make_backend
from engine.types import ModelSpec, RoleRequest, SamplingParams
from tools_sim.cache import ResponseCache
from tools_sim.llm import LLM_SETTINGS, Generate, GenerateSettings
from tools_sim.policies import ResponderPolicy, needs_model
from tools_sim.simulator import Simulator


def build_simulator(bench: LoadedBenchmark, cache_dir: str | None, miss_policy: str, store: str | None = None,
                    sim_model: str = "embedded") -> Simulator:
    """The simulator of a run: a store or a cache folder, the benchmark's own answers, then the miss policies."""
    cache_dir = cache_dir or bench.cache_dir
    cache = ResponseCache.open(store) if store else ResponseCache.read_dir(cache_dir) if cache_dir else ResponseCache()
    for entry in bench.cache_entries:
        cache.add(*entry)
    policies: list[Any] = [p.strip() for p in miss_policy.split(",") if p.strip()]
    if bench.responder is not None:
        policies.insert(0, ResponderPolicy(bench.responder))
    return Simulator(cache, policies, generate=simulator_generate(sim_model) if needs_model(policies) else None)


def simulator_generate(model: str) -> Generate:
    """The model of the model-backed miss policies (`MODEL` or `BACKEND:MODEL` for a local-model backend, hf
    by default): chat prompts in, texts out, decoded as the policy asks (GenerateSettings; by default the llm
    policy's: greedy as StableToolBench's temperature 0, JSON-constrained where the backend can: vllm)."""
    prefix = model.split(":")[0]
    local = prefix in BACKENDS and BACKENDS.get(prefix).local_model
    backend_name, _, path = model.partition(":") if local else ("hf", "", model)
    backend = make_backend(ModelSpec(model=path, backend=backend_name, sampling=simulator_sampling(backend_name)))
    return backend_generate(backend, backend_name)


def backend_generate(backend: Backend, backend_name: str) -> Generate:
    """A backend as a miss policy's `generate(prompts, settings)`: one request per prompt, decoded as asked."""

    def generate(prompts: list[list[dict[str, str]]], settings: GenerateSettings = LLM_SETTINGS) -> list[str]:
        sampling = simulator_sampling(backend_name, settings)
        requests = [RoleRequest(str(i), "simulator", p, sampling, settings.seed) for i, p in enumerate(prompts)]
        return [r.text for r in backend.generate(requests)]

    return generate


def simulator_sampling(backend: str, settings: GenerateSettings = LLM_SETTINGS) -> SamplingParams:
    constrain = settings.json_schema is not None and BACKENDS.get(backend).json_schema
    schema = json.dumps(settings.json_schema, sort_keys=True) if constrain else None
    return SamplingParams(temperature=settings.temperature, max_new_tokens=settings.max_new_tokens, json_schema=schema)
