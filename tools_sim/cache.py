"""StableToolBench's tool response cache, held in memory (spec/toolbench-formats.md section 5).

Layout: `<root>/<std_category>/<std_tool>_for_<std_category>/<std_api>.json`, each file one dict per API:
key = `str(json.loads(tool_input))` (a Python dict repr; third-party caches use compact JSON), value =
`{"error": ..., "response": ...}`. Upstream re-reads a file on every call and matches keys exactly; here
every file is read once and a canonical key (argument order, formatting and "5" vs 5 do not matter)
backs up the exact upstream key, which is always tried first.
"""
from __future__ import annotations

import ast
import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.naming import change_name, standardize, standardize_category

ApiPath = tuple[str, str, str]  # (category folder, tool folder, api file stem)

# A string value that is a plain JSON number literal is the same argument as that number.
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_MAX_NUMBER_CHARS = 64  # beyond this a digit string is an identifier, not a number


class CacheFormatError(ValueError):
    """A cache file that cannot be read; the message names the file and the record."""


def api_path(category: str, tool: str, api: str) -> ApiPath:
    """Where the server looks up an API, from raw ToolBench names (server/main.py's naming)."""
    std_category = standardize_category(category)
    return std_category, f"{standardize(tool)}_for_{std_category}", change_name(standardize(api))


def safe_part(name: str) -> str:
    """A name used as one path component; refuses anything that could leave its folder
    (empty, ".", "..", separators, NUL; a leading "/" is a separator, so absolute names are refused too)."""
    if name in ("", ".", "..") or "/" in name or "\\" in name or "\x00" in name:
        raise ValueError(f"unsafe name for a response-cache path: {name!r}")
    return name


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
    None when it is neither (such keys still match exactly)."""
    for parse in (json.loads, ast.literal_eval):
        try:
            value = parse(text)
        except Exception:  # literal_eval raises many kinds (ValueError, SyntaxError, MemoryError, ...)
            continue
        return value if isinstance(value, dict) else None
    return None


@dataclass
class _ApiRecords:
    """One API's records: by upstream key text (file order, kept for export) and by canonical key."""

    exact: dict[str, dict[str, Any]] = field(default_factory=dict)
    canonical: dict[str, dict[str, Any]] = field(default_factory=dict)

    def put(self, key: str, value: dict[str, Any], arguments: Mapping[str, Any] | None) -> None:
        self.exact[key] = value
        if arguments is not None:
            self.canonical[canonical_key(arguments)] = value  # the last record of a spelling wins

    def get(self, arguments: Mapping[str, Any]) -> dict[str, Any] | None:
        hit = self.exact.get(str(arguments))
        return hit if hit is not None else self.canonical.get(canonical_key(arguments))


def _read_api_file(path: Path) -> _ApiRecords:
    try:
        data = json.loads(path.read_bytes())
    except (ValueError, RecursionError) as e:  # UnicodeDecodeError is a ValueError
        raise CacheFormatError(f"{path}: not valid JSON ({e})") from e
    if not isinstance(data, dict):
        raise CacheFormatError(f"{path}: expected a JSON object of records, got {type(data).__name__}")
    records = _ApiRecords()
    for key, value in data.items():
        if not isinstance(value, dict):
            raise CacheFormatError(
                f'{path}: record {key[:200]!r}: expected an object {{"error", "response"}}, '
                f"got {type(value).__name__}")
        records.put(key, value, parse_key(key))
    return records


def _python_key(key: str) -> str:
    """The upstream (Python repr) spelling of a key read in any style."""
    arguments = parse_key(key)
    return key if arguments is None else str(arguments)


class ResponseCache:
    """All cached responses in memory, keyed by API path and arguments."""

    def __init__(self) -> None:
        self._apis: dict[ApiPath, _ApiRecords] = {}

    def __len__(self) -> int:
        return sum(len(r.exact) for r in self._apis.values())

    @classmethod
    def read_dir(cls, root: str | Path) -> ResponseCache:
        """Read every `<category>/<tool>/<api>.json` under root once; a corrupt file is an error naming it."""
        root = Path(root)
        if not root.is_dir():
            raise FileNotFoundError(f"response cache folder not found: {root}")
        base = root.resolve()
        cache = cls()
        for path in sorted(root.glob("*/*/*.json")):
            if not path.is_file():
                continue
            if not path.resolve().is_relative_to(base):
                raise CacheFormatError(f"{path}: a link that leads outside the cache folder {root}")
            cache._apis[(path.parent.parent.name, path.parent.name, path.stem)] = _read_api_file(path)
        return cache

    def lookup(self, category: str, tool: str, api: str,
               arguments: Mapping[str, Any]) -> dict[str, Any] | None:
        """The cached reply `{"error", "response", ...}` for raw ToolBench names, or None."""
        records = self._apis.get(api_path(category, tool, api))
        return None if records is None else records.get(arguments)

    def add(self, category: str, tool: str, api: str, arguments: Mapping[str, Any],
            error: str, response: Any) -> None:
        """Put one reply in memory under its upstream key (e.g. a benchmark's gold calls)."""
        key = api_path(category, tool, api)
        for part in key:
            safe_part(part)
        value = {"error": error, "response": response}
        try:
            json.dumps(value)
        except (TypeError, ValueError) as e:
            raise ValueError(f"{'/'.join(key)}: response for {dict(arguments)!r} is not JSON ({e})") from e
        self._apis.setdefault(key, _ApiRecords()).put(str(arguments), value, arguments)

    def write_dir(self, root: str | Path) -> None:
        """Write the StableToolBench layout (Python-repr keys, json.dump with indent=4 like upstream).

        Each file is written to a temporary name and renamed, so an interrupted write leaves no
        half file behind.
        """
        root = Path(root)
        for (category, tool, api), records in sorted(self._apis.items()):
            folder = root / safe_part(category) / safe_part(tool)
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"{safe_part(api)}.json"
            partial = target.with_name(target.name + ".tmp")
            with partial.open("w", encoding="utf-8") as f:
                json.dump({_python_key(k): v for k, v in records.exact.items()}, f, indent=4)
            os.replace(partial, target)
