"""ToolBench's name normalisation, reproduced byte-exactly (docs/formats.md sections 3 and 5).

Function names, parameter names and the response-cache layout all derive from these rules, so any
deviation breaks interoperability with ToolEval answers and StableToolBench caches.
"""
from __future__ import annotations

import re

# Upstream's class is "[^\u4e00-\u9fa5^a-z^A-Z^0-9^_]": the stray "^" characters inside it make "^"
# itself a kept character. Reproduced on purpose, since cache paths and names depend on it.
_NOT_KEPT = re.compile("[^\u4e00-\u9fa5^a-zA-Z0-9_]")
_UNDERSCORE_RUNS = re.compile(r"_{2,}")
_RESERVED = frozenset({"from", "class", "return", "false", "true", "id", "and"})
MAX_FUNCTION_NAME = 64


def standardize(s: str) -> str:
    """Tool/api/parameter name -> identifier: other chars to "_", runs collapsed, lowercase, no edge "_"."""
    s = _UNDERSCORE_RUNS.sub("_", _NOT_KEPT.sub("_", s)).lower().strip("_")
    if s[:1].isdigit():
        s = "get_" + s
    return s


def change_name(n: str) -> str:
    """Prefix names that are Python keywords/literals upstream refused as identifiers (`id` -> `is_id`)."""
    return "is_" + n if n in _RESERVED else n


def function_name(api_name: str, tool_name: str) -> str:
    """The function name the model sees; upstream keeps the TAIL when it exceeds 64 chars."""
    return (change_name(standardize(api_name)) + "_for_" + standardize(tool_name))[-MAX_FUNCTION_NAME:]


def standardize_category(c: str) -> str:
    """Category folder name of the StableToolBench response cache ("News, Media" -> "News_Media")."""
    s = c.replace(" ", "_").replace(",", "_").replace("/", "_")
    # Upstream collapses doubled underscores exactly once (non-overlapping), not repeatedly.
    return s.replace("__", "_")


def check_folder_name(name: str, what: str) -> str:
    """`name` when it is one plain folder name, so that a name from configuration stays inside the output
    folder: no path separator, not `.` or `..`, not empty; ValueError naming `what` otherwise."""
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
        raise ValueError(f"{what} {name!r} must be a plain folder name (no '/', '\\', '..'; not empty)")
    return name
