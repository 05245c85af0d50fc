"""Prompt encoding shared by the local-model backends, so hf and vllm see the same token ids."""
from __future__ import annotations

from typing import Any

from jinja2.exceptions import TemplateError

from roles.function_calling import as_text_messages
from roles.types import Prompt, ToolPrompt


def render_tool_prompt(tokenizer: Any, prompt: ToolPrompt) -> str:
    """A function-calling prompt through the model's chat template with `tools=`; a template that renders the
    same text without them (or fails on tool messages) takes no tools: then roles.function_calling's text
    convention."""
    messages = list(prompt.messages)
    try:
        native = tokenizer.apply_chat_template(messages, tools=list(prompt.tools), add_generation_prompt=True,
                                               tokenize=False)
        if native != tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False):
            return native
    except (TemplateError, TypeError, KeyError, ValueError):
        pass
    return tokenizer.apply_chat_template(as_text_messages(prompt), add_generation_prompt=True, tokenize=False)


def encode_prompt(tokenizer: Any, prompt: Prompt, max_context: int, max_new_tokens: int,
                  keep: int | None = None) -> list[int]:
    """Token ids of a text or chat prompt, left-truncated (the latest history is kept, as alpha-UMi does).

    With `keep`, the last `keep` tokens whatever room the reply then has, as upstream's collator and real-time
    loop cut to a fixed count (on a 4,096-token model the static 3,750 leave 346 tokens of reply, not 512);
    only a prompt longer than the whole context is cut further. Without it, the prompt and its reply fit."""
    if isinstance(prompt, str):
        ids = tokenizer(prompt)["input_ids"]
    elif isinstance(prompt, ToolPrompt):
        ids = tokenizer(render_tool_prompt(tokenizer, prompt), add_special_tokens=False)["input_ids"]
    else:
        text = tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=False)
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    if keep:
        return ids[-min(keep, max(1, max_context - 1)):]
    return ids[-max(1, max_context - max_new_tokens):]
