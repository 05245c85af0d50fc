"""A judge client for any OpenAI-compatible chat endpoint (OpenAI, a vLLM server, ...): the openai role
backend (concurrency cap, timeouts, retries, key from the environment) asking with native function
calling, the schema as a forced tool, as upstream's judge used functions.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from engine.backends.openai import OpenAIBackend
from engine.types import RoleResult

if TYPE_CHECKING:
    from benchmarks.scoring.model_judge import JudgeRequest


class OpenAIChat(OpenAIBackend):
    """The openai role backend with the judge's request: the function schema as a forced tool."""

    def complete(self, requests: list[JudgeRequest]) -> list[RoleResult]:
        return self.generate(requests)

    def request_body(self, request: JudgeRequest) -> tuple[str, dict[str, Any]]:
        body = {"model": self.settings.model, "messages": [{"role": "user", "content": request.prompt}],
                "temperature": request.temperature, "max_tokens": request.max_new_tokens, "seed": request.seed}
        if request.function is not None:  # ToolEval's: the function as a forced tool; FAC asks a plain question
            body["tools"] = [{"type": "function", "function": request.function}]
            body["tool_choice"] = {"type": "function", "function": {"name": request.function["name"]}}
        return "/chat/completions", body

    def reply_text(self, choice: dict[str, Any]) -> Any:
        """The forced tool call (or legacy function_call) as its JSON, else the content."""
        message = choice["message"]
        calls = message.get("tool_calls") or []
        call = calls[0].get("function") if calls else message.get("function_call")
        if isinstance(call, dict):
            return json.dumps({"name": call.get("name"), "arguments": call.get("arguments")})
        return message.get("content")
