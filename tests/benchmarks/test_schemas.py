"""Naming rules, function schemas and dispatch, checked against ToolBench's rules and real answers."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.core.naming import change_name, function_name, standardize, standardize_category
from benchmarks.core.schemas import FINISH_SCHEMA, find_collisions, function_schemas, resolve_function, tool_spec
from benchmarks.toolbench import FunctionNameCollisionWarning, load_benchmark_dir, load_query_file
from benchmarks.core.types import Task

STB = Path("stabletoolbench")


def _entry(api_name: str = "Get Quote", tool_name: str = "Quote Tool", **kw) -> dict:
    return {"category_name": "Social", "tool_name": tool_name, "api_name": api_name,
            "api_description": "", "required_parameters": [], "optional_parameters": [], **kw}


def _param(name: str, type_: str = "STRING", description: str = "", default: object = "") -> dict:
    return {"name": name, "type": type_, "description": description, "default": default}


@pytest.mark.parametrize("raw, expected", [
    ("Transfermarkt search", "transfermarkt_search"),
    ("10000+ Anime Quotes", "get_10000_anime_quotes"),
    ("__A--B  c__", "a_b_c"),
    ("x^y", "x^y"),  # upstream's regex class keeps "^"
    ("天气 API", "天气_api"),
    ("é!", ""),
    ("", ""),
])
def test_standardize(raw: str, expected: str) -> None:
    assert standardize(raw) == expected


def test_change_name_and_function_name() -> None:
    assert change_name("id") == "is_id" and change_name("from") == "is_from"
    assert change_name("ids") == "ids"
    assert function_name("ID", "My Tool") == "is_id_for_my_tool"
    long = function_name("Currency Converter With Forecast and Historical Data",
                         "Forecast crypto and fiat currency exchange rates")
    assert long == "orical_data_for_forecast_crypto_and_fiat_currency_exchange_rates"
    assert len(long) == 64


@pytest.mark.parametrize("raw, expected", [
    ("News, Media", "News_Media"),
    ("Video, Images", "Video_Images"),
    ("Business Software", "Business_Software"),
    ("Artificial Intelligence/Machine Learning", "Artificial_Intelligence_Machine_Learning"),
    ("Data", "Data"),
])
def test_standardize_category(raw: str, expected: str) -> None:
    assert standardize_category(raw) == expected


def test_tool_spec_parameters_follow_toolbench_quirks() -> None:
    spec = tool_spec(_entry(
        required_parameters=[_param("id", "NUMBER", "x" * 300, 5), _param("Q-word", "ENUM")],
        optional_parameters=[_param("flag", "BOOLEAN", default=None), _param("n", "number", default=0)]))
    assert spec.parameters == {
        "type": "object",
        "properties": {
            "is_id": {"type": "integer", "description": "x" * 256, "example_value": 5},
            "q_word": {"type": "string", "description": ""},
            "flag": {"type": "boolean", "description": "", "example_value": None},  # str(None) is non-empty
            "n": {"type": "string", "description": "", "example_value": 0},
        },
        "required": ["is_id", "q_word"],
        "optional": ["flag", "n"],
    }


def test_optional_parameters_dropped_without_required_ones() -> None:
    spec = tool_spec(_entry(optional_parameters=[_param("quotes", default="random")]))
    assert spec.parameters == {"type": "object", "properties": {}, "required": [], "optional": []}


def test_description_renames_api_and_cuts_only_the_api_text() -> None:
    spec = tool_spec(_entry(api_description="  Get Quote returns a quote. " + "y" * 400))
    prefix = 'This is the subfunction for tool "quote_tool", you can use this tool.'
    body = ("get_quote_for_quote_tool returns a quote. " + "y" * 400)[:256]
    assert spec.description == f'{prefix}The description of this function is: "{body}"'
    assert tool_spec(_entry(api_description=" \n ")).description == prefix
    assert tool_spec(_entry(api_description=None)).description == prefix


@pytest.mark.parametrize("raw, parsed", [
    ({"a": "str"}, {"a": "str"}), ('{"a": "int"}', {"a": "int"}), ('{"a": "str", "b', '{"a": "str", "b'),
])
def test_template_response_parsed_when_json(raw: object, parsed: object) -> None:
    spec = tool_spec(_entry(template_response=raw))
    assert spec.template_response == parsed
    assert spec.api_entry["template_response"] == raw
    assert tool_spec(_entry()).template_response is None


def test_function_schemas_appends_finish_and_returns_copies() -> None:
    task = Task("t", "g", "1", "q", (tool_spec(_entry()),))
    schemas = function_schemas(task)
    assert [s["name"] for s in schemas] == ["get_quote_for_quote_tool", "Finish"]
    schemas[-1]["parameters"]["required"].append("x")
    schemas[0]["parameters"]["required"].append("x")
    assert function_schemas(task)[-1] == FINISH_SCHEMA
    assert FINISH_SCHEMA["parameters"]["required"] == ["return_type"]
    assert task.tools[0].parameters["required"] == []


def test_finish_schema_matches_stabletoolbench(shared_data: Path) -> None:
    upstream = json.loads((shared_data / STB / "prompts/finish_function.json").read_text())["function"]
    assert json.dumps(FINISH_SCHEMA) == json.dumps(upstream)


@pytest.mark.parametrize("method", ["virtual_chatgpt_cot", "virtual_chatgpt_dfs"])
def test_golden_available_tools(shared_data: Path, method: str) -> None:
    tasks = load_query_file(shared_data / STB / "solvable_queries_example/test_instruction"
                            / "G1_instruction.json")
    gold = json.loads((shared_data / STB / "data_example/model_predictions_converted" / method
                       / "G1_instruction.json").read_text())
    assert sorted(t.query_id for t in tasks) == sorted(gold) == ["1073", "588", "608"]
    for task in tasks:
        assert json.dumps(function_schemas(task)) == json.dumps(gold[task.query_id]["available_tools"])


def test_solvable_set_collisions_and_truncations(shared_data: Path) -> None:
    with pytest.warns(FunctionNameCollisionWarning):
        tasks = load_benchmark_dir(shared_data / STB / "solvable_queries")
    assert len(tasks) == 765
    assert sorted(t.key for t in tasks if find_collisions(t.tools)) == [
        "G1_instruction/27847", "G1_instruction/79053", "G1_tool/9039", "G2_instruction/27543"]
    untruncated = [change_name(standardize(tool.api)) + "_for_" + standardize(tool.tool)
                   for task in tasks for tool in task.tools]
    assert sum(len(n) > 64 for n in untruncated) == 117  # api entries, counted per query (76 distinct APIs)


def test_find_collisions() -> None:
    a, b, c = (tool_spec(_entry(api)) for api in ("Get Quote", "get-quote", "Other"))
    assert find_collisions([a, c]) == []
    assert find_collisions([a, c, b]) == ["get_quote_for_quote_tool"]


def test_resolve_function_exact_then_suffix_and_collision_policy() -> None:
    first, other, second = (tool_spec(_entry(api)) for api in ("Get Quote", "Big Get Quote", "get quote"))
    tools = [other, first, second]
    assert resolve_function(tools, "get_quote_for_quote_tool") is second  # exact beats the earlier suffix hit
    assert resolve_function(tools, "get_quote_for_quote_tool", collision="first") is first
    assert resolve_function(tools, "quote_for_quote_tool") is other  # suffix: first matching name wins
    assert resolve_function([first, second], "quote_for_quote_tool") is second  # then the collision policy
    assert resolve_function(tools, "nope") is None
    assert resolve_function(tools, "") is None
