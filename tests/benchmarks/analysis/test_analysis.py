"""The analysis beyond single categories: the CLI and analysis.json, two-run diffs, DFSDT trees (deep ones
too), StableToolBench's example answers, and files that cannot be read."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import run_eval
from benchmarks.analysis import SCHEMA_VERSION, AnalysisInputError, analyse, source_of
from benchmarks.analysis.chains import Chain, Output, Round
from benchmarks.analysis.diff import divergence
from benchmarks.analysis.trees import analyse_tree
from tests.helpers.failing_agents import OK_GROUPS

EXAMPLES = Path(__file__).resolve().parents[3].parent / "shared/data/stabletoolbench/data_example"


def _run(out: Path, name: str, model: str, *extra: str) -> Path:
    argv = ["run", "--agent", "chat-single", "--backend", "scripted", "--model", model, "--benchmark", "embedded",
            "--per-group", "1", "--groups", *OK_GROUPS, "--executor", "local", "--out", str(out), "--run-name", name,
            "--no-progress", *extra]
    assert run_eval.main(argv) == 0
    return out / name


def test_analyze_writes_analysis_json_and_prints_the_first_errors(tmp_path, capsys):
    run = _run(tmp_path, "a", "fail-no-tool")
    assert run_eval.main(["analyze", str(run)]) == 0
    document = json.loads((run / "analysis.json").read_text())
    assert document["schema_version"] == SCHEMA_VERSION
    assert document["overall"]["first_error"] == {"answered_without_tool": 2}
    assert document["overall"]["first_error_roles"] == {"backbone": 100.0}
    assert document["overall"]["pass_rate_given"]["answered_without_tool"] == {"n": 2, "rate": 0.0}
    assert set(document["groups"]) == set(OK_GROUPS)
    assert "answered_without_tool" in capsys.readouterr().out


def test_two_runs_diverge_at_the_step_and_role_where_one_model_decided_otherwise(tmp_path, capsys):
    a, b = _run(tmp_path, "a", "fail-wrong-answer"), _run(tmp_path, "b", "fail-repeated")
    assert run_eval.main(["analyze", str(a), str(b)]) == 0
    diff = json.loads((a / "analysis.json").read_text())["against"]
    assert diff["n"] == 2 and diff["diverged"] == 2
    for query in diff["per_query"].values():  # same first call; then A answers, B calls again
        assert query["divergence"] == {"step": 2, "role": "backbone"}
        assert (query["a_passed"], query["b_passed"]) == (False, False)
    assert diff["first_error_pairs"] == {"wrong_answer": {"repeated_call": 2}}
    assert run_eval.main(["analyze", str(a), "--against", str(a)]) == 0
    same = json.loads((a / "analysis.json").read_text())["against"]
    assert same["diverged"] == 0 and same["first_error_pairs"] == {"wrong_answer": {"wrong_answer": 2}}


def test_divergence_of_a_multi_agent_names_the_role():
    def chain(caller_text: str) -> Chain:
        return Chain("multi", [Round(1, [Output("planner", "p. Next: caller."), Output("caller", caller_text)])], "gave_up", "")
    assert divergence(chain("Action: x"), chain("Action: y")) == {"step": 1, "role": "caller"}
    assert divergence(chain("Action: x"), chain("Action: x")) is None


def test_dfsdt_trees_are_analysed_node_by_node(tmp_path):
    run = _run(tmp_path, "dfs", "fail-hallucinated", "--strategy", "dfsdt")
    document = analyse(source_of(run))
    for entry in document["trajectories"].values():
        assert entry["tree"]["counts"].get("hallucinated_api", 0) >= 1
        assert {e["role"] for e in entry["tree"]["errors"]} == {"backbone"}
        assert entry["first_error"]["category"] == "hallucinated_api"


def test_a_tree_deeper_than_the_recursion_limit():
    root = node = {"node_type": "Action Input", "description": "", "children": []}
    for depth in range(20000):
        action = {"node_type": "Action", "description": "f", "children": []}
        child = {"node_type": "Action Input", "description": "{}", "observation": "{}", "observation_code": 0, "children": []}
        node["children"].append(action)
        action["children"].append(child)
        node = child
    found = analyse_tree(root, "single")
    assert found["nodes"] == 40001
    assert found["counts"] == {"repeated_call": 19999}  # the same call again on one path


@pytest.mark.parametrize("kind, path, expected", [
    ("raw", "answer/virtual_chatgpt_cot", {"1073": None, "588": "step_limit", "608": None}),
    ("raw", "answer/virtual_chatgpt_dfs", {"1073": None, "588": None, "608": None}),
    ("converted", "model_predictions_converted/virtual_chatgpt_cot/G1_instruction.json",
     {"1073": None, "588": "step_limit", "608": None}),
    ("converted", "model_predictions_converted/virtual_chatgpt_dfs/G1_instruction.json",
     {"1073": None, "588": None, "608": None}),
])
def test_stabletoolbench_example_answers(kind, path, expected):
    if not EXAMPLES.is_dir():
        pytest.skip(f"{EXAMPLES} absent (StableToolBench's data_example in ../shared/data)")
    source = source_of(EXAMPLES / path)
    assert source.kind == kind
    document = analyse(source)
    firsts = {key.split("/")[1]: (e["first_error"] or {}).get("category") for key, e in document["trajectories"].items()}
    assert firsts == expected
    if kind == "raw" and "dfs" in path:  # every node of the trees: 588's search gave up twice before its answer
        assert {k.split("/")[1]: e["tree"]["counts"] for k, e in document["trajectories"].items()} == {
            "1073": {}, "588": {"gave_up": 2}, "608": {}}


def test_a_bad_file_is_named_with_its_field(tmp_path):
    run = _run(tmp_path, "a", "fail-no-tool")
    record = {"task_key": "G1_category/0", "agent": "x", "seed": 0, "turns": "oops"}
    (run / "trajectories.jsonl").write_text(json.dumps(record) + "\n")
    with pytest.raises(AnalysisInputError, match=r"trajectories.jsonl: line 1 is not a trajectory record \(field group"):
        analyse(source_of(run))
    (run / "trajectories.jsonl").write_text('{"task_key": "G1_category/0"}\n')
    with pytest.raises(AnalysisInputError, match=r"trajectories.jsonl: line 1 is not a trajectory record \(field group"):
        analyse(source_of(run))
    assert run_eval.main(["analyze", str(tmp_path / "nothing")]) == 2


def test_a_cut_reply_is_read_by_its_error_field():
    from benchmarks.analysis.chains import chain_from_converted

    def answer(response: str) -> dict:
        finish = {"role": "tool", "message": {"name": "Finish", "arguments": '{"return_type": "give_answer", "final_answer": "x"}',
                                              "response": ""}, "next": []}
        call = {"role": "tool", "message": {"name": "f", "arguments": "{}", "response": response}, "next": [finish]}
        return {"answer_details": [{"role": "system", "message": "", "next": [call]}]}

    ok, failed = chain_from_converted(answer('{"error": "", "response": "long text cut...')), chain_from_converted(
        answer('{"error": "Rate limit per minute error...", "response": ""}'))
    assert (ok.rounds[0].call.status, ok.rounds[0].call.source) == (0, None)
    assert (failed.rounds[0].call.status, failed.rounds[0].call.source) == (None, "error")
    assert ok.status == failed.status == "answered" and ok.final_answer == "x"


def test_untrusted_text_and_odd_values_never_crash_the_analysis():
    from benchmarks.analysis.chains import chain_from_record
    from benchmarks.analysis.detect import function_schemas
    from benchmarks.analysis.trajectory import analyse_chain

    deep = "[" * 5000 + "]" * 5000
    calls = [{"name": "f", "arguments": args, "observation": None, "status": "7", "source": None, "function_name": None}
             for args in (deep, deep, "null", '"text"', "{\"a\": {\"b\": [1]}}", "\ud800<script>")]
    turns = [{"role": "user", "text": "q"}] + [t for _ in calls for t in ({"role": "assistant", "text": "<b>x</b>"},
                                                                         {"role": "observation", "text": None})]
    record = {"turns": turns, "calls": calls, "status": "answered", "final_answer": None, "unmarked_plans": "x"}
    tools = function_schemas([{"name": "f", "parameters": {"properties": {"a": {"type": "integer"}}, "required": ["a"]}},
                              "junk", {"name": None}])
    found = analyse_chain(chain_from_record(record, "single"), tools=tools)
    per_step = [{e["category"] for e in step["errors"]} for step in found["steps"]]
    assert per_step[0] == {"invalid_json_arguments"} and per_step[1] == {"invalid_json_arguments", "repeated_call"}
    assert per_step[2] == {"invalid_json_arguments"} and per_step[4] == {"argument_type"}


def test_leaderboard_columns_errors(tmp_path, capsys):
    _run(tmp_path, "a", "fail-no-tool")
    _run(tmp_path, "b", "fail-give-up")
    capsys.readouterr()
    assert run_eval.main(["leaderboard", str(tmp_path), "--format", "json"]) == 0
    assert all("errors" not in e for e in json.loads(capsys.readouterr().out)["entries"])  # optional
    assert run_eval.main(["leaderboard", str(tmp_path), "--format", "json", "--columns", "errors"]) == 0
    entries = {e["run"]: e["errors"] for e in json.loads(capsys.readouterr().out)["entries"]}
    assert entries["a"]["first_error"] == {"answered_without_tool": 2} and entries["b"]["first_error"] == {"gave_up": 2}
    assert run_eval.main(["leaderboard", str(tmp_path), "--columns", "errors"]) == 0
    table = capsys.readouterr().out
    assert "| first errors | first error by role |" in table and "gave_up 100% | backbone 100%" in table


def test_analyze_answers_that_are_not_a_run_folder_writes_only_where_told(tmp_path, capsys):
    if not EXAMPLES.is_dir():
        pytest.skip(f"{EXAMPLES} absent (StableToolBench's data_example in ../shared/data)")
    target = tmp_path / "dfs.json"
    assert run_eval.main(["analyze", str(EXAMPLES / "answer/virtual_chatgpt_dfs"), "--out", str(target)]) == 0
    document = json.loads(target.read_text())
    assert document["source"]["kind"] == "raw" and document["overall"]["n"] == 3
    assert "virtual_chatgpt_dfs: 3 trajectories" in capsys.readouterr().out
    assert run_eval.main(["analyze", str(EXAMPLES / "answer/virtual_chatgpt_dfs"), str(tmp_path), "--out", str(target)]) == 2
