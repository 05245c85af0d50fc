"""The openai role backend against a stub OpenAI-compatible endpoint: what it sends for text and chat
prompts, what it reads back, failures as failed requests, and a whole run served by an endpoint."""
from __future__ import annotations

import json
from typing import Any, Iterator

import pytest

import run_eval
from engine.backends.base import make_backend
from engine.types import ModelSpec, RoleRequest, SamplingParams
from tests.helpers.openai_stub import StubEndpoint, serve


class Completions(StubEndpoint):
    """Text completions echo the prompt's length; chat completions answer in prose (a final answer)."""

    def reply(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        if path == "/completions":
            choice = {"text": f" {len(body['prompt'])} chars", "finish_reason": "length"}
        else:
            choice = {"message": {"role": "assistant", "content": "The weather is sunny."}, "finish_reason": "stop"}
        return {"model": "served-7b", "system_fingerprint": "fp_9", "choices": [choice],
                "usage": {"prompt_tokens": 11, "completion_tokens": 4}}


@pytest.fixture
def endpoint() -> Iterator[tuple[Completions, str]]:
    state = Completions()
    with serve(state) as url:
        yield state, url


def _backend(url: str, batch_size: int = 8):
    return make_backend(ModelSpec(model=f"served-7b@{url}", backend="openai", batch_size=batch_size))


def test_text_prompts_go_to_completions_and_chat_prompts_to_chat(endpoint) -> None:
    state, url = endpoint
    sampling = SamplingParams(temperature=0.5, top_p=0.9, max_new_tokens=7, stop=("\nObservation",),
                              json_schema=json.dumps({"type": "object"}))
    text, chat = _backend(url).generate([RoleRequest("a", "planner", "Thought:", sampling, 41),
                                         RoleRequest("b", "caller", [{"role": "user", "content": "hi"}], sampling, 42)])
    assert (text.text, text.finish_reason, text.prompt_tokens, text.completion_tokens) == (" 8 chars", "length", 11, 4)
    assert (chat.text, chat.finish_reason) == ("The weather is sunny.", "stop")
    by_path = dict(zip(state.paths, state.requests))
    assert by_path["/completions"]["prompt"] == "Thought:" and by_path["/chat/completions"]["messages"] == [
        {"role": "user", "content": "hi"}]
    sent = by_path["/completions"]
    assert (sent["model"], sent["temperature"], sent["top_p"], sent["max_tokens"], sent["stop"], sent["seed"]) == \
           ("served-7b", 0.5, 0.9, 7, ["\nObservation"], 41)
    assert sent["response_format"] == {"type": "json_schema", "json_schema": {"name": "reply", "schema": {"type": "object"}}}


def test_an_endpoint_that_keeps_failing_gives_failed_requests_not_a_crash(endpoint) -> None:
    state, url = endpoint
    state.failures = [400]
    [result] = _backend(url).generate([RoleRequest("a", "planner", "x", SamplingParams(), 0)])
    assert result.error and "HTTP 400" in result.error and result.text == ""


def test_requests_in_flight_are_capped_by_the_batch_size(endpoint) -> None:
    state, url = endpoint
    state.delay = 0.05
    results = _backend(url, batch_size=3).generate([RoleRequest(str(i), "r", "x", SamplingParams(), i) for i in range(9)])
    assert [r.request_id for r in results] == [str(i) for i in range(9)] and state.max_in_flight == 3


def test_streamed_requests_go_out_concurrently_capped_by_the_batch_size(endpoint) -> None:
    """The continuous schedule's path: each request its own HTTP call, `batch_size` in flight at most."""
    state, url = endpoint
    state.delay = 0.05
    stream = _backend(url, batch_size=3).open_stream(3)
    futures = [stream.submit(RoleRequest(str(i), "r", "x" * i, SamplingParams(), i)) for i in range(9)]
    done = [future.result(timeout=10).result for future in futures]
    stream.close()
    assert [(r.request_id, r.text) for r in done] == [(str(i), f" {i} chars") for i in range(9)]
    assert state.max_in_flight == 3 and stream.busy_seconds() >= 3 * 0.05


def test_a_whole_run_served_by_an_endpoint(endpoint, tmp_path) -> None:
    state, url = endpoint
    out = tmp_path / "out"
    assert run_eval.main(["run", "--agent", "chat-single", "--benchmark", "embedded", "--per-group", "1",
                          "--backend", "openai", "--model", f"served-7b@{url}", "--executor", "local",
                          "--out", str(out), "--no-progress"]) == 0
    run = out / "chat-single__embedded__seed0"
    records = [json.loads(line) for line in (run / "trajectories.jsonl").read_text().splitlines()]
    assert len(records) == 6 and {r["status"] for r in records} == {"answered"}
    assert {r["final_answer"] for r in records} == {"The weather is sunny."}
    [model] = json.loads((run / "run.json").read_text())["models"].values()
    assert (model["backend"], model["model"], model["base_url"]) == ("openai", "served-7b", url)
    assert len(state.requests) == 6 and set(state.paths) == {"/chat/completions"}


def test_a_malformed_model_name_fails_before_anything_is_written(tmp_path, capsys) -> None:
    out = tmp_path / "out"
    assert run_eval.main(["run", "--agent", "chat-single", "--benchmark", "embedded", "--per-group", "1",
                          "--backend", "openai", "--model", "a@b@ftp://x", "--out", str(out)]) == 2
    assert "MODEL@BASE_URL" in capsys.readouterr().err and not out.exists()


def test_several_base_urls_are_replicas_of_one_role(tmp_path) -> None:
    """`MODEL@URL1,URL2`: one replica per server, the router spreading trajectories over both; the run's
    records are those of one server alone."""
    first, second = Completions(), Completions()
    runs = {}
    with serve(first) as url1, serve(second) as url2:
        for name, model in (("two", f"served-7b@{url1},{url2}"), ("one", f"served-7b@{url1}")):
            out = tmp_path / name
            assert run_eval.main(["run", "--agent", "chat-single", "--benchmark", "embedded", "--per-group", "2",
                                  "--backend", "openai", "--model", model, "--executor", "local", "--schedule", "lockstep",
                                  "--out", str(out), "--no-progress"]) == 0
            run = out / "chat-single__embedded__seed0"
            runs[name] = sorted((json.loads(line) for line in (run / "trajectories.jsonl").read_text().splitlines()),
                                key=lambda r: r["task_key"])
            if name == "two":
                [model_info] = json.loads((run / "run.json").read_text())["models"].values()
                assert [r["base_url"] for r in model_info["replicas"]] == [url1, url2]
                assert len(first.requests) == len(second.requests) == 6  # 12 trajectories, least-loaded first
    strip = lambda r: {k: v for k, v in r.items() if k not in ("started_at", "finished_at", "usage")}  # noqa: E731
    assert [strip(r) for r in runs["two"]] == [strip(r) for r in runs["one"]]
