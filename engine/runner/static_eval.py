"""alpha-UMi's static (teacher-forced, step-level) evaluation, Table 1 of the paper (docs/alpha-umi.md).

Every gold planner step of a test file is predicted from the gold history before it and scored with Plan
ACC, Act. EM, Hallu., Arg. F1 and R-L (benchmarks.scoring.static). Each sample runs through the engine's
own agents as an episode whose history is the gold one, so prompts, sampling and per-request seeds are the
real-time ones; only what upstream's static inference does differently is done here
(GLPFT/inference_utils/toolbench/infer_pipeline.py, process_data/toolbench/prepro_backbone.py):
- the caller and summarizer see the predicted plan as a literal `planner: ` turn (not `assistant: `), as
  decoded (unstripped: an empty thought gives `planner:  Next: caller.`);
- unmarked planner text goes to the caller with `Next: caller.` glued on without a space (empty: `none`),
  whatever the format's `unmarked` option says;
- the backbone sees the gold history merged as in its training data (one assistant turn per step);
- prompts keep their last `prompt_tokens` tokens (the collator's max_input_length, 3,750 in the authors' script).
Batching: round 1 asks every sample's planner (or backbone) as one batch; round 2 asks the callers and
summarizers the predicted plans route to, every actor in the same executor call.
"""
from __future__ import annotations

import dataclasses
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.core.steps import CALL, GIVE_UP, StepOutcome
from benchmarks.scoring.static import STATIC_METRICS, static_metrics
from benchmarks.loading import file_sha256
from benchmarks.core.types import Task
from engine.runner import provenance
from engine.agents import Agent, Episode, agent_kind, make_agent
from engine.execution.executor import Executor
from engine.execution.kinds import make_executor
from engine.execution.placement import distinct_models
from engine.runner.progress import RequestProgress
from engine.config.presets import with_sampling
from benchmarks.results.files import write_json_atomic
from engine.types import AgentSpec, RoleRequest, Trajectory
from roles.alpha_umi_steps import (StaticSample, backbone_target, multi_outcome, single_outcome, static_plan,
                                   static_samples)
from roles.registry import FORMATS
from roles.types import Turn

STATIC_PROMPT_TOKENS = 3750  # inference_toolbench.sh: --max_input_length 3750 (the collator keeps the last ones)
METRICS = STATIC_METRICS


@dataclass
class StaticConfig:
    agent: AgentSpec
    data: Path
    out_dir: Path
    seed: int = 0
    limit: int | None = None  # the first N samples (steps) of the file
    prompt_tokens: int | None = STATIC_PROMPT_TOKENS
    executor: str = "ray"
    ray_address: str | None = None
    progress: bool = True
    command: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"static__{_path_safe(self.agent.name)}__{_path_safe(self.data.stem)}"


@dataclass
class StaticStep:
    """One sample on its way: its episode (the gold history), the raw text of each role, failed requests."""

    index: int
    sample: StaticSample
    episode: Episode
    texts: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def outcome(self) -> StepOutcome:
        if "backbone" in self.texts:
            return single_outcome(self.texts["backbone"])
        return multi_outcome(self.texts["planner"], self.texts.get("caller"), self.texts.get("summarizer"))

    def record(self) -> dict[str, Any]:
        """Model text is stored as is (untrusted: never evaluated)."""
        return {"index": self.index, "turn": len(self.sample.history), "reference": dataclasses.asdict(self.sample.reference),
                "predicted": dataclasses.asdict(self.outcome()), "texts": self.texts, "errors": self.errors}


def load_static(agent: AgentSpec, data: Path) -> list[StaticSample]:
    """Everything checked before a model loads or a file is written; a ValueError says what is wrong."""
    fmt = FORMATS.get(agent.format)
    if not (fmt.static_eval and fmt.kind == agent.kind):
        raise ValueError(f"the static evaluation needs an alpha-UMi agent (kind multi with format alpha-umi, or kind "
                         f"single with format alpha-umi-backbone); agent {agent.name!r} is {agent.kind} with format {agent.format!r}")
    samples = static_samples(data, agent.kind)
    if not samples:
        raise ValueError(f"{data}: no samples (no 'assistant' turn carries a Next: marker)")
    return samples


def run_static(config: StaticConfig, samples: list[StaticSample], executor: Executor | None = None) -> tuple[Path, dict[str, Any]]:
    """Predicts the first `limit` samples, scores them and writes `<out>/<name>/static.json`."""
    chosen = samples[:config.limit]
    own = executor is None  # an executor handed in (tests) stays its owner's to shut down
    executor = executor or make_executor(config.executor, distinct_models(config.agent.roles), config.ray_address,
                                             config.agent.placement)
    try:
        start, busy_before = time.perf_counter(), executor.busy_seconds()  # a shared executor has books already
        steps = predict(config.agent, chosen, executor, config.seed, config.data.stem, config.progress, config.prompt_tokens)
        speed = {"wall_s": round(time.perf_counter() - start, 3), "actor_busy_s": {key: busy - busy_before.get(key, 0.0) for key, busy in executor.busy_seconds().items()},
                 "requests": dict(Counter(role for step in steps for role in step.texts))}
        models = executor.info()
    finally:
        if own:
            executor.shutdown()
    report = {
        "schema_version": 1,
        "name": config.name,
        "agent": config.agent.to_json(),
        "models": models,
        "data": {"path": str(config.data.resolve()), "sha256": file_sha256(config.data), "samples_in_file": len(samples),
                 "limit": config.limit},
        "seed": config.seed,
        "prompt_tokens": config.prompt_tokens,
        "executor": config.executor,
        "metrics": static_metrics(chosen, [step.outcome() for step in steps]),
        "failed_requests": sum(len(step.errors) for step in steps),
        "speed": speed,
        "versions": provenance.library_versions(),
        "command": config.command,
        "created_at": provenance.now(),
        "samples": [step.record() for step in steps],
    }
    out = config.out_dir / config.name
    out.mkdir(parents=True, exist_ok=True)
    write_json_atomic(out / "static.json", report)
    return out / "static.json", report


def predict(agent: AgentSpec, samples: list[StaticSample], executor: Executor, seed: int, group: str,
            progress: bool = False, prompt_tokens: int | None = STATIC_PROMPT_TOKENS) -> list[StaticStep]:
    """Round 1: every sample's planner (or backbone); round 2 (multi): the caller or summarizer its plan picks."""
    agent = static_decoding(agent, prompt_tokens)
    model_agent = make_agent(agent)
    steps = [StaticStep(i, s, _episode(agent, i, s, seed, group)) for i, s in enumerate(samples)]
    _ask(executor, agent, [(step, model_agent.next_step(step.episode)) for step in steps], progress)
    if agent_kind(agent).collaborative:
        routed = [(step, _route(model_agent, step)) for step in steps]
        _ask(executor, agent, [(step, request) for step, request in routed if request is not None], progress)
    return steps


def _episode(agent: AgentSpec, index: int, sample: StaticSample, seed: int, group: str) -> Episode:
    # The tools stay the file's doc entries (dicts): roles.alpha_umi.doc_slots dumps them as given.
    task = Task("static", group, str(index), sample.instruction, sample.tools)  # type: ignore[arg-type]
    history = sample.history if agent_kind(agent).collaborative else backbone_history(sample.history)
    return Episode(task, Trajectory(task.key, group, task.query_id, agent.name, seed, turns=list(history)))


def _route(model_agent: Agent, step: StaticStep) -> RoleRequest | None:
    """The caller or summarizer request of a predicted plan (none for give up), asked as upstream does."""
    plan, thought = static_plan(step.texts["planner"])
    if plan == GIVE_UP:
        return None
    episode = step.episode
    episode.thought = thought
    episode.trajectory.turns.append(Turn("planner", episode.thought))  # type: ignore[arg-type]  # upstream's literal
    episode.phase = "call" if plan == CALL else "summarize"  # MultiAgent's phases for its caller / summarizer
    return model_agent.next_step(episode)


def static_decoding(agent: AgentSpec, prompt_tokens: int | None) -> AgentSpec:
    """The agent with every role keeping its last `prompt_tokens` prompt tokens (None: what fits), and without
    the real-time runner's forced first token: GLPFT's `generate` (trainer_utils.py) has no force_generate."""
    return with_sampling(agent, prompt_tokens=prompt_tokens, min_new_tokens=0)


def backbone_history(turns: tuple[Turn, ...]) -> tuple[Turn, ...]:
    """The gold history as the backbone's data records it (prepro_backbone.py): each assistant turn merged
    with the caller or conclusion turn after it, its marker removed; a give-up reads `conclusion: give up.`;
    caller and conclusion turns are not kept on their own."""
    merged = []
    for i, turn in enumerate(turns):
        if turn.role == "assistant":
            following = turns[i + 1] if i + 1 < len(turns) else None
            merged.append(Turn("assistant", backbone_target(turn.text, following)))
        elif turn.role not in ("caller", "conclusion"):
            merged.append(turn)
    return tuple(merged)


def _ask(executor: Executor, agent: AgentSpec, asks: list[tuple[StaticStep, RoleRequest]], progress: bool) -> None:
    """One executor call: each actor gets its requests as one batch, all actors at once."""
    if not asks:
        return
    batches: dict[str, list[RoleRequest]] = {}
    waiting: dict[str, tuple[StaticStep, str]] = {}
    for step, request in asks:
        batches.setdefault(agent.roles[request.role].actor_key, []).append(request)
        waiting[request.request_id] = (step, request.role)
    roles = Counter(request.role for _, request in asks)
    with RequestProgress(f"static {agent.name}: {', '.join(f'{n} {role}' for role, n in roles.items())}", len(asks),
                         progress) as bar:
        executor.on_finished.append(bar.on_batch)
        try:
            generated = executor.generate(batches)
        finally:
            executor.on_finished.remove(bar.on_batch)
    for results in generated.values():
        for result in results:
            step, role = waiting[result.request_id]
            step.texts[role] = result.text
            if result.error is not None:
                step.errors[role] = result.error


def metrics_table(report: dict[str, Any]) -> str:
    """The five metrics (percent) under a line saying what they were computed on."""
    metrics, n = report["metrics"], report["metrics"]["n"]
    lines = [f"{report['name']}: {n['samples']} samples ({n['calls']} reference calls, {n['finishes']} reference finishes)"]
    for key, label in METRICS:
        value = metrics[key]
        lines.append(f"  {label:<9}{'-' if value is None else f'{value:.2f}':>8}")
    return "\n".join(lines)


def _path_safe(name: str) -> str:
    """A name from a user file as one folder-name component: no separator, no leading or trailing dot."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "_"
