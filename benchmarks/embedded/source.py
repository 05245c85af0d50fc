"""The embedded benchmark as a run source (`--benchmark embedded`): tasks, the gold responses to preload
into the simulator's cache, and the world as a responder (plain data: the simulator makes it its first
miss policy), so a call the gold solution did not make (other arguments, another API) still gets the
world's real data instead of a synthesized guess.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from benchmarks.core.types import LoadedBenchmark, ToolReply, ToolSpec
from benchmarks.embedded.core import WORLD_VERSION, InvalidArguments
from benchmarks.embedded.generate import BENCHMARK, EmbeddedBenchmark, generate
from benchmarks.embedded.world import endpoint

DEFAULT_PER_GROUP = 20  # the main job's size: 120 queries, minutes per agent on a CPU


def world_reply(spec: ToolSpec, arguments: dict[str, Any]) -> ToolReply | None:
    """The world's answer to a call, None for an API outside the world (the simulator asks its next policy).

    Invalid arguments are refused with the reason, as a real API would refuse them.
    """
    found = endpoint(spec.category, spec.tool, spec.api)
    if found is None:
        return None
    try:
        return ToolReply(found.api.reply(arguments))
    except InvalidArguments as e:
        return ToolReply(invalid=f"Invalid arguments: {e}")


def fingerprint(bench: EmbeddedBenchmark) -> str:
    """sha256 over every task's text and gold facts: two runs used the same benchmark iff equal."""
    rows = [[t.key, t.query, [s.function_name for s in t.tools], list(t.gold.facts if t.gold else ())]
            for t in bench.tasks]
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


def load_embedded(per_group: int | None = None, seed: int = 0) -> LoadedBenchmark:
    """Generate the benchmark for a run (DEFAULT_PER_GROUP queries per group unless told)."""
    bench = generate(per_group or DEFAULT_PER_GROUP, seed)
    return LoadedBenchmark(BENCHMARK, bench.tasks, describe(bench), cache_entries=bench.cached_responses(),
                           responder=world_reply)


def describe(bench: EmbeddedBenchmark) -> dict[str, Any]:
    """What run.json (and a dataset card) records of the generated benchmark."""
    return {"name": BENCHMARK, "world_version": WORLD_VERSION, "seed": bench.seed, "per_group": bench.per_group,
            "sha256": fingerprint(bench)}
