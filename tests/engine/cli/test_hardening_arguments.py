"""One validation path for the command line and YAML (issue 21, items 13 and 14): seeds every part of a run can
use, sampling fields named, model numbers checked alike, and `--out` (or a sweep's `out:`) that is a file
refused in one line before anything is written."""
from __future__ import annotations

from pathlib import Path

import pytest

import run_eval

RUN = ["run", "--agent", "oracle", "--benchmark", "embedded", "--per-group", "1", "--executor", "local", "--no-progress"]


def _refused(capsys, argv: list[str], words: str) -> None:
    assert run_eval.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and words in err, err


@pytest.mark.parametrize("seed", ["-1", str(2 ** 64), str(2 ** 63)])
def test_a_seed_no_part_of_a_run_can_use_is_refused_before_the_run(tmp_path: Path, capsys, seed: str) -> None:
    _refused(capsys, RUN + ["--out", str(tmp_path / "o"), f"--seed={seed}"], "--seed must be a whole number from 0 to 2**63-1")
    assert not (tmp_path / "o").exists()


def test_the_largest_seed_runs_and_scores(tmp_path: Path, capsys) -> None:
    assert run_eval.main(RUN + ["--out", str(tmp_path), f"--seed={2 ** 63 - 1}"]) == 0
    assert len(list(tmp_path.glob("*/scores.json"))) == 1


@pytest.mark.parametrize("command", [["score", "x", "--judge", "verified"], ["static", "--agent", "alpha-umi", "--data", "x"],
                                     ["benchmark", "write", "--per-group", "1", "--out", "x"]])
def test_every_seed_flag_is_checked_alike(capsys, command: list[str]) -> None:
    _refused(capsys, command + ["--seed=-1"], "--seed must be a whole number from 0 to 2**63-1")


@pytest.mark.parametrize("yaml_text, words", [
    ("preset: chat-single\nmodel: {sampling: {temprature: 0.5}}\n", "unknown sampling field(s) ['temprature']"),
    ("preset: chat-single\nmodel: {sampling: 3}\n", "sampling must be a mapping"),
    ("preset: chat-single\nmodel: {batch_size: 0}\n", "batch_size must be a whole number of at least 1, got 0"),
    ("preset: chat-single\nmodel: {request_timeout_s: .inf}\n", "request_timeout_s must be a number above 0"),
])
def test_agent_files_are_checked_as_the_command_line(tmp_path: Path, capsys, yaml_text: str, words: str) -> None:
    agent = tmp_path / "agent.yaml"
    agent.write_text(yaml_text)
    _refused(capsys, ["run", "--agent", str(agent), *RUN[3:], "--out", str(tmp_path / "o")], words)
    assert not (tmp_path / "o").exists()


def test_batch_size_zero_is_refused_on_the_command_line_too(tmp_path: Path, capsys) -> None:
    _refused(capsys, RUN + ["--out", str(tmp_path), "--batch-size", "0"], "--batch-size must be a whole number of at least 1")


@pytest.fixture
def a_file(tmp_path: Path) -> Path:
    path = tmp_path / "file"
    path.write_text("keep me")
    return path


@pytest.mark.parametrize("make_argv, words", [
    (lambda f, d: ["score", str(d), "--judge", "verified", "--out", str(f)], "is a file, not a folder"),
    (lambda f, d: ["score", str(d), "--judge", "verified", "--cache", str(d)], "is a folder, not a file"),
    (lambda f, d: ["convert", str(d), "--out", str(f)], "is a file, not a folder"),
    (lambda f, d: ["convert", str(d), "--out", str(f / "sub")], "is a file, not a folder"),
    (lambda f, d: ["report", str(d), "--out", str(f)], "is a file, not a folder"),
    (lambda f, d: ["leaderboard", str(d), "--out", str(f / "x.md")], "is a file, not a folder"),
    (lambda f, d: ["run", *RUN[1:], "--out", str(f / "runs")], "is a file, not a folder"),
])
def test_an_out_that_is_a_file_is_refused_in_one_line(tmp_path: Path, capsys, a_file: Path, make_argv, words) -> None:
    run_dir = tmp_path / "runs"
    assert run_eval.main(RUN + ["--out", str(run_dir), "--run-name", "r"]) == 0
    capsys.readouterr()
    _refused(capsys, make_argv(a_file, run_dir / "r"), words)
    assert a_file.read_text() == "keep me"


def test_a_sweep_out_that_is_a_file_is_refused(tmp_path: Path, capsys, a_file: Path) -> None:
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"out: {a_file}\nagents: [oracle]\nbenchmarks: [{{benchmark: embedded, per_group: 1}}]\nexecutor: local\n")
    _refused(capsys, ["sweep", str(sweep)], "out: " + str(a_file) + " is a file, not a folder")
    sweep.write_text("out: [1]\nagents: [oracle]\nbenchmarks: [{benchmark: embedded, per_group: 1}]\nexecutor: local\n")
    _refused(capsys, ["sweep", str(sweep)], "out must be a folder name")


@pytest.mark.parametrize("value", ["0", "-5", "nan", "inf"])
def test_a_placement_timeout_that_is_no_positive_number_is_refused(tmp_path: Path, capsys, value: str) -> None:
    _refused(capsys, RUN + ["--out", str(tmp_path / "o"), f"--placement-timeout={value}"],
             "--placement-timeout must be a number above 0")
    assert not (tmp_path / "o").exists()


def test_the_placement_timeout_reaches_the_run(tmp_path: Path, monkeypatch) -> None:
    import engine.runner.build

    class Built(Exception):
        pass

    def build_run(config, *_):
        raise Built(config.control.room_timeout_s)

    monkeypatch.setattr(engine.runner.build, "build_run", build_run)
    with pytest.raises(Built, match=r"^90.0$"):
        run_eval.main(RUN + ["--out", str(tmp_path / "o"), "--placement-timeout", "90"])
