"""Agent presets by name, agents from YAML files, and command-line overrides of every role's model."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from benchmarks.core.values import positive_int_problem
from benchmarks.core.naming import check_folder_name
from benchmarks.core.registry import did_you_mean
from engine.execution.placement import PlacementError, assign_engines
from engine.config.safe_yaml import YamlFileError, load_yaml_file
from engine.search import STRATEGIES
from engine.agents import AGENT_KINDS, MULTI_ROLES, SINGLE_ROLES, agent_kind
from engine.types import AgentSpec, ModelSpec, SamplingParams


class AgentConfigError(ValueError):
    pass


# alpha-UMi's released checkpoints decode with temperature 0.5 in real time; greedy is our reproducible
# default, and a YAML agent can set any sampling per role. The authors' real-time loop kept the last
# 4,096 - 512 - 8 prompt tokens (utils.generate_stream: context_len - max_new_tokens - 8).
REAL_TIME_PROMPT_TOKENS = 4096 - 512 - 8
_ALPHA_UMI_MODEL = ModelSpec(model="embedded", sampling=SamplingParams(max_new_tokens=512, prompt_tokens=REAL_TIME_PROMPT_TOKENS))
_TOOLLLAMA_MODEL = ModelSpec(model="embedded", sampling=SamplingParams(max_new_tokens=512))
_CHAT_MODEL = ModelSpec(model="embedded", sampling=SamplingParams(max_new_tokens=128))

PRESETS: dict[str, AgentSpec] = {
    "alpha-umi": AgentSpec("alpha-umi", "multi", "alpha-umi", dict.fromkeys(MULTI_ROLES, _ALPHA_UMI_MODEL)),
    "alpha-umi-backbone": AgentSpec("alpha-umi-backbone", "single", "alpha-umi-backbone", {"backbone": _ALPHA_UMI_MODEL}),
    "toolllama": AgentSpec("toolllama", "single", "toolllama", {"backbone": _TOOLLLAMA_MODEL}),
    "chat-single": AgentSpec("chat-single", "single", "chat-single", {"backbone": _CHAT_MODEL}),
    "chat-multi": AgentSpec("chat-multi", "multi", "chat-multi", dict.fromkeys(MULTI_ROLES, _CHAT_MODEL)),
    "oracle": AgentSpec("oracle", "oracle", "oracle", {}),
}
DFSDT_SUFFIX = "-dfsdt"


def with_strategy(agent: AgentSpec, strategy: str) -> AgentSpec:
    """The agent searching with `strategy`; a dfsdt agent is named `<name>-dfsdt`, so its runs and records
    never mix with the chain agent's."""
    try:
        STRATEGIES.check(strategy)
    except ValueError as exc:
        raise AgentConfigError(str(exc)) from None
    if agent_kind(agent).replays_gold and strategy != "cot":
        raise AgentConfigError("the oracle replays gold chains: its only strategy is cot")
    base = agent.name.removesuffix(DFSDT_SUFFIX)
    return dataclasses.replace(agent, strategy=strategy, name=base + DFSDT_SUFFIX if strategy == "dfsdt" else base)


PRESETS.update({f"{name}{DFSDT_SUFFIX}": with_strategy(spec, "dfsdt") for name, spec in list(PRESETS.items())
                if not agent_kind(spec).replays_gold})


def load_agent(name_or_path: str) -> AgentSpec:
    """A preset by name, or an agent YAML file (see README for its fields)."""
    if name_or_path in PRESETS:
        return PRESETS[name_or_path]
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml", ".json"):
        try:
            data = load_yaml_file(path, "agent file")
        except YamlFileError as exc:
            raise AgentConfigError(str(exc)) from None
        agent = agent_from_dict(data, source=str(path))
        try:
            return assign_engines(agent)
        except PlacementError as exc:
            raise AgentConfigError(f"{path}: {exc}") from exc
    raise AgentConfigError(f"unknown agent preset {name_or_path!r}; valid: {', '.join(PRESETS)} (or a .yaml file)")


AGENT_FILE_KEYS = ("preset", "name", "kind", "format", "format_options", "model", "roles", "max_steps",
                   "placement", "strategy")


def agent_from_dict(data: Any, source: str = "<agent>") -> AgentSpec:
    if not isinstance(data, dict):
        raise AgentConfigError(f"{source}: an agent must be a mapping")
    for key in data:
        if key not in AGENT_FILE_KEYS:
            raise AgentConfigError(f"{source}: unknown key {key!r}{did_you_mean(key, AGENT_FILE_KEYS)}; "
                                   f"valid: {', '.join(AGENT_FILE_KEYS)}")
    base = PRESETS.get(data.get("preset", ""))
    kind = data.get("kind", base.kind if base else None)
    if not isinstance(kind, str) or kind not in AGENT_KINDS:
        raise AgentConfigError(f"{source}: kind must be one of {', '.join(AGENT_KINDS)} (or give a preset)")
    kind_roles = AGENT_KINDS.get(kind).roles
    default_model = _mapping(data.get("model", {}), f"{source}: model")
    given_roles = _mapping(data.get("roles") or {}, f"{source}: roles")
    roles = {}
    for role, spec in given_roles.items():
        if role not in kind_roles:
            raise AgentConfigError(f"{source}: unknown role {role!r} for a {kind} agent; valid: {', '.join(kind_roles)}")
        _mapping(spec, f"{source}: role {role}")
    for role in kind_roles:
        inherited = base.roles[role] if base and role in base.roles else ModelSpec()
        roles[role] = _model_spec(inherited, {**default_model, **given_roles.get(role, {})}, f"{source}: role {role}")
    name = str(data.get("name", base.name if base else Path(source).stem))
    try:
        check_folder_name(name, "agent name")
    except ValueError as exc:
        raise AgentConfigError(f"{source}: {exc}") from None
    agent = AgentSpec(
        name=name,
        kind=kind,
        format=data.get("format", base.format if base else ""),
        roles=roles,
        format_options=data.get("format_options", base.format_options if base else {}),
        max_steps=_max_steps(data.get("max_steps", base.max_steps if base else 4), source),
        placement=str(data.get("placement", base.placement if base else "shared")),
        strategy=base.strategy if base else "cot",
    )
    strategy = data.get("strategy")
    if strategy is None:
        return agent
    named = "name" in data
    searched = with_strategy(agent, str(strategy))
    return dataclasses.replace(searched, name=agent.name) if named else searched


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise AgentConfigError(f"{where} must be a mapping, got {type(value).__name__} {value!r:.80}")
    return value


def _max_steps(value: Any, source: str) -> int:
    if problem := positive_int_problem("max_steps", value):
        raise AgentConfigError(f"{source}: {problem}")
    return value


def _model_spec(base: ModelSpec, overrides: dict[str, Any], where: str) -> ModelSpec:
    fields = {f.name for f in dataclasses.fields(ModelSpec)}
    unknown = set(overrides) - fields
    if unknown:
        raise AgentConfigError(f"{where}: unknown model field(s) {sorted(unknown)}; valid: {sorted(fields)}")
    sampling = overrides.get("sampling")
    if isinstance(sampling, dict):
        sampling_fields = dataclasses.asdict(base.sampling) | sampling
        sampling_fields["stop"] = tuple(sampling_fields.get("stop") or ())
        sampling_fields["json_schema"] = _schema_text(sampling_fields.get("json_schema"), where)
        _check_numbers(sampling_fields, where)
        overrides = {**overrides, "sampling": SamplingParams(**sampling_fields)}
    return dataclasses.replace(base, **overrides)


_SAMPLING_NUMBERS = {"temperature": (int, float), "top_p": (int, float), "max_new_tokens": int, "prompt_tokens": int}


def _check_numbers(sampling: dict[str, Any], where: str) -> None:
    """Numeric sampling settings are numbers (a string or a list would fail deep inside a backend)."""
    for name, wanted in _SAMPLING_NUMBERS.items():
        value = sampling.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, wanted)):
            raise AgentConfigError(f"{where}: sampling.{name} must be a number, got {value!r:.80}")


def _schema_text(schema: Any, where: str) -> str | None:
    """A JSON Schema as canonical JSON text: sampling settings must stay hashable."""
    if schema is None or isinstance(schema, str):
        return schema
    if not isinstance(schema, dict):
        raise AgentConfigError(f"{where}: sampling.json_schema must be a JSON Schema object")
    return json.dumps(schema, sort_keys=True, separators=(",", ":"))


def override_models(agent: AgentSpec, **overrides: Any) -> AgentSpec:
    """Applies --backend/--model/--dtype to every role (None values are left alone)."""
    given = {key: value for key, value in overrides.items() if value is not None}
    if not given:
        return agent
    roles = {role: dataclasses.replace(spec, **given) for role, spec in agent.roles.items()}
    return dataclasses.replace(agent, roles=roles)
