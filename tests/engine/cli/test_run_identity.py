"""A run folder holds one run (issue 13, item 8): another agent, benchmark, seed or task set is refused before
anything is written; a plain rerun resumes; `--extend` adds tasks."""
from __future__ import annotations

import json
from pathlib import Path

import run_eval

ORACLE = ["run", "--agent", "oracle", "--benchmark", "embedded", "--executor", "local", "--no-progress", "--run-name", "r"]


def _files(run_dir: Path) -> dict[str, bytes]:
    return {str(p.relative_to(run_dir)): p.read_bytes() for p in sorted(run_dir.rglob("*")) if p.is_file()}


def _oracle_run(tmp_path: Path, *extra: str) -> Path:
    assert run_eval.main([*ORACLE, "--per-group", "1", "--out", str(tmp_path), *extra]) == 0
    return tmp_path / "r"


def _lines(run_dir: Path) -> int:
    return len((run_dir / "trajectories.jsonl").read_text().splitlines())


def test_a_toolbench_run_in_an_oracle_run_folder_is_refused_and_changes_nothing(tmp_path, capsys, shared_data):
    run_dir = _oracle_run(tmp_path)
    before = _files(run_dir)
    code = run_eval.main(["run", "--agent", "chat-single", "--backend", "scripted", "--model", "call-once-then-answer",
                          "--benchmark", str(shared_data / "stabletoolbench" / "solvable_queries_example"),
                          "--executor", "local", "--no-progress", "--out", str(tmp_path), "--run-name", "r"])
    assert code == 2
    err = capsys.readouterr().err
    assert "agent oracle" in err and "agent chat-single" in err and "benchmark embedded" in err
    assert "benchmark solvable_queries_example" in err and "Traceback" not in err
    assert _files(run_dir) == before


def test_another_seed_is_refused(tmp_path, capsys):
    run_dir = _oracle_run(tmp_path)
    before = _files(run_dir)
    assert run_eval.main([*ORACLE, "--per-group", "1", "--seed", "1", "--out", str(tmp_path)]) == 2
    assert "seed 0" in capsys.readouterr().err
    assert _files(run_dir) == before


def test_more_tasks_without_extend_are_refused(tmp_path, capsys):
    run_dir = _oracle_run(tmp_path)
    before = _files(run_dir)
    assert run_eval.main([*ORACLE, "--per-group", "2", "--out", str(tmp_path)]) == 2
    assert "add --extend" in capsys.readouterr().err
    assert _files(run_dir) == before


def test_a_rerun_resumes_whatever_the_schedule(tmp_path):
    run_dir = _oracle_run(tmp_path)
    assert _lines(run_dir) == 6
    _oracle_run(tmp_path, "--schedule", "pipelined", "--max-active", "2")
    assert _lines(run_dir) == 6
    assert json.loads((run_dir / "run.json").read_text())["status"] == "finished"


def test_extend_adds_the_new_tasks_only(tmp_path):
    run_dir = _oracle_run(tmp_path)
    assert run_eval.main([*ORACLE, "--per-group", "2", "--extend", "--out", str(tmp_path)]) == 0
    assert _lines(run_dir) == 12
    assert json.loads((run_dir / "metrics.json").read_text())["overall"]["n"] == 12
    assert len(json.loads((run_dir / "run.json").read_text())["identity"]["tasks"]) == 12


def test_extend_cannot_drop_tasks(tmp_path, capsys):
    assert run_eval.main([*ORACLE, "--per-group", "2", "--out", str(tmp_path)]) == 0
    before = _files(tmp_path / "r")
    assert run_eval.main([*ORACLE, "--per-group", "1", "--extend", "--out", str(tmp_path)]) == 2
    assert "--extend only adds tasks" in capsys.readouterr().err
    assert _files(tmp_path / "r") == before
