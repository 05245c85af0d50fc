"""StableToolBench's prompt strings, read from its data folder: they are upstream's data, not shipped here.

`$UMI_EVAL_STABLETOOLBENCH` names the folder (the one holding `prompts/`); each `prompts/<name>.txt` is the
text of a Python string literal of upstream's code (`fac_eval_PROMPT.txt`: toolbench/tooleval/fac_eval.py's
PROMPT; `mirrorapi_SFT_SYSTEM.txt`, `mirrorapi_COT_SYSTEM.txt`: server/system_prompts.py's SFT_SYSTEM and
COT_SYSTEM). The file holds the literal's source text, so its `\\n` escapes are decoded into the newlines
upstream's interpreter sent.
"""
from __future__ import annotations

import os
from pathlib import Path

STABLETOOLBENCH_ENV = "UMI_EVAL_STABLETOOLBENCH"


class PromptFileError(FileNotFoundError):
    """A StableToolBench prompt file that cannot be read (the message says where it was looked for)."""


def prompt_path(name: str) -> Path:
    folder = os.environ.get(STABLETOOLBENCH_ENV)
    if not folder:
        raise PromptFileError(f"StableToolBench's prompt file prompts/{name} is needed: set {STABLETOOLBENCH_ENV} to "
                              "the StableToolBench data folder that holds prompts/")
    return Path(folder) / "prompts" / name


def stabletoolbench_prompt(name: str) -> str:
    """The prompt string upstream's code holds, from `prompts/<name>`."""
    path = prompt_path(name)
    try:
        return literal_value(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise PromptFileError(f"cannot read StableToolBench's prompt file {path} ({exc}); {STABLETOOLBENCH_ENV} "
                              "must name the StableToolBench data folder that holds prompts/") from None


def literal_value(source: str) -> str:
    """The value of a non-raw Python string literal whose body is `source` (escapes decoded; other
    characters, non-ASCII ones included, kept as they are)."""
    return source.encode("latin-1", "backslashreplace").decode("unicode_escape")
