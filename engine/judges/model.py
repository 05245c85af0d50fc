"""Model judges: an engine backend or an OpenAI-compatible endpoint as the Completer of scoring's ModelJudge."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks.scoring.judges import JudgeError, JudgeOptions, JudgeSpec
from benchmarks.scoring.model_judge import FUNCTION_INSTRUCTION, JudgeRequest, ModelJudge
from engine.backends.base import Backend
from engine.backends.lazy import LazyBackend
from engine.backends.openai_http import EndpointSettings, parse_target
from engine.judges.openai_chat import OpenAIChat
from engine.types import ModelSpec, RoleRequest, RoleResult, SamplingParams


class BackendCompleter:
    """An engine backend (hf, vllm, scripted) as a judge model: chat messages, schema in the system message."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def info(self) -> dict[str, Any]:
        return self.backend.info()

    def complete(self, requests: list[JudgeRequest]) -> list[RoleResult]:
        return self.backend.generate([RoleRequest(r.request_id, "judge", judge_messages(r), judge_sampling(r), r.seed)
                                      for r in requests])


def judge_messages(request: JudgeRequest) -> list[dict[str, str]]:
    """The prompt as the user message; a function to call goes into a system message before it."""
    question = [{"role": "user", "content": request.prompt}]
    if request.function is None:
        return question
    instruction = FUNCTION_INSTRUCTION.format(name=request.function["name"], schema=json.dumps(request.function))
    return [{"role": "system", "content": instruction}, *question]


def judge_sampling(request: JudgeRequest) -> SamplingParams:
    return SamplingParams(temperature=request.temperature, max_new_tokens=request.max_new_tokens)


def backend_judge(spec: JudgeSpec) -> ModelJudge:
    """`BACKEND:MODEL`: a judge served by an engine backend (an unknown backend fails here, naming the valid ones)."""
    return model_judge(spec.text, spec.kind, spec.rest, spec.options)


def model_judge(spec: str, backend_name: str, model: str, options: JudgeOptions) -> ModelJudge:
    """A judge served by an engine backend; its id pins the model by content (the backend's fingerprint).
    The model loads at the first question that the cache cannot answer."""
    backend = LazyBackend(ModelSpec(model=model, backend=backend_name, dtype=options.dtype, batch_size=options.batch_size))
    info = backend.info()
    revision = info.get("fingerprint") or info.get("revision")
    judge_id = f"{backend_name}:{Path(model).name}" + (f"@{revision}" if revision else "")
    return ModelJudge(spec, judge_id, BackendCompleter(backend), options)


def openai_judge(spec: JudgeSpec) -> ModelJudge:
    """`openai:MODEL@BASE_URL` (or `openai:MODEL`: base URL from OPENAI_BASE_URL, else OpenAI's)."""
    target, options = spec.rest, spec.options
    try:
        model, base_url = parse_target(target)
    except ValueError as exc:
        raise JudgeError(f"openai judge spec must be openai:MODEL@BASE_URL (http or https), got openai:{target}") from exc
    settings = EndpointSettings(model=model, base_url=base_url, timeout_s=options.timeout_s, retries=options.retries,
                                concurrency=options.concurrency)
    return ModelJudge(f"openai:{target}", f"openai:{model}@{base_url}", OpenAIChat(settings), options)


def embedded_judge(spec: JudgeSpec) -> ModelJudge:
    """`embedded`: the hf backend resolves the model "embedded" to the model shipped with umi-eval."""
    return model_judge("embedded", "hf", "embedded", spec.options)
