"""`sim serve`, names and `sim import` against hostile use (issue 13, item 13): idle connections are closed
and their number capped, names no file system can hold are refused when written (so an export never stops
half-way), and an import that fails leaves no store behind."""
from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.cli.main import main
from tools_sim.cache import ResponseCache
from benchmarks.core.naming import MAX_NAME_BYTES
from tools_sim.server import VirtualServer
from tools_sim.simulator import Simulator
from tools_sim.store import Store

BODY = json.dumps({"category": "Data", "tool_name": "sky", "api_name": "forecast", "tool_input": "{}"}).encode()
REQUEST = (b"POST /virtual HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
           b"Content-Length: %d\r\n\r\n%s" % (len(BODY), BODY))


@pytest.fixture
def small_server() -> Iterator[tuple[VirtualServer, tuple[str, int]]]:
    server = VirtualServer(Simulator(ResponseCache()), port=0, max_connections=3, socket_timeout_s=0.5)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield server, ("127.0.0.1", server.server_address[1])
    server.shutdown()
    server.server_close()


def _ask(address: tuple[str, int]) -> bytes:
    with socket.create_connection(address, timeout=5) as conn:
        conn.sendall(REQUEST)
        return conn.recv(65536)


def _stats(address: tuple[str, int]) -> dict:
    with urllib.request.urlopen(f"http://{address[0]}:{address[1]}/stats", timeout=5) as reply:
        return json.loads(reply.read())


def test_idle_connections_are_capped_then_closed(small_server) -> None:
    server, address = small_server
    threads_before = threading.active_count()
    idle = [socket.create_connection(address, timeout=5) for _ in range(40)]
    time.sleep(0.2)
    assert threading.active_count() - threads_before <= 3  # one thread per served connection, at most 3
    refused = sum(conn.recv(1024).startswith(b"HTTP/1.1 503") for conn in idle[3:])
    assert refused == 37
    assert [conn.recv(1024) for conn in idle[:3]] == [b"", b"", b""]  # closed after 0.5 s without a request
    for conn in idle:
        conn.close()
    assert _ask(address).startswith(b"HTTP/1.1 200")
    assert _stats(address)["requests"]["refused_connections"] == 37


def test_a_client_stalled_mid_request_is_dropped(small_server) -> None:
    _, address = small_server
    with socket.create_connection(address, timeout=5) as conn:
        conn.sendall(REQUEST[:40])  # headers never finished
        start = time.monotonic()
        assert conn.recv(1024) == b""  # closed without a reply once the socket timeout passed
        assert 0.4 < time.monotonic() - start < 3
    assert _ask(address).startswith(b"HTTP/1.1 200")


LONG = "a" * (MAX_NAME_BYTES - len(".json.tmp") + 1)
FITS = "a" * (MAX_NAME_BYTES - len(".json.tmp"))


@pytest.mark.parametrize("path", [("Data", "sky_for_Data", LONG), ("Data", "t" * 256, "api"), ("é" * 128, "t", "api"),
                                  ("Data", "sky_for_Data", "lone\ud800surrogate")])
def test_names_no_file_system_holds_are_refused_when_written(tmp_path: Path, path: tuple[str, str, str]) -> None:
    cache = ResponseCache.open(tmp_path / "s.sqlite")
    with pytest.raises(ValueError, match="unsafe name"):
        cache.save([(path, {}, {"error": "", "response": ""})], "llm")
    assert cache.store.summary()["records"] == 0  # type: ignore[union-attr]


def test_the_longest_name_that_fits_is_written_and_exported(tmp_path: Path) -> None:
    cache = ResponseCache.open(tmp_path / "s.sqlite")
    cache.save([(("Data", "sky_for_Data", FITS), {}, {"error": "", "response": "ok"})], "llm")
    assert cache.write_dir(tmp_path / "out") == 1
    assert (tmp_path / "out" / "Data" / "sky_for_Data" / f"{FITS}.json").is_file()


def test_export_checks_every_name_before_writing_any(tmp_path: Path) -> None:
    """A store written by an older version (or directly) may hold a long name: nothing is written then."""
    with Store(tmp_path / "s.sqlite") as store:
        store.insert_new([(("A", "a_for_A", "first"), "{}", {"error": "", "response": ""}),
                          (("Z", "z_for_Z", LONG), "{}", {"error": "", "response": ""})], "llm")
    with pytest.raises(ValueError, match=f"over the file system's {MAX_NAME_BYTES}"):
        ResponseCache.open(tmp_path / "s.sqlite").write_dir(tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_the_server_refuses_a_name_too_long_for_a_file(small_server) -> None:
    _, address = small_server
    body = json.dumps({"category": "Data", "tool_name": "sky", "api_name": LONG, "tool_input": "{}"}).encode()
    request = urllib.request.Request(f"http://{address[0]}:{address[1]}/virtual", data=body)
    with pytest.raises(urllib.error.HTTPError, match="400"):
        urllib.request.urlopen(request, timeout=5)


def _sim(*argv: str) -> int:
    return main(["sim", *argv])


def _cache_dir(root: Path, content: str) -> Path:
    file = root / "Data" / "sky_for_Data" / "forecast.json"
    file.parent.mkdir(parents=True)
    file.write_text(content)
    return root


@pytest.mark.parametrize("content", ["{", "[1, 2]", '{"k": "not an object"}', "[" * 100_000])
def test_import_of_a_corrupt_folder_creates_no_store(tmp_path: Path, content: str, capsys) -> None:
    folder = _cache_dir(tmp_path / "in", content)
    store = tmp_path / "new" / "sim" / "store.sqlite"
    assert _sim("import", str(folder), "--store", str(store)) == 2
    assert "forecast.json" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()


def test_import_of_a_missing_folder_creates_no_store(tmp_path: Path, capsys) -> None:
    store = tmp_path / "s.sqlite"
    assert _sim("import", str(tmp_path / "absent"), "--store", str(store)) == 2
    assert "not found" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_failed_import_keeps_an_existing_store(tmp_path: Path) -> None:
    good = _cache_dir(tmp_path / "good", json.dumps({"{}": {"error": "", "response": "ok"}}))
    store = tmp_path / "s.sqlite"
    assert _sim("import", str(good), "--store", str(store)) == 0
    assert _sim("import", str(_cache_dir(tmp_path / "bad", "{")), "--store", str(store)) == 2
    with Store(store) as opened:
        assert opened.summary()["records"] == 1


# issue 21, item 16: a request trickled in is bounded as a whole; one client cannot hold every slot ----------------

@pytest.fixture
def strict_server() -> Iterator[tuple[VirtualServer, tuple[str, int]]]:
    server = VirtualServer(Simulator(ResponseCache()), port=0, max_connections=6, socket_timeout_s=5,
                           request_timeout_s=0.5, max_per_client=3)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield server, ("127.0.0.1", server.server_address[1])
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("cut", [10, len(REQUEST) - 30])  # in the headers, in the body
def test_a_request_trickled_a_byte_at_a_time_is_dropped_at_its_deadline(strict_server, capsys, cut) -> None:
    _, address = strict_server
    with socket.create_connection(address, timeout=5) as conn:
        start = time.monotonic()
        conn.sendall(REQUEST[:cut])
        closed = False
        for byte in REQUEST[cut:]:  # a byte every 0.1 s: never idle as long as the socket timeout
            try:
                conn.sendall(bytes([byte]))
            except OSError:
                closed = True
                break
            time.sleep(0.1)
            if time.monotonic() - start > 3:
                break
        reply = b"" if closed else conn.recv(1024)
        assert not reply.startswith(b"HTTP/1.1 200") and time.monotonic() - start < 3
    assert _ask(address).startswith(b"HTTP/1.1 200")
    assert _stats(address)["requests"]["slow_requests"] == 1
    assert "Traceback" not in capsys.readouterr().err


def test_one_client_cannot_hold_every_slot(strict_server) -> None:
    _, address = strict_server
    held = [socket.create_connection(address, timeout=5) for _ in range(5)]
    time.sleep(0.2)
    refused = sum(conn.recv(1024).startswith(b"HTTP/1.1 503") for conn in held[3:])
    assert refused == 2  # its share is 3 of the 6 slots
    with socket.create_connection(address, timeout=5, source_address=("127.0.0.2", 0)) as other:
        other.sendall(REQUEST)
        assert other.recv(65536).startswith(b"HTTP/1.1 200")
    for conn in held:
        conn.close()
