"""What keeps a run inside its folder and its folder to one run (issue 21, items 1, 2, 3 and 7): names from
data that cannot be file names are refused, one process writes a run folder at a time, the run identity
lives beside the records, and chains are bounded below what JSON readers can nest."""
from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import run_eval
from benchmarks.core.naming import path_part
from benchmarks.core.types import Task
from benchmarks.loading import load_benchmark
from benchmarks.hf_benchmark import task_row
from benchmarks.toolbench import BenchmarkFormatError, tasks_from_records
from engine.backends.scripted import register_script
from engine.runner.identity import RunIdentityMismatch
from engine.runner.run import Run, RunConfig
from engine.runner.run_lock import RunFolderBusy, hold_run_folder
from tests.helpers.scheduling import scripted, weather_tasks
from tools_sim.cache import ResponseCache
from tools_sim.simulator import Simulator

REPO = Path(__file__).resolve().parents[2]
register_script("always-call", lambda request: "Thought: call it.\nAction: get_weather\nAction Input: {}")
ESCAPES = ["../../../../X", "/tmp/X", "..", ".", "", "a/b", "a\\b", "a\x00b"]


# item 1: names from data ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ESCAPES)
def test_a_task_refuses_a_group_or_query_id_that_is_no_file_name(name: str) -> None:
    with pytest.raises(ValueError, match="unsafe name: group"):
        Task("b", name, "1", "q", ())
    with pytest.raises(ValueError, match="unsafe name: query_id"):
        Task("b", "G1", name, "q", ())


def test_a_query_file_record_with_an_escaping_id_is_named() -> None:
    with pytest.raises(BenchmarkFormatError, match=r"q.json: record 0 \(query_id ../../X\): unsafe name: query_id"):
        tasks_from_records([{"query_id": "../../X", "query": "q", "api_list": []}], "q.json", benchmark="b", group="G1")


@pytest.mark.parametrize("column, value", [("group", "../../../../X"), ("group", "/tmp/abs"), ("query_id", "../../X")])
def test_a_dataset_row_cannot_write_outside_out(tmp_path: Path, capsys, column: str, value: str) -> None:
    row = task_row(load_benchmark("embedded", per_group=1, seed=0).tasks[0])
    path = tmp_path / "data" / "rows.jsonl"
    path.parent.mkdir()
    path.write_text(json.dumps({**row, column: value}) + "\n")
    out = tmp_path / "a" / "b" / "c" / "out"
    argv = ["run", "--agent", "oracle", "--benchmark", str(path), "--executor", "local", "--out", str(out),
            "--no-progress"]
    assert run_eval.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"unsafe name: {column}" in err and str(path) in err
    written = {p for p in tmp_path.rglob("*") if p.is_file()}
    assert written == {path}


def test_writers_check_the_names_they_are_given(tmp_path: Path) -> None:
    from benchmarks.results.files import group_file
    from engine.search.answer_files import answer_path
    for name in ("..", "a/b", "/x"):
        with pytest.raises(ValueError, match="unsafe name"):
            group_file(tmp_path, name)
        with pytest.raises(ValueError, match="unsafe name"):
            answer_path(tmp_path, name, "1")
        with pytest.raises(ValueError, match="unsafe name"):
            answer_path(tmp_path, "G1", name + "/x")


def test_a_name_that_fits_is_kept_as_is() -> None:
    for name in ("G1_instruction", "588", "日本語", "name with spaces", "-x", ".hidden"):
        assert path_part(name, "group") == name


# item 3: one writer per run folder -------------------------------------------------------------------------

def _config(tmp_path: Path, **changes) -> RunConfig:
    return RunConfig(**{"agent": scripted("chat-single", "call-once-then-answer"), "out_dir": tmp_path,
                        "run_name": "run", "executor": "local", "progress": False, **changes})


def _holder(lock: Path) -> subprocess.Popen:
    """Another process holding the folder's lock until its stdin closes."""
    code = textwrap.dedent(f"""
        import fcntl, os, sys
        fd = os.open({str(lock)!r}, os.O_RDWR | os.O_CREAT)
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0); os.write(fd, f"{{os.getpid()}}\\n".encode())
        print("held", flush=True)
        sys.stdin.read()
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_writer_is_refused_naming_the_holder_and_changes_nothing(tmp_path: Path) -> None:
    Run(_config(tmp_path), weather_tasks(2), Simulator(ResponseCache())).execute()
    holder = _holder(tmp_path / "run" / "run.lock")
    before = {p: p.read_bytes() for p in (tmp_path / "run").rglob("*") if p.is_file()}
    try:
        with pytest.raises(RunFolderBusy, match=f"pid {holder.pid}"):
            Run(_config(tmp_path), weather_tasks(3), Simulator(ResponseCache())).execute()
        assert {p: p.read_bytes() for p in (tmp_path / "run").rglob("*") if p.is_file()} == before
    finally:
        holder.communicate("")
    Run(_config(tmp_path, extend=True), weather_tasks(3), Simulator(ResponseCache())).execute()  # released with its process


def test_the_command_line_refuses_a_busy_folder_in_one_line(tmp_path: Path, capsys) -> None:
    (tmp_path / "run").mkdir()
    holder = _holder(tmp_path / "run" / "run.lock")
    try:
        code = run_eval.main(["run", "--agent", "oracle", "--benchmark", "embedded", "--per-group", "1",
                              "--executor", "local", "--out", str(tmp_path), "--run-name", "run", "--no-progress"])
    finally:
        holder.communicate("")
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and f"pid {holder.pid}" in err and "run.lock" in err
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["run.lock"]


def test_one_process_may_hold_its_own_folder_twice(tmp_path: Path) -> None:
    with hold_run_folder(tmp_path / "r"), hold_run_folder(tmp_path / "r"):
        fd = os.open(tmp_path / "r" / "run.lock", os.O_RDWR)
        with pytest.raises(BlockingIOError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.close(fd)
    fd = os.open(tmp_path / "r" / "run.lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released once the outer holder ends
    os.close(fd)


def test_two_identical_commands_at_once_write_each_trajectory_once(tmp_path: Path) -> None:
    argv = [sys.executable, str(REPO / "run_eval.py"), "run", "--agent", "oracle", "--benchmark", "embedded",
            "--per-group", "3", "--executor", "local", "--out", str(tmp_path), "--run-name", "r", "--no-progress"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [p.communicate(timeout=300) + (p.returncode,) for p in procs]
    codes = sorted(r[2] for r in results)
    assert codes in ([0, 0], [0, 2])  # the second either waited for nothing (the first had ended) or was refused
    for out, err, code in results:
        if code == 2:
            assert "pid" in err and len(err.strip().splitlines()) == 1
    lines = (tmp_path / "r" / "trajectories.jsonl").read_text().splitlines()
    keys = [json.loads(line)["task_key"] for line in lines]
    assert len(keys) == len(set(keys))


# item 2: the run identity beside the records ----------------------------------------------------------------

def _spoil(run_dir: Path, how: str) -> None:
    manifest = run_dir / "run.json"
    if how == "deleted":
        manifest.unlink()
    elif how == "truncated":
        manifest.write_bytes(manifest.read_bytes()[:40])
    elif how == "a list":
        manifest.write_text("[]")
    elif how == "no identity":
        data = json.loads(manifest.read_text())
        del data["identity"]
        manifest.write_text(json.dumps(data))


@pytest.mark.parametrize("how", ["deleted", "truncated", "a list", "no identity"])
def test_a_spoilt_run_json_cannot_relabel_the_records(tmp_path: Path, how: str) -> None:
    Run(_config(tmp_path), weather_tasks(2), Simulator(ResponseCache())).execute()
    _spoil(tmp_path / "run", how)
    other = _config(tmp_path, agent=scripted("chat-single", "seeded-walk"))
    with pytest.raises(RunIdentityMismatch, match="holds agent"):
        Run(other, weather_tasks(2), Simulator(ResponseCache())).execute()


@pytest.mark.parametrize("sidecar", [None, "", "[]", '{"agent": "x"}'])
def test_records_whose_identity_is_unknown_are_refused(tmp_path: Path, sidecar: str | None) -> None:
    Run(_config(tmp_path), weather_tasks(2), Simulator(ResponseCache())).execute()
    records = (tmp_path / "run" / "trajectories.jsonl").read_bytes()
    _spoil(tmp_path / "run", "deleted")
    identity = tmp_path / "run" / "identity.json"
    identity.unlink() if sidecar is None else identity.write_text(sidecar)
    other = _config(tmp_path, agent=scripted("chat-single", "seeded-walk"))
    with pytest.raises(RunIdentityMismatch, match="identity.json: missing or not a run identity"):
        Run(other, weather_tasks(2), Simulator(ResponseCache())).execute()
    assert (tmp_path / "run" / "trajectories.jsonl").read_bytes() == records


def test_the_same_run_resumes_from_its_sidecar_alone(tmp_path: Path) -> None:
    Run(_config(tmp_path), weather_tasks(2), Simulator(ResponseCache())).execute()
    _spoil(tmp_path / "run", "deleted")
    Run(_config(tmp_path), weather_tasks(2), Simulator(ResponseCache())).execute()
    assert len((tmp_path / "run" / "trajectories.jsonl").read_text().splitlines()) == 2


# item 7: chains no JSON reader can nest are refused ---------------------------------------------------------

def test_max_steps_past_the_bound_is_refused_on_the_command_line_and_in_yaml(tmp_path: Path, capsys) -> None:
    argv = ["run", "--agent", "oracle", "--benchmark", "embedded", "--per-group", "1", "--executor", "local",
            "--out", str(tmp_path / "o"), "--no-progress"]
    assert run_eval.main(argv + ["--max-steps", "250"]) == 2
    assert "--max-steps must be at most 100, got 250" in capsys.readouterr().err
    agent = tmp_path / "a.yaml"
    agent.write_text("preset: chat-single\nmax_steps: 250\n")
    assert run_eval.main(argv[:2] + [str(agent)] + argv[3:]) == 2
    assert f"{agent}: max_steps must be at most 100" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("strategy", ["cot", "dfsdt"])
def test_the_longest_chain_exports_and_reads_back(tmp_path: Path, strategy: str) -> None:
    from benchmarks.core.values import MAX_STEPS
    from benchmarks.results.raw_answers import convert_folder
    import dataclasses
    agent = dataclasses.replace(scripted("chat-single", "always-call"), max_steps=MAX_STEPS, strategy=strategy)
    run_dir = Run(_config(tmp_path, agent=agent), weather_tasks(1), Simulator(ResponseCache())).execute()
    record = json.loads((run_dir / "trajectories.jsonl").read_text())
    assert record["status"] == "max_steps" and (strategy == "dfsdt" or record["steps"] == MAX_STEPS)
    json.loads((run_dir / "tooleval" / "G1_instruction.json").read_text())
    if strategy == "dfsdt":
        convert_folder(run_dir / "answer" / "G1_instruction")


def test_scoring_a_run_folder_another_process_writes_is_refused_and_writes_nothing(tmp_path: Path, capsys) -> None:
    assert run_eval.main(["run", "--agent", "oracle", "--benchmark", "embedded", "--per-group", "1", "--executor",
                          "local", "--out", str(tmp_path), "--run-name", "run", "--no-progress"]) == 0
    capsys.readouterr()
    before = {p: p.read_bytes() for p in (tmp_path / "run").rglob("*") if p.is_file()}
    holder = _holder(tmp_path / "run" / "run.lock")
    try:
        code = run_eval.main(["score", str(tmp_path / "run"), "--judge", "embedded"])
    finally:
        holder.communicate("")
    err = capsys.readouterr().err.strip()
    assert code == 2 and f"pid {holder.pid}" in err and "run.lock" in err
    assert {p: p.read_bytes() for p in (tmp_path / "run").rglob("*") if p.is_file() and p.name != "run.lock"} == \
        {p: b for p, b in before.items() if p.name != "run.lock"}
    assert run_eval.main(["score", str(tmp_path / "run"), "--judge", "verified"]) == 0  # released with its process
