"""Engine data types: agents, model requests and trajectories (all serialisable with orjson)."""
from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

from roles.types import Prompt, Turn

NODES_PER_ROUND = 3  # ToolBench tree nodes per model round: Thought, Action, Action Input
TrajectoryStatus = Literal["running", "answered", "gave_up", "max_steps", "failed"]


@dataclass(frozen=True)
class SamplingParams:
    """Decoding settings of one role. temperature 0 means greedy."""

    temperature: float = 0.0
    top_p: float = 1.0
    max_new_tokens: int = 512
    stop: tuple[str, ...] = ()
    json_schema: str | None = None  # a JSON Schema (as canonical JSON text) the reply must match; vllm only
    prompt_tokens: int | None = None  # keep at most the LAST this many prompt tokens (hf, vllm); None: what fits
    # Tokens generated before end-of-sequence may end the reply: 1 emulates upstream's `force_generate=True`
    # (vllm `min_tokens`, transformers `min_new_tokens`, `min_tokens` to an OpenAI-compatible vLLM server).
    min_new_tokens: int = 0


@dataclass(frozen=True)
class ModelSpec:
    """Which model serves a role and how. Roles with equal `actor_key` share one actor."""

    model: str = "embedded"
    backend: str = "hf"
    dtype: str = "bf16"
    sampling: SamplingParams = SamplingParams()
    max_context: int | None = None  # None: the model's own limit
    batch_size: int = 64
    num_cpus: float = 1.0
    num_gpus: float = 0.0  # 0 on a GPU cluster: the executor assigns GPUs (engine.execution.placement)
    gpu_memory_utilization: float | None = None  # vllm: this engine's share of its GPU's memory
    tensor_parallel_size: int = 1  # vllm: GPUs per engine, reserved through a placement group
    engine: str = ""  # a name that gives this role its own engine even when the model is shared
    request_timeout_s: float = 60.0  # openai: one attempt's whole reply
    max_retries: int = 5  # openai: attempts after the first on a transient failure
    replicas: int = 1  # engines serving this role, each its own actor and GPU(s), behind one router (engine.execution)

    @property
    def actor_key(self) -> str:
        key = f"{self.backend}:{self.model}:{self.dtype}"
        return f"{key}@{self.engine}" if self.engine else key


@dataclass(frozen=True)
class AgentSpec:
    """An agent: its prompt format, one ModelSpec per role, and its limits.

    kind "multi" has roles planner/caller/summarizer; "single" has the role backbone; "oracle" replays gold.
    """

    name: str
    kind: Literal["single", "multi", "oracle"]
    format: str
    roles: dict[str, ModelSpec]
    format_options: dict[str, Any] = field(default_factory=dict)
    max_steps: int = 4  # model rounds per chain, Finish included: ToolBench's depth limit (`max_depth`)
    planner_attempts: int = 5  # planner generations per step while its output is empty (upstream's loop)
    placement: str = "shared"  # shared | per-role | colocate (engine.execution.placement)
    strategy: str = "cot"  # cot: one chain per task; dfsdt: ToolBench's tree search (engine.search)
    # "upstream": the environment's quirks as ToolBench's `_step` has them (an empty action name calls the first
    # API; arguments that are not JSON get status 0); "strict" refuses the first and counts the second (12).
    compat: Literal["strict", "upstream"] = "strict"
    # Whose ToolEval converter turns its DFSDT answer files into tooleval/<group>.json (benchmarks.results.
    # raw_answers.VARIANTS): "alpha-umi" is the variant alpha-UMi's published numbers were judged on.
    export_variant: Literal["toolbench", "alpha-umi"] = "toolbench"

    @property
    def max_depth(self) -> int:
        """ToolBench's single_chain_max_step: a chain stops once it is this many tree nodes deep, every round
        adding 3 (Thought, Action, Action Input; a Finish too), so 12 nodes = 4 rounds, at most 3 tool calls
        before Finish. A round that calls a tool at the limit still makes its call, then the chain ends."""
        return NODES_PER_ROUND * self.max_steps

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class RoleRequest:
    """One generation asked of a role model; `seed` makes sampling reproducible per request."""

    request_id: str
    role: str
    prompt: Prompt
    sampling: SamplingParams
    seed: int


@dataclass
class RoleResult:
    request_id: str
    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    finish_reason: str = "stop"
    error: str | None = None


@dataclass
class CallRecord:
    """One tool call of a trajectory with what the simulator answered."""

    name: str
    arguments: str
    observation: str
    status: int
    source: str
    function_name: str | None = None
    thought: str = ""  # what the agent said with the call (ToolEval's converted answers show it)


@dataclass
class ThoughtRecord:
    """A reply without a call (ChatGPT's function calling): ToolBench's runner keeps it as a Thought node."""

    text: str
    calls_before: int  # its place in the chain: after this many calls


@dataclass
class RoleUsage:
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0


@dataclass
class Trajectory:
    """The state and record of one (task x agent x seed) episode."""

    task_key: str
    group: str
    query_id: str
    agent: str
    seed: int
    turns: list[Turn] = field(default_factory=list)
    calls: list[CallRecord] = field(default_factory=list)
    status: TrajectoryStatus = "running"
    final_answer: str = ""
    finish_thought: str = ""  # what the agent said with Finish (ToolEval's converted answers show it)
    finish_arguments: str = ""  # Finish's arguments as the model wrote them (single-LLM agents; "" for the others)
    parse_failures: int = 0
    unmarked_plans: int = 0
    planner_retries: int = 0
    error: str = ""
    tries: int = 1  # the runs that have tried this trajectory: a resumed run retries failed ones
    usage: dict[str, RoleUsage] = field(default_factory=dict)
    started_at: float = 0.0
    finished_at: float = 0.0
    search: dict[str, Any] = field(default_factory=dict)  # a search tree's figures (engine.search); empty for a chain
    thoughts: list[ThoughtRecord] = field(default_factory=list)  # replies without a call, in order

    @property
    def done(self) -> bool:
        return self.status != "running"

    @property
    def steps(self) -> int:
        return len(self.calls)

    def record_usage(self, role: str, result: RoleResult) -> None:
        usage = self.usage.setdefault(role, RoleUsage())
        usage.calls += 1
        usage.prompt_tokens += result.prompt_tokens
        usage.completion_tokens += result.completion_tokens
        usage.latency_s += result.latency_s

    def to_record(self) -> dict[str, Any]:
        """The trajectory as its trajectories.jsonl record (benchmarks.results.trajectories)."""
        # Not dataclasses.asdict, whose generic deep walk was an eighth of the driver's time: the instance's
        # attributes copied at once (set by __init__ in field order, so the keys and the written line are the
        # same), then a copy of each container field.
        attributes = vars(self)
        if len(attributes) == len(_TRAJECTORY_FIELDS):
            record = dict(attributes)
        else:  # an attribute set beside the fields stays out of the record
            record = {name: attributes[name] for name in _TRAJECTORY_FIELDS}
        for name, copied in _RECORD_VALUE.items():
            record[name] = copied(record[name])
        record["steps"] = self.steps
        for name in _OMITTED_WHEN_EMPTY:  # records without them keep their lines as before
            if not record[name]:
                del record[name]
        return record

    def finish(self, status: TrajectoryStatus, answer: str = "", thought: str = "", arguments: str = "") -> None:
        self.status = status
        self.final_answer = answer
        self.finish_thought = thought
        self.finish_arguments = arguments


_TRAJECTORY_FIELDS = tuple(f.name for f in dataclasses.fields(Trajectory))
_OMITTED_WHEN_EMPTY = ("finish_arguments", "search", "thoughts")
_RECORD_VALUE = {  # the record's copy of each field holding dataclasses or containers (the rest are scalars)
    "turns": lambda turns: [{"role": t.role, "text": t.text} for t in turns],
    "calls": lambda calls: [dict(vars(call)) for call in calls],
    "usage": lambda usage: {role: dict(vars(u)) for role, u in usage.items()},
    "search": lambda search: copy.deepcopy(search) if search else {},
    "thoughts": lambda thoughts: [dict(vars(thought)) for thought in thoughts],
}
