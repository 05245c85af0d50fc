"""DFSDT: ToolBench's depth-first search decision tree (`DFS_woFilter_w2`), one model query at a time.

The search is upstream's recursive `DFS` written as a generator: it yields a query (the node to expand,
the beam slot, the diversity prompt if any) and is sent back what that query produced. A `TreeEpisode`
drives it like an Episode drives one chain, so the schedulers batch the frontier requests of every tree
in a run together with no change. One query is one step of the agent: a single-LLM agent's step, or the
multi-LLM agent's round (planner, with its retries, then caller or summarizer), as alpha-UMi's collab
runner makes one `parse` call per query. Each query runs the agent's own state machine (engine.agents)
from the node's state, so prompts, parsing and tool calls are exactly the chain's.

Upstream semantics kept (toolbench/inference/Algorithms/DFS.py, Tree/Tree.py):
- a node is expanded when its depth (in nodes) is under `single_chain_max_step` and it is neither pruned
  nor terminal; each expansion numbers the node (`expand_num`);
- up to `tree_beam_size` children per node, each one query; the second is asked with the diversity prompt
  listing the former children's first calls and their observations, and that message is marked invalid
  afterwards (chat models never see it again; ToolLLaMA and alpha-UMi's renderers ignore the mark, so
  their descendants keep it in their prompts);
- the search stops at the first answer; an answer, or a give-up (which prunes its node), sends the search
  back 2 levels, any other dead end 1; the query budget `max_query_count` ends the search at once.
"""
from __future__ import annotations

import dataclasses
import json
import random
from dataclasses import dataclass, field
from typing import Any, Generator

from benchmarks.core.schemas import function_schemas
from benchmarks.core.types import Task
from benchmarks.results.raw_answer_nodes import (ANSWER_RESPONSE, GIVE_UP_RESPONSE, HALLUCINATED_NAME, assistant_message,
                                                 function_message, has_thought_node)
from engine.agents import Episode, agent_kind, make_agent, native_calls, request_seed
from engine.search.tree import ACTION, ACTION_INPUT, THOUGHT, TreeNode, tree_json
from engine.types import AgentSpec, RoleRequest, RoleResult, RoleUsage, Trajectory
from roles import react
from roles.registry import FORMATS
from roles.types import PromptContext, Turn
from tools_sim.observation import STATUS_FINAL_ANSWER, STATUS_GIVE_UP, STATUS_NO_SUCH_FUNCTION
from tools_sim.types import Observation, ToolCall

METHOD = "DFS_woFilter_w2"


@dataclass(frozen=True)
class DfsLimits:
    """Every DFSDT limit, in upstream's units (qa_pipeline's call of `DFS_tree_search.start`)."""

    single_chain_max_step: int = 12  # node depth: a query adds 3 nodes, so 4 rounds, Finish included (a run
    # sets it to the agent's max_depth, which is 12 by default: --max-steps changes chains and trees alike)
    tree_beam_size: int = 2  # children per node
    max_query_count: int = 200  # model queries per tree (a multi-LLM round is one query)
    answer: int = 1  # answers that end the search
    final_answer_back_length: int = 2
    prune_back_length: int = 2

    def forward_args(self) -> dict[str, Any]:
        return {"single_chain_max_step": self.single_chain_max_step, "tree_beam_size": self.tree_beam_size,
                "max_query_count": self.max_query_count, "answer": self.answer, "with_filter": False}


DFSDT_LIMITS = DfsLimits()
BUDGET_EXIT = 100000  # upstream's return values that unwind the whole search
ANSWER_EXIT = 10000
NO_CHAIN_LIMIT = 10**6  # the tree's depth limit governs: the agent's own chain limit must never fire first

# toolbench/inference/Prompts/Tree_search_prompts.py DIVERSITY_PROMPT, byte for byte.
DIVERSITY_PROMPT = (
    "This is not the first time you try this task, all previous trails failed.\n"
    "Before you generate my thought for this state, I will first show you your previous actions for this "
    "state, and then you must generate actions that is different from all of them. Here are some previous "
    "actions candidates:\n"
    "{previous_candidate}\n"
    "Remember you are now in the intermediate state of a trail, you will first analyze the now state and "
    "previous action candidates, then make actions that is different from all the previous."
)
def served_locally(spec: AgentSpec) -> bool:
    """Whether upstream served the agent's format as a local model: its renderer ignores the "valid" mark, so a
    diversity prompt stays in the history; chat models are served like ChatGPT, whose request drops invalid
    messages (roles.registry: served_by)."""
    return FORMATS.get(spec.format).served_by == "local"


# Upstream's total_tokens: the API's prompt+completion for chat models; for local models (ToolLLaMA's and
# alpha-UMi's `parse`) `len(tokenizer(prediction))`, the number of keys of the tokenizer's output (input_ids,
# attention_mask): 2 per query whatever was generated. A meaningless figure, written in the answer file as
# upstream writes it; the record's `search.total_tokens` beside it counts every role's prompt and completion tokens.
UPSTREAM_TOKENS_PER_LOCAL_QUERY = 2


def diversity_prompt(node: TreeNode) -> str | None:
    """The message asking for a child unlike the node's former children, or None when none made a call."""
    candidates = []
    for child in node.children:
        leaf = child
        while not leaf.is_terminal and leaf.node_type != ACTION_INPUT and leaf.children:
            leaf = leaf.children[0]
        if leaf.node_type == ACTION_INPUT:
            candidates.append({"name": leaf.father.description, "arguments": leaf.description,
                               "function_output": leaf.observation, "mento-carlo-action-value": 0.0})
    if not candidates:
        return None
    text = json.dumps(candidates, indent=2) + "\n"
    if node.observation != "":
        text += f"again, your former observation: {node.observation}\n"
    return DIVERSITY_PROMPT.replace("{previous_candidate}", text)


@dataclass
class Outcome:
    """What one query produced: a call with its observation, an answer, a give-up, or a failed request."""

    kind: str  # "call" | "answer" | "give_up" | "thought" (a reply without a call, chat-fc) | "error"
    state: Trajectory
    thought: str = ""
    name: str = ""
    arguments: str = ""
    observation: str = ""
    status: int = 0
    prediction: str = ""  # the model's text for this query (alpha-UMi: the roles' outputs joined)
    model_input: Any = None


@dataclass
class Query:
    node: TreeNode
    slot: int
    diversity: str | None


class MessageStyle:
    """The upstream-shaped messages a tree node records: ToolBench's function-calling conversation."""

    native_calls = False  # ReAct formats: every query adds a Thought node, an empty one included (raw_answer_nodes)

    def root(self, task: Task) -> list[dict[str, Any]]:
        ctx = PromptContext(task.query, task.tools, ())
        return [{"role": "system", "content": react.stored_system_message(ctx)},
                {"role": "user", "content": react.USER_TEMPLATE.replace("{input_description}", task.query)}]

    def user(self, text: str) -> dict[str, Any]:
        return {"role": "user", "content": text}

    def assistant(self, outcome: Outcome, name: str) -> dict[str, Any]:
        call = None if outcome.kind in ("error", "thought") else (name, outcome.arguments)
        return assistant_message(outcome.thought, call, self.native_calls)

    def observation(self, name: str, text: str) -> dict[str, Any]:
        return function_message(name, text)


class NativeCallMessageStyle(MessageStyle):
    """ChatGPT's function calling (ToolBench's DFS with ChatGPTFunction): a reply's `content` is absent when the
    model said nothing besides its call, and then the query adds no Thought node (Action, Action Input only);
    a reply without a call is one Thought node, expanded like any other."""

    native_calls = True


class CollabMessageStyle(MessageStyle):
    """alpha-UMi's collab runner: messages carry a `value` (what its prompt renders) and the planner input."""

    def root(self, task: Task) -> list[dict[str, Any]]:
        return [self.user(task.query)]

    def user(self, text: str) -> dict[str, Any]:
        return {"role": "user", "content": text, "value": text}

    def assistant(self, outcome: Outcome, name: str) -> dict[str, Any]:
        return {**super().assistant(outcome, name), "value": outcome.prediction, "model_input": outcome.model_input}

    def observation(self, name: str, text: str) -> dict[str, Any]:
        return {"role": "observation", "name": name, "content": text, "value": text}


@dataclass
class Expansion:
    """One query in flight: the agent's episode started from the node's state."""

    query: Query
    episode: Episode
    base_steps: int
    requests: int = 0
    texts: list[tuple[str, str]] = field(default_factory=list)  # (role, text) of each reply
    role: str = ""
    prompt: Any = None
    planner_prompt: Any = None


class TreeEpisode:
    """One DFSDT tree: a schedulable unit asking for one request (or tool call) at a time, like an Episode.

    `trajectory` is running until the search ends; then it holds the chosen chain (the answer, else a
    give-up chosen at random as upstream does, else the last chain tried), the usage of the whole tree and
    the tree's figures under `search`.
    """

    def __init__(self, task: Task, spec: AgentSpec, seed: int, limits: DfsLimits = DFSDT_LIMITS) -> None:
        self.task = task
        self.spec = spec
        self.limits = limits
        self.agent = make_agent(dataclasses.replace(spec, max_steps=NO_CHAIN_LIMIT))
        self.style = (CollabMessageStyle() if agent_kind(spec).collaborative else
                      NativeCallMessageStyle() if native_calls(spec) else MessageStyle())
        self.trajectory = Trajectory(task.key, task.group, task.query_id, spec.name, seed, turns=[Turn("user", task.query)])
        state = dataclasses.replace(self.trajectory, turns=list(self.trajectory.turns), usage={})
        self.root = TreeNode(ACTION_INPUT, messages=self.style.root(task), state=state)
        self.query_count = self.expand_count = self.total_tokens = self.backtracks = 0
        self.terminal: list[TreeNode] = []
        self.give_ups: list[TreeNode] = []
        self.last_leaf: TreeNode | None = None
        self.last_error = ""
        self._search = self._dfs(self.root)
        self._expansion: Expansion | None = None
        self._step(None)

    # -- the search (upstream's DFS) ---------------------------------------------------------------------

    def _dfs(self, node: TreeNode) -> Generator[Query, Outcome, int]:
        limits = self.limits
        node.expand_num = self.expand_count
        self.expand_count += 1
        if node.depth >= limits.single_chain_max_step or node.pruned or node.is_terminal:
            if node.is_terminal:
                self.terminal.append(node)
                return limits.final_answer_back_length
            node.pruned = True
            if node.observation_code == STATUS_GIVE_UP:
                self.give_ups.append(node)
                return limits.prune_back_length
            return 1
        for slot in range(limits.tree_beam_size):
            diversity = diversity_prompt(node) if node.children else None
            if diversity is not None:
                node.messages.append(self.style.user(diversity))
            self.backtracks += slot > 0
            outcome = yield Query(node, slot, diversity)
            self.query_count += 1
            if self.query_count >= limits.max_query_count:
                return BUDGET_EXIT
            if diversity is not None:  # it must not steer the children (see served_locally)
                node.messages[-1] = {**node.messages[-1], "valid": False}
            result = yield from self._dfs(self._attach(node, slot, outcome))
            if len(self.terminal) >= limits.answer:
                return ANSWER_EXIT
            if result > 1:
                return result - 1
        return 1

    def _attach(self, node: TreeNode, slot: int, outcome: Outcome) -> TreeNode:
        """The nodes a query adds under `node`; returns the last (the one the search goes on from)."""
        messages = list(node.messages)
        path = node.path + (slot,)
        without_call = outcome.kind in ("error", "thought")
        if not without_call and not has_thought_node(outcome.thought, self.style.native_calls):
            thought = node
        else:
            thought = node.add_child(TreeNode(THOUGHT, outcome.thought, messages=list(messages), path=path))
        if without_call:  # a thought-only node, or upstream's failed request: a pruned Thought with code -1
            if outcome.kind == "error":
                thought.observation_code, thought.pruned = -1, True
            thought.messages.append(self.style.assistant(outcome, ""))
            thought.state = outcome.state
            self.last_leaf = thought
            return thought
        action = thought.add_child(TreeNode(ACTION, outcome.name, messages=list(messages), path=path))
        leaf = action.add_child(TreeNode(ACTION_INPUT, outcome.arguments, observation=outcome.observation,
                                         observation_code=outcome.status, messages=list(messages), path=path,
                                         state=outcome.state))
        name = outcome.name
        if outcome.status == STATUS_GIVE_UP:
            leaf.pruned = True
        elif outcome.status == STATUS_NO_SUCH_FUNCTION:
            name = HALLUCINATED_NAME
        elif outcome.status == STATUS_FINAL_ANSWER:
            leaf.is_terminal = True
            leaf.make_finish(self.limits.final_answer_back_length)
        leaf.messages += [self.style.assistant(outcome, name), self.style.observation(name, outcome.observation)]
        self.last_leaf = leaf
        return leaf

    def _step(self, outcome: Outcome | None) -> None:
        """Moves the search on: starts the next query, or ends the tree."""
        try:
            query = next(self._search) if outcome is None else self._search.send(outcome)
        except StopIteration:
            self._expansion = None
            self._conclude()
            return
        self._expansion = self._start_expansion(query)

    # -- one query: the agent's own state machine from the node's state ------------------------------------

    def _start_expansion(self, query: Query) -> Expansion:
        base: Trajectory = query.node.state
        turns = list(base.turns) + ([Turn("user", query.diversity)] if query.diversity is not None else [])
        trajectory = dataclasses.replace(base, turns=turns, calls=list(base.calls), thoughts=list(base.thoughts),
                                         usage={}, parse_failures=0,
                                         unmarked_plans=0, planner_retries=0, status="running", final_answer="", error="")
        return Expansion(query, Episode(self.task, trajectory), base.steps)

    def next_step(self) -> RoleRequest | ToolCall:
        expansion = self._expansion
        need = self.agent.next_step(expansion.episode)
        if isinstance(need, ToolCall):
            return need
        path = ".".join(map(str, expansion.query.node.path + (expansion.query.slot,)))
        position = f"{path}/{expansion.requests}"  # the node path and the request's place in the query
        expansion.requests += 1
        expansion.role, expansion.prompt = need.role, need.prompt
        if need.role == "planner":
            expansion.planner_prompt = need.prompt
        trajectory = self.trajectory
        return dataclasses.replace(need, request_id=f"{trajectory.task_key}|{trajectory.agent}|{trajectory.seed}|{position}",
                                   seed=request_seed(trajectory.seed, trajectory, position))

    def on_generation(self, result: RoleResult) -> ToolCall | None:
        expansion = self._expansion
        expansion.texts.append((expansion.role, result.text))
        call = self.agent.on_generation(expansion.episode, result)
        if call is None:
            self._maybe_complete()
        return call

    def on_observation(self, observation: Observation) -> None:
        self.agent.on_observation(self._expansion.episode, observation)
        self._maybe_complete()

    def _maybe_complete(self) -> None:
        expansion = self._expansion
        trajectory = expansion.episode.trajectory
        if trajectory.done or trajectory.steps > expansion.base_steps or expansion.episode.thought_only:
            self._absorb(trajectory)
            self._step(self._outcome(expansion))

    def _absorb(self, trajectory: Trajectory) -> None:
        tree = self.trajectory
        for role, usage in trajectory.usage.items():
            total = tree.usage.setdefault(role, RoleUsage())
            total.calls += usage.calls
            total.prompt_tokens += usage.prompt_tokens
            total.completion_tokens += usage.completion_tokens
            total.latency_s += usage.latency_s
            self.total_tokens += usage.prompt_tokens + usage.completion_tokens
        tree.parse_failures += trajectory.parse_failures
        tree.unmarked_plans += trajectory.unmarked_plans
        tree.planner_retries += trajectory.planner_retries

    def _outcome(self, expansion: Expansion) -> Outcome:
        trajectory = expansion.episode.trajectory
        state = self._child_state(expansion)
        common = {"state": state, "prediction": self._prediction(expansion),
                  "model_input": expansion.planner_prompt if agent_kind(self.spec).collaborative else None}
        if trajectory.steps > expansion.base_steps:
            call = trajectory.calls[-1]
            return Outcome("call", thought=self._thought(expansion, "call"), name=call.name, arguments=call.arguments,
                           observation=call.observation, status=call.status, **common)
        if trajectory.status == "answered":
            arguments = self._finish_arguments(expansion, {"return_type": "give_answer", "final_answer": trajectory.final_answer})
            return Outcome("answer", thought=self._thought(expansion, "answer"), name="Finish", arguments=arguments,
                           observation=ANSWER_RESPONSE, status=STATUS_FINAL_ANSWER, **common)
        if trajectory.status == "gave_up":
            arguments = self._finish_arguments(expansion, {"return_type": "give_up_and_restart"})
            return Outcome("give_up", thought=self._thought(expansion, "give_up"), name="Finish", arguments=arguments,
                           observation=GIVE_UP_RESPONSE, status=STATUS_GIVE_UP, **common)
        if expansion.episode.thought_only:
            return Outcome("thought", thought=expansion.episode.thought, **common)
        self.last_error = trajectory.error or f"the query ended {trajectory.status}"
        return Outcome("error", thought=self.last_error, **common)

    def _child_state(self, expansion: Expansion) -> Trajectory:
        state = expansion.episode.trajectory
        if expansion.query.diversity is not None and not served_locally(self.spec):
            del state.turns[len(expansion.query.node.state.turns)]
        return state

    @staticmethod
    def _prediction(expansion: Expansion) -> str:
        """The query's model text: the step for one model; for alpha-UMi what its `prediction` returns, the
        routed plan (as the history shows it: cut after its marker, ` Next: caller.` added to an unmarked one,
        `none` after empty plans) then `</s>caller: ` or `</s>conclusion: ` and that role's stripped output."""
        texts = expansion.texts
        if not any(role == "planner" for role, _ in texts):
            return texts[-1][1] if texts else ""
        turns = expansion.episode.trajectory.turns
        plan = next((turn.text for turn in reversed(turns) if turn.role == "assistant"), "")
        tail = [f"</s>{'conclusion' if role == 'summarizer' else role}: {text.strip()}"
                for role, text in texts if role in ("caller", "summarizer")]
        return plan + "".join(tail[-1:])

    def _thought(self, expansion: Expansion, kind: str) -> str:
        """The Thought node's text: what the agent said with its call or Finish; for alpha-UMi's Finish, the
        plan before its `Next:` marker, as the collab runner's parser cuts it."""
        trajectory = expansion.episode.trajectory
        if kind == "call":
            return trajectory.calls[-1].thought
        if not agent_kind(self.spec).collaborative:
            return trajectory.finish_thought
        planner = next((text for role, text in reversed(expansion.texts) if role == "planner"), "")
        cut = planner.find({"answer": "Next: conclusion", "give_up": "Next: give up"}[kind])
        return (planner[:cut] if cut >= 0 else planner).strip()

    @staticmethod
    def _finish_arguments(expansion: Expansion, default: dict[str, str]) -> str:
        """The Finish call's arguments as the model wrote them (single-LLM agents), else as alpha-UMi's parser
        builds them."""
        return expansion.episode.trajectory.finish_arguments or json.dumps(default)

    # -- the end of the search -----------------------------------------------------------------------------

    def _chosen(self) -> TreeNode | None:
        if self.terminal:
            return self.terminal[0]
        if self.give_ups:
            rng = random.Random(request_seed(self.trajectory.seed, self.trajectory, "give_up"))
            return self.give_ups[rng.randint(0, len(self.give_ups) - 1)]
        return None

    def _conclude(self) -> None:
        chosen = self._chosen()
        node = chosen or self.last_leaf
        tree = self.trajectory
        if node is not None and node.state is not None:
            state = node.state
            tree.turns = [t for i, t in enumerate(state.turns) if i == 0 or t.role != "user"]  # no diversity prompts
            tree.calls = list(state.calls)
            tree.thoughts = list(state.thoughts)
            tree.error = state.error
        if chosen is not None:
            state = chosen.state
            tree.finish(state.status, state.final_answer, state.finish_thought, state.finish_arguments)
        elif self.last_error and node is not None and node.observation_code == -1:  # a failed request
            tree.error = self.last_error
            tree.finish("failed")
        else:
            tree.finish("max_steps")
        tree.search = self.figures(chosen)

    def figures(self, chosen: TreeNode | None) -> dict[str, Any]:
        return {"strategy": "dfsdt", "method": METHOD, "nodes": self.root.size(), "nodes_expanded": self.expand_count,
                "model_queries": self.query_count, "max_depth": self.root.max_depth() - 1,
                "chosen_depth": chosen.depth if chosen else None, "backtracks": self.backtracks,
                "give_ups": len(self.give_ups), "answer_found": bool(self.terminal),
                "budget_exhausted": self.query_count >= self.limits.max_query_count,
                "total_tokens": self.total_tokens, "upstream_total_tokens": self.upstream_total_tokens()}

    def upstream_total_tokens(self) -> int:
        if served_locally(self.spec):
            return UPSTREAM_TOKENS_PER_LOCAL_QUERY * self.query_count
        return self.total_tokens

    def answer_file(self) -> dict[str, Any]:
        """The raw answer file as upstream's `chain.to_json(answer=True, process=True)` plus the query."""
        forward_args = self.limits.forward_args()
        if agent_kind(self.spec).collaborative:
            forward_args["prompt_type"] = {"planner": "toolbench_planner", "caller": "toolbench_caller",
                                           "summarizer": "toolbench_summarizer"}
        data: dict[str, Any] = {
            "win": bool(self.terminal),
            "tree": tree_json(self.root),
            "forward_args": forward_args,
            "compare_candidates": [[n.to_json() for n in node.chain()] for node in self.terminal if not node.pruned],
        }
        generation: dict[str, Any] = {"valid_data": False, "query_count": self.query_count,
                                      "total_tokens": self.upstream_total_tokens(), "final_answer": "", "finish_type": "give_answer",
                                      "function": function_schemas(self.task), "chain": []}
        chosen = self._chosen()
        if chosen is not None:
            generation.update(valid_data=True, finish_type="give_answer" if self.terminal else "give_up",
                              final_answer=chosen.description, train_messages=chosen.train_messages())
        generation["query"] = self.task.query
        data["answer_generation"] = generation
        return data


class DfsAgent:
    """The Agent the schedulers drive: every call goes to the tree (a TreeEpisode) it is given."""

    def __init__(self, spec: AgentSpec, limits: DfsLimits = DFSDT_LIMITS) -> None:
        self.spec = spec
        self.limits = limits

    def start(self, task: Task, seed: int) -> TreeEpisode:
        return TreeEpisode(task, self.spec, seed, self.limits)

    def next_step(self, tree: TreeEpisode) -> RoleRequest | ToolCall:
        return tree.next_step()

    def on_generation(self, tree: TreeEpisode, result: RoleResult) -> ToolCall | None:
        return tree.on_generation(result)

    def on_observation(self, tree: TreeEpisode, observation: Observation) -> None:
        tree.on_observation(observation)
