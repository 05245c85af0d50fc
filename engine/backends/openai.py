"""openai backend: role models served by any OpenAI-compatible endpoint (a vLLM or TGI server, OpenAI).

The model is `MODEL@BASE_URL` (or `MODEL`, with OPENAI_BASE_URL); `MODEL@URL1,URL2` names one server per
replica of the role (engine.execution.pool). Chat prompts go to /chat/completions;
text prompts (alpha-UMi's and ToolLLaMA's formats) go to /completions, so that the server applies no chat
template to them. The role's batch_size is how many requests are in flight: the server batches them
itself. Sampling: temperature, top_p, max_tokens, stop strings, the per-request seed; a role's json_schema
goes as response_format (vLLM's server and OpenAI both accept it). The server tokenizes, so it also
enforces the context length: an over-long prompt comes back as a failed request, as does an endpoint that
still fails after its retries (engine.backends.openai_http). Replies are untrusted: one of the wrong shape
(text not a string, token counts not counts) is retried, then fails its own request with the reason.
"""
from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from engine.backends.openai_http import EndpointSettings, MalformedReply, parse_target, post
from engine.backends.streaming import ConcurrentStream
from engine.types import ModelSpec, RoleRequest, RoleResult
from roles.function_calling import hermes_call
from roles.types import ToolPrompt


class OpenAIBackend:
    def __init__(self, settings: EndpointSettings) -> None:
        self.settings = settings
        self.served: dict[str, Any] = {}  # the model and fingerprint the server reported

    def info(self) -> dict[str, Any]:
        return {"backend": "openai", "model": self.settings.model, "base_url": self.settings.base_url,
                "timeout_s": self.settings.timeout_s, "retries": self.settings.retries,
                "concurrency": self.settings.concurrency, **self.served}

    def generate(self, requests: list[Any]) -> list[RoleResult]:
        with ThreadPoolExecutor(max_workers=max(1, self.settings.concurrency)) as pool:
            return list(pool.map(self._one, requests))

    def open_stream(self, capacity: int) -> ConcurrentStream:
        """Streamed requests go out concurrently, `concurrency` at a time, each returned as it finishes."""
        return ConcurrentStream(lambda requests: [self._one(request) for request in requests],
                                max(1, self.settings.concurrency))

    def request_body(self, request: RoleRequest) -> tuple[str, dict[str, Any]]:
        """The endpoint path and JSON body of one request."""
        sampling = request.sampling
        body: dict[str, Any] = {"model": self.settings.model, "temperature": sampling.temperature,
                                "top_p": sampling.top_p, "max_tokens": sampling.max_new_tokens, "seed": request.seed}
        if sampling.stop:
            body["stop"] = list(sampling.stop)
        if sampling.min_new_tokens:  # vLLM's server extension; sent only when asked for
            body["min_tokens"] = sampling.min_new_tokens
        if sampling.json_schema:
            body["response_format"] = {"type": "json_schema",
                                       "json_schema": {"name": "reply", "schema": json.loads(sampling.json_schema)}}
        if isinstance(request.prompt, str):
            return "/completions", {**body, "prompt": request.prompt}
        if isinstance(request.prompt, ToolPrompt):
            return "/chat/completions", {**body, "messages": list(request.prompt.messages), "tools": list(request.prompt.tools)}
        return "/chat/completions", {**body, "messages": list(request.prompt)}

    def reply_text(self, choice: dict[str, Any]) -> Any:
        """The generated text of a reply's first choice (chat or text completion), checked by read_reply."""
        if "message" not in choice:
            return choice.get("text")
        message = choice["message"]
        if not isinstance(message, dict):
            raise TypeError(f"message is a JSON {type(message).__name__}, not an object")
        calls = message.get("tool_calls")
        if not calls:
            return message.get("content")
        # The first call, in the Hermes text form roles.function_calling reads (after the content, its thought).
        function = calls[0]["function"]
        call = hermes_call(str(function["name"]), function.get("arguments", "{}"))
        return f"{message['content']}\n{call}" if message.get("content") else call

    def read_reply(self, response: Any) -> Reply:
        """The parts of a 200 reply the engine uses, their types checked: the reply is untrusted input, and
        one that cannot be used raises MalformedReply (post retries it, then the request fails)."""
        if not isinstance(response, dict):
            raise MalformedReply(f"the reply is a JSON {type(response).__name__}, not an object")
        choices = response.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            raise MalformedReply("the reply has no choices[0] object")
        try:
            text = _text(self.reply_text(choices[0]))
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise MalformedReply(f"choices[0]: {type(exc).__name__}: {exc}") from None
        usage = response.get("usage")
        if usage is not None and not isinstance(usage, dict):
            raise MalformedReply(f"usage is a JSON {type(usage).__name__}, not an object")
        return Reply(text, _token_count(usage, "prompt_tokens"), _token_count(usage, "completion_tokens"),
                     "length" if choices[0].get("finish_reason") == "length" else "stop",
                     {key: response.get(key) if isinstance(response.get(key), str) else None
                      for key in ("model", "system_fingerprint")})

    def _one(self, request: Any) -> RoleResult:
        start = time.perf_counter()
        try:
            reply = post(self.settings, *self.request_body(request), read=self.read_reply)
        except (OSError, ValueError) as exc:
            return RoleResult(request.request_id, "", error=f"{type(exc).__name__}: {exc}")
        self.served.setdefault("served_model", reply.served["model"])
        self.served.setdefault("system_fingerprint", reply.served["system_fingerprint"])
        return RoleResult(request.request_id, reply.text, reply.prompt_tokens, reply.completion_tokens,
                          time.perf_counter() - start, reply.finish_reason)


@dataclass(frozen=True)
class Reply:
    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str
    served: dict[str, str | None]  # the model and fingerprint the server reported


def _text(content: Any) -> str:
    """A reply text: a string, null (no text), or a list of text parts ({"type": "text", "text": ...})."""
    if content is None or isinstance(content, str):
        return content or ""
    if isinstance(content, list) and all(isinstance(part, dict) and part.get("type") == "text"
                                         and isinstance(part.get("text"), str) for part in content):
        return "".join(part["text"] for part in content)
    raise TypeError(f"the reply text is a JSON {type(content).__name__}, not a string")


def _token_count(usage: dict[str, Any] | None, key: str) -> int:
    """A usage count; absent or null is 0 (servers that do not report usage)."""
    value = None if usage is None else usage.get(key)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise MalformedReply(f"usage.{key} is {repr(value)[:60]}, not a count")
    return value


def from_spec(spec: ModelSpec) -> OpenAIBackend:
    model, base_url = parse_target(spec.model)
    return OpenAIBackend(EndpointSettings(model=model, base_url=base_url, concurrency=spec.batch_size,
                                          timeout_s=spec.request_timeout_s, retries=spec.max_retries))


def replica_models(model: str) -> list[str]:
    """`MODEL@URL1,URL2`: one replica per base URL (`MODEL@URL1` and `MODEL@URL2`), each its own server."""
    name, at, urls = model.rpartition("@")
    if not at or "," not in urls:
        return [model]
    return [f"{name}@{url.strip()}" for url in urls.split(",")]


def check_spec(spec: ModelSpec) -> None:
    for model in replica_models(spec.model):
        parse_target(model)
