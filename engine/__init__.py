"""Where models meet data: a run steps many trajectories at once through role models and the simulator.

    types.py, agents.py   the data of a run and the agents as state machines (the foundation)
    backends/             the Backend protocol and registry (hf, vllm, openai, scripted, modelled), request streams
    search/               strategies (cot, dfsdt): what one schedulable unit is
    execution/            executors (in-process, Ray actors), placement, start-up
    schedule/             lockstep, pipelined and continuous schedules and their registry
    judges/               model judges for scoring
    config/               presets, agent and sweep files, safe YAML
    runner/               one run, sweeps, static evaluation, the run folder's files
    cli/                  the command line, one module per subcommand
Only this package imports `engine`; it may import every other package. Inside it, each sub-package names in
its docstring what it may import (docs/ARCHITECTURE.md, checked by tests/test_import_rules.py).
"""
