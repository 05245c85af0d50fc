"""Cache keys: the upstream key of a call and the canonical key two spellings of one call share.

Upstream's key is `str(json.loads(tool_input))` (a Python dict repr: key order and value types matter);
third-party caches use compact JSON. The canonical key makes argument order, formatting and "5" vs 5
irrelevant, and is only ever a fallback after the exact upstream key.
"""
from __future__ import annotations

import ast
import json
import math
import re
from collections.abc import Mapping
from typing import Any

# Bump when canonical_key changes: stores computed with another version recompute their keys on open.
KEYS_VERSION = 1

# A string value that is a plain JSON number literal is the same argument as that number.
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_MAX_NUMBER_CHARS = 64  # beyond this a digit string is an identifier, not a number
# Arguments nested deeper than this are refused as unparseable: the key functions recurse, and model
# output can nest brackets up to the JSON parser's own limit (about 1,000 levels).
MAX_ARGUMENT_DEPTH = 100


def too_deep(value: Any, limit: int = MAX_ARGUMENT_DEPTH) -> bool:
    """Whether containers nest more than `limit` levels (checked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, Mapping) else item if isinstance(item, (list, tuple)) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def upstream_key(arguments: Mapping[str, Any]) -> str:
    """The key StableToolBench's server writes and looks up first."""
    return str(arguments)


def _canonical_number(value: int | float) -> str:
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return repr(value)


def _canonical(value: Any) -> Any:
    """Scalars become strings (numbers normalised, strings stripped); containers keep their shape."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _canonical_number(value)
    if isinstance(value, str):
        text = value.strip()
        if len(text) <= _MAX_NUMBER_CHARS and _NUMBER.fullmatch(text):
            return _canonical_number(float(text) if any(c in text for c in ".eE") else int(text))
        return text
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    return None if value is None else repr(value)  # literal_eval can also give sets, bytes, complex


def canonical_key(arguments: Mapping[str, Any]) -> str:
    """The key two spellings of the same call share: sorted keys, compact, normalised scalars."""
    return json.dumps(_canonical(arguments), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def parse_key(text: str) -> dict[str, Any] | None:
    """A cache key back to its arguments: compact JSON or a Python dict repr (literal_eval, never eval).
    None when it is neither, or nests too deeply (such keys still match exactly)."""
    for parse in (json.loads, ast.literal_eval):
        try:
            value = parse(text)
        except Exception:  # literal_eval raises many kinds (ValueError, SyntaxError, MemoryError, ...)
            continue
        return value if isinstance(value, dict) and not too_deep(value) else None
    return None


def canonical_of_key(text: str) -> str | None:
    """The canonical key of a stored key text; None when the text is not an argument dict."""
    arguments = parse_key(text)
    return None if arguments is None else canonical_key(arguments)
