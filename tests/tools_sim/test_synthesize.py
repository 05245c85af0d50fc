"""Synthesized responses: shaped by template_response, deterministic in the call, in any process."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tools_sim.synthesize import MAX_DEPTH, MAX_LIST_ITEMS, synthesize, template_shape

ID = "Data/weather_for_Data/forecast"
TEMPLATE = {
    "name": "str", "count": "int", "score": "float", "ok": "bool", "gone": "NoneType",
    "tags": ["list of str with length 8"], "pair": "list of int with length 2", "none": "empty list",
    "items": [{"link": "str", "rank": "int", "_list_length": 10}],
    "two": [{"x": "str", "_list_length": 2}],
    "kind": "forecast", "version": 2,
}


def test_dict_template_types_and_lists() -> None:
    out = synthesize(TEMPLATE, ID, {"city": "Paris"})
    assert isinstance(out["name"], str) and out["name"].startswith("name_")
    assert isinstance(out["count"], int) and not isinstance(out["count"], bool)
    assert isinstance(out["score"], float) and isinstance(out["ok"], bool) and out["gone"] is None
    assert len(out["tags"]) == MAX_LIST_ITEMS and all(isinstance(t, str) for t in out["tags"])
    assert len(out["pair"]) == 2 and all(isinstance(n, int) for n in out["pair"])
    assert out["none"] == []
    assert len(out["items"]) == MAX_LIST_ITEMS and all(set(i) == {"link", "rank"} for i in out["items"])
    assert len(out["two"]) == 2 and out["two"][0] != out["two"][1]  # each item has its own values
    assert (out["kind"], out["version"]) == ("forecast", 2)  # literal example values are kept


def test_same_call_same_bytes_different_args_differ() -> None:
    a = json.dumps(synthesize(TEMPLATE, ID, {"city": "Paris", "days": 3}))
    assert a == json.dumps(synthesize(TEMPLATE, ID, {"days": "3", "city": "Paris"}))  # canonical args
    assert a != json.dumps(synthesize(TEMPLATE, ID, {"city": "Rome", "days": 3}))
    assert a != json.dumps(synthesize(TEMPLATE, "Data/weather_for_Data/other", {"city": "Paris", "days": 3}))


def test_same_bytes_in_another_process_with_another_hash_seed() -> None:
    code = ("import json, sys; from tools_sim.synthesize import synthesize; "
            "print(json.dumps(synthesize(json.loads(sys.argv[1]), sys.argv[2], {'city': 'Paris'})))")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code, json.dumps(TEMPLATE), ID], check=True, env=env,
                         capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2]).stdout
    assert out.strip() == json.dumps(synthesize(TEMPLATE, ID, {"city": "Paris"}))


def test_json_string_template_is_parsed() -> None:
    assert set(synthesize('{"title": "str", "year": "int"}', ID, {})) == {"title", "year"}


def test_cut_json_string_template_keeps_its_complete_part() -> None:
    cut = '{"meta": {"v": "str", "n": "int"}, "results": [{"id": "int", "_list_length": 4}, {"na'
    shape = template_shape(cut)
    assert shape == {"meta": {"v": "str", "n": "int"}, "results": [{"id": "int", "_list_length": 4}]}
    out = synthesize(cut, ID, {})
    assert set(out["meta"]) == {"v", "n"} and len(out["results"]) == 3
    # a comma inside a string (after an escaped quote) is not a place to cut
    assert template_shape('{"a": "x\\", \\"y", "b": "int", "c') == {"a": 'x", "y', "b": "int"}
    assert template_shape('{"a": "never closed, really') is None


def test_missing_or_useless_template_gives_a_small_generic_dict() -> None:
    for template in (None, {}, "", "not json", 42):
        out = synthesize(template, ID, {"q": "x"})
        assert set(out) == {"status", "id", "input"} and out["input"] == {"q": "x"}, template
    assert synthesize(None, ID, {"q": "x"}) != synthesize(None, ID, {"q": "y"})


def test_deep_or_odd_templates_do_not_raise() -> None:
    deep: dict = {"v": "str"}
    for _ in range(100):
        deep = {"d": deep}
    assert json.dumps(synthesize(deep, ID, {})).count('"d"') == MAX_DEPTH + 1  # cut below, as null
    odd = {"a": [{"_list_length": -3, "b": "str"}], "c": [{"_list_length": "many", "d": "int"}]}
    out = synthesize(odd, ID, {})
    assert out["a"] == [] and len(out["c"]) == 1 and isinstance(out["c"][0]["d"], int)


def test_every_real_template_synthesizes(shared_data: Path) -> None:
    """All 4,070 api entries of the solvable queries, including the 230 JSON strings cut at 1,000 chars."""
    strings = 0
    for path in sorted((shared_data / "stabletoolbench/solvable_queries/test_instruction").glob("*.json")):
        for query in json.loads(path.read_text("utf-8")):
            for api in query["api_list"]:
                template = api.get("template_response")
                out = synthesize(template, api["api_name"], {"q": 1})
                assert isinstance(out, dict), (path.name, query["query_id"], api["api_name"])
                if isinstance(template, str):
                    strings += 1
                    assert template_shape(template) is not None, (path.name, query["query_id"])
    assert strings == 230
