"""Configuration: agent presets, agent and sweep YAML files, command-line overrides of role models, and the
safe YAML loader they share. Owns turning names and files into an `AgentSpec`; runs nothing. May import
engine.types, engine.agents (agent kinds), engine.search (strategy names), engine.execution (placement:
which roles share an engine) and engine.backends, never engine.schedule, engine.runner or engine.cli.
"""
