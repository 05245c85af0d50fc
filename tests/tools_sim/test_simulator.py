"""The simulator end to end: name resolution, argument parsing, cache, miss policies, statistics."""
from __future__ import annotations

import json
from collections.abc import Sequence

import pytest

from benchmarks.core.naming import function_name
from benchmarks.core.types import ToolSpec
from tools_sim.cache import ResponseCache
from tools_sim.observation import PARSE_ERROR
from tools_sim.simulator import Miss, Simulator, parse_arguments
from tools_sim.types import Observation, ToolCall


def _spec(api: str, template: object = None) -> ToolSpec:
    return ToolSpec(category="Weather", tool="Sky Data", api=api,
                    function_name=function_name(api, "Sky Data"), description="", parameters={},
                    template_response=template)


FORECAST = _spec("Forecast", {"temp": "float", "summary": "str"})
ALERTS = _spec("Alerts")
TOOLS = (FORECAST, ALERTS)


def _call(name: str, arguments: str) -> ToolCall:
    return ToolCall(tools=TOOLS, name=name, arguments=arguments)


@pytest.fixture
def cache() -> ResponseCache:
    cache = ResponseCache()
    cache.add("Weather", "Sky Data", "Forecast", {"city": "Paris", "days": 3}, "", {"temp": 21.5})
    cache.add("Weather", "Sky Data", "Alerts", {}, "Unauthorized error...", "")
    return cache


def test_unknown_function() -> None:
    [obs] = Simulator(None).call_many([_call("get_moon", "{}")])
    assert obs.text == '{"error": "No such function name: get_moon", "response": ""}'
    assert (obs.status, obs.source, obs.function_name) == (1, "error", None)


@pytest.mark.parametrize("arguments", ["{city: Paris}", "[1, 2]", "null", '"Paris"', "[" * 100_000])
def test_arguments_that_are_not_a_json_object(arguments: str) -> None:
    [obs] = Simulator(None).call_many([_call("forecast_for_sky_data", arguments)])
    assert obs.text == json.dumps({"error": PARSE_ERROR, "response": ""})
    assert (obs.status, obs.source, obs.function_name) == (12, "error", "forecast_for_sky_data")


def _nested(depth: int) -> str:
    return '{"q": ' + "[" * depth + "1" + "]" * depth + "}"


@pytest.mark.parametrize("depth", [500, 900])
def test_deeply_nested_arguments_are_a_parse_error(cache: ResponseCache, depth: int) -> None:
    """Model text nesting brackets hundreds deep: a parse error for that call, the tick goes on."""
    sim = Simulator(cache)
    deep, fine = sim.call_many([_call("forecast_for_sky_data", _nested(depth)),
                                _call("forecast_for_sky_data", '{"city": "Paris", "days": 3}')])
    assert deep.text == json.dumps({"error": PARSE_ERROR, "response": ""}) and deep.status == 12
    assert fine.source == "cache"
    assert sim.stats()["errors"] == {"parse_error": 1}


def test_nesting_up_to_the_bound_is_accepted() -> None:
    from tools_sim.keys import MAX_ARGUMENT_DEPTH, canonical_key
    arguments = parse_arguments(_nested(MAX_ARGUMENT_DEPTH - 1))
    assert arguments is not None and canonical_key(arguments).count("[") == MAX_ARGUMENT_DEPTH - 1
    [obs] = Simulator(None).call_many([_call("forecast_for_sky_data", _nested(MAX_ARGUMENT_DEPTH - 1))])
    assert obs.source == "synthesized"
    assert parse_arguments(_nested(MAX_ARGUMENT_DEPTH)) is None


def test_empty_arguments_mean_an_empty_dict(cache: ResponseCache) -> None:
    assert parse_arguments("") == parse_arguments(" \n") == {}
    obs = Simulator(cache).call_many([_call("alerts_for_sky_data", ""), _call("alerts_for_sky_data", "  ")])
    assert [o.source for o in obs] == ["cache", "cache"]


def test_cache_hit_text_and_status(cache: ResponseCache) -> None:
    sim = Simulator(cache)
    hit, unauthorized = sim.call_many([_call("forecast_for_sky_data", '{"days": "3", "city": "Paris"}'),
                                       _call("alerts_for_sky_data", "{}")])
    assert hit.text == '{"error": "", "response": {"temp": 21.5}}'
    assert (hit.status, hit.source, hit.response) == (0, "cache", {"temp": 21.5})
    assert (unauthorized.status, unauthorized.error) == (7, "Unauthorized error...")


@pytest.mark.parametrize("arguments", ['{"city": "Paris", "days": 3}', '{"days":3,"city":"Paris"}',
                                       '{ "days" : "3" ,\n "city" : "Paris" }', '{"city": "Paris ", "days": 3.0}'])
def test_argument_text_spellings_of_one_call_hit(cache: ResponseCache, arguments: str) -> None:
    [obs] = Simulator(cache, ["error"]).call_many([_call("forecast_for_sky_data", arguments)])
    assert obs.source == "cache" and obs.response == {"temp": 21.5}


def test_suffix_name_resolves_like_toolbench(cache: ResponseCache) -> None:
    [obs] = Simulator(cache).call_many([_call("sky_data", '{"city": "Paris", "days": 3}')])
    assert obs.source == "cache" and obs.function_name == "forecast_for_sky_data"  # first suffix match


def test_misses_are_synthesized_deterministically(cache: ResponseCache) -> None:
    calls = [_call("forecast_for_sky_data", '{"city": "Rome"}'),
             _call("forecast_for_sky_data", '{"city": "Oslo"}')]
    first, second = Simulator(cache).call_many(calls), Simulator(None).call_many(calls)
    assert [o.text for o in first] == [o.text for o in second]
    assert first[0].text != first[1].text
    assert first[0].source == "synthesized" and first[0].status == 0
    assert set(first[0].response) == {"temp", "summary"}


def test_error_policy() -> None:
    [obs] = Simulator(None, miss_policy=("error",)).call_many([_call("alerts_for_sky_data", "{}")])
    assert obs.text == '{"error": "API not working error...", "response": ""}'
    assert (obs.status, obs.source) == (6, "error")


class _OnlyParis:
    """A policy that answers some misses and passes the rest on."""

    name = "paris"

    def respond(self, misses: Sequence[Miss]) -> list[Observation | None]:
        return [Observation(text="paris", status=0, source="llm") if m.arguments.get("city") == "Paris"
                else None for m in misses]


def test_policy_chain_passes_misses_on_and_keeps_order() -> None:
    sim = Simulator(None, miss_policy=(_OnlyParis(), "error"))
    obs = sim.call_many([_call("forecast_for_sky_data", '{"city": "Rome"}'), _call("nope", ""),
                         _call("forecast_for_sky_data", '{"city": "Paris"}')])
    assert [o.source for o in obs] == ["error", "error", "llm"]
    assert obs[0].status == 6 and obs[1].status == 1 and obs[2].text == "paris"


def test_unanswered_misses_get_the_error_reply() -> None:
    [obs] = Simulator(None, miss_policy=(_OnlyParis(),)).call_many([_call("alerts_for_sky_data", "{}")])
    assert (obs.source, obs.status) == ("error", 6)


def test_unknown_policy_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="unknown miss policy 'llama'; available: error, llm, mirrorapi, mirrorapi-cot, synthesize"):
        Simulator(None, miss_policy=("llama",))
    with pytest.raises(ValueError, match="llm miss policy needs a model"):
        Simulator(None, miss_policy=("llm",))


def test_truncated_cache_reply_is_flagged() -> None:
    cache = ResponseCache()
    cache.add("Weather", "Sky Data", "Alerts", {}, "", "z" * 5000)
    [obs] = Simulator(cache).call_many([_call("alerts_for_sky_data", "{}")])
    assert obs.truncated and len(obs.text) == 1027 and obs.text.endswith("zzz...")


def test_stats_per_api(cache: ResponseCache) -> None:
    sim = Simulator(cache)
    sim.call_many([_call("forecast_for_sky_data", '{"city": "Paris", "days": 3}'),
                   _call("forecast_for_sky_data", '{"city": "Rome"}'),
                   _call("forecast_for_sky_data", "oops"), _call("ghost", "{}")])
    sim.call_many([_call("alerts_for_sky_data", "{}")])
    stats = sim.stats()
    assert {k: stats[k] for k in ("calls", "hits", "misses", "errors")} == {
        "calls": 5, "hits": 2, "misses": {"synthesize": 1},
        "errors": {"no_such_function": 1, "parse_error": 1}}
    assert stats["apis"] == {
        "Weather/sky_data_for_Weather/alerts": {"calls": 1, "hits": 1, "misses": {}, "errors": {}},
        "Weather/sky_data_for_Weather/forecast": {"calls": 3, "hits": 1, "misses": {"synthesize": 1},
                                                  "errors": {"parse_error": 1}},
    }
    assert (stats["truncated"], stats["suffix_matches"], stats["collisions"]) == (0, 0, {})


def test_stats_count_suffix_dispatch_collisions_and_cuts() -> None:
    twin = _spec("Forecast", None)  # another tool entry with the same function name
    cache = ResponseCache()
    cache.add("Weather", "Sky Data", "Alerts", {}, "", "z" * 5000)
    sim = Simulator(cache)
    sim.call_many([ToolCall((FORECAST, twin), "forecast_for_sky_data", "{}"),
                   ToolCall(TOOLS, "sky_data", "{}"), _call("alerts_for_sky_data", "")])
    stats = sim.stats()
    assert stats["collisions"] == {"forecast_for_sky_data": 1}
    assert (stats["suffix_matches"], stats["truncated"]) == (1, 1)
