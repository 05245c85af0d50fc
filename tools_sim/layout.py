"""StableToolBench's response-cache folder layout (docs/formats.md section 5).

`<root>/<std_category>/<std_tool>_for_<std_category>/<std_api>.json`, each file one JSON object per API:
key = the call's arguments as text, value = `{"error": ..., "response": ...}`, written by upstream with
`json.dump(records, f, indent=4)` (ASCII escapes, no trailing newline). Names from data become path
parts here, so every part is checked before it touches the file system.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from benchmarks.core.naming import change_name, path_part, standardize, standardize_category

ApiPath = tuple[str, str, str]  # (category folder, tool folder, api file stem)
Records = dict[str, dict[str, Any]]  # one API file: key text -> reply object
_API_FILE_SUFFIX = ".json"
_PARTIAL_SUFFIX = ".tmp"  # write_api_file's temporary name


class CacheFormatError(ValueError):
    """A cache file that cannot be read; the message names the file and the record."""


@lru_cache(maxsize=1 << 16)  # pure, and on every call's path: a tick repeats a task's few APIs
def api_path(category: str, tool: str, api: str) -> ApiPath:
    """Where the server looks up an API, from raw ToolBench names (the names of a task's api_list)."""
    std_category = standardize_category(category)
    return std_category, f"{standardize(tool)}_for_{std_category}", change_name(standardize(api))


@lru_cache(maxsize=1 << 16)
def virtual_path(category: str, tool_name: str, api_name: str) -> ApiPath:
    """Where StableToolBench's /virtual server looks up a request (server/main.py's
    prepare_tool_name_and_url): a tool name already ending in `_for_<category>` is kept as sent, and a
    `_for_<tool_name>` tail is cut off the api name."""
    std_category = standardize_category(category)
    api = change_name(standardize(api_name)).split(f"_for_{tool_name}")[0]
    suffix = f"_for_{std_category}"
    tool = tool_name if tool_name.endswith(suffix) else standardize(tool_name) + suffix
    return std_category, tool, api


def safe_part(name: str, suffix: str = "") -> str:
    """A name used as one path component of the cache (benchmarks.core.naming.path_part). Refused when
    written, an export never stops half-way."""
    return path_part(name, "response-cache name", suffix)


def check_path(path: ApiPath) -> ApiPath:
    category, tool, api = path
    safe_part(category)
    safe_part(tool)
    safe_part(api, _API_FILE_SUFFIX + _PARTIAL_SUFFIX)
    return path


def is_safe_path(path: ApiPath) -> bool:
    try:
        check_path(path)
    except ValueError:
        return False
    return True


def iter_api_files(root: str | Path) -> Iterator[tuple[ApiPath, Path]]:
    """Every `<category>/<tool>/<api>.json` under root, sorted; a link leading outside root is an error."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"response cache folder not found: {root}")
    base = root.resolve()
    for path in sorted(root.glob("*/*/*.json")):
        if not path.is_file():
            continue
        if not path.resolve().is_relative_to(base):
            raise CacheFormatError(f"{path}: a link that leads outside the cache folder {root}")
        yield (path.parent.parent.name, path.parent.name, path.stem), path


def read_api_file(path: Path) -> Records:
    """One API file's records in file order; a corrupt file or record is an error naming it."""
    try:
        data = json.loads(path.read_bytes())
    except (ValueError, RecursionError) as e:  # UnicodeDecodeError is a ValueError
        raise CacheFormatError(f"{path}: not valid JSON ({e})") from e
    if not isinstance(data, dict):
        raise CacheFormatError(f"{path}: expected a JSON object of records, got {type(data).__name__}")
    for key, value in data.items():
        if not isinstance(value, dict) or "error" not in value or "response" not in value:
            raise CacheFormatError(
                f'{path}: record {key[:200]!r}: expected an object {{"error", "response"}}, '
                f"got {type(value).__name__} {str(value)[:80]!r}")
    return data


def write_api_file(root: str | Path, path: ApiPath, records: Mapping[str, Any]) -> Path:
    """Write one API file as upstream does (json.dump, indent=4), through a temporary name and a rename
    so an interrupted write never leaves a half file behind."""
    category, tool, api = check_path(path)
    folder = Path(root) / category / tool
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{api}{_API_FILE_SUFFIX}"
    partial = target.with_name(target.name + _PARTIAL_SUFFIX)
    with partial.open("w", encoding="utf-8") as f:
        json.dump(dict(records), f, indent=4)
    os.replace(partial, target)
    return target
