"""Tool descriptions in ToolBench's task description (issue 20, item 1): looked up in the tool JSON files as
ToolBench's `get_white_list` / `build_tool_description` do, never the placeholder when a file has one."""
from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest

from benchmarks.loading import load_benchmark
from benchmarks.tool_descriptions import MissingToolDescriptionWarning
from roles.docs import toolbench_tool_list

DEMO = "toolbench/instruction/inference_query_demo.json"


def _write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))
    return path


def _entry(tool: str, category: str = "Social") -> dict[str, Any]:
    return {"category_name": category, "tool_name": tool, "api_name": "Get", "api_description": "d",
            "required_parameters": [], "optional_parameters": []}


def test_description_read_from_the_tools_folder(shared_data: Path) -> None:
    # Upstream: white_list["olato_quotes"]["description"], cut to 512, newlines removed, stripped.
    bench = load_benchmark(str(shared_data / DEMO), tools_dir=str(shared_data / "toolbench/toolenv/tools"))
    expected = "1.olato_quotes: Olato Quote APIs gives you random quotes about motivation, sucess and love quotes.\n"
    assert toolbench_tool_list(bench.tasks[0].tools) == expected
    assert bench.info["tools_without_description"] == 0


def test_white_list_is_keyed_by_tool_name_across_categories(tmp_path: Path) -> None:
    # get_white_list reads every category folder: a tool filed under another category is still found.
    _write(tmp_path / "tools/Data/quote_tool.json", {"tool_name": "Quote Tool", "tool_description": "Line one\nand "
                                                     + "x" * 600, "api_list": []})
    _write(tmp_path / "tools/Empty/blank.json", {"tool_name": "Blank", "tool_description": None, "api_list": []})
    queries = _write(tmp_path / "G1.json", [{"query": "q", "query_id": 1, "api_list": [
        _entry("Quote Tool"), _entry("Blank", "Empty"), {**_entry("Quote Tool"), "api_name": "Other"}]}])
    bench = load_benchmark(str(queries), tools_dir=str(tmp_path / "tools"))
    text = ("Line one\nand " + "x" * 600)[:512].replace("\n", "").strip()
    assert toolbench_tool_list(bench.tasks[0].tools) == f"1.quote_tool: {text}\n2.blank: None\n"
    assert bench.info["tools_without_description"] == 0  # found, though empty: upstream's "None"


def test_missing_descriptions_warn_once_and_are_counted(tmp_path: Path) -> None:
    queries = _write(tmp_path / "G1.json", [{"query": "q", "query_id": i, "api_list": [_entry("A"), _entry("B")]}
                                            for i in range(3)])
    with pytest.warns(MissingToolDescriptionWarning, match="--tools-dir") as caught:
        bench = load_benchmark(str(queries))
    assert len(caught) == 1
    assert bench.info["tools_without_description"] == 2


def test_stabletoolbench_cache_tools_folder_is_used(tmp_path: Path) -> None:
    _write(tmp_path / "bench/tools/Social/a.json", {"tool_name": "A", "tool_description": "About A"})
    _write(tmp_path / "bench/test_instruction/G1_instruction.json",
           [{"query": "q", "query_id": 1, "api_list": [_entry("A")]}])
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingToolDescriptionWarning)
        bench = load_benchmark(str(tmp_path / "bench"))
    assert toolbench_tool_list(bench.tasks[0].tools) == "1.a: About A\n"
