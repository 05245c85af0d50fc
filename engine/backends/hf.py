"""transformers backend: batched generation with left padding, stop strings and per-request seeds.

Greedy decoding batches freely (left-padded batched greedy equals single-sequence greedy). Sampling draws
each row's tokens from that request's own torch.Generator inside a logits processor, so a seeded request
gives the same text at any batch size and in any batch company.
"""
from __future__ import annotations

import time
from typing import Any

import torch
import transformers
from transformers import AutoModelForCausalLM, AutoTokenizer, LogitsProcessor, LogitsProcessorList


from engine.backends.model_files import local_model_info, resolve_model_path
from engine.backends.prompt_encoding import encode_prompt
from engine.backends.streaming import BatchRefillStream
from engine.types import ModelSpec, RoleRequest, RoleResult, SamplingParams
from roles.types import Prompt

DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}


class SeededSampler(LogitsProcessor):
    """Samples each row with its own generator and returns logits that make greedy pick that token."""

    def __init__(self, seeds: list[int], temperature: float, top_p: float) -> None:
        self.generators = [torch.Generator().manual_seed(seed) for seed in seeds]
        self.temperature = temperature
        self.top_p = top_p

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        probs = torch.softmax(scores.float() / self.temperature, dim=-1).cpu()
        if self.top_p < 1.0:
            probs = _top_p_filter(probs, self.top_p)
        chosen = [torch.multinomial(row, 1, generator=gen).item() for row, gen in zip(probs, self.generators)]
        forced = torch.full_like(scores, float("-inf"))
        forced[torch.arange(len(chosen)), torch.tensor(chosen, device=scores.device)] = 0.0
        return forced


def _top_p_filter(probs: torch.Tensor, top_p: float) -> torch.Tensor:
    sorted_probs, order = probs.sort(dim=-1, descending=True)
    outside = sorted_probs.cumsum(dim=-1) - sorted_probs > top_p
    sorted_probs[outside] = 0.0
    return torch.zeros_like(probs).scatter(-1, order, sorted_probs)


class HFBackend:
    def __init__(self, spec: ModelSpec) -> None:
        if spec.sampling.json_schema:
            raise ValueError("sampling.json_schema (constrained decoding) needs the vllm backend")
        self.spec = spec
        self.path = resolve_model_path(spec.model)
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        self.tokenizer = AutoTokenizer.from_pretrained(self.path)
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.model = AutoModelForCausalLM.from_pretrained(self.path, dtype=DTYPES[spec.dtype]).to(self.device)
        self.model.eval()
        self.max_context = spec.max_context or getattr(self.model.config, "max_position_embeddings", 4096)

    def info(self) -> dict[str, Any]:
        return {**local_model_info("hf", self.spec, self.path, self.device, self.max_context),
                "versions": {"torch": torch.__version__, "transformers": transformers.__version__}}

    def open_stream(self, capacity: int) -> BatchRefillStream:
        """Batch refill: whenever the model is free, whatever is queued runs as one batch (no slot refill
        between decode steps in transformers)."""
        return BatchRefillStream(self.generate, capacity)

    def generate(self, requests: list[RoleRequest]) -> list[RoleResult]:
        results: dict[str, RoleResult] = {}
        for sampling, group in _group_by_sampling(requests).items():
            encoded = [(request, self._encode(request.prompt, sampling)) for request in group]
            for batch in length_buckets(encoded, self.spec.batch_size):
                for result in self._generate_batch(batch, sampling):
                    results[result.request_id] = result
        return [results[request.request_id] for request in requests]

    def _encode(self, prompt: Prompt, sampling: SamplingParams) -> list[int]:
        return encode_prompt(self.tokenizer, prompt, self.max_context, sampling.max_new_tokens, sampling.prompt_tokens)

    @torch.inference_mode()
    def _generate_batch(self, batch: list[tuple[RoleRequest, list[int]]], sampling: SamplingParams) -> list[RoleResult]:
        start = time.perf_counter()
        width = max(len(ids) for _, ids in batch)
        pad = self.tokenizer.pad_token_id
        input_ids = torch.tensor([[pad] * (width - len(ids)) + ids for _, ids in batch], device=self.device)
        mask = torch.tensor([[0] * (width - len(ids)) + [1] * len(ids) for _, ids in batch], device=self.device)
        kwargs: dict[str, Any] = {"max_new_tokens": sampling.max_new_tokens, "do_sample": False, "pad_token_id": pad}
        if sampling.stop:
            kwargs.update(stop_strings=list(sampling.stop), tokenizer=self.tokenizer)
        if sampling.min_new_tokens:
            kwargs["min_new_tokens"] = sampling.min_new_tokens
        if sampling.temperature > 0:
            seeds = [request.seed for request, _ in batch]
            kwargs["logits_processor"] = LogitsProcessorList([SeededSampler(seeds, sampling.temperature, sampling.top_p)])
        output = self.model.generate(input_ids=input_ids, attention_mask=mask, **kwargs)
        latency = time.perf_counter() - start
        return [self._result(request, len(ids), row[width:], sampling, latency) for (request, ids), row in zip(batch, output)]

    def _result(self, request: RoleRequest, prompt_len: int, new_ids: torch.Tensor, sampling: SamplingParams, latency: float) -> RoleResult:
        ids = new_ids.tolist()
        end = end_of_reply(ids, self.tokenizer.eos_token_id, self.tokenizer.pad_token_id)
        text, stopped = cut_at_stop(self.tokenizer.decode(ids[:end], skip_special_tokens=True), sampling.stop)
        # A generated EOS is a generated token (vLLM and OpenAI usage count it); the padding after a
        # stop string is not.
        generated_eos = not stopped and end < len(ids) and ids[end] == self.tokenizer.eos_token_id
        finish = "stop" if stopped or end < len(ids) else "length"
        return RoleResult(request.request_id, text, prompt_len, end + generated_eos, latency, finish)


def end_of_reply(ids: list[int], eos: int | None, pad: int | None) -> int:
    """Index of the first EOS or padding token (the reply's end), or len(ids)."""
    return min((ids.index(token) for token in (eos, pad) if token is not None and token in ids), default=len(ids))


def length_buckets(items: list[tuple[RoleRequest, list[int]]], max_size: int,
                   max_padding: float = 0.25) -> list[list[tuple[RoleRequest, list[int]]]]:
    """Batches of similar prompt lengths: sorted, and a new batch starts when padding would exceed
    `max_padding` of its real tokens. Prefill of padded tokens is most of a CPU's work on long prompts."""
    batches: list[list[tuple[RoleRequest, list[int]]]] = []
    current: list[tuple[RoleRequest, list[int]]] = []
    tokens = 0
    for item in sorted(items, key=lambda pair: len(pair[1])):
        length = len(item[1])
        if current and (len(current) >= max_size or length * (len(current) + 1) > (1 + max_padding) * (tokens + length)):
            batches.append(current)
            current, tokens = [], 0
        current.append(item)
        tokens += length
    return batches + [current] if current else batches


def cut_at_stop(text: str, stop: tuple[str, ...]) -> tuple[str, bool]:
    """Text before the earliest stop string (stop strings are not part of the output)."""
    cuts = [text.find(s) for s in stop if s and s in text]
    return (text[: min(cuts)], True) if cuts else (text, False)


def _group_by_sampling(requests: list[RoleRequest]) -> dict[SamplingParams, list[RoleRequest]]:
    groups: dict[SamplingParams, list[RoleRequest]] = {}
    for request in requests:
        groups.setdefault(request.sampling, []).append(request)
    return groups
