"""Export the embedded benchmark in ToolBench's own layout, so every ToolBench-reading tool (ours, the
StableToolBench server, ToolEval) can use it:

    test_instruction/<group>.json    full-form query files (StableToolBench's solvable_queries shape)
    test_query_ids/<group>.json      {"<id>": 0, ...}
    toolenv/tools/<Category>/<tool>.json   RapidAPI tool documentation files
    tool_response_cache/...          StableToolBench's cache with every gold call's response
    gold/<group>.json                gold calls, answer and facts (goldfile.py)
    manifest.json                    seed, size, world version, counts

Everything is written into a temporary sibling folder that is renamed at the end: a crash leaves
nothing half-written under the target name.
"""
from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, Callable, Sequence

from benchmarks.embedded.core import WORLD_VERSION, between, integer
from benchmarks.embedded.generate import EmbeddedBenchmark
from benchmarks.embedded.goldfile import GOLD_DIR, gold_to_json
from benchmarks.embedded.world import CATEGORIES, Endpoint, tool_endpoints
from benchmarks.core.naming import standardize
from benchmarks.results.files import write_new_folder
from benchmarks.toolbench import order_groups
from benchmarks.core.types import CachedResponse, Task

CacheWriter = Callable[[Path, Sequence[CachedResponse]], object]


def _dump(path: Path, data: Any) -> None:
    """JSON as upstream writes it (indent 4, ASCII escapes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        json.dump(data, f, indent=4)


def _record(task: Task) -> dict[str, Any]:
    return {"api_list": [t.api_entry for t in task.tools], "query": task.query,
            "relevant APIs": [list(pair) for pair in task.relevant_apis], "query_id": int(task.query_id)}


def _slug(tool: str) -> str:
    return standardize(tool).replace("_", "-")


def _code(url: str, host: str, query: dict[str, Any]) -> str:
    """The `requests` snippet RapidAPI shows for an endpoint (as in ToolBench's tool files)."""
    return ("import requests\n\n"
            f'url = "{url}"\nquerystring = {json.dumps(query)}\n\n'
            'headers = {\n            "X-RapidAPI-Key": "SIGN-UP-FOR-KEY",\n'
            f'            "X-RapidAPI-Host": "{host}"\n        }}\n\n'
            "response = requests.get(url, headers=headers, params=querystring)\nprint(response.json())\n")


def _tool_api(e: Endpoint, host: str) -> dict[str, Any]:
    url = f"https://{host}/{_slug(e.api.name)}"
    code = _code(url, host, e.api.default_args())
    # template_response is not in upstream's tool files; it is kept so a minimal-form query completed
    # from these files documents the API exactly as the full-form query file does.
    return {"name": e.api.name, "url": url, "description": e.api.description, "method": "GET",
            "required_parameters": e.entry["required_parameters"],
            "optional_parameters": e.entry["optional_parameters"], "code": code, "convert_code": code,
            "test_endpoint": e.api.call(e.api.default_args()), "template_response": e.entry["template_response"]}


def tool_json(category: str, tool: str) -> dict[str, Any]:
    """A RapidAPI tool file (the shape of toolbench/toolenv/tools/Social/olato_quotes.json)."""
    endpoints = tool_endpoints(category, tool)
    host = f"{_slug(tool)}.p.rapidapi.com"
    return {"product_id": f"api_{uuid.uuid5(uuid.NAMESPACE_DNS, host)}",
            "tool_description": endpoints[0].tool.description,
            "home_url": f"https://rapidapi.com/umi-eval/api/{_slug(tool)}/", "name": tool, "title": tool,
            "pricing": "FREE", "tool_name": tool,
            "score": {"avgServiceLevel": 100, "avgLatency": integer(80, 900, host, "latency"), "avgSuccessRate": 100,
                      "popularityScore": between(5, 9.9, host, "popularity"), "__typename": "Score"},
            "host": host, "api_list": [_tool_api(e, host) for e in endpoints], "standardized_name": standardize(tool)}


def _write_all(bench: EmbeddedBenchmark, root: Path, write_cache: CacheWriter) -> None:
    by_group: dict[str, list[Task]] = {}
    for task in bench.tasks:
        by_group.setdefault(task.group, []).append(task)
    for group in order_groups(by_group):
        tasks = by_group[group]
        _dump(root / "test_instruction" / f"{group}.json", [_record(t) for t in tasks])
        _dump(root / "test_query_ids" / f"{group}.json", {t.query_id: 0 for t in tasks})
        _dump(root / GOLD_DIR / f"{group}.json", {t.query_id: gold_to_json(t.gold) for t in tasks if t.gold})
    for c in CATEGORIES:
        for t in c.tools:
            _dump(root / "toolenv" / "tools" / c.name / f"{standardize(t.name)}.json", tool_json(c.name, t.name))
    write_cache(root / "tool_response_cache", bench.cached_responses())
    _dump(root / "manifest.json", {"benchmark": "embedded", "world_version": WORLD_VERSION, "seed": bench.seed,
                                   "per_group": bench.per_group,
                                   "groups": {g: len(ts) for g, ts in by_group.items()},
                                   "cached_responses": len(bench.cache)})


def write(bench: EmbeddedBenchmark, out_dir: str | Path, write_cache: CacheWriter) -> Path:
    """Write the benchmark to out_dir (new or empty); returns the folder. FileExistsError otherwise.

    `write_cache(folder, responses)` writes the response cache: its layout belongs to the simulator
    (tools_sim.cache.write_cache_dir), which this package does not import."""
    return write_new_folder(out_dir, lambda folder: _write_all(bench, folder, write_cache))
