"""Model judges: ToolEval's judge functions asked of a model, batched, cached and retried.

Each call is one user message, the function's prompt (prompts.py), plus its schema, sent through a Completer
(engine.judges builds them from the engine's backends). An OpenAI-compatible endpoint gets the schema as a
forced tool (what upstream's judge saw). Models behind the engine's other backends have no native function
calling, so the schema goes into a system message (FUNCTION_INSTRUCTION, this project's adaptation) and the
reply is read by replies.parse_reply. What is asked and how a reply is read is the judge's QuestionForm:
ToolEval's by default; StableToolBench's FAC (fac.py) asks its own prompt as a plain chat message. An
unparsable reply is asked
again (`attempts` in all, as upstream's 3 tries) with a new seed; still unparsable: no verdict. A failed
model call (endpoint down) stops the scoring: replies so far are cached, so rerunning resumes.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Protocol, Sequence

from benchmarks.scoring.judge_cache import JudgeCache, cache_key
from benchmarks.scoring.judges import JudgeCall, JudgeError, JudgeOptions, Verdict
from benchmarks.scoring.prompts import EVALUATOR, function_schema
from benchmarks.scoring.replies import parse_reply

FUNCTION_INSTRUCTION = (
    "Answer by calling the function `{name}`: reply with one JSON object holding its arguments and nothing else.\n"
    "Function: {schema}"
)


@dataclass(frozen=True)
class JudgeRequest:
    request_id: str
    prompt: str
    function: dict[str, Any] | None  # the JSON schema of the function to call; None: a plain chat question
    temperature: float
    max_new_tokens: int
    seed: int


class Completion(Protocol):
    """A model's reply to one JudgeRequest: its text, or why there is none."""

    text: str
    error: str | None


class Completer(Protocol):
    """A judge that completes a prompt: the one thing scoring needs of a model (engine.judges builds them)."""

    def complete(self, requests: list[JudgeRequest]) -> list[Completion]:
        """Results in request order; a failed request carries `error`."""

    def info(self) -> dict[str, Any]: ...


class QuestionForm(Protocol):
    """What a model judge asks for a JudgeCall and how it reads the reply."""

    procedure: str  # the scoring procedure that asks these questions (benchmarks.scoring.procedures)
    name: str  # the prompts, as recorded in the judge's info

    def prompt(self, call: JudgeCall) -> str: ...

    def schema(self, call: JudgeCall) -> dict[str, Any] | None:
        """The function to call, or None for a plain chat question."""

    def parse(self, reply: str, call: JudgeCall) -> str | None:
        """The canonical label, or None; never raises (model output)."""


class ToolEvalForm:
    """ToolEval's judge functions: the function's prompt, its schema, the verdict field of the reply."""

    procedure = "tooleval"
    name = EVALUATOR

    def prompt(self, call: JudgeCall) -> str:
        return call.prompt

    def schema(self, call: JudgeCall) -> dict[str, Any] | None:
        return function_schema(call.function)

    def parse(self, reply: str, call: JudgeCall) -> str | None:
        return parse_reply(reply, call.function)


TOOLEVAL_FORM = ToolEvalForm()


class RequestBar(Protocol):
    """A progress bar of a known number of model requests (engine.runner.progress.RequestProgress)."""

    def __enter__(self) -> Any: ...
    def __exit__(self, *exc: Any) -> None: ...
    def on_batch(self, results: list[Any]) -> None: ...


class _NoBar:
    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: Any) -> None:
        pass

    def on_batch(self, results: list[Any]) -> None:
        pass


class ModelJudge:
    def __init__(self, spec: str, judge_id: str, completer: Completer, options: JudgeOptions,
                 cache: JudgeCache | None = None, form: QuestionForm = TOOLEVAL_FORM) -> None:
        self.spec = spec
        self.id = judge_id
        self.completer = completer
        self.options = options
        self.cache = cache if cache is not None else JudgeCache(options.cache_path)
        self.form = form
        # (description, requests) -> a bar moved by every answered batch; the command line gives one (a model
        # judge on a CPU can spend many minutes on one function's questions)
        self.progress: Callable[[str, int], RequestBar] = options.progress or (lambda desc, total: _NoBar())

    @property
    def procedure(self) -> str:
        return self.form.procedure

    def info(self) -> dict[str, Any]:
        backend = self.completer.info()
        return {"spec": self.spec, "id": self.id, "kind": "model", "model": backend.get("model"),
                "revision": backend.get("fingerprint") or backend.get("served_model"), "backend": backend,
                "prompts": self.form.name, "settings": {"temperature": self.options.temperature,
                                                   "max_new_tokens": self.options.max_new_tokens,
                                                   "attempts": self.options.attempts}}

    def judge(self, calls: Sequence[JudgeCall]) -> list[Verdict]:
        asks = [_Ask(call, self.form) for call in calls]
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
            if missing:
                self._generate_all(missing, attempt)
            for ask, key in zip(pending, keys):
                ask.read(self.cache.get(key))
            pending = [ask for ask in pending if ask.label is None]
        return [Verdict(a.label, tuple(a.replies), a.model_calls, len(a.replies) - a.model_calls) for a in asks]

    def _generate_all(self, missing: list[tuple[_Ask, str]], attempt: int) -> None:
        """The questions not in the cache, batch by batch, each batch cached as it is answered."""
        function = missing[0][0].call.function
        desc = f"judge {function}" + (f" (retry {attempt})" if attempt else "")
        with self.progress(desc, len(missing)) as bar:
            for start in range(0, len(missing), self.options.batch_size):
                batch = missing[start:start + self.options.batch_size]
                self._generate(batch, attempt)
                bar.on_batch(batch)

    def _generate(self, batch: list[tuple[_Ask, str]], attempt: int) -> None:
        requests = [JudgeRequest(key, ask.prompt, ask.schema, self.options.temperature, self.options.max_new_tokens,
                                 int(key[:8], 16)) for ask, key in batch]
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

    def __init__(self, call: JudgeCall, form: QuestionForm) -> None:
        self.call = call
        self.form = form
        self.prompt = form.prompt(call)
        self.schema = form.schema(call)
        self.text = json.dumps([self.prompt, self.schema])  # what the judge is asked: the cache's prompt
        self.label: str | None = None
        self.replies: list[str] = []
        self.model_calls = 0

    def read(self, reply: str | None) -> None:
        if reply is not None:
            self.replies.append(reply)
            self.label = self.form.parse(reply, self.call)
