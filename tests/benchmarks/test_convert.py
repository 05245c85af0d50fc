"""`umi-eval convert`: ToolBench/StableToolBench raw answers to the converted answers ToolEval reads, with the
bytes of upstream's converter (`convert_to_answer_format.py`)."""
from __future__ import annotations

import copy
import json
import os
import random
from pathlib import Path

import pytest

from benchmarks.results.raw_answers import (CONVERTER_SEED, RawAnswerError, convert_folder, convert_path, converted_answer,
                                       method_of)
from benchmarks.results.converted import dumps_converted
from run_eval import main

DATA = "stabletoolbench/data_example"


def _chain(answer: dict) -> list[dict]:
    """The nodes of answer_details along next[0]; asserts each node has at most one child."""
    nodes, following = [], answer["answer_details"]
    while following:
        assert len(following) == 1
        nodes.append(following[0])
        following = following[0]["next"]
    return nodes


def _raw(root: Path, model: str) -> Path:
    return root / DATA / "answer" / model / "G1_instruction"


@pytest.mark.parametrize("model", ["virtual_chatgpt_cot", "virtual_chatgpt_dfs"])
def test_the_published_example_conversions_are_reproduced_byte_for_byte(shared_data: Path, model: str) -> None:
    """StableToolBench publishes what upstream's converter wrote from its example raw answers; the key
    order is that of os.listdir on the machine that ran it, so it is matched before comparing bytes."""
    folder = _raw(shared_data, model)
    published = (shared_data / DATA / "model_predictions_converted" / model / "G1_instruction.json").read_text()
    ours = convert_folder(folder)
    assert list(ours) == [name.split("_")[0] for name in os.listdir(folder)]  # upstream's order
    assert dumps_converted({qid: ours[qid] for qid in json.loads(published)}) == published
    indented = dumps_converted(ours, indent=2)
    assert indented.startswith('{\n  "') and not indented.endswith("\n")  # StableToolBench's current converter


def test_a_valid_answer_keeps_calls_and_bare_thoughts_and_drops_thoughts_said_with_a_call(shared_data: Path) -> None:
    raw = json.loads((_raw(shared_data, "virtual_chatgpt_dfs") / "588_DFS_woFilter_w2.json").read_text())
    generation = raw["answer_generation"]
    answer = converted_answer(raw, "DFS_woFilter_w2", random.Random(0))["answer"]
    nodes = _chain(answer)
    assert [n["role"] for n in nodes] == ["system", "user", "tool", "tool", "tool", "tool", "assistant", "tool"]
    assert nodes[0]["message"] == nodes[1]["message"] == ""  # ToolEval reads neither
    assert nodes[3]["message"] == {"name": "list_artist_concerts_for_theclique", "arguments": '{\n  "id_artist": "28003"\n}',
                                   "response": generation["train_messages"][-1][6]["content"]}
    said_with_a_call = generation["train_messages"][-1][5]["content"]  # "Based on the previous action ..."
    assert said_with_a_call and said_with_a_call not in json.dumps(answer)
    assert nodes[-1]["message"]["name"] == "Finish" and nodes[-1]["message"]["response"] == ""
    assert answer["final_answer"] == generation["final_answer"] and answer["total_steps"] == len(nodes) == 8


def test_an_answer_without_valid_data_comes_from_a_seeded_pick_of_the_cot_tries(shared_data: Path) -> None:
    raw = json.loads((_raw(shared_data, "virtual_chatgpt_cot") / "1073_CoT@1.json").read_text())
    raw["answer_generation"]["valid_data"] = False
    tries = [copy.deepcopy(raw["trys"][0]) for _ in range(3)]
    for n, attempt in enumerate(tries):
        attempt["chain"].insert(0, _node("Thought", f"thought of try {n}"))
    raw["trys"] = tries
    answer = converted_answer(copy.deepcopy(raw), "CoT@1", random.Random(CONVERTER_SEED))["answer"]
    picked = random.Random(CONVERTER_SEED).randrange(3)  # upstream's random.choice with its seed
    nodes = _chain(answer)
    assert nodes[2] == {"role": "assistant", "message": f"thought of try {picked}", "next": nodes[2]["next"]}
    assert [n["role"] for n in nodes[2:]] == ["assistant" if c["node_type"] == "Thought" else "tool"
                                              for c in tries[picked]["chain"] if c["node_type"] != "Action Input"]
    assert answer["final_answer"] == raw["answer_generation"]["final_answer"]


def _node(kind: str, description: str, observation: str = "", *children: dict) -> dict:
    return {"node_type": kind, "description": description, "observation": observation, "children": list(children)}


def _dfs_raw(shared_data: Path, root_children: list[dict]) -> dict:
    raw = json.loads((_raw(shared_data, "virtual_chatgpt_dfs") / "1073_DFS_woFilter_w2.json").read_text())
    raw["answer_generation"]["valid_data"] = False
    raw["tree"]["tree"]["children"] = root_children
    return raw


def test_a_dfs_answer_without_valid_data_is_a_seeded_walk_down_the_purified_tree(shared_data: Path) -> None:
    # Thought -> Action -> {Thought "aside", Action Input -> {Thought, Action}}: the Action takes its input's
    # arguments and observation and adopts its children after its own other child.
    tree = [_node("Thought", "t1", "", _node("Action", "a1", "", _node("Thought", "aside"),
                                                _node("Action Input", '{"x": 1}', "obs", _node("Thought", "t2"),
                                                      _node("Action", "dangling"))))]
    answer = converted_answer(_dfs_raw(shared_data, tree), "DFS_woFilter_w2", random.Random(CONVERTER_SEED))["answer"]
    nodes = _chain(answer)
    assert nodes[2]["message"] == "t1"
    assert nodes[3]["message"] == {"name": "a1", "arguments": '{"x": 1}', "response": "obs"}
    draws = random.Random(CONVERTER_SEED)
    for options in ([0], [0], [0], [0]):  # system->user->Thought->Action: a draw at every step, one option each
        draws.choice(options)
    leaf = draws.choice(["aside", "t2", "dangling"])
    if leaf == "dangling":  # an Action without an input stays as the raw tree node
        assert nodes[4] == {"role": "Action", "message": _node("Action", "dangling"), "next": []}
    else:
        assert nodes[4] == {"role": "assistant", "message": leaf, "next": []}
    assert answer["total_steps"] == 5


def test_every_walk_draws_from_one_generator_per_folder_in_listing_order(shared_data: Path, tmp_path: Path) -> None:
    """Equal files can walk differently: the generator moves on with every step of every answer before."""
    branching = [_node("Thought", "left"), _node("Thought", "right")]
    for n in range(12):
        (tmp_path / f"{n}_DFS_woFilter_w2.json").write_text(json.dumps(_dfs_raw(shared_data, branching)))
    answers = convert_folder(tmp_path)
    draws = random.Random(CONVERTER_SEED)
    expected = {}
    for name in os.listdir(tmp_path):
        draws.choice([0])  # system -> user
        expected[name.split("_")[0]] = draws.choice(["left", "right"])
    assert {qid: _chain(a["answer"])[2]["message"] for qid, a in answers.items()} == expected
    assert set(expected.values()) == {"left", "right"}


def test_openai_tool_calls_are_read_as_stabletoolbench_does(shared_data: Path) -> None:
    raw = json.loads((_raw(shared_data, "virtual_chatgpt_cot") / "1073_CoT@1.json").read_text())
    conversation = raw["answer_generation"]["train_messages"][-1][:2] + [
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "a", "function": {"name": "f", "arguments": "{}"}},
            {"id": "lost", "function": {"name": "g", "arguments": "{}"}},
            {"id": "b", "function": {"name": "Finish", "arguments": '{"return_type": "give_up_and_restart"}'}},
            {"id": "c", "function": {"name": "h", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "a", "content": "from f"}]
    raw["answer_generation"]["train_messages"] = [conversation]
    nodes = _chain(converted_answer(raw, "CoT@1", random.Random(0))["answer"])
    assert [n["message"] for n in nodes[2:]] == [{"name": "f", "arguments": "{}", "response": "from f"},
                                                 {"name": "Finish", "arguments": '{"return_type": "give_up_and_restart"}',
                                                  "response": ""}]


def test_method_from_file_names_and_bad_files_named(shared_data: Path, tmp_path: Path) -> None:
    assert method_of(_raw(shared_data, "virtual_chatgpt_dfs")) == "DFS_woFilter_w2"
    (tmp_path / "1_CoT@1.json").write_text(json.dumps({"answer_generation": {"valid_data": True}}))
    (tmp_path / "1_DFS_woFilter_w2.json").write_text("{}")
    with pytest.raises(RawAnswerError, match="CoT@1, DFS_woFilter_w2.*--method"):
        convert_folder(tmp_path)
    with pytest.raises(RawAnswerError, match=r"1_CoT@1\.json: not a ToolBench raw answer"):
        convert_folder(tmp_path, "CoT@1")
    (tmp_path / "1_CoT@1.json").write_text("{")
    with pytest.raises(RawAnswerError, match=r"1_CoT@1\.json: cannot read"):
        convert_folder(tmp_path, "CoT@1")


def test_convert_command_writes_one_file_per_group(shared_data: Path, tmp_path: Path, capsys) -> None:
    model = shared_data / DATA / "answer" / "virtual_chatgpt_cot"
    assert main(["convert", str(model), "--out", str(tmp_path / "a")]) == 0
    assert main(["convert", str(model / "G1_instruction"), "--out", str(tmp_path / "b"), "--indent", "2"]) == 0
    written = (tmp_path / "a" / "G1_instruction.json").read_text()
    assert written == dumps_converted(convert_folder(model / "G1_instruction"))
    assert json.loads((tmp_path / "b" / "G1_instruction.json").read_text()) == json.loads(written)
    assert f"wrote {tmp_path / 'a' / 'G1_instruction.json'}" in capsys.readouterr().out
    assert main(["convert", str(tmp_path), "--out", str(tmp_path / "c")]) == 2
    assert "no raw answer files" in capsys.readouterr().err
    assert convert_path(model, tmp_path / "d", method="CoT") == [tmp_path / "d" / "G1_instruction.json"]
    assert {a["answer"]["method"] for a in json.loads((tmp_path / "d" / "G1_instruction.json").read_text()).values()} == {"CoT"}


# issue 21, items 10 and 11: a bad file is named, the rest converted; nothing nests past what JSON can hold --------

def _copy_group(shared_data: Path, tmp_path: Path) -> Path:
    import shutil
    folder = tmp_path / "model" / "G1_instruction"
    shutil.copytree(_raw(shared_data, "virtual_chatgpt_cot"), folder)
    return folder


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:100])


@pytest.mark.parametrize("which", [0, -1])  # the first file by name (the one the folder was sniffed from), or the last
def test_a_truncated_file_is_named_and_the_rest_of_its_group_converted(shared_data, tmp_path, capsys, which) -> None:
    folder = _copy_group(shared_data, tmp_path)
    files = sorted(folder.glob("*.json"))
    _truncate(files[which])
    out = tmp_path / "out"
    assert main(["convert", str(folder.parent), "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(files[which]) in err[0] and "cannot read a raw answer" in err[0]
    converted = json.loads((out / "G1_instruction.json").read_text())
    assert len(converted) == len(files) - 1 and files[which].name.split("_")[0] not in converted
    assert main(["convert", str(folder.parent), "--out", str(tmp_path / "again"), "--skip-bad"]) == 0
    assert "skipped" in capsys.readouterr().err


def test_deeply_nested_raw_answers_are_named_not_a_traceback(shared_data, tmp_path, capsys) -> None:
    folder = _copy_group(shared_data, tmp_path)
    files = sorted(folder.glob("*.json"))
    files[0].write_text('{"answer_generation": ' + "[" * 5000 + "]" * 5000 + "}")
    raw = json.loads(files[1].read_text())
    long = [{"role": "system", "content": ""}, {"role": "user", "content": "q"}]
    long += [{"role": "assistant", "content": f"thought {i}"} for i in range(5000)]
    raw["answer_generation"].update(valid_data=True, train_messages=[long], final_answer='{"final_answer": "x"}')
    files[1].write_text(json.dumps(raw))
    assert main(["convert", str(folder.parent), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert f"{files[0]}: cannot read a raw answer (nested too deeply)" in err
    assert f"{files[1]}: its chain of" in err and "Traceback" not in err
    json.loads((tmp_path / "out" / "G1_instruction.json").read_text())


def test_score_names_a_too_deep_converted_file(tmp_path, capsys) -> None:
    path = tmp_path / "m" / "G1_instruction.json"
    path.parent.mkdir()
    path.write_text("[" * 5000 + "]" * 5000)
    assert main(["score", str(path), "--judge", "verified"]) == 2
    assert "nested too deeply" in capsys.readouterr().err
