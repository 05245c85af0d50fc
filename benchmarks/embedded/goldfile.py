"""The gold file `gold/<group>.json`: query id -> {"calls": [{"name", "arguments", "response"}], "answer",
"facts"}. ToolBench has no such file; it is what lets the `verified` judge and the `oracle` agent work
on an exported embedded benchmark."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks.toolbench import BenchmarkFormatError
from benchmarks.core.types import Gold, GoldCall

GOLD_DIR = "gold"


def gold_to_json(gold: Gold) -> dict[str, Any]:
    return {"calls": [{"name": c.name, "arguments": c.arguments, "response": c.response} for c in gold.calls],
            "answer": gold.answer, "facts": list(gold.facts)}


def _call(raw: Any) -> GoldCall:
    if not (isinstance(raw, dict) and isinstance(raw.get("name"), str) and isinstance(raw.get("arguments"), dict)):
        raise ValueError("each call needs a string 'name' and an object 'arguments'")
    return GoldCall(raw["name"], raw["arguments"], raw.get("response"))


def gold_from_json(raw: Any) -> Gold:
    """A Gold from its JSON form; ValueError saying what is wrong."""
    if not isinstance(raw, dict) or not isinstance(raw.get("calls"), list):
        raise ValueError("expected an object with a 'calls' list")
    facts, answer = raw.get("facts", []), raw.get("answer", "")
    if not isinstance(answer, str) or not isinstance(facts, list) or not all(isinstance(f, str) for f in facts):
        raise ValueError("'answer' must be a string and 'facts' a list of strings")
    return Gold(calls=tuple(_call(c) for c in raw["calls"]), answer=answer, facts=tuple(facts))


def read_gold_file(path: Path) -> dict[str, Gold]:
    """Query id -> Gold; BenchmarkFormatError naming the file and the query on bad input."""
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise BenchmarkFormatError(f"{path}: gold file not found") from None
    except ValueError as e:
        raise BenchmarkFormatError(f"{path}: not valid JSON ({e})") from None
    if not isinstance(data, dict):
        raise BenchmarkFormatError(f"{path}: expected an object of query id -> gold")
    golds = {}
    for qid, raw in data.items():
        try:
            golds[qid] = gold_from_json(raw)
        except ValueError as e:
            raise BenchmarkFormatError(f"{path}: query {qid}: {e}") from None
    return golds
