"""The embedded benchmark as a run source: gold calls hit the cache, other calls get the world's data."""
from __future__ import annotations

import json

from benchmarks.embedded import generate, load_embedded, world_response
from benchmarks.embedded.source import fingerprint, world_reply
from benchmarks.core.schemas import tool_spec
from benchmarks.core.types import LoadedBenchmark
from benchmarks.loading import load_benchmark
from tools_sim.cache import ResponseCache
from tools_sim.observation import STATUS_REQUEST_INVALID
from tools_sim.policies import ResponderPolicy
from tools_sim.simulator import Simulator
from tools_sim.types import ToolCall


def _simulator(bench: LoadedBenchmark) -> Simulator:
    cache = ResponseCache()
    for entry in bench.cache_entries:
        cache.add(*entry)
    return Simulator(cache, [ResponderPolicy(bench.responder), "error"])


def test_source_matches_generate() -> None:
    bench = load_embedded(per_group=4, seed=2)
    generated = generate(4, seed=2)
    assert bench.tasks == generated.tasks
    assert bench.info["sha256"] == fingerprint(generated) != fingerprint(generate(4, seed=3))
    assert bench.info["per_group"] == 4 and bench.info["seed"] == 2
    assert len(load_benchmark("embedded", limit=1, per_group=4, seed=2).tasks) == 6


def test_gold_calls_hit_the_cache_and_others_reach_the_world() -> None:
    bench = load_embedded(per_group=3)
    simulator = _simulator(bench)
    task = bench.tasks[0]
    gold = task.gold.calls[0]
    spec = next(t for t in task.tools if t.function_name == gold.name)
    other_args = {**gold.arguments}
    first_param = next(iter(spec.parameters["properties"]))
    other_args[first_param] = spec.api_entry["required_parameters"][0]["default"]
    hit, miss, bad = simulator.call_many([
        ToolCall(task.tools, gold.name, json.dumps(gold.arguments)),
        ToolCall(task.tools, gold.name, json.dumps(other_args)),
        ToolCall(task.tools, gold.name, json.dumps({**gold.arguments, first_param: "@@"})),
    ])
    assert hit.source == "cache" and hit.response == gold.response
    assert miss.source == "world"
    assert miss.response == world_response(spec.category, spec.tool, spec.api, other_args)
    assert bad.status == STATUS_REQUEST_INVALID and bad.error.startswith(f"Invalid arguments: {first_param}: ")


def test_apis_outside_the_world_pass_to_the_next_policy() -> None:
    stranger = tool_spec({"category_name": "Data", "tool_name": "Elsewhere", "api_name": "Thing",
                          "api_description": "", "required_parameters": [], "optional_parameters": []})
    simulator = Simulator(ResponseCache(), [ResponderPolicy(world_reply), "error"])
    [observation] = simulator.call_many([ToolCall((stranger,), stranger.function_name, "{}")])
    assert observation.source == "error"
