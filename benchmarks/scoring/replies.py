"""Reading a verdict out of a judge's reply: untrusted text from any model, so this never raises.

Accepted, in order: a JSON object anywhere in the reply holding the verdict field, directly or inside a
function call (`{"name": ..., "arguments": "<JSON>"}`, `tool_calls`, `function_call`, `parameters`);
then `field: value` written out (`answer_status: Solved`); then a reply that is nothing but a label
(`Solved`, `"unsolved."`, `1`, `Answer_1`). Values must be one of the function's enum values (case
ignored); anything else gives None, which the judge retries and finally counts as no verdict.
"""
from __future__ import annotations

import json
import re
from collections import deque
from typing import Any, Iterator

from benchmarks.scoring.prompts import VERDICT_FIELDS, VERDICT_VALUES

_MAX_CHARS = 20_000  # a verdict is short; this bounds the work on a runaway reply
_MAX_OBJECTS = 64  # JSON decode attempts per reply
_MAX_NODES = 256  # JSON values visited per object
_DECODER = json.JSONDecoder()
_STRIP = " \t\r\n\"'`*."


def parse_reply(text: Any, function: str) -> str | None:
    """The canonical verdict (`Solved`, `Solvable`, `"0"`, ...) of a reply to `function`, or None."""
    field = VERDICT_FIELDS[function]
    if not isinstance(text, str):
        return None
    text = text[:_MAX_CHARS]
    for obj in _json_objects(text):
        for value in _field_values(obj, field):
            verdict = _canonical(value, field)
            if verdict is not None:
                return verdict
    return _written_out(text, field) or _bare(text, field)


def _json_objects(text: str) -> Iterator[Any]:
    start, tries = text.find("{"), 0
    while start != -1 and tries < _MAX_OBJECTS:
        tries += 1
        try:
            obj, end = _DECODER.raw_decode(text, start)
        except (ValueError, RecursionError):
            start = text.find("{", start + 1)
            continue
        yield obj
        start = text.find("{", end)


def _field_values(obj: Any, field: str) -> Iterator[Any]:
    """Values of `field` anywhere in the JSON value, outermost first; JSON held in strings (function-call
    arguments) is decoded too."""
    queue, seen = deque([obj]), 0
    while queue and seen < _MAX_NODES:
        node = queue.popleft()
        seen += 1
        if isinstance(node, str) and node.lstrip().startswith("{"):
            queue.extend(_json_objects(node))
        elif isinstance(node, dict):
            if field in node:
                yield node[field]
            queue.extend(v for k, v in node.items() if k != field)
        elif isinstance(node, list):
            queue.extend(node)


def _canonical(value: Any, field: str) -> str | None:
    allowed = VERDICT_VALUES[field]
    if field == "index" and isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value)) if value in (0, 1) else None
    if not isinstance(value, str):
        return None
    cleaned = value.strip(_STRIP).lower()
    return next((label for label in allowed if label.lower() == cleaned), None)


def _written_out(text: str, field: str) -> str | None:
    match = re.search(rf"""["']?\b{field}\b["']?\s*[:=]\s*["']?([A-Za-z0-9.]+)""", text)
    return _canonical(match.group(1), field) if match else None


def _bare(text: str, field: str) -> str | None:
    cleaned = text.strip(_STRIP)
    if field == "index":
        match = re.fullmatch(r"(?:answer[_ ]?)?([01])", cleaned, re.IGNORECASE)
        cleaned = match.group(1) if match else ""
    return _canonical(cleaned, field)
