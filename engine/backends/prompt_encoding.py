"""Prompt encoding shared by the local-model backends, so hf and vllm see the same token ids."""
from __future__ import annotations

from typing import Any

from roles.types import Prompt


def encode_prompt(tokenizer: Any, prompt: Prompt, max_context: int, max_new_tokens: int,
                  keep: int | None = None) -> list[int]:
    """Token ids of a text or chat prompt, left-truncated so the prompt and its reply fit the context, and
    to the last `keep` tokens when given (the latest history is kept, as alpha-UMi does)."""
    if isinstance(prompt, str):
        ids = tokenizer(prompt)["input_ids"]
    else:
        text = tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=False)
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    fits = max(1, max_context - max_new_tokens)
    return ids[-min(fits, keep):] if keep else ids[-fits:]
