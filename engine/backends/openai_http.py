"""Any OpenAI-compatible HTTP endpoint (OpenAI, a vLLM or TGI server, ...), on the standard library only:
a deadline per attempt (the whole reply, however slowly it trickles in), retries with jittered exponential
backoff on transient failures (network, 408/409/429/5xx, malformed 200 replies), and the key from the
environment, never from arguments or files. Shared by the `openai` role backend and
the `openai:` judge."""
from __future__ import annotations

import functools
import hashlib
import http.client
import json
import os
import random
import re
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

KEY_ENV = "OPENAI_API_KEY"
BASE_URL_ENV = "OPENAI_BASE_URL"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
_TRANSIENT = {408, 409, 429, 500, 502, 503, 504}
MAX_REPLY_BYTES = 64 * 2 ** 20  # a reply past this is malformed, not read into memory whole
T = TypeVar("T")


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


class MalformedReply(ValueError):
    """A 200 reply that cannot be used (not JSON, or not the shape the reader needs): retried like a 5xx."""


class RequestCancelled(OSError):
    """The process is stopping (a run was interrupted): requests end at once, not after their retries."""


# Interrupting a run cancels every request in flight (issue 21, item 4): the live attempts' sockets are shut
# down and no attempt or backoff follows, until requests are allowed again (the next run).
_cancelled = threading.Event()
_live: set[_Deadline] = set()
_live_lock = threading.Lock()


def cancel_in_flight() -> None:
    _cancelled.set()
    with _live_lock:
        live = list(_live)
    for deadline in live:
        deadline._expire()


def allow_requests() -> None:
    _cancelled.clear()


def _sleep(seconds: float) -> None:
    """A backoff between attempts, cut short by cancel_in_flight."""
    if _cancelled.wait(seconds):
        raise RequestCancelled("cancelled: the run was interrupted")


class _Deadline:
    """Bounds one attempt as a whole (connect, headers, body): when time is up, the attempt's sockets are
    shut down, so a blocked read returns at once. A per-read timeout alone never fires on a server
    that sends a byte every few seconds. `cancel_in_flight` ends it the same way."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        with _live_lock:
            _live.add(self)
        self._timer.start()
        if _cancelled.is_set():
            self._expire()
        return self

    def __exit__(self, *_: object) -> None:
        self._timer.cancel()
        with _live_lock:
            _live.discard(self)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    def track(self, sock: socket.socket) -> socket.socket:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)
        return sock

    def opener(self) -> urllib.request.OpenerDirector:
        """urllib's opener (proxies from the environment included) whose connections this deadline tracks."""
        handlers = [_TrackingHTTPHandler(), _TrackingHTTPSHandler()]
        for handler in handlers:
            handler.deadline = self
        return urllib.request.build_opener(*handlers)


class _Tracking(urllib.request.AbstractHTTPHandler):
    """Hands the socket of every connection it opens to the attempt's deadline."""

    deadline: _Deadline

    def do_open(self, http_class: Any, req: urllib.request.Request, **kwargs: Any) -> Any:
        return super().do_open(functools.partial(_tracked_connection, http_class, self.deadline), req, **kwargs)


class _TrackingHTTPHandler(_Tracking, urllib.request.HTTPHandler):
    pass


class _TrackingHTTPSHandler(_Tracking, urllib.request.HTTPSHandler):
    pass


def _tracked_connection(http_class: type[http.client.HTTPConnection], deadline: _Deadline,
                        *args: Any, **kwargs: Any) -> http.client.HTTPConnection:
    connection = http_class(*args, **kwargs)
    create = connection._create_connection  # type: ignore[attr-defined]
    connection._create_connection = lambda *a, **k: deadline.track(create(*a, **k))  # type: ignore[attr-defined]
    return connection


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # already closed
        pass


def _attempt(settings: EndpointSettings, request: urllib.request.Request) -> bytes:
    """One attempt: the whole reply body within settings.timeout_s, at most MAX_REPLY_BYTES."""
    with _Deadline(settings.timeout_s) as deadline:
        try:
            with deadline.opener().open(request, timeout=settings.timeout_s) as reply:
                data = reply.read(MAX_REPLY_BYTES + 1)
        except (OSError, http.client.HTTPException) as exc:
            if _cancelled.is_set():
                raise RequestCancelled("cancelled: the run was interrupted") from None
            if deadline.expired:
                raise TimeoutError(f"timed out: no complete reply within {settings.timeout_s:g} s") from None
            if isinstance(exc, OSError):
                raise
            raise ConnectionError(f"broken reply ({type(exc).__name__}: {exc})") from None
    if _cancelled.is_set():
        raise RequestCancelled("cancelled: the run was interrupted")
    if deadline.expired:
        raise TimeoutError(f"timed out: no complete reply within {settings.timeout_s:g} s")
    if len(data) > MAX_REPLY_BYTES:
        raise MalformedReply(f"reply larger than {MAX_REPLY_BYTES} bytes")
    return data


def _json_reply(data: bytes) -> Any:
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise MalformedReply(f"reply is not JSON ({exc})") from None


def _backoff_s(settings: EndpointSettings, attempt: int, rng: random.Random) -> float:
    """Full jitter: uniform up to the exponential step, so clients that failed together do not retry together."""
    return rng.uniform(0, min(settings.max_backoff_s, settings.backoff_s * 2 ** attempt))


def post(settings: EndpointSettings, path: str, body: dict[str, Any],
         read: Callable[[Any], T] = lambda reply: reply) -> T:
    """POSTs `body` as JSON to the endpoint's `path` and returns `read` of the JSON reply. Transient
    failures are retried with jittered backoff: the network, 408/409/429/5xx, an attempt past
    settings.timeout_s, and a malformed 200 reply (not JSON, or `read` raised MalformedReply). Raises
    OSError when the endpoint still fails after its retries, or at once on another HTTP error."""
    headers = {"Content-Type": "application/json"}
    if os.environ.get(KEY_ENV):
        headers["Authorization"] = f"Bearer {os.environ[KEY_ENV]}"
    url = settings.base_url.rstrip("/") + path
    data = json.dumps(body).encode()
    jitter = random.Random(hashlib.blake2b(data, digest_size=8).digest())  # seeded by the request itself
    attempt = 0
    while True:
        try:
            return read(_json_reply(_attempt(settings, urllib.request.Request(url, data=data, headers=headers,
                                                                             method="POST"))))
        except urllib.error.HTTPError as exc:
            if exc.code not in _TRANSIENT or attempt >= settings.retries:
                raise OSError(f"HTTP {exc.code} from {url}: {exc.read()[:300]!r}") from None
        except MalformedReply as exc:
            if attempt >= settings.retries:
                raise OSError(f"malformed reply from {url}: {exc}") from None
        except RequestCancelled:
            raise
        except OSError as exc:  # refused, reset, timed out: transient
            if attempt >= settings.retries:
                raise OSError(f"{url}: {exc}") from None
        _sleep(_backoff_s(settings, attempt, jitter))
        attempt += 1
