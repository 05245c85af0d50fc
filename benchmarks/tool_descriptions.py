"""Tool descriptions for the task description's numbered tool list (issue 20, item 1).

Query files carry api descriptions only; the one-line description of each *tool* lives in the tool JSON files
(`<tools>/<Category>/<standardized tool>.json`, key `tool_description`). ToolBench's runner reads every file of
its `--tool_root_dir` into a white list keyed by `standardize(tool_name)` (`get_white_list`) and takes each
query's descriptions from it (`build_tool_description`). This does the same lookup, reading the tool's own
file first and scanning the folder only when that file does not hold it.
"""
from __future__ import annotations

import dataclasses
import json
import os
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from benchmarks.core.naming import standardize
from benchmarks.core.types import Task


class MissingToolDescriptionWarning(UserWarning):
    """Some tools got no description: the prompt shows upstream's placeholder for them."""


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None  # not a tool file upstream could read either; the lookup goes on
    return data if isinstance(data, dict) else None


def _description(data: dict[str, Any]) -> str:
    # StableToolBench reads a non-string description as empty (its try/except); so does this.
    value = data.get("tool_description")
    return value if isinstance(value, str) else ""


class ToolDescriptions:
    """`standardize(tool_name)` -> tool_description, from one tools folder."""

    def __init__(self, tools_dir: Path) -> None:
        self.tools_dir = tools_dir
        self._scanned: dict[str, str] | None = None

    def _scan(self) -> dict[str, str]:
        # As get_white_list: every category folder, every .json file; a later file of the same key wins.
        if self._scanned is None:
            self._scanned = {}
            for category in sorted(os.listdir(self.tools_dir)):
                folder = self.tools_dir / category
                if not folder.is_dir():
                    continue
                for name in sorted(os.listdir(folder)):
                    data = _read(folder / name) if name.endswith(".json") else None
                    if data is not None and isinstance(data.get("tool_name"), str):
                        self._scanned[standardize(data["tool_name"])] = _description(data)
        return self._scanned

    def lookup(self, category: str, tool: str) -> str | None:
        """The tool's description ("" when its file has none), or None when no file names the tool."""
        key = standardize(tool)
        if category not in ("", ".", "..") and not any(c in category for c in "/\\\0"):
            data = _read(self.tools_dir / category / f"{key}.json")
            if data is not None and standardize(str(data.get("tool_name", ""))) == key:
                return _description(data)
        return self._scan().get(key)


def describe_tools(tasks: Iterable[Task], tools_dir: str | Path | None) -> list[Task]:
    """The tasks with each tool's `tool_description` filled in from `tools_dir` where it is found.

    A tool that a query record already describes keeps that description. Warns once, naming the folder,
    when some tools stay without one (their line shows upstream's placeholder for an empty description).
    """
    index = ToolDescriptions(Path(tools_dir)) if tools_dir is not None and Path(tools_dir).is_dir() else None
    out = []
    for task in tasks:
        tools = tuple(tool if tool.tool_description is not None or index is None else
                      dataclasses.replace(tool, tool_description=index.lookup(tool.category, tool.tool))
                      for tool in task.tools)
        out.append(dataclasses.replace(task, tools=tools))
    missing = undescribed_tools(out)
    if missing:
        where = (f"the tools folder {tools_dir} has no file for them" if index is not None else
                 "give --tools-dir (ToolBench's toolenv/tools, or the tools/ folder of StableToolBench's cache)")
        warnings.warn(MissingToolDescriptionWarning(
            f"{missing} tool(s) have no tool_description ({where}); their task-description line reads 'None', "
            "as upstream renders an empty description"), stacklevel=2)
    return out


def undescribed_tools(tasks: Iterable[Task]) -> int:
    """How many distinct tools (by category and standardized name) have no description: run.json records it."""
    return len({(t.category, standardize(t.tool)) for task in tasks for t in task.tools if t.tool_description is None})
