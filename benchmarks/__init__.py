"""What is evaluated and how it is scored, independent of how it is run.

    core/       Task, ToolSpec, naming, schemas, the registry: the foundation, importing nothing else
    loading.py  `--benchmark` to tasks (registry BENCHMARKS); toolbench.py: ToolBench query files
    embedded/   the embedded benchmark, as plain data
    results/    one module per file format a run writes and scoring reads
    scoring/    judges, ToolEval pass and win rates, StableToolEval SoPR/SoWR, intervals, static metrics
    leaderboard.py   many runs as one table
Imports only itself (engine, roles and tools_sim never; docs/ARCHITECTURE.md).
"""
