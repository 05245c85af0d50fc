"""The /virtual endpoint with StableToolBench's exact request shape, /stats, and the miss batcher."""
from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from benchmarks.core.types import ToolSpec
from tools_sim.cache import ResponseCache
from tools_sim.layout import virtual_path
from tools_sim.llm import Messages
from tools_sim.policies import Miss
from tools_sim.server import MissBatcher, VirtualServer, parse_tool_input
from tools_sim.simulator import Simulator
from tools_sim.types import Observation

PATH = ("News_Media", "daily_news_for_News_Media", "get_article")


def _request(tool_input: Any, **names: str) -> dict[str, Any]:
    """What StableToolBench's rapidapi_wrapper posts: raw category, standardized tool and api names."""
    return {"category": names.get("category", "News, Media"), "tool_name": names.get("tool_name", "daily_news"),
            "api_name": names.get("api_name", "get_article"), "tool_input": tool_input, "strip": "truncate",
            "toolbench_key": "EMPTY"}


@pytest.fixture
def served() -> Iterator[tuple[str, list[list[Messages]]]]:
    cache = ResponseCache()
    cache.save([(PATH, {"id": 5}, {"error": "", "response": {"title": "Five"}, "extra": "kept"})], "import")
    batches: list[list[Messages]] = []

    def generate(prompts: list[Messages]) -> list[str]:
        batches.append(prompts)
        return [json.dumps({"error": "", "response": "simulated"}) if "API Input:{'id': 7}" in p[1]["content"]
                else "no"
                for p in prompts]

    server = VirtualServer(Simulator(cache, ["llm"], generate=generate), port=0)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)  # quick shutdown
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", batches
    server.shutdown()
    server.server_close()


def _post(url: str, body: Any, raw: bytes | None = None) -> tuple[int, Any]:
    data = raw if raw is not None else json.dumps(body).encode()
    request = urllib.request.Request(url + "/virtual", data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_cached_record_is_returned_as_stored(served: tuple[str, list]) -> None:
    url, batches = served
    assert _post(url, _request('{"id": 5}')) == (200, {"error": "", "response": {"title": "Five"}, "extra": "kept"})
    assert _post(url, _request({"id": "5"}))[1]["response"] == {"title": "Five"}  # an object, canonical match
    assert _post(url, _request('{"id": 5}', tool_name="daily_news_for_News_Media"))[0] == 200
    assert batches == []


def test_tool_input_parsing_follows_upstream(served: tuple[str, list]) -> None:
    url, _ = served
    parse_error = (200, {"error": "Tool input parse error...\n", "response": ""})
    assert _post(url, _request("{id: 5}")) == parse_error
    assert _post(url, _request("[5]")) == parse_error
    assert _post(url, _request(" ")) == parse_error  # upstream: only "" means {}
    assert parse_tool_input("") == {} and parse_tool_input({"a": 1}) == {"a": 1}


def test_deeply_nested_tool_input_is_a_parse_error(served: tuple[str, list]) -> None:
    url, _ = served
    parse_error = (200, {"error": "Tool input parse error...\n", "response": ""})
    nested: Any = 1
    for _ in range(500):
        nested = [nested]
    assert _post(url, _request(json.dumps({"id": nested}))) == parse_error
    assert _post(url, _request({"id": nested})) == parse_error  # an object inside the request body
    assert _post(url, _request('{"id": 5}'))[0] == 200  # the server still serves


def test_chat_with_user(served: tuple[str, list]) -> None:
    assert _post(served[0], _request("{", api_name="chat_with_user")) == \
        (200, {"error": "", "response": "Chat with user."})


def test_misses_are_simulated_and_the_third_failure_is_upstreams_text(served: tuple[str, list]) -> None:
    url, batches = served
    assert _post(url, _request('{"id": 7}')) == (200, {"error": "", "response": "simulated"})
    assert _post(url, _request('{"id": 7}'))[1]["response"] == "simulated"  # now cached: no new prompt
    assert len(batches) == 1
    assert _post(url, _request('{"id": 8}')) == (200, {"error": "Failed to generate fake response", "response": ""})
    assert len(batches) == 4


def test_bad_requests(served: tuple[str, list]) -> None:
    url, _ = served
    assert _post(url, None, raw=b"{not json")[0] == 422
    assert _post(url, {"category": "Data", "tool_name": "t", "api_name": "a"})[0] == 422  # no tool_input
    assert _post(url, {**_request("{}"), "strip": 3})[0] == 422
    status, reply = _post(url, _request("{}", category=".."))
    assert status == 400 and "unsafe name" in reply["error"]
    request = urllib.request.Request(url + "/other", data=b"{}")
    with pytest.raises(urllib.error.HTTPError, match="404"):
        urllib.request.urlopen(request, timeout=10)


def test_stats_endpoint_counts_requests_per_api(served: tuple[str, list]) -> None:
    url, _ = served
    _post(url, _request('{"id": 5}'))
    _post(url, _request("{bad"))
    _post(url, None, raw=b"[]")
    with urllib.request.urlopen(url + "/stats", timeout=10) as response:
        stats = json.loads(response.read())
    assert stats["requests"] == {"total": 3, "http_422": 1}
    assert stats["apis"]["/".join(PATH)] == {"calls": 2, "hits": 1, "misses": {}, "errors": {"parse_error": 1}}
    assert stats["cached_records"] == 1


def test_virtual_path_follows_the_server_naming() -> None:
    assert virtual_path("News, Media", "Daily News", "Get Article") == PATH
    assert virtual_path("News, Media", "Odd Name_for_News_Media", "x") == \
        ("News_Media", "Odd Name_for_News_Media", "x")  # kept as sent, as upstream does
    assert virtual_path("Data", "sky", "forecast_for_sky") == ("Data", "sky_for_Data", "forecast")
    assert virtual_path("Data", "sky", "id")[2] == "is_id"


def test_misses_of_concurrent_requests_are_answered_together() -> None:
    release, seen = threading.Event(), []

    def resolve(misses: Sequence[Miss]) -> list[Observation]:
        seen.append(len(misses))
        release.wait(10)
        return [Observation(text=str(m.arguments["i"]), status=0, source="llm") for m in misses]

    batcher = MissBatcher(resolve)
    spec = ToolSpec(category="c", tool="t", api="a", function_name="a_for_t", description="", parameters={})
    misses = [Miss(spec, {"i": i}) for i in range(4)]
    answers: dict[int, str] = {}
    threads = [threading.Thread(target=lambda m=m: answers.update({m.arguments["i"]: batcher.answer(m).text}))
               for m in misses]
    threads[0].start()
    while not seen:  # the first miss is being answered; the others queue behind it
        time.sleep(0.001)
    for thread in threads[1:]:
        thread.start()
    while batcher._queue.qsize() < 3:
        time.sleep(0.001)
    release.set()
    for thread in threads:
        thread.join(10)
    batcher.close()
    assert seen == [1, 3] and answers == {0: "0", 1: "1", 2: "2", 3: "3"}
