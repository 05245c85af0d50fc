"""The tool response simulator: one batch of calls in, ToolBench observations out, deterministic.

    simulator.py    resolve the function, look the call up in the cache, then ask the miss policies
    cache.py, store.py, layout.py, keys.py   StableToolBench's cache in memory, on SQLite, on disk
    policies.py     miss policies (registry MISS_POLICIES): synthesize, llm, mirrorapi(-cot), error, a
                    benchmark's responder
    server.py       StableToolBench's /virtual endpoint over the simulator
Imports only itself and benchmarks.core.
"""
