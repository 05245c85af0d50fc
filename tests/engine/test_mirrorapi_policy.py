"""The mirrorapi miss policy with the scripted backend behind it: valid, invalid, retried, cached back."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.core.prompt_files import STABLETOOLBENCH_ENV
from engine.backends.scripted import ScriptedBackend
from engine.runner.tool_simulator import backend_generate
from engine.types import RoleRequest
from tools_sim.cache import ResponseCache
from tools_sim.llm import FAILED_REPLY
from tools_sim.mirrorapi import COT_PROMPT_FILE, SFT_PROMPT_FILE
from tools_sim.simulator import Simulator
from tests.tools_sim.test_llm import PATH, _call


@pytest.fixture(autouse=True)
def prompts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "prompts").mkdir()
    (tmp_path / "prompts" / SFT_PROMPT_FILE).write_text("SFT SYSTEM")
    (tmp_path / "prompts" / COT_PROMPT_FILE).write_text("[CHAIN_OF_THOUGHT]\\nCOT SYSTEM")
    monkeypatch.setenv(STABLETOOLBENCH_ENV, str(tmp_path))


class Replies:
    """A script for the scripted backend: replies in order per city; records every request."""

    def __init__(self, **by_city: list[str]) -> None:
        self.by_city = by_city
        self.requests: list[RoleRequest] = []

    def __call__(self, request: RoleRequest) -> str:
        self.requests.append(request)
        city = request.prompt[1]["content"].split("'city': '")[1].split("'")[0]
        return self.by_city[city].pop(0)


def _simulator(policy: str, script: Replies, cache: ResponseCache) -> Simulator:
    return Simulator(cache, [policy], generate=backend_generate(ScriptedBackend(script), "scripted"))


def test_valid_reply_is_answered_and_saved_with_upstreams_decoding(tmp_path: Path) -> None:
    script = Replies(Rome=['{"error": "", "response": "{"temp": 21}"}'])  # loose JSON, as MirrorAPI writes
    cache = ResponseCache.open(tmp_path / "s.sqlite")
    [obs] = _simulator("mirrorapi", script, cache).call_many([_call('{"city": "Rome"}')])
    assert (obs.source, obs.status, obs.response) == ("mirrorapi", 0, '{"temp": 21}')
    [request] = script.requests
    assert request.prompt[0] == {"role": "system", "content": "SFT SYSTEM"}
    assert (request.sampling.temperature, request.sampling.max_new_tokens, request.seed) == (0.1, 2048, 42)
    assert request.sampling.json_schema is None
    assert cache.store.summary()["by_source"] == {"mirrorapi": 1}  # type: ignore[union-attr]
    assert ResponseCache.open(tmp_path / "s.sqlite").lookup_path(PATH, {"city": "Rome"}) == {
        "error": "", "response": '{"temp": 21}'}


def test_invalid_replies_are_retried_with_a_new_seed_and_only_they() -> None:
    cot = '{"mechanism_of_the_api": "looks the city up", "error": "", "response": "%s"}'
    script = Replies(A=["I think it is sunny.", cot % "a"], B=[cot % "b"], C=["{}", '{"error": "", "response": ""}', cot % "c"])
    sim = _simulator("mirrorapi-cot", script, ResponseCache())
    observations = sim.call_many([_call('{"city": "A"}'), _call('{"city": "B"}'), _call('{"city": "C"}')])
    assert [o.response for o in observations] == ["a", "b", "c"] and {o.source for o in observations} == {"mirrorapi-cot"}
    assert [r.seed for r in script.requests] == [42, 42, 42, 43, 43, 44]
    assert script.requests[0].prompt[0]["content"] == "[CHAIN_OF_THOUGHT]\nCOT SYSTEM"
    assert sim.stats()["policies"]["mirrorapi-cot"] == {"prompts": 6, "batches": 3, "retries": 3, "failed": 0,
                                                        "generate_errors": 0, "save_errors": 0}


def test_three_invalid_replies_give_the_failure_text_and_nothing_is_saved() -> None:
    script = Replies(X=["nope", "still nope", '{"error": ""}'])
    cache = ResponseCache()
    [obs] = _simulator("mirrorapi", script, cache).call_many([_call('{"city": "X"}')])
    assert obs.text == json.dumps(FAILED_REPLY) and obs.source == "error" and len(script.requests) == 3
    assert len(cache) == 0


@pytest.mark.parametrize("argv", [
    ["sim", "serve", "--store", "{tmp}/s.sqlite", "--miss-policy", "mirrorapi,error"],
    ["run", "--agent", "oracle", "--benchmark", "embedded", "--per-group", "1", "--out", "{tmp}/runs",
     "--miss-policy", "mirrorapi-cot"],
])
def test_the_command_line_builds_the_sim_model_for_mirrorapi(tmp_path: Path, capsys, argv: list[str]) -> None:
    from engine.cli.main import main

    args = [a.replace("{tmp}", str(tmp_path)) for a in argv] + ["--sim-model", str(tmp_path / "no-model")]
    assert main(args) == 2  # the model is checked before anything loads, listens or runs
    assert "has no config.json" in capsys.readouterr().err
