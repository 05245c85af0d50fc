"""Model judges: ToolEval's judge functions asked of a model, batched, cached and retried.

Each call is one user message, the function's prompt (prompts.py), plus its schema. An OpenAI-compatible
endpoint gets the schema as a forced tool (what upstream's judge saw). Models behind the engine's
backends have no native function calling, so the schema goes into a system message (FUNCTION_INSTRUCTION,
this project's adaptation) and the reply is read by replies.parse_reply. An unparsable reply is asked
again (`attempts` in all, as upstream's 3 tries) with a new seed; still unparsable: no verdict. A failed
model call (endpoint down) stops the scoring: replies so far are cached, so rerunning resumes.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, Sequence

from benchmarks.scoring.judge_cache import JudgeCache, cache_key
from benchmarks.scoring.judges import JudgeCall, JudgeError, JudgeOptions, Verdict
from benchmarks.scoring.openai_api import OpenAIChat
from benchmarks.scoring.prompts import EVALUATOR, function_schema
from benchmarks.scoring.replies import parse_reply
from engine.backends.base import Backend
from engine.backends.lazy import LazyBackend
from engine.backends.openai_http import EndpointSettings, parse_target
from engine.types import ModelSpec, RoleRequest, RoleResult, SamplingParams

FUNCTION_INSTRUCTION = (
    "Answer by calling the function `{name}`: reply with one JSON object holding its arguments and nothing else.\n"
    "Function: {schema}"
)


@dataclass(frozen=True)
class JudgeRequest:
    request_id: str
    prompt: str
    function: dict[str, Any]  # the JSON schema of the function to call
    sampling: SamplingParams
    seed: int


class Completer(Protocol):
    def complete(self, requests: list[JudgeRequest]) -> list[RoleResult]:
        """Results in request order; a failed request carries `error`."""

    def info(self) -> dict[str, Any]: ...


class BackendCompleter:
    """An engine backend (hf, vllm, scripted) as a judge model: chat messages, schema in the system message."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def info(self) -> dict[str, Any]:
        return self.backend.info()

    def complete(self, requests: list[JudgeRequest]) -> list[RoleResult]:
        return self.backend.generate([RoleRequest(r.request_id, "judge", judge_messages(r), r.sampling, r.seed)
                                      for r in requests])


def judge_messages(request: JudgeRequest) -> list[dict[str, str]]:
    instruction = FUNCTION_INSTRUCTION.format(name=request.function["name"], schema=json.dumps(request.function))
    return [{"role": "system", "content": instruction}, {"role": "user", "content": request.prompt}]


class ModelJudge:
    def __init__(self, spec: str, judge_id: str, completer: Completer, options: JudgeOptions,
                 cache: JudgeCache | None = None) -> None:
        self.spec = spec
        self.id = judge_id
        self.completer = completer
        self.options = options
        self.cache = cache if cache is not None else JudgeCache(options.cache_path)
        self.sampling = SamplingParams(temperature=options.temperature, max_new_tokens=options.max_new_tokens)

    def info(self) -> dict[str, Any]:
        backend = self.completer.info()
        return {"spec": self.spec, "id": self.id, "kind": "model", "model": backend.get("model"),
                "revision": backend.get("fingerprint") or backend.get("served_model"), "backend": backend,
                "prompts": EVALUATOR, "settings": {"temperature": self.options.temperature,
                                                   "max_new_tokens": self.options.max_new_tokens,
                                                   "attempts": self.options.attempts}}

    def judge(self, calls: Sequence[JudgeCall]) -> list[Verdict]:
        asks = [_Ask(call) for call in calls]
        pending = asks
        for attempt in range(self.options.attempts):
            if not pending:
                break
            keys = [cache_key(self.id, ask.text, ask.call.sample, attempt) for ask in pending]
            unique: dict[str, _Ask] = {}  # one generation per distinct question
            for ask, key in zip(pending, keys):
                if key not in unique and self.cache.get(key) is None:
                    unique[key] = ask
            missing = [(ask, key) for key, ask in unique.items()]
            for start in range(0, len(missing), self.options.batch_size):
                self._generate(missing[start:start + self.options.batch_size], attempt)
            for ask, key in zip(pending, keys):
                ask.read(self.cache.get(key))
            pending = [ask for ask in pending if ask.label is None]
        return [Verdict(a.label, tuple(a.replies), a.model_calls, len(a.replies) - a.model_calls) for a in asks]

    def _generate(self, batch: list[tuple[_Ask, str]], attempt: int) -> None:
        requests = [JudgeRequest(key, ask.prompt, ask.schema, self.sampling, int(key[:8], 16)) for ask, key in batch]
        results = self.completer.complete(requests)
        done = [(key, r.text, self.id, ask.call.sample, attempt) for (ask, key), r in zip(batch, results) if r.error is None]
        self.cache.put_many(done)
        for (ask, _), result in zip(batch, results):
            ask.model_calls += result.error is None
        failed = next((r.error for r in results if r.error is not None), None)
        if failed:
            raise JudgeError(f"judge {self.id}: a model call failed ({failed}); replies so far are cached, rerun to resume")


class _Ask:
    """One call's progress through its attempts."""

    def __init__(self, call: JudgeCall) -> None:
        self.call = call
        self.prompt = call.prompt
        self.schema = function_schema(call.function)
        self.text = json.dumps([self.prompt, self.schema])  # what the judge is asked: the cache's prompt
        self.label: str | None = None
        self.replies: list[str] = []
        self.model_calls = 0

    def read(self, reply: str | None) -> None:
        if reply is not None:
            self.replies.append(reply)
            self.label = parse_reply(reply, self.call.function)


def backend_judge(spec: str, backend_name: str, model: str, options: JudgeOptions) -> ModelJudge:
    """A judge served by an engine backend; its id pins the model by content (the backend's fingerprint).
    The model loads at the first question that the cache cannot answer."""
    backend = LazyBackend(ModelSpec(model=model, backend=backend_name, dtype=options.dtype, batch_size=options.batch_size))
    info = backend.info()
    revision = info.get("fingerprint") or info.get("revision")
    judge_id = f"{backend_name}:{Path(model).name}" + (f"@{revision}" if revision else "")
    return ModelJudge(spec, judge_id, BackendCompleter(backend), options)


def openai_judge(target: str, options: JudgeOptions) -> ModelJudge:
    """`MODEL@BASE_URL` (or `MODEL`: base URL from OPENAI_BASE_URL, else OpenAI's)."""
    try:
        model, base_url = parse_target(target)
    except ValueError as exc:
        raise JudgeError(f"openai judge spec must be openai:MODEL@BASE_URL (http or https), got openai:{target}") from exc
    settings = EndpointSettings(model=model, base_url=base_url, timeout_s=options.timeout_s, retries=options.retries,
                                concurrency=options.concurrency)
    return ModelJudge(f"openai:{target}", f"openai:{model}@{base_url}", OpenAIChat(settings), options)
