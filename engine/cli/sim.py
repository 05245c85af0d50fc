"""`sim ...`: the response store and the /virtual server from the command line.

    sim import DIR [--store PATH] [--skip-corrupt]   a StableToolBench tool_response_cache folder -> store
    sim export DIR [--store PATH]                    store -> the same folder layout, same files and keys
    sim stats [--store PATH]                         records by source, APIs, size (JSON)
    sim serve [--store PATH] [--host H] [--port P] [--miss-policy synthesize,llm,error] [--sim-model M]

Without --store the per-user store is used (tools_sim.store.default_store_path). Only `serve` with the llm
miss policy builds a model (and imports the engine's backends).
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from pathlib import Path

from engine.cli.base import Subcommand
from engine.cli.run import add_simulator_args
from tools_sim.cache import ResponseCache
from tools_sim.layout import CacheFormatError
from tools_sim.llm import Generate
from tools_sim.policies import needs_model
from tools_sim.server import DEFAULT_HOST, DEFAULT_PORT, VirtualServer
from tools_sim.simulator import Simulator
from tools_sim.store import Store, default_store_path, import_dir


class SimCommand(Subcommand):
    name = "sim"
    user_errors = (CacheFormatError, OSError, ValueError, sqlite3.Error)  # OSError: missing paths, port in use

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="sim_command", required=True)
        imported = actions.add_parser("import", help="import a StableToolBench tool_response_cache folder")
        imported.add_argument("dir", help="folder of <category>/<tool>/<api>.json files")
        imported.add_argument("--skip-corrupt", action="store_true",
                              help="import the readable files and list the corrupt ones (default: import nothing)")
        exported = actions.add_parser("export", help="write the store as a StableToolBench tool_response_cache folder")
        exported.add_argument("dir", help="output folder (existing files of the same APIs are replaced)")
        actions.add_parser("stats", help="print the store's counts as JSON")
        serve = actions.add_parser("serve", help="serve StableToolBench's /virtual endpoint (and /stats)")
        serve.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST})")
        serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
        add_simulator_args(serve)
        for sub in (imported, exported, actions.choices["stats"], serve):
            sub.add_argument("--store", type=Path, help=f"store file (default {default_store_path()})")

    def run(self, args: argparse.Namespace, argv: list[str]) -> int:
        return _COMMANDS[args.sim_command](args, args.store or default_store_path())


def _llm_model(args: argparse.Namespace, policies: list[str]) -> Generate | None:
    if not needs_model(policies):
        return None
    from engine.cli.base import guarded
    from engine.runner.tool_simulator import simulator_generate

    return guarded(simulator_generate)(args.sim_model)


def _import(args: argparse.Namespace, store_path: Path) -> int:
    started = time.perf_counter()
    report = import_dir(store_path, args.dir, skip_corrupt=args.skip_corrupt)
    for problem in report.skipped:
        print(f"umi-eval: skipped corrupt file (left untouched): {problem}", file=sys.stderr)
    print(f"imported {report.records} records from {report.files} files into {store_path} "
          f"in {time.perf_counter() - started:.1f} s")
    return 1 if report.skipped else 0


def _export(args: argparse.Namespace, store_path: Path) -> int:
    _require(store_path)
    with Store(store_path) as store:
        cache = ResponseCache.open(store)
        files = cache.write_dir(args.dir)
    print(f"exported {len(cache)} records as {files} files to {args.dir}")
    return 0


def _stats(args: argparse.Namespace, store_path: Path) -> int:
    _require(store_path)
    with Store(store_path) as store:
        print(json.dumps(store.summary(), indent=2))
    return 0


def _serve(args: argparse.Namespace, store_path: Path) -> int:
    policies = [p.strip() for p in args.miss_policy.split(",") if p.strip()]
    cache = ResponseCache.open(store_path)
    try:
        server = VirtualServer(Simulator(cache, policies, generate=_llm_model(args, policies)), args.host, args.port)
        host, port = str(server.server_address[0]), server.server_address[1]
        print(f"serving /virtual and /stats on http://{host}:{port} ({len(cache)} records from {store_path}); "
              "Ctrl-C stops", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    finally:
        cache.store.close()  # type: ignore[union-attr]
    return 0


def _require(store_path: Path) -> None:
    """Reading commands do not create an empty store where the user mistyped a path."""
    if not store_path.is_file():
        raise FileNotFoundError(f"response store not found: {store_path} (create it with: sim import DIR)")


_COMMANDS = {"import": _import, "export": _export, "stats": _stats, "serve": _serve}
