"""A new user's mistakes (issue 22, item 5): each ends in one clear line or does the useful thing, never in a
traceback after minutes of work or in rows that cannot be told apart."""
from __future__ import annotations

import pytest

import run_eval


@pytest.mark.parametrize("argv", [
    ["static", "--agent", "alpha-umi", "--backend", "scripted", "--data", "nowhere.json"],
    ["run", "--agent", "oracle", "--benchmark", "embedded", "--executor", "local"],
    ["report", "nowhere"],
    ["convert", "nowhere"],
    ["score", "nowhere", "--judge", "verified"],
    ["export", "nowhere"],
    ["benchmark", "write", "--per-group", "1"],
], ids=lambda argv: argv[0])
def test_an_output_folder_that_is_a_file_fails_before_any_work(argv, tmp_path, capsys):
    taken = tmp_path / "taken"
    taken.write_text("")
    assert run_eval.main([*argv, "--out", str(taken / "sub")]) == 2
    assert f"--out {taken / 'sub'} is a file, not a folder (its parent {taken} is)" in capsys.readouterr().err


def test_the_oracle_on_a_benchmark_without_gold_is_refused_before_any_run_folder(shared_data, tmp_path, capsys):
    bench = shared_data / "stabletoolbench" / "solvable_queries_example"
    argv = ["run", "--agent", "oracle", "--benchmark", str(bench), "--executor", "local", "--out", str(tmp_path / "o")]
    assert run_eval.main(argv) == 2
    assert "the oracle replays gold solutions, and 3 of the 3 tasks" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_convert_on_the_folder_above_the_model_folders_converts_each(shared_data, tmp_path, capsys):
    answers = shared_data / "stabletoolbench" / "data_example" / "answer"
    assert run_eval.main(["convert", str(answers), "--out", str(tmp_path / "c")]) == 0
    assert sorted(p.relative_to(tmp_path / "c").as_posix() for p in (tmp_path / "c").rglob("*.json")) == [
        "virtual_chatgpt_cot/G1_instruction.json", "virtual_chatgpt_dfs/G1_instruction.json"]


@pytest.mark.parametrize("argv, hint", [
    (["run", "--agent", "chat-mutli", "--benchmark", "embedded"], "(did you mean 'chat-multi'?)"),
    (["run", "--agent", "chat-multi", "--benchmark", "embeded"], "(did you mean 'embedded'?)"),
], ids=["agent", "benchmark"])
def test_a_misspelt_agent_or_benchmark_gets_a_did_you_mean(argv, hint, tmp_path, capsys):
    assert run_eval.main([*argv, "--out", str(tmp_path / "o")]) == 2
    assert hint in capsys.readouterr().err


def test_a_sweep_rerun_says_its_finished_runs_are_skipped(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(f"out: {tmp_path / 'out'}\nexecutor: local\nseeds: [0]\nagents: [oracle]\n"
                    "benchmarks:\n  - {benchmark: embedded, per_group: 1}\n")
    assert run_eval.main(["sweep", str(path)]) == 0
    assert "[1/1] oracle__embedded__seed0: running" in capsys.readouterr().out
    assert run_eval.main(["sweep", str(path)]) == 0
    assert "[1/1] oracle__embedded__seed0: finished before: skipped" in capsys.readouterr().out
