"""A judge's client for any OpenAI-compatible chat endpoint (OpenAI, a vLLM server, ...), on the standard
library only: native function calling (the schema as a forced tool, as upstream's judge used functions),
a timeout per request, retries with exponential backoff on transient failures (network, 408/409/429/5xx),
and a cap on concurrent requests. The key comes from the environment, never from arguments or files.
"""
from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.types import RoleResult

if TYPE_CHECKING:
    from benchmarks.scoring.model_judge import JudgeRequest

KEY_ENV = "OPENAI_API_KEY"
BASE_URL_ENV = "OPENAI_BASE_URL"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
_TRANSIENT = {408, 409, 429, 500, 502, 503, 504}


@dataclass(frozen=True)
class EndpointSettings:
    model: str
    base_url: str
    timeout_s: float = 60.0
    retries: int = 5
    backoff_s: float = 1.0
    max_backoff_s: float = 30.0
    concurrency: int = 8


class OpenAIChat:
    def __init__(self, settings: EndpointSettings) -> None:
        self.settings = settings
        self.served: dict[str, Any] = {}  # the model and fingerprint the server reported

    def info(self) -> dict[str, Any]:
        return {"backend": "openai", "model": self.settings.model, "base_url": self.settings.base_url,
                "timeout_s": self.settings.timeout_s, "retries": self.settings.retries,
                "concurrency": self.settings.concurrency, **self.served}

    def complete(self, requests: list[JudgeRequest]) -> list[RoleResult]:
        with ThreadPoolExecutor(max_workers=max(1, self.settings.concurrency)) as pool:
            return list(pool.map(self._one, requests))

    def _body(self, request: JudgeRequest) -> dict[str, Any]:
        name = request.function["name"]
        return {"model": self.settings.model, "messages": [{"role": "user", "content": request.prompt}],
                "tools": [{"type": "function", "function": request.function}],
                "tool_choice": {"type": "function", "function": {"name": name}},
                "temperature": request.sampling.temperature, "max_tokens": request.sampling.max_new_tokens,
                "seed": request.seed}

    def _one(self, request: JudgeRequest) -> RoleResult:
        start = time.perf_counter()
        try:
            response = self._post(self._body(request))
            text = reply_text(response)
        except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
            return RoleResult(request.request_id, "", error=f"{type(exc).__name__}: {exc}")
        usage = response.get("usage") or {}
        self.served.setdefault("served_model", response.get("model"))
        self.served.setdefault("system_fingerprint", response.get("system_fingerprint"))
        return RoleResult(request.request_id, text, usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0),
                          time.perf_counter() - start)

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        headers = {"Content-Type": "application/json"}
        if os.environ.get(KEY_ENV):
            headers["Authorization"] = f"Bearer {os.environ[KEY_ENV]}"
        url = self.settings.base_url.rstrip("/") + "/chat/completions"
        data = json.dumps(body).encode()
        attempt = 0
        while True:
            try:
                request = urllib.request.Request(url, data=data, headers=headers, method="POST")
                with urllib.request.urlopen(request, timeout=self.settings.timeout_s) as reply:
                    return json.loads(reply.read())
            except urllib.error.HTTPError as exc:
                if exc.code not in _TRANSIENT or attempt >= self.settings.retries:
                    raise OSError(f"HTTP {exc.code} from {url}: {exc.read()[:300]!r}") from None
            except OSError as exc:  # refused, reset, timed out: transient
                if attempt >= self.settings.retries:
                    raise OSError(f"{url}: {exc}") from None
            time.sleep(min(self.settings.max_backoff_s, self.settings.backoff_s * 2 ** attempt))
            attempt += 1


def reply_text(response: dict[str, Any]) -> str:
    """The judge's answer as text: a forced tool call (or legacy function_call) as its JSON, else the content."""
    message = response["choices"][0]["message"]
    calls = message.get("tool_calls") or []
    call = calls[0].get("function") if calls else message.get("function_call")
    if isinstance(call, dict):
        return json.dumps({"name": call.get("name"), "arguments": call.get("arguments")})
    return message.get("content") or ""
