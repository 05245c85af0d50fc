"""Simulator throughput: in-process cached lookups, /virtual over loopback vs an upstream-style server,
and the import time of a 100k-entry StableToolBench-layout cache (generated in a temp folder).

The baseline server answers the way StableToolBench's server/main.py does: every request opens and
json-loads the whole per-API file, then looks up `str(tool_input)`. It runs on the same standard-library
HTTP stack as ours, so the ratio measures the store design, not the web framework. Servers run in their
own process; clients use keep-alive connections (with a new connection per request, as upstream's
`requests.post` makes, both servers are bound by connection setup: about 400-500 requests/s here).
The HTTP comparison runs twice: the main layout, and the same records in 10x fewer, 10x larger files.

    .venv/bin/python perf/sim_throughput.py [--records 100000] [--apis 2000] [--out perf/results/sim_throughput.json]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.core.naming import function_name  # noqa: E402
from benchmarks.core.types import ToolSpec  # noqa: E402
from tools_sim.cache import ResponseCache  # noqa: E402
from tools_sim.layout import virtual_path  # noqa: E402
from tools_sim.server import VirtualServer  # noqa: E402
from tools_sim.simulator import Simulator  # noqa: E402
from tools_sim.store import Store  # noqa: E402
from tools_sim.types import ToolCall  # noqa: E402

CATEGORY = "Data"
TOOLS_PER_TASK = 5  # tools offered per call, as a task's api_list would
CONCURRENT_CLIENTS = 16


# ---------------------------------------------------------------- data set


def _tool(i: int) -> str:
    return f"perf tool {i // 4}"  # 4 APIs per tool


def _api(i: int) -> str:
    return f"Get Item {i % 4}"


def make_cache(root: Path, records: int, apis: int, seed: int = 0) -> list[tuple[int, dict[str, Any]]]:
    """Write the StableToolBench layout (json.dump indent=4, Python-repr keys); returns (api, arguments)
    of every record. Replies look like RapidAPI ones: a few fields and a text of a few hundred chars."""
    rng = random.Random(seed)
    calls: list[tuple[int, dict[str, Any]]] = []
    for a in range(apis):
        path = virtual_path(CATEGORY, _tool(a), _api(a))
        folder = root / path[0] / path[1]
        folder.mkdir(parents=True, exist_ok=True)
        data = {}
        for r in range(records // apis + (a < records % apis)):
            arguments = {"query": f"item {a}-{r}", "page": r % 7, "lang": rng.choice(["en", "fr", "de"])}
            text = " ".join(rng.choice(["alpha", "beta", "gamma", "delta", "omega"]) for _ in range(60))
            data[str(arguments)] = {"error": "", "response": {"id": r, "title": f"title {a}-{r}", "text": text,
                                                              "score": rng.random(), "tags": ["x", "y"]}}
            calls.append((a, arguments))
        with (folder / f"{path[2]}.json").open("w") as f:
            json.dump(data, f, indent=4)
    return calls


def _spec(a: int) -> ToolSpec:
    return ToolSpec(category=CATEGORY, tool=_tool(a), api=_api(a), function_name=function_name(_api(a), _tool(a)),
                    description="", parameters={})


# ---------------------------------------------------------------- in process


def _rate(n: int, seconds: float) -> float:
    return round(n / seconds, 1)


def in_process(cache: ResponseCache, calls: list[tuple[int, dict[str, Any]]], apis: int) -> dict[str, Any]:
    specs = [_spec(a) for a in range(apis)]
    tool_calls = [ToolCall(tuple(specs[(a // TOOLS_PER_TASK) * TOOLS_PER_TASK:][:TOOLS_PER_TASK]),
                           specs[a].function_name, json.dumps(args)) for a, args in calls]
    paths = [virtual_path(CATEGORY, _tool(a), _api(a)) for a in range(apis)]
    result: dict[str, Any] = {"keys": len(calls)}

    start = time.perf_counter()
    hits = sum(cache.lookup_path(paths[a], args) is not None for a, args in calls)
    result["cache_lookup_per_s"] = _rate(len(calls), time.perf_counter() - start)
    assert hits == len(calls), hits

    respelled = [(a, {k: str(v) for k, v in reversed(args.items())}) for a, args in calls]  # order, "5" vs 5
    start = time.perf_counter()
    hits = sum(cache.lookup_path(paths[a], args) is not None for a, args in respelled)
    result["cache_lookup_canonical_per_s"] = _rate(len(calls), time.perf_counter() - start)
    assert hits == len(calls), hits

    simulator = Simulator(cache)
    start = time.perf_counter()
    for call in tool_calls:
        simulator.call_many([call])
    result["call_many_single_per_s"] = _rate(len(calls), time.perf_counter() - start)
    for batch in (1_000, len(tool_calls)):
        start = time.perf_counter()
        for i in range(0, len(tool_calls), batch):
            simulator.call_many(tool_calls[i:i + batch])
        result[f"call_many_batch{batch}_per_s"] = _rate(len(calls), time.perf_counter() - start)
    assert simulator.stats()["hits"] == 3 * len(calls)
    return result


# ---------------------------------------------------------------- servers


class UpstreamStyleHandler(BaseHTTPRequestHandler):
    """StableToolBench's /virtual cache path: the whole per-API file json-loaded on every request."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    cache_folder = Path()

    def do_POST(self) -> None:
        info = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        category, tool, api = virtual_path(info["category"], info["tool_name"], info["api_name"])
        tool_input = info["tool_input"]
        try:
            tool_input = json.loads(tool_input)
        except Exception:
            tool_input = {} if tool_input == "" else tool_input
        reply = {"error": "API not working error...", "response": ""}  # no real API, no LLM here
        file = os.path.join(self.cache_folder, category, tool, api + ".json")
        if os.path.exists(file):
            with open(file) as f:
                cache = json.load(f)
            reply = cache.get(str(tool_input), reply)
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class UpstreamStyleServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = VirtualServer.request_queue_size  # same backlog as ours


def serve(kind: str, source: str) -> None:
    """Server process: prints its port, serves until killed."""
    if kind == "ours":
        server: ThreadingHTTPServer = VirtualServer(Simulator(ResponseCache.open(source), ["error"]), port=0)
    else:
        UpstreamStyleHandler.cache_folder = Path(source)
        server = UpstreamStyleServer(("127.0.0.1", 0), UpstreamStyleHandler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


def _body(a: int, args: dict[str, Any]) -> bytes:
    path = virtual_path(CATEGORY, _tool(a), _api(a))
    return json.dumps({"category": CATEGORY, "tool_name": path[1], "api_name": path[2],
                       "tool_input": json.dumps(args), "strip": "", "toolbench_key": ""}).encode()


def _post_all(port: int, bodies: list[bytes]) -> list[bytes]:
    """One client: one keep-alive connection, requests one after another."""
    replies = []
    connection = http.client.HTTPConnection("127.0.0.1", port)
    for body in bodies:
        connection.request("POST", "/virtual", body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        replies.append(response.read())
        assert response.status == 200, response.status
    connection.close()
    return replies


def _concurrent(port: int, bodies: list[bytes]) -> None:
    """CONCURRENT_CLIENTS clients at once, each on its own connection; any failure fails the measure."""
    with ThreadPoolExecutor(CONCURRENT_CLIENTS) as pool:
        done = pool.map(lambda chunk: len(_post_all(port, chunk)),
                        [bodies[i::CONCURRENT_CLIENTS] for i in range(CONCURRENT_CLIENTS)])
        assert sum(done) == len(bodies)


def _timed(run: Callable[[], Any], n: int) -> tuple[float, Any]:
    start = time.perf_counter()
    value = run()
    return _rate(n, time.perf_counter() - start), value


def http_throughput(store: Path, folder: Path, calls: list[tuple[int, dict[str, Any]]], n: int) -> dict[str, Any]:
    rng = random.Random(1)
    bodies = [_body(a, args) for a, args in rng.sample(calls, n)]
    files = list(folder.rglob("*.json"))
    result: dict[str, Any] = {"api_files": len(files),
                              "mean_file_bytes": round(sum(f.stat().st_size for f in files) / len(files)),
                              "requests": n, "concurrent_clients": CONCURRENT_CLIENTS}
    replies = {}
    for kind, source in (("ours", store), ("upstream_style", folder)):
        process = subprocess.Popen([sys.executable, __file__, "--serve", kind, str(source)], stdout=subprocess.PIPE,
                                   text=True)
        try:
            port = int(process.stdout.readline())  # type: ignore[union-attr]
            _post_all(port, bodies[:50])  # warm up
            rates = {}
            rates["sequential_per_s"], replies[kind] = _timed(partial(_post_all, port, bodies), n)
            rates[f"concurrent{CONCURRENT_CLIENTS}_per_s"], _ = _timed(partial(_concurrent, port, bodies), n)
            result[kind] = rates
        finally:
            process.kill()
            process.wait()
    assert [json.loads(r) for r in replies["ours"]] == [json.loads(r) for r in replies["upstream_style"]]
    result["same_replies"] = True
    result["ratio"] = {k: round(result["ours"][k] / result["upstream_style"][k], 2) for k in result["ours"]}
    return result


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--apis", type=int, default=2_000)
    parser.add_argument("--large-file-apis", type=int, default=200, help="APIs of the second HTTP layout")
    parser.add_argument("--http-requests", type=int, default=3_000)
    parser.add_argument("--out", default="perf/results/sim_throughput.json")
    parser.add_argument("--serve", nargs=2, metavar=("KIND", "SOURCE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(*args.serve)
        return

    workdir = Path(tempfile.mkdtemp(prefix="umi-sim-perf-"))
    try:
        folder, store_path = workdir / "tool_response_cache", workdir / "store.sqlite"
        start = time.perf_counter()
        calls = make_cache(folder, args.records, args.apis)
        generated_s = time.perf_counter() - start
        dataset = {"records": len(calls), "api_files": args.apis, "generate_s": round(generated_s, 2)}

        start = time.perf_counter()
        with Store(store_path) as store:
            report = store.import_dir(folder)
        imported_s = time.perf_counter() - start
        start = time.perf_counter()
        cache = ResponseCache.open(store_path)
        opened_s = time.perf_counter() - start
        start = time.perf_counter()
        ResponseCache.read_dir(folder)
        read_dir_s = time.perf_counter() - start
        loading = {"import_s": round(imported_s, 2), "imported_records": report.records,
                   "store_bytes": store_path.stat().st_size, "open_store_into_memory_s": round(opened_s, 2),
                   "read_dir_into_memory_s": round(read_dir_s, 2)}
        print("loading", loading, flush=True)

        lookups = in_process(cache, calls, args.apis)
        print("in_process", lookups, flush=True)
        cache.store.close()  # type: ignore[union-attr]
        served = {"main_layout": http_throughput(store_path, folder, calls, args.http_requests)}
        print("http", served, flush=True)
        large_folder, large_store = workdir / "large_files", workdir / "large.sqlite"
        large_calls = make_cache(large_folder, args.records, args.large_file_apis)
        with Store(large_store) as store:
            store.import_dir(large_folder)
        served["large_files"] = http_throughput(large_store, large_folder, large_calls, args.http_requests)
        print("http large files", served["large_files"], flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    results = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                           "platform": platform.platform()},
               "dataset": dataset, "loading": loading, "in_process": lookups, "http": served}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
