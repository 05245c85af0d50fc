"""Load ToolBench / StableToolBench query files into Tasks (docs/formats.md sections 1-2).

Two api_list forms are accepted per entry: the full form (documentation inline, as in StableToolBench's
solvable queries) and the minimal form (only category/tool/api names, completed from the tool JSON files
under `tools_dir/<Category>/<standardized tool>.json`, as ToolBench's own runner does).
"""
from __future__ import annotations

import json
import warnings
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from benchmarks.core.naming import change_name, standardize
from benchmarks.core.schemas import CollisionPolicy, find_collisions, tool_spec
from benchmarks.core.types import Task, ToolSpec

GROUP_ORDER = ("G1_instruction", "G1_category", "G1_tool", "G2_instruction", "G2_category", "G3_instruction")
_NAME_KEYS = ("category_name", "tool_name", "api_name")
_DETAIL_KEYS = ("api_description", "required_parameters", "optional_parameters")
_PARAM_KEYS = ("required_parameters", "optional_parameters")
_COLLISION_POLICIES = ("last", "first")


class BenchmarkFormatError(ValueError):
    """A benchmark file that cannot be read as ToolBench data; the message names the file and record."""


class FunctionNameCollisionWarning(UserWarning):
    """Two tools of one task got the same function name (ToolBench's 64-char tail truncation)."""


class _RecordError(Exception):
    """Raised inside one record; the file loop adds the file name, record index and query id."""


def _read_json(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise BenchmarkFormatError(f"{path}: file not found") from None
    except OSError as e:
        raise BenchmarkFormatError(f"{path}: cannot read ({e.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise BenchmarkFormatError(f"{path}: not valid JSON ({e})") from None
    except RecursionError:
        raise BenchmarkFormatError(f"{path}: JSON nested too deeply to read") from None


def load_query_ids(path: str | Path) -> set[str]:
    """Query ids of a `test_query_ids/<group>.json` file (`{"588": 0, ...}`: only the keys matter)."""
    data = _read_json(Path(path))
    if not isinstance(data, dict):
        raise BenchmarkFormatError(f"{path}: expected a JSON object of query ids, got {type(data).__name__}")
    return set(data)


def _plain_component(name: str) -> bool:
    """A name from data that is safe as one path component (cannot climb out of its folder)."""
    return name not in ("", ".", "..") and not any(c in name for c in "/\\\0")


class _ToolFiles:
    """Reads `tools_dir/<Category>/<standardized tool>.json` once per file, to complete minimal entries."""

    def __init__(self, tools_dir: Path | None) -> None:
        self.tools_dir = tools_dir
        self._cache: dict[Path, dict[str, Any]] = {}

    def _tool_json(self, category: str, tool: str) -> tuple[Path, dict[str, Any]]:
        if self.tools_dir is None:
            raise _RecordError("minimal api entry (names only) but no tools_dir was given")
        if not _plain_component(category):
            raise _RecordError(f"unsafe category name {category!r}")
        path = self.tools_dir / category / f"{standardize(tool)}.json"
        if path not in self._cache:
            try:
                data = _read_json(path)
            except BenchmarkFormatError as e:
                raise _RecordError(f"tool {e}") from None
            if not isinstance(data, dict) or not isinstance(data.get("api_list"), list):
                raise _RecordError(f"{path}: tool JSON without an api_list")
            self._cache[path] = data
        return path, self._cache[path]

    def complete(self, entry: dict[str, Any]) -> dict[str, Any]:
        """The full api_list entry for a minimal one; api names match after standardization, as upstream."""
        path, tool_json = self._tool_json(entry["category_name"], entry["tool_name"])
        wanted = change_name(standardize(entry["api_name"]))
        apis = [a for a in tool_json["api_list"] if isinstance(a, dict) and isinstance(a.get("name"), str)]
        tool = tool_json.get("tool_name", entry["tool_name"])
        for api in apis:
            if change_name(standardize(api["name"])) == wanted:
                return _from_tool_api(entry["category_name"], tool, api)
        raise _RecordError(f"api {entry['api_name']!r} not in {path} (it has {[a['name'] for a in apis]})")


def _from_tool_api(category: str, tool: str, api: dict[str, Any]) -> dict[str, Any]:
    """A tool JSON api (name/description/...) in api_list form (api_name/api_description/...)."""
    entry = {
        "category_name": category,
        "tool_name": tool,
        "api_name": api["name"],
        "api_description": api.get("description"),
        "required_parameters": api.get("required_parameters") or [],
        "optional_parameters": api.get("optional_parameters") or [],
        "method": api.get("method", "GET"),
    }
    if "template_response" in api:
        entry["template_response"] = api["template_response"]
    return entry


def _check_names(entry: dict[str, Any], where: str) -> None:
    missing = [k for k in _NAME_KEYS if not isinstance(entry.get(k), str)]
    if missing:
        raise _RecordError(f"{where} lacks {', '.join(missing)}")


def _check_details(entry: dict[str, Any], where: str) -> None:
    """The structure tool_spec relies on; anything else is reported instead of crashing later."""
    desc = entry.get("api_description")
    if desc is not None and not isinstance(desc, str):
        raise _RecordError(f"{where}: api_description is not a string")
    for key in _PARAM_KEYS:
        params = entry.get(key) or []
        if not isinstance(params, list) or not all(
                isinstance(p, dict) and isinstance(p.get("name"), str) for p in params):
            raise _RecordError(f"{where}: {key} must be a list of objects with a string 'name'")


def _api_entry(raw: Any, index: int, tools: _ToolFiles) -> dict[str, Any]:
    where = f"api_list[{index}]"
    if not isinstance(raw, dict):
        raise _RecordError(f"{where} is not an object")
    _check_names(raw, where)
    if any(k in raw for k in _DETAIL_KEYS):
        entry = raw
    else:
        entry = tools.complete(raw)
        _check_names(entry, f"{where} (completed from its tool file)")
    _check_details(entry, where)
    return entry


def _relevant_apis(record: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    pairs = record.get("relevant APIs") or []
    if not isinstance(pairs, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p) for p in pairs):
        raise _RecordError("'relevant APIs' must be a list of [tool_name, api_name] pairs")
    return tuple((tool, api) for tool, api in pairs)


def _query_id(record: Any) -> str:
    if not isinstance(record, dict):
        raise _RecordError("record is not an object")
    qid = record.get("query_id")
    if isinstance(qid, bool) or not isinstance(qid, (int, str)):
        raise _RecordError("record lacks an int or string query_id")
    return str(qid)


def _first_of_each_name(tools: Iterable[ToolSpec]) -> tuple[ToolSpec, ...]:
    seen: set[str] = set()
    kept = []
    for t in tools:
        if t.function_name not in seen:
            seen.add(t.function_name)
            kept.append(t)
    return tuple(kept)


def _tools(record: dict[str, Any], files: _ToolFiles, collision: CollisionPolicy,
           where: str) -> tuple[ToolSpec, ...]:
    api_list = record.get("api_list")
    if not isinstance(api_list, list):
        raise _RecordError("record lacks an api_list list")
    tools = tuple(tool_spec(_api_entry(raw, j, files)) for j, raw in enumerate(api_list))
    clashes = find_collisions(tools)
    if not clashes:
        return tools
    outcome = "all kept, calls go to the last of each name" if collision == "last" else "only the first kept"
    message = f"{where}: function names {clashes} name several APIs; {outcome}"
    warnings.warn(FunctionNameCollisionWarning(message), stacklevel=4)
    return tools if collision == "last" else _first_of_each_name(tools)


def _task(record: dict[str, Any], qid: str, files: _ToolFiles, benchmark: str, group: str,
          collision: CollisionPolicy, where: str) -> Task:
    query = record.get("query")
    if not isinstance(query, str):
        raise _RecordError("record lacks a string query")
    return Task(benchmark=benchmark, group=group, query_id=qid, query=query,
                tools=_tools(record, files, collision, where), relevant_apis=_relevant_apis(record))


def load_query_file(path: str | Path, *, benchmark: str = "toolbench", group: str | None = None,
                    tools_dir: str | Path | None = None, query_ids: Collection[str] | None = None,
                    collision: CollisionPolicy = "last") -> list[Task]:
    """Tasks of one `<group>.json` query file, in file order.

    group defaults to the file stem; query_ids (strings) keeps only those queries; tools_dir is needed
    only for minimal api entries. Function-name collisions warn (FunctionNameCollisionWarning):
    collision="last" keeps every tool, as upstream, whose dispatch then reaches the last one
    (`schemas.resolve_function`); "first" keeps only the first tool of each name.
    """
    if collision not in _COLLISION_POLICIES:
        raise ValueError(f"collision must be one of {_COLLISION_POLICIES}, got {collision!r}")
    path = Path(path)
    records = _read_json(path)
    if not isinstance(records, list):
        raise BenchmarkFormatError(f"{path}: expected a JSON list of queries, got {type(records).__name__}")
    return tasks_from_records(records, str(path), benchmark=benchmark, group=group or path.stem,
                              tools_dir=tools_dir, query_ids=query_ids, collision=collision)


def tasks_from_records(records: Iterable[Any], source: str, *, benchmark: str, group: str,
                       tools_dir: str | Path | None = None, query_ids: Collection[str] | None = None,
                       collision: CollisionPolicy = "last") -> list[Task]:
    """Tasks of ToolBench query records (one group), in order; errors name `source` and the record."""
    files = _ToolFiles(Path(tools_dir) if tools_dir is not None else None)
    tasks: dict[str, Task] = {}
    for i, record in enumerate(records):
        qid = "?"
        try:
            qid = _query_id(record)
            if query_ids is not None and qid not in query_ids:
                continue
            if qid in tasks:
                raise _RecordError("duplicate query_id")
            tasks[qid] = _task(record, qid, files, benchmark, group, collision, f"{source}: {group}/{qid}")
        except (_RecordError, ValueError) as e:  # ValueError: a group or query id that cannot name a file (Task)
            raise BenchmarkFormatError(f"{source}: record {i} (query_id {qid}): {e}") from None
    return list(tasks.values())


def order_groups(groups: Iterable[str]) -> list[str]:
    """ToolBench's group order (G1_instruction ... G3_instruction), then any other group sorted."""
    known = [g for g in GROUP_ORDER if g in groups]
    return known + sorted(set(groups) - set(GROUP_ORDER))


def load_benchmark_dir(path: str | Path, groups: Collection[str] | None = None, *,
                       benchmark: str = "toolbench", tools_dir: str | Path | None = None,
                       use_query_ids: bool = True, collision: CollisionPolicy = "last") -> list[Task]:
    """Tasks of a StableToolBench-style folder: `test_instruction/<group>.json` and, when present and
    use_query_ids is set, `test_query_ids/<group>.json` restricting each group to its listed ids."""
    root = Path(path)
    query_dir = root / "test_instruction"
    if not query_dir.is_dir():
        raise BenchmarkFormatError(f"{root}: no test_instruction/ folder")
    files = {p.stem: p for p in query_dir.glob("*.json")}
    unknown = sorted(set(groups or ()) - set(files))
    if unknown:
        raise ValueError(f"{root}: unknown groups {unknown}; available: {order_groups(files)}")
    tasks: list[Task] = []
    for group in order_groups(files if groups is None else groups):
        ids_file = root / "test_query_ids" / f"{group}.json"
        ids = load_query_ids(ids_file) if use_query_ids and ids_file.is_file() else None
        tasks += load_query_file(files[group], benchmark=benchmark, group=group, tools_dir=tools_dir,
                                 query_ids=ids, collision=collision)
    return tasks
