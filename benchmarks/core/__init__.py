"""The foundation every package stands on, importing nothing else of umi-eval: what a task and a tool are
(types.py), ToolBench's naming and function schemas (naming.py, schemas.py), one agent step as read from
text (steps.py), and the generic registry behind every extension point (registry.py).
"""
