"""Deterministic responses for cache misses, shaped by the API's template_response.

Templates describe a response by type names ("str", "int", "float", "bool", "NoneType", "empty list",
"list of str with length 8") with `_list_length` in the one example item of a list. Every value is
derived from blake2b of (API identity, canonical arguments, position), never Python's salted hash(),
so the same call gives the same bytes in any process.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from tools_sim.keys import canonical_key

MAX_LIST_ITEMS = 3  # lists are cut so a synthesized reply stays well inside the 1,024-char observation
MAX_DEPTH = 32
LIST_LENGTH_KEY = "_list_length"
_LIST_OF = re.compile(r"list of (\w+) with length (\d{1,9})")


def _digest(key: bytes, data: str) -> int:
    return int.from_bytes(hashlib.blake2b(data.encode(), key=key, digest_size=8).digest(), "big")


def _repair_truncated_json(text: str) -> Any:
    """The longest prefix of `text` cut at a member boundary, its open brackets closed, that parses.

    All 230 string templates of the solvable queries are JSON cut at 1,000 chars; this keeps their shape.
    """
    cuts: list[tuple[int, str]] = []  # (prefix end, closing brackets needed there)
    closers: list[str] = []
    in_string = escaped = False
    previous = ""  # last significant character outside strings
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch in "{[":
            closers.append("}" if ch == "{" else "]")
            if previous not in (",", "["):  # an emptied list item would be a bogus extra item
                cuts.append((i + 1, "".join(reversed(closers))))
        elif ch in "}]" and closers:
            closers.pop()
        elif ch == ",":
            cuts.append((i, "".join(reversed(closers))))
        if not ch.isspace():
            previous = ch
    for end, closing in reversed(cuts):
        try:
            return json.loads(text[:end] + closing)
        except (ValueError, RecursionError):
            continue
    return None


@lru_cache(maxsize=4096)
def _parse_template_text(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return _repair_truncated_json(text)


def template_shape(template: Any) -> dict[str, Any] | list[Any] | None:
    """The template as a dict or list (a JSON string is parsed, a cut one repaired); None when it
    says nothing about the shape (missing, empty, unparsable)."""
    shape = _parse_template_text(template) if isinstance(template, str) else template
    return shape if isinstance(shape, (dict, list)) and shape else None


# Template type name -> a value made from the position's hash and the nearest field name.
_MAKERS: dict[str, Callable[[int, str], Any]] = {
    "str": lambda h, label: f"{label}_{h % 16**8:08x}",
    "int": lambda h, _: h % 1000,
    "float": lambda h, _: round((h % 100_000) / 100, 2),
    "bool": lambda h, _: bool(h & 1),
    "NoneType": lambda h, _: None,
    "list": lambda h, _: [],
    "dict": lambda h, _: {},
}


def _item_count(item: Any) -> int:
    n = item.get(LIST_LENGTH_KEY, 1) if isinstance(item, dict) else 1
    return max(0, min(n, MAX_LIST_ITEMS)) if isinstance(n, int) and not isinstance(n, bool) else 1


def _fill_list(node: list[Any], key: bytes, path: tuple[Any, ...]) -> list[Any]:
    if len(node) == 1 and isinstance(node[0], str) and _LIST_OF.fullmatch(node[0]):
        return _fill(node[0], key, path)  # ["list of str with length 8"] is the list itself
    items: list[Any] = []
    for example in node:
        for _ in range(_item_count(example)):
            items.append(_fill(example, key, (*path, len(items))))
    return items


def _fill(node: Any, key: bytes, path: tuple[Any, ...]) -> Any:
    if len(path) > MAX_DEPTH:
        return None
    if isinstance(node, dict):
        return {k: _fill(v, key, (*path, k)) for k, v in node.items() if k != LIST_LENGTH_KEY}
    if isinstance(node, list):
        return _fill_list(node, key, path)
    if not isinstance(node, str):
        return node  # a literal example value
    if node == "empty list":
        return []
    if m := _LIST_OF.fullmatch(node):
        n = min(int(m.group(2)), MAX_LIST_ITEMS)
        return [_fill(m.group(1), key, (*path, i)) for i in range(n)]
    make = _MAKERS.get(node)
    if make is None:
        return node  # not a type name: a literal example string
    label = next((p for p in reversed(path) if isinstance(p, str)), "value")
    return make(_digest(key, "\x1f".join(map(str, path))), label)


def synthesize(template: Any, identity: str, arguments: Mapping[str, Any]) -> Any:
    """The response of one call: the template filled with values seeded by (identity, arguments);
    without a usable template a small generic dict."""
    key = hashlib.blake2b(f"{identity}\x1e{canonical_key(arguments)}".encode(), digest_size=32).digest()
    shape = template_shape(template)
    if shape is None:
        return {"status": "success", "id": f"{_digest(key, 'id'):016x}", "input": dict(arguments)}
    return _fill(shape, key, ())
