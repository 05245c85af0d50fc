"""The /virtual HTTP endpoint: a drop-in for StableToolBench's server (server/main.py) over the simulator.

`POST /virtual` takes upstream's request {"category", "tool_name", "api_name", "tool_input", "strip",
"toolbench_key"} and answers as upstream does: "chat_with_user" -> "Chat with user."; tool_input (a
JSON string, "" meaning {}, or an object) that does not parse -> the parse-error reply; the cached
record as stored; else the miss policies (synthesize / llm / error). `GET /stats` gives the counts.

On purpose unlike upstream: nothing is read from disk per request (the cache is in memory); there is no
real-RapidAPI call; names that would leave the cache folder are refused (400); tool_input that is JSON
but not an object is a parse error (upstream would look up `str(value)`); `strip` and `toolbench_key`
may be left out. Misses of concurrent requests are answered together (one LLM batch per round).
Standard library only (ThreadingHTTPServer): the work per request is a dict lookup, so a framework
would add a dependency and nothing measurable.
"""
from __future__ import annotations

import json
import queue
import socket
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from benchmarks.core.naming import function_name
from benchmarks.core.types import ToolSpec
from tools_sim.keys import too_deep
from tools_sim.layout import ApiPath, is_safe_path, virtual_path
from tools_sim.observation import PARSE_ERROR
from tools_sim.policies import Miss
from tools_sim.simulator import Simulator, parse_arguments
from tools_sim.types import Observation

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
MAX_BODY_BYTES = 1 << 20
SOCKET_TIMEOUT_S = 60.0  # an idle keep-alive connection, or a client stalled mid-request, is closed after this
MAX_CONNECTIONS = 256  # connections served at once (a thread each); one more is answered 503 and closed
MAX_PER_CLIENT = 64  # of them from one client address: one client cannot hold every slot
REQUEST_TIMEOUT_S = 10.0  # from a request's first byte to its whole body: a client trickling bytes is dropped
CHAT_WITH_USER = {"error": "", "response": "Chat with user."}
_TEXT_FIELDS = ("category", "tool_name", "api_name")
_OPTIONAL_TEXT_FIELDS = ("strip", "toolbench_key")

Reply = tuple[int, dict[str, Any]]  # HTTP status, JSON body


class BadRequest(ValueError):
    """A request body that is not upstream's request shape (HTTP 422, as FastAPI answers)."""


def parse_request(body: bytes) -> dict[str, Any]:
    """The request object, its fields checked as upstream's pydantic model checks them."""
    try:
        request = json.loads(body)
    except (ValueError, RecursionError) as e:
        raise BadRequest(f"body is not JSON ({e})") from e
    if not isinstance(request, dict):
        raise BadRequest("body must be a JSON object")
    for name in _TEXT_FIELDS:
        if not isinstance(request.get(name), str):
            raise BadRequest(f"field {name!r} must be a string")
    if not isinstance(request.get("tool_input"), (str, dict)):
        raise BadRequest("field 'tool_input' must be a string or an object")
    for name in _OPTIONAL_TEXT_FIELDS:
        if not isinstance(request.get(name, ""), str):
            raise BadRequest(f"field {name!r} must be a string")
    return request


def parse_tool_input(value: str | dict[str, Any]) -> dict[str, Any] | None:
    """Upstream's reading: an object as is, "" as {}, else a JSON text that must hold an object (so, unlike
    a model's arguments, blank text is not {}); None also for arguments nested more than
    MAX_ARGUMENT_DEPTH levels."""
    if isinstance(value, dict):
        return None if too_deep(value) else value
    return parse_arguments(value) if value == "" or value.strip() else None


def request_spec(request: dict[str, Any], path: ApiPath) -> ToolSpec:
    """What a request says about its API (no documentation: upstream's empty api_doc)."""
    return ToolSpec(category=request["category"], tool=request["tool_name"], api=request["api_name"],
                    function_name=function_name(path[2], request["tool_name"]), description="", parameters={})


class MissBatcher:
    """Collects the misses of concurrent requests and answers all that are waiting in one call, on one
    thread (so an LLM policy sees one batch per round and the policies never run concurrently)."""

    def __init__(self, resolve: Callable[[Sequence[Miss]], list[Observation]]) -> None:
        self._resolve = resolve
        self._queue: queue.SimpleQueue[tuple[Miss, Future[Observation]] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name="sim-misses", daemon=True)
        self._thread.start()

    def answer(self, miss: Miss) -> Observation:
        future: Future[Observation] = Future()
        self._queue.put((miss, future))
        return future.result()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()

    def _loop(self) -> None:
        while True:
            batch = self._drain()
            live = [item for item in batch if item is not None]
            if live:
                self._answer(live)
            if len(live) < len(batch):
                return

    def _drain(self) -> list[tuple[Miss, Future[Observation]] | None]:
        """The next item, waiting for it, and every item already queued behind it."""
        batch = [self._queue.get()]
        while True:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                return batch

    def _answer(self, batch: list[tuple[Miss, Future[Observation]]]) -> None:
        try:
            answers = self._resolve([miss for miss, _ in batch])
        except Exception as e:  # a policy that breaks fails its requests, not the server
            for _, future in batch:
                future.set_exception(e)
            return
        for (_, future), answer in zip(batch, answers, strict=True):
            future.set_result(answer)


class VirtualService:
    """Upstream's /virtual behaviour over a Simulator, independent of HTTP."""

    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._misses = MissBatcher(simulator.resolve_misses)

    def handle(self, body: bytes) -> Reply:
        status, reply = self._handle(body)
        self.note("total")
        if status != 200:
            self.note(f"http_{status}")
        return status, reply

    def note(self, event: str) -> None:
        """Counts one event in /stats' requests (thread-safe)."""
        with self._lock:
            self.requests[event] += 1

    def _handle(self, body: bytes) -> Reply:
        try:
            request = parse_request(body)
        except BadRequest as e:
            return 422, {"detail": str(e)}
        path = virtual_path(request["category"], request["tool_name"], request["api_name"])
        if path[2] == "chat_with_user":
            return 200, dict(CHAT_WITH_USER)
        if not is_safe_path(path):
            return 400, {"error": f"unsafe name for a response-cache path: {'/'.join(path)!r}", "response": ""}
        arguments = parse_tool_input(request["tool_input"])
        if arguments is None:
            self.simulator.count(path, "errors", "parse_error")
            return 200, {"error": PARSE_ERROR, "response": ""}
        miss = Miss(request_spec(request, path), arguments, where=path)
        found = self.simulator.lookup(miss)
        if found is not None:
            return 200, found[0]
        try:
            answer = self._misses.answer(miss)
        except Exception as e:
            return 500, {"error": f"simulator failure: {type(e).__name__}: {e}", "response": ""}
        return 200, {"error": answer.error, "response": answer.response}

    def stats(self) -> dict[str, Any]:
        with self._lock:
            requests = dict(self.requests)
        cache = self.simulator.cache
        return {"requests": requests, "cached_records": 0 if cache is None else len(cache),
                **self.simulator.stats()}

    def close(self) -> None:
        self._misses.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a client session reuses its connection
    disable_nagle_algorithm = True  # headers and body go out as two writes; do not wait between them
    server: VirtualServer

    def setup(self) -> None:
        self.timeout = self.server.socket_timeout_s  # StreamRequestHandler applies it to the connection
        super().setup()
        self._reading: threading.Timer | None = None
        self._dropped = False  # the request deadline passed: the connection is being closed

    def handle_one_request(self) -> None:
        """Waiting for a request is idle time (the socket timeout); from its first byte, the whole request must
        arrive within the server's request timeout, however slowly it trickles (issue 21, item 16)."""
        try:
            if not self.rfile.peek(1):
                self.close_connection = True
                return
        except OSError:  # idle past the socket timeout, or reset
            self.close_connection = True
            return
        self._reading = threading.Timer(self.server.request_timeout_s, self._too_slow)
        self._reading.daemon = True
        self._reading.start()
        try:
            super().handle_one_request()
        except Exception:
            if not self._dropped:
                raise
            self.close_connection = True  # what a cut-off request left half-parsed is nobody's error
        finally:
            self._read()

    def _read(self) -> None:
        """The request is in: answering it has no deadline (a miss policy may take a while)."""
        if self._reading is not None:
            self._reading.cancel()
            self._reading = None

    def _too_slow(self) -> None:
        self.server.service.note("slow_requests")
        self._dropped = True
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)  # the blocked read returns at once
        except OSError:
            pass

    def do_POST(self) -> None:
        if self.path.split("?", 1)[0] != "/virtual":
            self._read()
            self._send(404, {"detail": "Not Found"})
            return
        length = self.headers.get("Content-Length", "")
        if not length.isdigit() or int(length) > MAX_BODY_BYTES:
            self._read()
            self.close_connection = True  # the body was not read: the connection cannot be reused
            self._send(413 if length.isdigit() else 411,
                       {"detail": f"a Content-Length of at most {MAX_BODY_BYTES} bytes is required"})
            return
        body = self.rfile.read(int(length))
        self._read()
        if len(body) < int(length):  # cut off by the deadline
            self.close_connection = True
            return
        self._send(*self.server.service.handle(body))

    def do_GET(self) -> None:
        self._read()
        if self.path.split("?", 1)[0] == "/stats":
            self._send(200, self.server.service.stats())
        else:
            self._send(404, {"detail": "Not Found"})

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode("ascii")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a line per request would cost more than the lookup (counts are in /stats)."""


class VirtualServer(ThreadingHTTPServer):
    """The HTTP server; `port=0` picks a free port (see `server_address`). At most `max_connections`
    are served at once, at most `max_per_client` of them from one client address; each is closed after
    `socket_timeout_s` without progress, and a request not read whole within `request_timeout_s` of its
    first byte is dropped: idle, stalled or trickling clients cannot hold a thread each without bound."""

    daemon_threads = True
    request_queue_size = 128  # many clients connect at once; the default backlog of 5 drops them

    def __init__(self, simulator: Simulator, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                 max_connections: int = MAX_CONNECTIONS, socket_timeout_s: float = SOCKET_TIMEOUT_S,
                 request_timeout_s: float = REQUEST_TIMEOUT_S, max_per_client: int = MAX_PER_CLIENT) -> None:
        self.service = VirtualService(simulator)
        self.socket_timeout_s = socket_timeout_s
        self.request_timeout_s = request_timeout_s
        self.max_per_client = min(max_per_client, max_connections)
        self._slots = threading.BoundedSemaphore(max_connections)
        self._per_client: dict[str, int] = {}
        self._per_client_lock = threading.Lock()
        super().__init__((host, port), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._take(client_address[0]):
            self._refuse(request)
            return
        try:
            super().process_request(request, client_address)  # starts the connection's thread
        except BaseException:
            self._give_back(client_address[0])
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._give_back(client_address[0])

    def _take(self, client: str) -> bool:
        """A slot for a connection of `client`: within both the client's share and the server's cap."""
        with self._per_client_lock:
            if self._per_client.get(client, 0) >= self.max_per_client:
                return False
            if not self._slots.acquire(blocking=False):
                return False
            self._per_client[client] = self._per_client.get(client, 0) + 1
            return True

    def _give_back(self, client: str) -> None:
        with self._per_client_lock:
            self._per_client[client] -= 1
            if not self._per_client[client]:
                del self._per_client[client]
            self._slots.release()

    def _refuse(self, request: socket.socket) -> None:
        """503 on a connection over the cap, written at once (never waiting on the client), then closed."""
        self.service.note("refused_connections")
        data = json.dumps({"detail": "too many connections; retry"}).encode("ascii")
        try:
            request.setblocking(False)
            request.send(b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                         b"Retry-After: 1\r\nConnection: close\r\n"
                         b"Content-Length: %d\r\n\r\n%s" % (len(data), data))
        except OSError:
            pass
        self.shutdown_request(request)

    def server_close(self) -> None:
        super().server_close()
        self.service.close()
