"""Prompt encoding shared by the local-model backends, so hf and vllm see the same token ids."""
from __future__ import annotations

from typing import Any

from roles.types import Prompt


def encode_prompt(tokenizer: Any, prompt: Prompt, max_context: int, max_new_tokens: int,
                  keep: int | None = None) -> list[int]:
    """Token ids of a text or chat prompt, left-truncated (the latest history is kept, as alpha-UMi does).

    With `keep`, the last `keep` tokens whatever room the reply then has, as upstream's collator and real-time
    loop cut to a fixed count (on a 4,096-token model the static 3,750 leave 346 tokens of reply, not 512);
    only a prompt longer than the whole context is cut further. Without it, the prompt and its reply fit."""
    if isinstance(prompt, str):
        ids = tokenizer(prompt)["input_ids"]
    else:
        text = tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=False)
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    if keep:
        return ids[-min(keep, max(1, max_context - 1)):]
    return ids[-max(1, max_context - max_new_tokens):]
