"""`presets [NAME]`: the agent presets, one line each, or one preset's every setting (as an agent YAML
would give them: a preset is a starting point for `preset: NAME` in an agent file)."""
from __future__ import annotations

import argparse
import json
from typing import Any

import yaml

from engine.cli.base import Subcommand, UserError
from engine.types import AgentSpec


def preset_line(agent: AgentSpec) -> str:
    """name, kind, format, strategy, rounds, and each distinct role model with its backend and new tokens."""
    models = sorted({f"{spec.backend}:{spec.model} ({spec.sampling.max_new_tokens} new tokens)" for spec in agent.roles.values()})
    roles = f"{', '.join(agent.roles)}: {'; '.join(models)}" if agent.roles else "no model (replays gold solutions)"
    return (f"{agent.name:<24} {agent.kind:<6} format {agent.format:<18} {agent.strategy:<5} "
            f"max_steps {agent.max_steps}  {roles}")


def preset_settings(agent: AgentSpec) -> str:
    """Every setting of the preset as YAML (through JSON: tuples become lists)."""
    data: dict[str, Any] = json.loads(json.dumps(agent.to_json()))
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False)


class PresetsCommand(Subcommand):
    name = "presets"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("name", nargs="?", help="a preset to show in full (default: list them all)")

    def run(self, args: argparse.Namespace, argv: list[str]) -> int:
        from benchmarks.core.registry import did_you_mean
        from engine.config.presets import PRESETS

        if args.name is None:
            print("\n".join(preset_line(agent) for agent in PRESETS.values()))
            print("\n`umi-eval presets NAME` shows every setting of one; an agent YAML starts from one with `preset: NAME`")
            return 0
        if args.name not in PRESETS:
            raise UserError(f"unknown preset {args.name!r}{did_you_mean(args.name, list(PRESETS))}; valid: {', '.join(PRESETS)}")
        print(preset_settings(PRESETS[args.name]), end="")
        return 0
