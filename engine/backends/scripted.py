"""A test double backend: replies come from a Python function of the request, not from a model.

Scripts are registered by name so that a run configured from the command line (`--backend scripted
--model NAME`) can pick one; tests may also pass any callable directly.
"""
from __future__ import annotations

import json
import random
import re
import time
from typing import Any, Callable


from engine.backends.streaming import ImmediateStream
from engine.types import ModelSpec, RoleRequest, RoleResult
from roles.function_calling import hermes_call
from roles.types import ToolPrompt

Script = Callable[[RoleRequest], str]
_SCRIPTS: dict[str, Script] = {}


def register_script(name: str, script: Script) -> None:
    _SCRIPTS[name] = script


class ScriptedBackend:
    def __init__(self, script: Script, name: str = "custom") -> None:
        self.script = script
        self.name = name
        self.batches: list[int] = []  # batch sizes seen, for tests of the scheduler

    def generate(self, requests: list[RoleRequest]) -> list[RoleResult]:
        self.batches.append(len(requests))
        return [self._one(request) for request in requests]

    def _one(self, request: RoleRequest) -> RoleResult:
        start = time.perf_counter()
        try:
            text = self.script(request)
        except Exception as exc:  # a script error is a failed request, as a model crash would be
            return RoleResult(request.request_id, "", error=f"{type(exc).__name__}: {exc}")
        prompt = request.prompt if isinstance(request.prompt, str) else str(request.prompt)
        return RoleResult(
            request.request_id,
            text,
            prompt_tokens=len(prompt.split()),
            completion_tokens=len(text.split()),
            latency_s=time.perf_counter() - start,
        )

    def info(self) -> dict[str, Any]:
        return {"backend": "scripted", "model": self.name}

    def open_stream(self, capacity: int) -> ImmediateStream:
        """Replies take microseconds: each streamed request is answered as it is submitted."""
        return ImmediateStream(self.generate, capacity)


def _prompt_text(request: RoleRequest) -> str:
    if isinstance(request.prompt, str):
        return request.prompt
    if isinstance(request.prompt, ToolPrompt):  # the tool schemas first: _first_tool reads the first name
        return "\n".join([json.dumps(request.prompt.tools), *(m.get("content") or "" for m in request.prompt.messages)])
    return "\n".join(message.get("content", "") for message in request.prompt)


_TOOL_NAME = re.compile(r"""["'](?:Name|name)["']:\s*["']([^"']+)["']|^- (\w+)\(""", re.M)
_OBSERVATION_MARKERS = ("observation:", "\nFunction:", "Observation:")
_FINISH = 'Action: Finish\nAction Input: {"return_type": "give_answer", "final_answer": "%s"}'


def _first_tool(text: str) -> str:
    """The first offered API's name: from JSON / Python-repr schemas or signature lines "- name(args): ..."."""
    names = (match.group(1) or match.group(2) for match in _TOOL_NAME.finditer(text))
    return next((n for n in names if n != "Finish"), "none")  # the scan stops at the first tool


def call_once_then_answer(request: RoleRequest) -> str:
    """Calls the first offered API once, then answers: a well-formed run for every prompt format."""
    text = _prompt_text(request)
    observed = any(marker in text for marker in _OBSERVATION_MARKERS)
    first = _first_tool(text)
    answer = "Here is the answer from the API."
    if request.role == "planner":
        return "I have what I need. Next: conclusion." if observed else f"I should call {first}. Next: caller."
    if request.role == "summarizer":
        return answer
    if isinstance(request.prompt, ToolPrompt):  # native function calling: Hermes tool calls
        observed = any(message["role"] == "tool" for message in request.prompt.messages)
        return (hermes_call("Finish", {"return_type": "give_answer", "final_answer": answer}) if observed
                else "call it.\n" + hermes_call(first, {}))
    if request.role == "caller" or not observed:
        return f"Thought: call it.\nAction: {first}\nAction Input: {{}}"
    if "output conclusion:" in text:  # the alpha-UMi backbone format ends with a conclusion line
        return f"conclusion: {answer}"
    return "Thought: done.\n" + _FINISH % answer


register_script("call-once-then-answer", call_once_then_answer)


def seeded_walk(request: RoleRequest) -> str:
    """A reply drawn from the request's seed: mostly calls, sometimes an answer, a give-up or an empty plan,
    so trajectories differ in length and path (DFSDT backtracks), yet each is the same whenever it is rerun."""
    draw = random.Random(request.seed).random()
    tool = _first_tool(_prompt_text(request))
    call = f"Thought: call it.\nAction: {tool}\nAction Input: {{\"n\": {request.seed % 7}}}"
    if request.role == "planner":
        routes = ((0.1, ""), (0.2, "Stop here. Next: give up."), (0.4, "Enough. Next: conclusion."))
        return next((reply for limit, reply in routes if draw < limit), f"I should call {tool}. Next: caller.")
    if request.role == "caller":
        return call
    if request.role == "summarizer":
        return f"The answer is {request.seed % 100}."
    if draw < 0.15:
        return 'Thought: stuck.\nAction: Finish\nAction Input: {"return_type": "give_up_and_restart"}'
    if draw < 0.35:
        return "Thought: done.\n" + _FINISH % f"the answer is {request.seed % 100}"
    return call


register_script("seeded-walk", seeded_walk)


def from_spec(spec: ModelSpec) -> ScriptedBackend:
    name = spec.model if spec.model in _SCRIPTS else "call-once-then-answer"
    if spec.model not in _SCRIPTS and spec.model != "embedded":
        raise ValueError(f"unknown script {spec.model!r}; valid: {', '.join(sorted(_SCRIPTS))}")
    return ScriptedBackend(_SCRIPTS[name], name)
