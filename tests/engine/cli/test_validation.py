"""Bad values and names refused before anything is written: one line naming what is wrong, exit status 2."""
from __future__ import annotations


import pytest

import run_eval

RUN = ["run", "--agent", "oracle", "--benchmark", "embedded", "--executor", "local", "--no-progress"]


def _refused(argv, tmp_path, capsys, *messages):
    out = tmp_path / "out"
    assert run_eval.main([*argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    for message in messages:
        assert message in err
    assert "Traceback" not in err
    assert not out.exists()
    return err


@pytest.mark.parametrize("flag,value", [("--batch-size", "0"), ("--batch-size", "-2"), ("--max-active", "0"),
                                        ("--max-active", "-1"), ("--per-group", "0"), ("--limit", "-1"),
                                        ("--limit", "0"), ("--max-steps", "-1")])
def test_run_refuses_values_below_one(flag, value, tmp_path, capsys):
    argv = RUN if flag != "--batch-size" else ["run", "--agent", "chat-single", *RUN[3:]]
    _refused([*argv, flag, value], tmp_path, capsys, flag)


def test_inspect_refuses_per_group_zero(capsys):
    assert run_eval.main(["inspect", "--benchmark", "embedded", "--query-id", "1", "--per-group", "0"]) == 2
    assert "--per-group" in capsys.readouterr().err


def _agent_file(tmp_path, text):
    path = tmp_path / "agent.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("text,message", [
    ("preset: chat-single\nmax_stpes: 3\n", "did you mean 'max_steps'"),
    ("preset: chat-single\nmax_steps: -1\n", "max_steps"),
    ("preset: chat-single\nmax_steps: abc\n", "max_steps"),
    ("preset: chat-single\nmodel: hello\n", "model"),
    ("preset: chat-single\nroles: [1, 2]\n", "roles"),
    ("preset: chat-single\nmodel: {sampling: {temperature: hot}}\n", "temperature"),
    ("preset: chat-single\nmodel: {sampling: {max_new_tokens: many}}\n", "max_new_tokens"),
    ("preset: chat-single\nname: ../escape\n", "name"),
    ("preset: chat-single\nname: /abs\n", "name"),
    ("preset: chat-single\n!!python/object/apply:os.system ['true']: 1\n", "agent.yaml"),
    ("preset: [chat-single\n", "agent.yaml"),
])
def test_bad_agent_file_is_named_without_traceback(text, message, tmp_path, capsys):
    path = _agent_file(tmp_path, text)
    err = _refused([*RUN[:2], str(path), *RUN[3:]], tmp_path, capsys, message)
    assert str(path) in err


@pytest.mark.parametrize("run_name", ["../up", "a/b", "/tmp/abs", "..", ""])
def test_run_name_cannot_escape_out(run_name, tmp_path, capsys):
    _refused([*RUN, "--run-name", run_name], tmp_path, capsys, "--run-name")


def test_out_pointing_at_a_file_is_refused(tmp_path, capsys):
    out = tmp_path / "file"
    out.write_text("x")
    assert run_eval.main([*RUN, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert str(out) in err and "Traceback" not in err
    assert out.read_text() == "x"


def _sweep(tmp_path, text):
    path = tmp_path / "sweep.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("body,message", [
    ("agents: [oracle]\nbenchmarks: [{benchmark: embedded, per_group: 0}]\n", "per_group"),
    ("agents: [oracle]\nbenchmarks: [{benchmark: embedded, name: ../x}]\n", "name"),
    ("agents: [{agent: oracle, name: a/b}]\nbenchmarks: [embedded]\n", "name"),
    ("agents: [oracle]\nbenchmarks: [embedded]\nmax_active: 0\n", "max_active"),
    ("agents: [oracle]\nbenchmarks: [embedded]\nseedz: [1]\n", "did you mean 'seeds'"),
    ("agents: [{agent: oracle, max_stpes: 2}]\nbenchmarks: [embedded]\n", "did you mean 'max_steps'"),
])
def test_bad_sweep_is_refused(body, message, tmp_path, capsys):
    out = tmp_path / "out"
    path = _sweep(tmp_path, f"out: {out}\n{body}")
    assert run_eval.main(["sweep", str(path), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()


def _finished_run(tmp_path):
    out = tmp_path / "runs"
    assert run_eval.main([*RUN, "--per-group", "2", "--out", str(out), "--run-name", "r"]) == 0
    return out / "r" / "trajectories.jsonl"


def test_corrupt_trajectory_line_is_named_and_repair_moves_it_aside(tmp_path, capsys):
    path = _finished_run(tmp_path)
    lines = path.read_bytes().splitlines(keepends=True)
    assert len(lines) >= 3
    corrupted = [lines[0], b"{not json\n", *lines[1:]]
    path.write_bytes(b"".join(corrupted))
    capsys.readouterr()
    argv = [*RUN, "--per-group", "2", "--out", str(path.parent.parent), "--run-name", "r"]
    assert run_eval.main(argv) == 2
    err = capsys.readouterr().err
    assert f"{path}: line 2" in err and "--repair" in err and "Traceback" not in err
    assert run_eval.main([*argv, "--repair"]) == 0
    assert path.with_name("trajectories.jsonl.bad").read_bytes() == b"{not json\n"
    assert path.read_bytes() == b"".join(lines)
