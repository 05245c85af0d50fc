"""The embedded benchmark as a run source (`--benchmark embedded`): tasks, the gold responses to preload
into the simulator's cache, and the world as the first miss policy, so a call the gold solution did
not make (other arguments, another API) still gets the world's real data instead of a synthesized guess.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from benchmarks.embedded.core import WORLD_VERSION, InvalidArguments
from benchmarks.embedded.generate import BENCHMARK, EmbeddedBenchmark, generate
from benchmarks.embedded.world import endpoint
from benchmarks.sources import LoadedBenchmark
from tools_sim.observation import STATUS_REQUEST_INVALID, make_observation
from tools_sim.simulator import Miss
from tools_sim.types import Observation

DEFAULT_PER_GROUP = 20  # the main job's size: 120 queries, minutes per agent on a CPU


class WorldPolicy:
    """Miss policy answering from the embedded world; APIs outside the world pass to the next policy.

    Invalid arguments get an error naming the problem (status 12, request invalid), as a real API
    would refuse them.
    """

    name = "world"

    def respond(self, misses: Sequence[Miss]) -> list[Observation | None]:
        return [self._observation(m) for m in misses]

    @staticmethod
    def _observation(miss: Miss) -> Observation | None:
        spec = miss.spec
        found = endpoint(spec.category, spec.tool, spec.api)
        if found is None:
            return None
        try:
            response = found.api.reply(miss.arguments)
        except InvalidArguments as e:
            return make_observation({"error": f"Invalid arguments: {e}", "response": ""}, "error",
                                    spec.function_name, status=STATUS_REQUEST_INVALID)
        return make_observation({"error": "", "response": response}, "world", spec.function_name)


def fingerprint(bench: EmbeddedBenchmark) -> str:
    """sha256 over every task's text and gold facts: two runs used the same benchmark iff equal."""
    rows = [[t.key, t.query, [s.function_name for s in t.tools], list(t.gold.facts if t.gold else ())]
            for t in bench.tasks]
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


def load_embedded(per_group: int | None = None, seed: int = 0) -> LoadedBenchmark:
    """Generate the benchmark for a run (DEFAULT_PER_GROUP queries per group unless told)."""
    bench = generate(per_group or DEFAULT_PER_GROUP, seed)
    info = {"name": BENCHMARK, "world_version": WORLD_VERSION, "seed": seed, "per_group": bench.per_group,
            "sha256": fingerprint(bench)}
    entries = [(e.category, e.tool, e.api, e.arguments, "", e.response) for e in bench.cache]
    return LoadedBenchmark(BENCHMARK, bench.tasks, info, cache_entries=entries, world=WorldPolicy())
