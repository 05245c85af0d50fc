"""openai backend: role models served by any OpenAI-compatible endpoint (a vLLM or TGI server, OpenAI).

The model is `MODEL@BASE_URL` (or `MODEL`, with OPENAI_BASE_URL). Chat prompts go to /chat/completions;
text prompts (alpha-UMi's and ToolLLaMA's formats) go to /completions, so that the server applies no chat
template to them. The role's batch_size is how many requests are in flight: the server batches them
itself. Sampling: temperature, top_p, max_tokens, stop strings, the per-request seed; a role's json_schema
goes as response_format (vLLM's server and OpenAI both accept it). The server tokenizes, so it also
enforces the context length: an over-long prompt comes back as a failed request, as does an endpoint that
still fails after its retries (engine.backends.openai_http).
"""
from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any


from engine.backends.openai_http import EndpointSettings, parse_target, post
from engine.types import ModelSpec, RoleRequest, RoleResult


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

    def request_body(self, request: RoleRequest) -> tuple[str, dict[str, Any]]:
        """The endpoint path and JSON body of one request."""
        sampling = request.sampling
        body: dict[str, Any] = {"model": self.settings.model, "temperature": sampling.temperature,
                                "top_p": sampling.top_p, "max_tokens": sampling.max_new_tokens, "seed": request.seed}
        if sampling.stop:
            body["stop"] = list(sampling.stop)
        if sampling.json_schema:
            body["response_format"] = {"type": "json_schema",
                                       "json_schema": {"name": "reply", "schema": json.loads(sampling.json_schema)}}
        if isinstance(request.prompt, str):
            return "/completions", {**body, "prompt": request.prompt}
        return "/chat/completions", {**body, "messages": list(request.prompt)}

    def reply_text(self, choice: dict[str, Any]) -> str:
        """The generated text of a reply's first choice (chat or text completion)."""
        message = choice.get("message")
        return (message.get("content") if isinstance(message, dict) else choice.get("text")) or ""

    def _one(self, request: Any) -> RoleResult:
        start = time.perf_counter()
        try:
            response = post(self.settings, *self.request_body(request))
            choice = response["choices"][0]
            text = self.reply_text(choice)
        except (OSError, ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            return RoleResult(request.request_id, "", error=f"{type(exc).__name__}: {exc}")
        usage = response.get("usage") or {}
        self.served.setdefault("served_model", response.get("model"))
        self.served.setdefault("system_fingerprint", response.get("system_fingerprint"))
        finish = "length" if choice.get("finish_reason") == "length" else "stop"
        return RoleResult(request.request_id, text, usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0),
                          time.perf_counter() - start, finish)


def from_spec(spec: ModelSpec) -> OpenAIBackend:
    model, base_url = parse_target(spec.model)
    return OpenAIBackend(EndpointSettings(model=model, base_url=base_url, concurrency=spec.batch_size))


def check_spec(spec: ModelSpec) -> None:
    parse_target(spec.model)
