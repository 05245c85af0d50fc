"""Execution: where role models run and how requests reach them. Owns the executor interface (submit a batch
or a request, wait for what finished, listeners told of each), the in-process executor, the Ray actors and
their start-up, and placement (which roles share an engine, the CPUs and GPUs of each actor). May import
engine.types and engine.backends, never engine.schedule, engine.runner, engine.config or engine.cli.
"""
