"""Any OpenAI-compatible HTTP endpoint (OpenAI, a vLLM or TGI server, ...), on the standard library only:
a timeout per request, retries with exponential backoff on transient failures (network, 408/409/429/5xx),
and the key from the environment, never from arguments or files. Shared by the `openai` role backend and
the `openai:` judge."""
from __future__ import annotations

import json
import os
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

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


def parse_target(target: str) -> tuple[str, str]:
    """`MODEL@BASE_URL` (http or https), or `MODEL` with the base URL from OPENAI_BASE_URL, else OpenAI's."""
    match = re.fullmatch(r"(.+?)@(https?://\S+)", target)
    model, base_url = (match.group(1), match.group(2)) if match else (target, "")
    if "@" in model or not model:
        raise ValueError(f"an OpenAI-compatible model is MODEL@BASE_URL (http or https) or MODEL, got {target!r}")
    return model, base_url or os.environ.get(BASE_URL_ENV, DEFAULT_BASE_URL)


def post(settings: EndpointSettings, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """POSTs `body` as JSON to the endpoint's `path` and returns the JSON reply; raises OSError when the
    endpoint still fails after its retries (or at once on a non-transient HTTP error)."""
    headers = {"Content-Type": "application/json"}
    if os.environ.get(KEY_ENV):
        headers["Authorization"] = f"Bearer {os.environ[KEY_ENV]}"
    url = settings.base_url.rstrip("/") + path
    data = json.dumps(body).encode()
    attempt = 0
    while True:
        try:
            request = urllib.request.Request(url, data=data, headers=headers, method="POST")
            with urllib.request.urlopen(request, timeout=settings.timeout_s) as reply:
                return json.loads(reply.read())
        except urllib.error.HTTPError as exc:
            if exc.code not in _TRANSIENT or attempt >= settings.retries:
                raise OSError(f"HTTP {exc.code} from {url}: {exc.read()[:300]!r}") from None
        except OSError as exc:  # refused, reset, timed out: transient
            if attempt >= settings.retries:
                raise OSError(f"{url}: {exc}") from None
        time.sleep(min(settings.max_backoff_s, settings.backoff_s * 2 ** attempt))
        attempt += 1
