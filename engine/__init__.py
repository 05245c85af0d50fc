"""Where models meet data: a run steps many trajectories at once through role models and the simulator.

    run.py          one run: tasks x agent x seed -> every output file (benchmarks.results)
    scheduler.py    lockstep schedule; pipeline.py: pipelined; both batch role calls per actor;
                    continuous.py: each request streamed alone (streaming.py: the engines' request streams)
    agents.py       agents as state machines over a trajectory (what each needs next)
    executor.py     where role models run: in-process, or one Ray actor per model (placement.py)
    backends/       the Backend protocol and its registry: hf, vllm, openai, scripted, modelled
    judges/         model judges for scoring; cli/: the command line; tool_simulator.py: a run's simulator
Only this package imports `engine`; it may import every other package (docs/ARCHITECTURE.md).
"""
