"""ToolBench's name normalisation, reproduced byte-exactly (docs/formats.md sections 3 and 5).

Function names, parameter names and the response-cache layout all derive from these rules, so any
deviation breaks interoperability with ToolEval answers and StableToolBench caches.
"""
from __future__ import annotations

import os
import re

# Upstream's class is "[^\u4e00-\u9fa5^a-z^A-Z^0-9^_]": the stray "^" characters inside it make "^"
# itself a kept character. Reproduced on purpose, since cache paths and names depend on it.
_NOT_KEPT = re.compile("[^\u4e00-\u9fa5^a-zA-Z0-9_]")
_UNDERSCORE_RUNS = re.compile(r"_{2,}")
_RESERVED = frozenset({"from", "class", "return", "false", "true", "id", "and"})
MAX_FUNCTION_NAME = 64
MAX_NAME_BYTES = 255  # NAME_MAX of the common file systems (ext4, XFS, btrfs, tmpfs, APFS)
_PATH_SEPARATORS = frozenset("/\\\0")


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


def path_part(name: str, what: str, suffix: str = "") -> str:
    """`name` when it can be one path component (followed by `suffix` in the file name); ValueError naming
    `what` otherwise. The one check of every name from data or configuration that becomes a file or folder
    name (groups, query ids, run, agent, benchmark and model names, response-cache names): it refuses what
    could leave its folder (empty, ".", "..", "/", "\\", NUL; an absolute path holds a "/") and what no file
    system can hold (over MAX_NAME_BYTES bytes with the suffix, or text with no file-name encoding). Names are
    refused, never rewritten, because upstream tools find files by the same names (docs/hardening.md)."""
    if not isinstance(name, str) or name in ("", ".", "..") or set(name) & _PATH_SEPARATORS:
        raise ValueError(f"unsafe name: {what} {name!r} must be a plain file name (no '/', '\\', NUL, '..'; not empty)")
    try:
        size = len(os.fsencode(name + suffix))
    except UnicodeEncodeError:
        raise ValueError(f"unsafe name: {what} {name[:60]!r} has no file-name encoding") from None
    if size > MAX_NAME_BYTES:
        raise ValueError(f"unsafe name: {what} {name[:60]!r}... is {size} bytes as a file name, over the file "
                         f"system's {MAX_NAME_BYTES}")
    return name
