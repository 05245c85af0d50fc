"""The embedded benchmark: a small deterministic world of RapidAPI-like tools and ToolBench-shaped queries
generated from a seed, with gold solutions whose answers are checked without an LLM judge.

    bench = generate(per_group=100, seed=0)   # tasks + cached gold responses
    write(bench, "out/embedded", write_cache)  # ToolBench's files (+ gold/); load("out/embedded") reads them
    world_response(category, tool, api, args)  # the world's answer to any call
    load_embedded(per_group, seed)             # a run source: tasks, cache entries, the world as responder
"""
from benchmarks.embedded.export import write
from benchmarks.embedded.generate import CacheEntry, EmbeddedBenchmark, generate
from benchmarks.embedded.read import load
from benchmarks.embedded.source import load_embedded, world_reply
from benchmarks.embedded.world import world_response

__all__ = ["CacheEntry", "EmbeddedBenchmark", "generate", "load", "load_embedded", "world_reply", "world_response",
           "write"]
