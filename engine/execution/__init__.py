"""Execution: where role models run and how requests reach them. Owns the executor interface (executor.py:
submit a batch or a request, wait for what finished, listeners told of each), the in-process executor
(local.py), the Ray actors (ray_executor.py, worker.py) and Ray's start-up (ray_start.py), role replica pools
and their routers (pool.py, routing.py, replicas.py), which runs of a sweep grow into free GPUs (growth.py: a
pure decision), and placement (which roles share an engine, the CPUs
and GPUs of each actor). May import
engine.types and engine.backends, never engine.schedule, engine.runner, engine.config or engine.cli.
"""
