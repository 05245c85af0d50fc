"""report, export and leaderboard on run folders with files of the wrong shape (issue 21, item 12): every file is
read through its schema; a bad run is skipped with a one-line warning naming the file and the field, the others
are still shown."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import run_eval

SPOILS = {
    "metrics a list": ("metrics.json", lambda d: [], "metrics.json: not a metrics document"),
    "overall a string": ("metrics.json", lambda d: {**d, "overall": "x"}, "metrics.json: field overall: expected an object"),
    "speed a string": ("metrics.json", lambda d: {**d, "speed": "fast"}, "field speed: expected an object"),
    "a bad timeline": ("metrics.json", lambda d: {**d, "speed": {**d["speed"], "actors": {"a": {"timeline": [["x", None]]}}}},
                       "field speed.actors.a.timeline[0]"),
    "tokens a list": ("metrics.json", lambda d: {**d, "overall": {**d["overall"], "tokens": [1]}}, "field overall.tokens"),
    "scores overall a string": ("scores.json", lambda d: {**d, "overall": "x"}, "scores.json: field overall"),
    "per_query a list": ("scores.json", lambda d: {**d, "per_query": [1]}, "scores.json: field per_query"),
    "judge a string": ("scores.json", lambda d: {**d, "judge": "x"}, "scores.json: field judge"),
    "agent a string": ("run.json", lambda d: {**d, "agent": "x"}, "run.json: field agent: expected an object"),
    "models a list": ("run.json", lambda d: {**d, "models": [1]}, "run.json: field models"),
    "benchmark a string": ("run.json", lambda d: {**d, "benchmark": "x"}, "run.json: field benchmark"),
    "process a string": ("run.json", lambda d: {**d, "process": "x", "status": "running"}, "run.json: field process"),
    "a record missing keys": ("trajectories.jsonl", None, "trajectories.jsonl: line 1 is not a trajectory record"),
}


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("runs")
    assert run_eval.main(["run", "--agent", "oracle", "--benchmark", "embedded", "--per-group", "1", "--executor", "local",
                          "--out", str(out), "--run-name", "good", "--no-progress"]) == 0
    return out / "good"


def _spoilt(good: Path, tmp_path: Path, name: str) -> tuple[Path, str]:
    file, change, words = SPOILS[name]
    bad = tmp_path / "bad"
    shutil.copytree(good, bad)
    path = bad / file
    if change is None:
        lines = path.read_text().splitlines()
        path.write_text(json.dumps({"task_key": json.loads(lines[0])["task_key"]}) + "\n" + "\n".join(lines[1:]) + "\n")
    else:
        path.write_text(json.dumps(change(json.loads(path.read_text()))))
    return bad, words


# The files each command reads: a spoilt file it never opens is no case for it.
UNREAD = {("leaderboard", "trajectories.jsonl"), ("export", "metrics.json")}
CASES = [(command, name) for command in ("leaderboard", "report", "export") for name in SPOILS
         if (command, SPOILS[name][0]) not in UNREAD]


@pytest.mark.parametrize("command,name", CASES)
def test_a_bad_run_is_skipped_with_one_line_naming_its_file_and_field(good, tmp_path, capsys, name, command) -> None:
    bad, words = _spoilt(good, tmp_path, name)
    out = {"leaderboard": ["--format", "json"], "report": ["--out", str(tmp_path / "rep")],
           "export": ["--out", str(tmp_path / "exp")]}[command]
    capsys.readouterr()
    assert run_eval.main([command, str(good), str(bad), *out]) == 0
    captured = capsys.readouterr()
    warning = [line for line in captured.err.splitlines() if line.startswith("umi-eval: warning: skipped run")]
    assert len(warning) == 1 and str(bad) in warning[0] and words in warning[0] and "Traceback" not in captured.err
    if command == "leaderboard":
        assert [e["dir"] for e in json.loads(captured.out)["entries"]] == [str(good)]


def test_only_bad_runs_are_an_error(good, tmp_path, capsys) -> None:
    bad, words = _spoilt(good, tmp_path, "overall a string")
    assert run_eval.main(["leaderboard", str(bad)]) == 2
    assert "no readable run" in capsys.readouterr().err
