"""Loading ToolBench / StableToolBench query files into Tasks, including bad input."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks.toolbench import (
    GROUP_ORDER,
    BenchmarkFormatError,
    FunctionNameCollisionWarning,
    load_benchmark_dir,
    load_query_file,
    load_query_ids,
)

SOLVABLE = Path("stabletoolbench/solvable_queries")
EXAMPLE = Path("stabletoolbench/solvable_queries_example/test_instruction/G1_instruction.json")


def _write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def _record(qid: Any = 7, **kw: Any) -> dict:
    entry = {"category_name": "Social", "tool_name": "Quote Tool", "api_name": "Get Quote",
             "api_description": "d", "required_parameters": [], "optional_parameters": []}
    return {"query": "q", "query_id": qid, "api_list": [entry],
            "relevant APIs": [["Quote Tool", "Get Quote"]], **kw}


def test_full_form_example(shared_data: Path) -> None:
    tasks = load_query_file(shared_data / EXAMPLE, benchmark="stb")
    assert [t.key for t in tasks] == ["G1_instruction/588", "G1_instruction/608", "G1_instruction/1073"]
    t588 = tasks[0]
    assert t588.benchmark == "stb" and t588.query.startswith("I'm a football enthusiast")
    assert len(t588.tools) == 10
    first = t588.tools[0]
    assert (first.category, first.tool, first.api) == ("Data", "TheClique", "Songkick concert")
    assert first.function_name == "songkick_concert_for_theclique"
    assert first.template_response["name"] == "str"
    assert ("TheClique", "Transfermarkt search") in t588.relevant_apis
    assert [t.function_name for t in tasks[2].tools] == [
        "popularsitesforquery_for_keyword_analysis", "querykeywords_for_keyword_analysis",
        "similarqueries_for_keyword_analysis"]


def test_minimal_form_completed_from_tool_files(shared_data: Path) -> None:
    [task] = load_query_file(shared_data / "toolbench/instruction/inference_query_demo.json",
                             tools_dir=shared_data / "toolbench/toolenv/tools")
    assert task.group == "inference_query_demo" and task.query_id == "82217"
    assert [t.function_name for t in task.tools] == [
        "love_quote_for_olato_quotes", "success_quote_for_olato_quotes", "motivation_quote_for_olato_quotes"]
    love = task.tools[0]
    assert love.api_entry == {
        "category_name": "Social", "tool_name": "Olato Quotes", "api_name": "Love Quote",
        "api_description": "It shows random quotes", "required_parameters": [],
        "optional_parameters": [
            {"name": "quotes", "type": "STRING", "description": "", "default": "random quotes"}],
        "method": "GET"}
    assert love.template_response is None
    assert love.parameters["properties"] == {}  # optional-only api: upstream shows no parameters
    assert love.description.endswith('The description of this function is: "It shows random quotes"')


def test_minimal_entry_matches_api_after_standardization(tmp_path: Path) -> None:
    tool = {"tool_name": "Quote Tool", "api_list": [
        {"name": "get-quote", "description": "d", "method": "GET", "required_parameters": [_p("id")],
         "optional_parameters": [], "template_response": {"a": "str"}}]}
    _write(tmp_path / "tools/Social/quote_tool.json", tool)
    minimal = {"category_name": "Social", "tool_name": "Quote  tool", "api_name": "Get Quote"}
    path = _write(tmp_path / "G1.json", [{"query": "q", "query_id": "x1", "api_list": [minimal]}])
    [task] = load_query_file(path, tools_dir=tmp_path / "tools")
    assert task.tools[0].function_name == "get_quote_for_quote_tool"
    assert task.tools[0].parameters["required"] == ["is_id"]
    assert task.tools[0].template_response == {"a": "str"}
    assert task.relevant_apis == ()


def _p(name: str) -> dict:
    return {"name": name, "type": "STRING", "description": "", "default": ""}


def test_query_id_filter(shared_data: Path, tmp_path: Path) -> None:
    assert [t.query_id for t in load_query_file(shared_data / EXAMPLE, query_ids={"1073", "9"})] == ["1073"]
    ids = load_query_ids(shared_data / SOLVABLE / "test_query_ids/G1_instruction.json")
    assert len(ids) == 163 and {"588", "608", "1073"} <= ids
    root = tmp_path / "bench"
    _write(root / "test_instruction/G1_instruction.json", [_record(1), _record(2), _record(3)])
    _write(root / "test_query_ids/G1_instruction.json", {"3": 0, "1": 0})
    assert [t.query_id for t in load_benchmark_dir(root)] == ["1", "3"]
    assert [t.query_id for t in load_benchmark_dir(root, use_query_ids=False)] == ["1", "2", "3"]


def test_benchmark_dir_group_order(tmp_path: Path) -> None:
    names = ["Z_extra", "G3_instruction", "A_extra", *GROUP_ORDER[:5]]
    for i, name in enumerate(names):
        _write(tmp_path / "test_instruction" / f"{name}.json", [_record(i)])
    tasks = load_benchmark_dir(tmp_path)
    assert [t.group for t in tasks] == [*GROUP_ORDER, "A_extra", "Z_extra"]
    chosen = load_benchmark_dir(tmp_path, groups=["Z_extra", "G1_tool"])
    assert [t.group for t in chosen] == ["G1_tool", "Z_extra"]
    with pytest.raises(ValueError, match=r"unknown groups \['G9'\].*G1_instruction"):
        load_benchmark_dir(tmp_path, groups=["G9"])
    with pytest.raises(BenchmarkFormatError, match="no test_instruction"):
        load_benchmark_dir(tmp_path / "test_instruction")


def test_solvable_set_groups(shared_data: Path) -> None:
    with pytest.warns(FunctionNameCollisionWarning):
        tasks = load_benchmark_dir(shared_data / SOLVABLE)
    counts = {g: sum(t.group == g for t in tasks) for g in GROUP_ORDER}
    assert counts == {"G1_instruction": 163, "G1_category": 153, "G1_tool": 158, "G2_instruction": 106,
                      "G2_category": 124, "G3_instruction": 61}
    assert [t.group for t in tasks] == sorted((t.group for t in tasks), key=GROUP_ORDER.index)


def _bad_entry(**change: Any) -> dict:
    entry = _record()["api_list"][0] | change
    return _record(api_list=[entry])


@pytest.mark.parametrize("content, message", [
    ("{not json", "not valid JSON"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),  # past any recursion limit a test may have set
    ({"query": "q"}, "expected a JSON list"),
    ([_record(1), {"query_id": 8, "api_list": []}], r"record 1 \(query_id 8\): record lacks a string query"),
    ([_record(api_list=None)], r"record 0 \(query_id 7\): record lacks an api_list"),
    ([{"query": "q", "api_list": []}], r"record 0 \(query_id \?\): record lacks an int or string query_id"),
    (["text"], "record 0 .*not an object"),
    ([_record(), _record()], r"record 1 \(query_id 7\): duplicate query_id"),
    ([_record(api_list=[{"category_name": "Social", "tool_name": "T"}])], r"api_list\[0\] lacks api_name"),
    ([_record(api_list=[{"category_name": "Social", "tool_name": "T", "api_name": "A"}])], "no tools_dir"),
    ([_bad_entry(required_parameters=[{"type": "STRING"}])], "required_parameters must be a list"),
    ([_bad_entry(optional_parameters="x")], "optional_parameters must be a list"),
    ([_record(**{"relevant APIs": [["only one"]]})], "relevant APIs"),
])
def test_malformed_query_file(tmp_path: Path, content: Any, message: str) -> None:
    path = _write(tmp_path / "G1_bad.json", content)
    with pytest.raises(BenchmarkFormatError, match=message) as err:
        load_query_file(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize("category, tool, api, message", [
    ("Social", "Missing Tool", "A", r"tool .*Social/missing_tool\.json: file not found"),
    ("Social", "Quote Tool", "Nope", r"api 'Nope' not in .*quote_tool\.json \(it has \['get-quote'\]\)"),
    ("..", "Quote Tool", "A", "unsafe category name '..'"),
    ("a/b", "Quote Tool", "A", "unsafe category name 'a/b'"),
])
def test_minimal_entry_not_resolvable(tmp_path: Path, category: str, tool: str, api: str,
                                      message: str) -> None:
    tool_json = {"tool_name": "Quote Tool", "api_list": [{"name": "get-quote"}]}
    _write(tmp_path / "tools/Social/quote_tool.json", tool_json)
    minimal = {"category_name": category, "tool_name": tool, "api_name": api}
    path = _write(tmp_path / "G1.json", [{"query": "q", "query_id": 5, "api_list": [minimal]}])
    with pytest.raises(BenchmarkFormatError, match=message) as err:
        load_query_file(path, tools_dir=tmp_path / "tools")
    assert f"{path}: record 0 (query_id 5)" in str(err.value)


def test_query_ids_file_must_be_an_object(tmp_path: Path) -> None:
    with pytest.raises(BenchmarkFormatError, match="expected a JSON object"):
        load_query_ids(_write(tmp_path / "ids.json", ["588"]))
    with pytest.raises(BenchmarkFormatError, match="file not found"):
        load_query_ids(tmp_path / "absent.json")


def test_collision_warning_and_policies(shared_data: Path) -> None:
    path = shared_data / SOLVABLE / "test_instruction/G1_instruction.json"
    with pytest.warns(FunctionNameCollisionWarning, match=r"G1_instruction/79053: function names "
                      r"\['orical_data_for_forecast_crypto_and_fiat_currency_exchange_rates'\]"):
        [kept] = load_query_file(path, query_ids={"79053"})
    with pytest.warns(FunctionNameCollisionWarning, match="only the first kept"):
        [first] = load_query_file(path, query_ids={"79053"}, collision="first")
    assert len(kept.tools) == len(first.tools) + 1
    names = [t.function_name for t in first.tools]
    assert len(names) == len(set(names))
    dropped = {t.api for t in kept.tools} - {t.api for t in first.tools}
    assert dropped == {"Currency rates for 1 bank. Historical data."}
    with pytest.raises(ValueError, match="collision must be one of"):
        load_query_file(path, collision="middle")  # type: ignore[arg-type]
