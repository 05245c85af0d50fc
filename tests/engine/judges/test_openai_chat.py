"""The openai judge against a tiny OpenAI-compatible server on 127.0.0.1 (no network)."""
from __future__ import annotations

import json
import time
from typing import Any, Iterator

import pytest

from benchmarks.scoring.judges import JudgeCall, JudgeError, JudgeOptions
from engine.judges import make_judge
from benchmarks.scoring.model_judge import ModelJudge
from engine.judges.openai_chat import OpenAIChat
from benchmarks.scoring.prompts import function_prompt, function_schema
from engine.backends.openai_http import EndpointSettings
from tests.helpers.openai_stub import StubEndpoint, serve


class Server(StubEndpoint):
    """Replies with a forced tool call, or with `content` when it is set."""

    def __init__(self) -> None:
        super().__init__()
        self.content: str | None = None

    def reply(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        if self.content is not None:
            message = {"role": "assistant", "content": self.content}
        else:
            arguments = json.dumps({"answer_status": "Solved", "reason": "fine"})
            message = {"role": "assistant", "content": None, "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": body["tool_choice"]["function"]["name"],
                                                              "arguments": arguments}}]}
        return {"model": "judge-2024-04-09", "system_fingerprint": "fp_1", "choices": [{"message": message}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5}}


@pytest.fixture
def server() -> Iterator[tuple[Server, str]]:
    state = Server()
    with serve(state) as url:
        yield state, url


def _call(n: int = 0) -> JudgeCall:
    return JudgeCall("check_answer_status", {"query": "Q", "answer": f"A{n}"}, 0)


def _judge(base_url: str, **settings: Any) -> ModelJudge:
    endpoint = EndpointSettings(model="judge", base_url=base_url, backoff_s=0.01, **settings)
    return ModelJudge("openai:judge", "openai:judge", OpenAIChat(endpoint), JudgeOptions())


def test_function_call_request_and_reply(server, monkeypatch) -> None:
    state, url = server
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    judge = make_judge(f"openai:judge@{url}")
    [verdict] = judge.judge([_call()])
    assert verdict.label == "Solved" and verdict.model_calls == 1
    [body] = state.requests
    assert state.paths == ["/chat/completions"]
    assert body["messages"] == [{"role": "user", "content": function_prompt("check_answer_status", {"query": "Q", "answer": "A0"})}]
    assert body["tools"] == [{"type": "function", "function": function_schema("check_answer_status")}]
    assert body["tool_choice"] == {"type": "function", "function": {"name": "check_answer_status"}}
    assert (body["model"], body["temperature"], body["max_tokens"]) == ("judge", 0.2, 1000)
    assert state.headers[0]["Authorization"] == "Bearer sk-test"
    info = judge.info()
    assert (info["id"], info["revision"], info["backend"]["system_fingerprint"]) == (f"openai:judge@{url}", "judge-2024-04-09", "fp_1")


def test_json_in_content_is_read_too(server) -> None:
    state, url = server
    state.content = 'My verdict: {"answer_status": "Unsolved"}'
    assert _judge(url).judge([_call()])[0].label == "Unsolved"


def test_transient_errors_are_retried_with_backoff(server) -> None:
    state, url = server
    state.failures = [503, 429]
    assert _judge(url, retries=2).judge([_call()])[0].label == "Solved"
    assert len(state.requests) == 3


def test_persistent_or_client_errors_stop_the_scoring(server) -> None:
    state, url = server
    state.failures = [400]
    with pytest.raises(JudgeError, match="HTTP 400"):
        _judge(url).judge([_call()])
    state.failures = [503] * 3
    with pytest.raises(JudgeError, match="HTTP 503"):
        _judge(url, retries=1).judge([_call(1)])


def test_timeouts_are_retried_then_reported(server) -> None:
    state, url = server
    state.delay = 0.5
    with pytest.raises(JudgeError, match="timed out"):
        _judge(url, timeout_s=0.1, retries=1).judge([_call()])
    deadline = time.monotonic() + 5  # a loaded machine's server thread may read the retry after the client gave up
    while len(state.requests) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(state.requests) == 2


def test_concurrency_is_capped(server) -> None:
    state, url = server
    state.delay = 0.05
    verdicts = _judge(url, concurrency=2).judge([_call(n) for n in range(6)])
    assert [v.label for v in verdicts] == ["Solved"] * 6
    assert state.max_in_flight == 2
