"""The openai judge against a tiny OpenAI-compatible server on 127.0.0.1 (no network)."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

import pytest

from benchmarks.scoring.judges import JudgeCall, JudgeError, JudgeOptions, make_judge
from benchmarks.scoring.model_judge import ModelJudge
from benchmarks.scoring.openai_api import EndpointSettings, OpenAIChat
from benchmarks.scoring.prompts import function_prompt, function_schema


class Server:
    """Replies with a forced tool call; `failures` status codes are returned first, `delay` slows each reply."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.failures: list[int] = []
        self.delay = 0.0
        self.content: str | None = None
        self.in_flight = self.max_in_flight = 0
        self.lock = threading.Lock()

    def reply(self, body: dict[str, Any]) -> dict[str, Any]:
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

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with state.lock:
                state.requests.append(body)
                state.headers.append(dict(self.headers))
                status = state.failures.pop(0) if state.failures else 200
                state.in_flight += 1
                state.max_in_flight = max(state.max_in_flight, state.in_flight)
            time.sleep(state.delay)
            with state.lock:
                state.in_flight -= 1
            data = json.dumps(state.reply(body) if status == 200 else {"error": "busy"}).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:  # the client timed out and left
                pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


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
    assert len(state.requests) == 2


def test_concurrency_is_capped(server) -> None:
    state, url = server
    state.delay = 0.05
    verdicts = _judge(url, concurrency=2).judge([_call(n) for n in range(6)])
    assert [v.label for v in verdicts] == ["Solved"] * 6
    assert state.max_in_flight == 2
