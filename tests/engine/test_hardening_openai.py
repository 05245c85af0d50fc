"""The openai backend against hostile servers (issue 13, items 4 and 7): replies of the wrong shape fail
only their own request, with the reason, after being retried like a 5xx; a server that trickles its reply
meets a deadline per attempt; retries are jittered."""
from __future__ import annotations

import json
import socket
import threading
import time
from typing import Any, Iterator

import pytest

from engine.backends import openai_http
from engine.backends.openai import OpenAIBackend
from engine.backends.openai_http import EndpointSettings, post
from engine.types import RoleRequest, SamplingParams
from tests.helpers.openai_stub import StubEndpoint, serve

VALID = {"choices": [{"message": {"role": "assistant", "content": "fine"}, "finish_reason": "stop"}],
         "usage": {"prompt_tokens": 3, "completion_tokens": 1}}


def _with(**change: Any) -> dict[str, Any]:
    reply = json.loads(json.dumps(VALID))
    for path, value in change.items():
        *parents, last = path.split("__")
        node = reply
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[int(last) if isinstance(node, list) else last] = value
    return reply


class Hostile(StubEndpoint):
    """Requests whose prompt is "bad" get `bad` (every time, or the first `bad_times` times); others VALID."""

    def __init__(self, bad: Any, bad_times: int | None = None) -> None:
        super().__init__()
        self.bad, self.bad_times, self.bad_served = bad, bad_times, 0

    def reply(self, path: str, body: dict[str, Any]) -> Any:
        if body["messages"][0]["content"] == "bad" and (self.bad_times is None or self.bad_served < self.bad_times):
            self.bad_served += 1
            return self.bad
        return VALID


def _backend(url: str, **settings: Any) -> OpenAIBackend:
    return OpenAIBackend(EndpointSettings(model="m", base_url=url, backoff_s=0.001, **{"retries": 2, **settings}))


def _ask(backend: OpenAIBackend, prompts: list[str]) -> list:
    return backend.generate([RoleRequest(str(i), "r", [{"role": "user", "content": p}], SamplingParams(), i)
                             for i, p in enumerate(prompts)])


MALFORMED = {
    "content an int": (_with(choices__0__message__content=5), "not a string"),
    "content a list of ints": (_with(choices__0__message__content=[1, 2]), "not a string"),
    "content an object": (_with(choices__0__message__content={"text": "x"}), "not a string"),
    "message a string": (_with(choices__0__message="hi"), "message is a JSON str, not an object"),
    "message null": (_with(choices__0__message=None), "message is a JSON NoneType"),
    "text an int": ({"choices": [{"text": 7}]}, "not a string"),
    "prompt_tokens a string": (_with(usage__prompt_tokens="11"), "usage.prompt_tokens is '11'"),
    "completion_tokens negative": (_with(usage__completion_tokens=-1), "usage.completion_tokens is -1"),
    "completion_tokens a float": (_with(usage__completion_tokens=1.5), "usage.completion_tokens is 1.5"),
    "prompt_tokens a bool": (_with(usage__prompt_tokens=True), "usage.prompt_tokens is True"),
    "usage a list": (_with(usage=[1, 2]), "usage is a JSON list"),
    "usage a string": (_with(usage="3"), "usage is a JSON str"),
    "no choices": ({"usage": VALID["usage"]}, "no choices"),
    "empty choices": (_with(choices=[]), "no choices"),
    "choice a string": (_with(choices=["fine"]), "no choices"),
    "choices an object": (_with(choices={"0": {}}), "no choices"),
    "reply a list": ([VALID], "a JSON list, not an object"),
    "reply a number": (5, "a JSON int, not an object"),
    "reply null": (None, "a JSON NoneType"),
    "not JSON": (b"<html>502 Bad Gateway</html>", "not JSON"),
    "truncated JSON": (json.dumps(VALID).encode()[:-3], "not JSON"),
    "empty body": (b"", "not JSON"),
    "deeply nested": (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_reply_fails_its_own_request_with_the_reason(case: str) -> None:
    bad, reason = MALFORMED[case]
    state = Hostile(bad)
    with serve(state) as url:
        results = _ask(_backend(url), ["good", "bad", "good"])
    assert [r.text for r in results] == ["fine", "", "fine"]
    assert [r.error is None for r in results] == [True, False, True]
    assert "malformed reply" in results[1].error and reason in results[1].error, results[1].error
    assert state.bad_served == 3  # retried like a 5xx: 1 + 2 retries


@pytest.mark.parametrize("case", ["content an int", "not JSON", "usage a list"])
def test_a_malformed_reply_is_retried(case: str) -> None:
    state = Hostile(MALFORMED[case][0], bad_times=1)
    with serve(state) as url:
        [result] = _ask(_backend(url), ["bad"])
    assert (result.text, result.error, result.prompt_tokens) == ("fine", None, 3)


@pytest.mark.parametrize("reply, text, tokens", [
    (_with(usage=None), "fine", (0, 0)),  # servers that do not report usage
    (_with(usage__prompt_tokens=None), "fine", (0, 1)),
    ({"choices": [{"message": {"content": "fine"}}]}, "fine", (0, 0)),
    (_with(choices__0__message__content=None), "", (3, 1)),  # no text: an empty reply, as before
    (_with(choices__0__message__content=[{"type": "text", "text": "fi"}, {"type": "text", "text": "ne"}]), "fine",
     (3, 1)),
    (_with(model=["not", "a", "name"]), "fine", (3, 1)),
])
def test_lenient_readings_of_valid_replies(reply: Any, text: str, tokens: tuple[int, int]) -> None:
    state = Hostile(reply)
    with serve(state) as url:
        backend = _backend(url)
        [result] = _ask(backend, ["bad"])
    assert (result.text, (result.prompt_tokens, result.completion_tokens), result.error) == (text, tokens, None)
    assert state.bad_served == 1 and backend.served.get("served_model") is None


@pytest.fixture
def trickle() -> Iterator[tuple[str, list[float]]]:
    """A server that accepts, reads the request, then sends its reply one byte every 0.1 s (forever)."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()
    accepted: list[float] = []

    def drip(conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b" " * 100_000:
                if stop.wait(0.1):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return

    def accept() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            accepted.append(time.monotonic())
            threading.Thread(target=drip, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1", accepted
    stop.set()
    thread.join()
    listener.close()


def test_a_trickling_server_meets_the_deadline_of_each_attempt(trickle) -> None:
    url, accepted = trickle
    start = time.monotonic()
    [result] = _ask(_backend(url, timeout_s=0.5, retries=1), ["x"])
    elapsed = time.monotonic() - start
    assert result.error and "timed out" in result.error and "0.5 s" in result.error
    assert len(accepted) == 2 and elapsed < 2.0  # each attempt cut at 0.5 s, though a byte came every 0.1 s


def test_retries_are_jittered_and_seeded(monkeypatch) -> None:
    """Delays are drawn below the exponential step, differ between requests, and repeat for one request."""
    sleeps: list[float] = []
    monkeypatch.setattr(openai_http, "_sleep", sleeps.append)
    state = Hostile(b"not json")
    with serve(state) as url:
        settings = EndpointSettings(model="m", base_url=url, retries=4, backoff_s=1.0, max_backoff_s=4.0)
        delays = []
        for content in ("bad", "bad", "bad-two"):
            sleeps.clear()
            body = {"messages": [{"role": "user", "content": "bad"}], "n": content}
            with pytest.raises(OSError, match="malformed reply"):
                post(settings, "/chat/completions", body)
            delays.append(list(sleeps))
    caps = [1.0, 2.0, 4.0, 4.0]
    assert all(len(d) == 4 and all(0 <= s <= cap for s, cap in zip(d, caps)) for d in delays)
    assert delays[0] == delays[1] and delays[0] != delays[2]
    assert len({round(s / cap, 6) for s, cap in zip(delays[0], caps)}) == 4  # not a fixed fraction of the step


class OneCityMalformed(StubEndpoint):
    """Chat replies in prose (a final answer), except for city 1's task: its replies have an int content."""

    def reply(self, path: str, body: dict[str, Any]) -> Any:
        if any("city 1?" in str(m.get("content")) for m in body["messages"]):
            return _with(choices__0__message__content=404)
        return _with(choices__0__message__content="The weather is sunny.")


def test_a_run_with_a_malformed_reply_finishes_and_records_the_reason(tmp_path, monkeypatch) -> None:
    from engine.config.presets import PRESETS, override_models
    from engine.runner.run import Run, RunConfig
    from tests.helpers.scheduling import weather_tasks
    from tools_sim.cache import ResponseCache
    from tools_sim.simulator import Simulator

    monkeypatch.setattr(openai_http, "_sleep", lambda s: None)  # retries without waiting
    with serve(OneCityMalformed()) as url:
        agent = override_models(PRESETS["chat-single"], backend="openai", model=f"m@{url}")
        config = RunConfig(agent=agent, out_dir=tmp_path, run_name="run", executor="local", progress=False)
        run_dir = Run(config, weather_tasks(3), Simulator(ResponseCache())).execute()
    records = {r["query_id"]: r for r in map(json.loads, (run_dir / "trajectories.jsonl").read_text().splitlines())}
    assert json.loads((run_dir / "run.json").read_text())["status"] == "finished"
    assert [records[q]["status"] for q in "012"] == ["answered", "failed", "answered"]
    assert "malformed reply" in records["1"]["error"] and "int, not a string" in records["1"]["error"]
