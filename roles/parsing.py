"""Defensive text helpers shared by the output parsers.

Model output is untrusted: every helper here is total (never raises) and linear in the input size.
`json` can raise RecursionError on deeply nested input ("[[[[..."), so both error kinds are caught.
"""
from __future__ import annotations

import json
import re
from typing import Any

from roles.types import Action

_JSON_ERRORS = (ValueError, RecursionError)
_FENCE = re.compile(r"```[A-Za-z0-9_+-]*")
_DECODER = json.JSONDecoder(strict=False)

# ToolBench's Finish salvage markers (rapidapi.py `_step`), byte-exact.
_RETURN_TYPE = '"return_type": "'
_FINAL_ANSWER = '"final_answer": "'
NO_RETURN_TYPE = 'Finish without "return_type"'
NO_FINAL_ANSWER = 'Finish give_answer without "final_answer"'
# What ToolBench's `_step` answers (status 2) to a Finish it cannot use: not JSON, byte-exact.
_FINISH_REPLIES = {NO_RETURN_TYPE: '{error:"must have "return_type""}',
                   NO_FINAL_ANSWER: '{error:"must have "final_answer""}'}
_INVALID_RETURN_TYPE_REPLY = '{error:""return_type" is not a valid choice"}'


def loads(text: str, *, strict: bool = True) -> tuple[bool, Any]:
    """(True, value) when `text` is one JSON document, else (False, None)."""
    try:
        return True, json.loads(text, strict=strict)
    except _JSON_ERRORS:
        return False, None


def first_object(text: str) -> tuple[dict[str, Any], str] | None:
    """The JSON object starting at the first "{" of `text` and its source text, or None."""
    start = text.find("{")
    if start < 0:
        return None
    try:
        value, end = _DECODER.raw_decode(text, start)
    except _JSON_ERRORS:
        return None
    return (value, text[start:end]) if isinstance(value, dict) else None


def strip_fences(text: str) -> str:
    """Drop Markdown code-fence markers (```json ... ```) that chat models wrap around answers."""
    return _FENCE.sub("", text)


def as_text(value: Any) -> str:
    """A JSON value as answer text: strings unchanged, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _salvage_finish(args: str) -> dict[str, Any]:
    """ToolBench's substring salvage of non-JSON Finish arguments (kept quirks: the answer runs to the
    end of the string, trailing `"}` included)."""
    data: dict[str, Any] = {}
    if _RETURN_TYPE in args:
        if '"return_type": "give_answer"' in args:
            data["return_type"] = "give_answer"
        elif '"return_type": "give_up_and_restart"' in args:
            data["return_type"] = "give_up_and_restart"
        else:
            data["return_type"] = args[args.find(_RETURN_TYPE) + len(_RETURN_TYPE):args.find('",')]
    if _FINAL_ANSWER in args:
        data["final_answer"] = args[args.find(_FINAL_ANSWER) + len(_FINAL_ANSWER):]
    return data


def finish_action(thought: str, name: str, arguments: str) -> Action:
    """What a ToolBench `Finish` call means: an answer, a give-up, or a parse error.

    Mirrors ToolBench's environment: JSON (non-strict) first, substring salvage otherwise; a missing
    or unknown return_type, or give_answer without final_answer, is an error (upstream status 2).
    """
    ok, data = loads(arguments, strict=False)
    if not ok:
        data = _salvage_finish(arguments)
    if not isinstance(data, dict):
        data = {}
    call = {"thought": thought, "name": name, "arguments": arguments}
    return_type = data.get("return_type")
    if return_type == "give_up_and_restart":
        return Action(kind="give_up", **call)
    if return_type == "give_answer":
        if "final_answer" not in data:
            return Action(kind="parse_error", error=NO_FINAL_ANSWER, **call)
        return Action(kind="answer", answer=as_text(data["final_answer"]), **call)
    if return_type is None:
        return Action(kind="parse_error", error=NO_RETURN_TYPE, **call)
    return Action(kind="parse_error", error=f"Finish with invalid return_type {as_text(return_type)[:80]!r}", **call)


def step_action(text: str, split: tuple[str, str, str] | None, missing: str) -> Action:
    """What a single-LLM step means once its (thought, action, arguments) are read (`split`): ToolBench's
    Finish, a call, or a parse error saying what the text lacked (`missing`)."""
    if split is None:
        return Action(kind="parse_error", thought=text.strip(), error=missing)
    thought, name, arguments = split
    if name == "Finish":
        return finish_action(thought, name, arguments)
    return Action(kind="call", thought=thought, name=name, arguments=arguments)


def finish_error_reply(error: str) -> str:
    """The environment's reply (status 2) to a Finish that `finish_action` refused with `error`."""
    return _FINISH_REPLIES.get(error, _INVALID_RETURN_TYPE_REPLY)
