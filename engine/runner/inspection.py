"""The exact prompt a role receives at its first turn, built by driving the agent's own state machine."""
from __future__ import annotations

from benchmarks.core.types import Task
from engine.agents import agent_kind, make_agent, start_episode
from engine.types import AgentSpec, RoleResult
from roles.types import Prompt

EXAMPLE_THOUGHT = "<the planner's thought>"  # stands for the planner output the caller or summarizer would follow
_ROUTES = {"caller": "Next: caller.", "summarizer": "Next: conclusion."}


def first_turn_prompt(agent: AgentSpec, task: Task, role: str | None, thought: str = EXAMPLE_THOUGHT) -> Prompt:
    """The prompt `role` gets at the first step. The caller's and summarizer's come after the planner's turn
    `thought` + its `Next:` marker, recorded by the agent exactly as in a run (history turn and {thought})."""
    if agent_kind(agent).replays_gold:
        raise ValueError("the oracle agent has no prompts")
    roles = list(agent.roles)
    role = role or roles[0]
    if role not in roles:
        raise ValueError(f"unknown role {role!r} for agent {agent.name}; valid: {', '.join(roles)}")
    model_agent = make_agent(agent)
    episode = start_episode(task, agent, 0)
    request = model_agent.next_step(episode)
    if role in _ROUTES:
        model_agent.on_generation(episode, RoleResult(request.request_id, f"{thought} {_ROUTES[role]}"))
        request = model_agent.next_step(episode)
    return request.prompt
