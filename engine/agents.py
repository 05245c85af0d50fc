"""Agents as state machines over a trajectory: each step asks for one role call or one tool call.

The scheduler owns batching; an agent only says what an episode needs next and how a model's text or a
tool's observation moves it on. Model text goes through the role format's parser, which never raises.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Protocol, Union

from benchmarks.core.registry import Registry
from benchmarks.core.types import Task
from benchmarks.results.raw_answer_nodes import has_thought_node
from engine.types import AgentSpec, CallRecord, RoleRequest, RoleResult, SamplingParams, ThoughtRecord, Trajectory
from roles.alpha_umi import EMPTY_PLAN
from roles.parsing import finish_action, finish_error_reply
from roles.registry import FORMATS, MultiFormat, SingleFormat, get_format
from roles.types import Action, PromptContext, Turn
from tools_sim.observation import STATUS_BAD_FINISH_INPUT, alpha_umi_text
from tools_sim.types import Observation, ToolCall

# How an observation reads in the history, by the format's `observations` option (ToolBench's text otherwise).
_OBSERVATION_TEXT = {"alpha-umi": alpha_umi_text}
FINISH = "Finish"


@dataclass
class Episode:
    """Runtime state of one trajectory: its task, its record and where its agent is."""

    task: Task
    trajectory: Trajectory
    phase: str = "start"
    thought: str = ""
    role_calls: int = 0
    empty_plans: int = 0  # empty planner outputs in a row (this step's attempts so far)
    rounds: int = 0  # model rounds that called a tool (ToolBench: 3 tree nodes each: Thought, Action, Action Input)
    # Formats with ChatGPT's function calling (`native_calls`) count the chain as its runner does, in tree nodes:
    # 1 per thought-only reply, 2 or 3 per call (a Thought only when the reply has text besides its call).
    nodes: int = 0
    thought_only: int = 0  # replies without a call, kept and asked again
    pending_call: Action | None = field(default=None, repr=False)
    # The role formats' renders of this trajectory (tool doc once, history extended per call): roles.types.memoized
    prompt_memo: dict[Any, Any] = field(default_factory=dict, repr=False)

    def context(self) -> PromptContext:
        return PromptContext(self.task.query, self.task.tools, tuple(self.trajectory.turns), self.prompt_memo)


NextStep = Union[RoleRequest, ToolCall]


class Agent(Protocol):
    spec: AgentSpec

    def next_step(self, episode: Episode) -> NextStep: ...
    def on_generation(self, episode: Episode, result: RoleResult) -> ToolCall | None: ...
    # Optional: `roles_ahead(episode) -> tuple[str, ...]`, the roles an unfinished episode may still call, never
    # growing as it goes (see `roles_ahead` below; without it, every role of the spec).
    def on_observation(self, episode: Episode, observation: Observation) -> None: ...


def roles_ahead(agent: Agent, episode: Any) -> tuple[str, ...]:
    """The roles a trajectory may still call: none once it is done; else what its agent declares, or every role
    of the agent's spec. The schedule gives an engine back once no live or queued trajectory has its role ahead
    (engine.execution.executor.Executor.release), so a declaration must never leave out a role still called."""
    if episode.trajectory.done:
        return ()
    declared = getattr(agent, "roles_ahead", None)
    return declared(episode) if declared is not None else tuple(agent.spec.roles)


def request_seed(run_seed: int, trajectory: Trajectory, index: int | str) -> int:
    """A per-request seed that depends only on the trajectory and how far it is (a count, or a search
    tree's node path), never on batching."""
    key = f"{run_seed}|{trajectory.task_key}|{trajectory.agent}|{index}".encode()
    return int.from_bytes(hashlib.blake2b(key, digest_size=4).digest(), "big") & 0x7FFFFFFF


def start_episode(task: Task, agent: AgentSpec, seed: int) -> Episode:
    trajectory = Trajectory(task.key, task.group, task.query_id, agent.name, seed, turns=[Turn("user", task.query)])
    return Episode(task, trajectory)


class _ModelAgent:
    """What the multi- and single-LLM agents share: building requests and recording tool results."""

    def __init__(self, spec: AgentSpec) -> None:
        self.spec = spec
        self.format = get_format(spec.format, **spec.format_options)
        self._observation_text = _OBSERVATION_TEXT.get(getattr(self.format, "observations", "toolbench"), _toolbench_text)
        self._sampling: dict[str, SamplingParams] = {}
        self._counts_nodes = native_calls(spec)

    def _request(self, episode: Episode, role: str, prompt) -> RoleRequest:
        sampling = self._sampling_of(role)
        trajectory = episode.trajectory
        seed = request_seed(trajectory.seed, trajectory, episode.role_calls)
        request_id = f"{trajectory.task_key}|{trajectory.agent}|{trajectory.seed}|{episode.role_calls}"
        episode.role_calls += 1
        return RoleRequest(request_id, role, prompt, sampling, seed)

    def _sampling_of(self, role: str) -> SamplingParams:
        """The role's sampling, with the format's stop strings when the role names none (one object per role)."""
        if role not in self._sampling:
            sampling = self.spec.roles[role].sampling
            if not sampling.stop and self.format.stop:
                sampling = dataclasses.replace(sampling, stop=self.format.stop)
            self._sampling[role] = sampling
        return self._sampling[role]

    @staticmethod
    def _as_finish(action: Action) -> Action:
        """A call named Finish, whichever role or format wrote it, is the environment's Finish (upstream
        `_step`): an answer, a give-up, or a refused Finish."""
        if action.kind == "call" and action.name == FINISH:
            return finish_action(action.thought, action.name, action.arguments)
        return action

    def _tool_call(self, episode: Episode, action: Action) -> ToolCall | None:
        """The call ending this round; it is made even in the chain's last round, as ToolBench does. A Finish
        the environment refuses (upstream `_step`: status 2, its own error text, the name kept) is answered
        here, not by the simulator."""
        episode.rounds += 1
        episode.nodes += 2 + has_thought_node(action.thought, self._counts_nodes)
        episode.pending_call = action
        if action.name == FINISH:
            self._record_call(episode, finish_error_reply(action.error), STATUS_BAD_FINISH_INPUT, "error", None)
            return None
        return ToolCall(episode.task.tools, action.name, action.arguments, self.spec.compat)

    def on_observation(self, episode: Episode, observation: Observation) -> None:
        self._record_call(episode, self._observation_text(observation), observation.status, observation.source,
                          observation.function_name)

    def _record_call(self, episode: Episode, text: str, status: int, source: str, function_name: str | None) -> None:
        """Records the call's observation; the chain ends when its rounds reach ToolBench's depth limit."""
        action = episode.pending_call
        episode.trajectory.calls.append(
            CallRecord(action.name, action.arguments, text, status, source, function_name, action.thought))
        episode.trajectory.turns.append(Turn("observation", text))
        episode.pending_call = None
        episode.phase = self._after_observation
        self._end_if_full(episode)

    def _end_if_full(self, episode: Episode) -> None:
        """Ends the chain at ToolBench's depth limit: in tree nodes for ChatGPT-style formats, else in rounds."""
        if self._counts_nodes:
            full = episode.nodes >= self.spec.max_depth
        else:
            full = episode.rounds >= self.spec.max_steps
        if full:
            episode.trajectory.finish("max_steps")

    @staticmethod
    def _failed(episode: Episode, result: RoleResult) -> bool:
        if result.error is None:
            return False
        episode.trajectory.error = result.error
        episode.trajectory.finish("failed")
        return True


def _toolbench_text(observation: Observation) -> str:
    return observation.text


# A reply's handler by the phase that asked for it (a constant: a dict of bound methods per reply was a cost).
_HANDLER_OF_PHASE = {"plan": "_on_plan", "call": "_on_call", "summarize": "_on_summary"}


class MultiAgent(_ModelAgent):
    """alpha-UMi: the planner routes to the caller, the summarizer, or gives up."""

    format: MultiFormat
    _after_observation = "plan"

    def next_step(self, episode: Episode) -> NextStep:
        ctx = episode.context()
        if episode.phase in ("start", "plan"):
            episode.phase = "plan"
            return self._request(episode, "planner", self.format.planner_prompt(ctx))
        if episode.phase == "call":
            return self._request(episode, "caller", self.format.caller_prompt(ctx, episode.thought))
        return self._request(episode, "summarizer", self.format.summarizer_prompt(ctx))

    def roles_ahead(self, episode: Episode) -> tuple[str, ...]:
        """Past the planner's conclusion only the summarizer is left: nothing leads back to planning."""
        return _SUMMARIZER_ONLY if episode.phase == "summarize" else MULTI_ROLES

    def on_generation(self, episode: Episode, result: RoleResult) -> ToolCall | None:
        episode.trajectory.record_usage(result_role(episode), result)
        if self._failed(episode, result):
            return None
        return getattr(self, _HANDLER_OF_PHASE[episode.phase])(episode, result.text)

    def _on_plan(self, episode: Episode, text: str) -> ToolCall | None:
        trajectory = episode.trajectory
        plan = self.format.parse_plan(text)
        if plan.next == "retry":
            episode.empty_plans += 1
            if episode.empty_plans < self.spec.planner_attempts:
                trajectory.planner_retries += 1
                return None  # asked again: a new request, so its own seed
            # Upstream's planner loop stops after its attempts and goes on with the text "none".
            trajectory.parse_failures += 1
            plan = self.format.parse_plan(EMPTY_PLAN)
        episode.empty_plans = 0
        trajectory.unmarked_plans += not plan.marked
        trajectory.turns.append(Turn("assistant", plan.thought))  # cut after the marker, as upstream
        if plan.next == "give_up":
            trajectory.finish("gave_up", thought=plan.thought.strip())
        else:
            episode.phase = "summarize" if plan.next == "conclusion" else "call"
            episode.thought = plan.thought
        return None

    def _on_call(self, episode: Episode, text: str) -> ToolCall | None:
        action = self._as_finish(self.format.parse_call(text, episode.thought))
        episode.trajectory.turns.append(self.format.call_turn(text, action))
        if action.kind in ("answer", "give_up"):  # the step read as a whole says Finish (alpha-umi)
            return self._conclude(episode, action)
        if action.kind == "parse_error" and action.name == FINISH:
            episode.trajectory.parse_failures += 1
            return self._tool_call(episode, action.with_thought(episode.thought.strip()))
        if action.kind != "call":
            episode.trajectory.parse_failures += 1
            action = Action("call", name=action.name, arguments=action.arguments)
        action = action.with_thought(episode.thought.strip())  # upstream's Thought: the plan
        return self._tool_call(episode, action)

    def _on_summary(self, episode: Episode, text: str) -> None:
        """An answer (an empty one counts as a parse failure, yet upstream's Finish accepted it) or a give-up."""
        action = self.format.parse_summary(text, episode.thought)
        empty_answer = action.kind == "answer" and not action.answer.strip()
        episode.trajectory.parse_failures += action.kind == "parse_error" or empty_answer
        if action.kind == "answer":
            episode.trajectory.turns.append(Turn("conclusion", action.answer))
        return self._conclude(episode, action)

    @staticmethod
    def _conclude(episode: Episode, action: Action) -> None:
        """Ends the chain: answered with the action's answer, else given up."""
        if action.kind == "answer":
            episode.trajectory.finish("answered", action.answer)
        else:
            episode.trajectory.finish("gave_up")
        return None


_ROLE_OF_PHASE = {"plan": "planner", "call": "caller", "summarize": "summarizer"}


def result_role(episode: Episode) -> str:
    return _ROLE_OF_PHASE.get(episode.phase, "backbone")


class SingleAgent(_ModelAgent):
    """One model does every step: a call, an answer, or giving up (ReAct-style)."""

    format: SingleFormat
    _after_observation = "step"

    def next_step(self, episode: Episode) -> NextStep:
        episode.phase = "step"
        return self._request(episode, "backbone", self.format.step_prompt(episode.context()))

    def on_generation(self, episode: Episode, result: RoleResult) -> ToolCall | None:
        episode.trajectory.record_usage("backbone", result)
        if self._failed(episode, result):
            return None
        action = self._as_finish(self.format.parse_step(result.text))
        episode.trajectory.turns.extend(self.format.step_turns(result.text, action))
        arguments = action.arguments if action.name == FINISH else ""  # the model's Finish call, as written
        if action.kind == "answer":
            episode.trajectory.finish("answered", action.answer, action.thought, arguments)
            return None
        if action.kind == "give_up":
            episode.trajectory.finish("gave_up", thought=action.thought, arguments=arguments)
            return None
        if action.kind == "thought":  # a Thought node; the next step asks again with it in the history
            episode.thought = action.thought
            episode.trajectory.thoughts.append(ThoughtRecord(action.thought, episode.trajectory.steps))
            episode.nodes += 1
            episode.thought_only += 1
            self._end_if_full(episode)
            return None
        if action.kind == "parse_error":  # upstream sends it anyway: the simulator answers with an error
            episode.trajectory.parse_failures += 1
        return self._tool_call(episode, action)


class OracleAgent:
    """Replays each task's gold solution through the same simulator: the end-to-end upper bound."""

    def __init__(self, spec: AgentSpec) -> None:
        self.spec = spec

    def next_step(self, episode: Episode) -> NextStep:
        gold = episode.task.gold
        if gold is None:
            raise ValueError(f"task {episode.task.key} has no gold solution; the oracle agent needs one")
        call = gold.calls[episode.trajectory.steps]
        arguments = json.dumps(call.arguments)
        episode.pending_call = Action("call", name=call.name, arguments=arguments)
        episode.trajectory.turns.append(Turn("caller", f"Action: {call.name}\nAction Input: {arguments}"))
        return ToolCall(episode.task.tools, call.name, arguments)

    def on_generation(self, episode: Episode, result: RoleResult) -> ToolCall | None:  # never asked
        raise AssertionError("the oracle makes no model calls")

    def on_observation(self, episode: Episode, observation: Observation) -> None:
        _ModelAgent.on_observation(self, episode, observation)  # type: ignore[arg-type]
        if episode.trajectory.steps == len(episode.task.gold.calls):
            episode.trajectory.turns.append(Turn("conclusion", episode.task.gold.answer))
            episode.trajectory.finish("answered", episode.task.gold.answer)

    _after_observation = "replay"
    _observation_text = staticmethod(_toolbench_text)
    _record_call = _ModelAgent._record_call
    _end_if_full = _ModelAgent._end_if_full
    _counts_nodes = False


@dataclass(frozen=True)
class AgentKind:
    """What an agent kind is, told in one place: its roles, its state machine, and what follows from them."""

    name: str
    roles: tuple[str, ...]
    agent_class: type
    collaborative: bool  # several role models pass each step along (alpha-UMi): a multi-LLM history and tree
    replays_gold: bool  # no model: it replays the gold chain (no prompts, no search but the chain)
    model_calls_per_step: int  # at most, for progress estimates (planner + caller or summarizer)


MULTI_ROLES = ("planner", "caller", "summarizer")
_SUMMARIZER_ONLY = ("summarizer",)
SINGLE_ROLES = ("backbone",)
# Agent kinds by name (AgentSpec.kind); adding one is its agent class plus one line here.
AGENT_KINDS: Registry[AgentKind] = Registry("agent kind")
AGENT_KINDS.register("multi", AgentKind("multi", MULTI_ROLES, MultiAgent, collaborative=True, replays_gold=False,
                                        model_calls_per_step=2))
AGENT_KINDS.register("single", AgentKind("single", SINGLE_ROLES, SingleAgent, collaborative=False, replays_gold=False,
                                         model_calls_per_step=1))
AGENT_KINDS.register("oracle", AgentKind("oracle", (), OracleAgent, collaborative=False, replays_gold=True,
                                         model_calls_per_step=0))


def agent_kind(spec: AgentSpec) -> AgentKind:
    return AGENT_KINDS.get(spec.kind)


def make_agent(spec: AgentSpec) -> Agent:
    return agent_kind(spec).agent_class(spec)


def native_calls(spec: AgentSpec) -> bool:
    """Whether the agent calls tools as ToolBench's ChatGPT runner does (its format's `native_calls`): its chains
    take that runner's shape (benchmarks.results.raw_answer_nodes)."""
    return not agent_kind(spec).replays_gold and getattr(FORMATS.get(spec.format), "native_calls", False)
