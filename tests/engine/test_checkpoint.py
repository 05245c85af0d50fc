"""Checkpoints of trajectories in flight (issue 13, item 16): an interrupted run keeps every completed step,
and the resumed run writes the records an uninterrupted run writes."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from benchmarks.loading import load_benchmark
from benchmarks.results.files import CHECKPOINT_FILE, TRAJECTORIES_FILE
from benchmarks.results.trajectories import latest_records
from engine.backends.scripted import register_script, seeded_walk
from engine.runner.checkpoint import Checkpoint, read_journals
from engine.runner.run import Run, RunConfig
from tests.helpers.scheduling import scripted, untimed
from tools_sim.cache import ResponseCache
from tools_sim.simulator import Simulator

MAX_ACTIVE = 4


class CountingScript:
    """seeded_walk, counting the requests it answers; raises KeyboardInterrupt at request `interrupt_at`."""

    def __init__(self, interrupt_at: int | None = None) -> None:
        self.answered = 0
        self.interrupt_at = interrupt_at

    def __call__(self, request) -> str:
        if self.answered + 1 == self.interrupt_at:
            raise KeyboardInterrupt
        self.answered += 1
        return seeded_walk(request)


def _tasks():
    return load_benchmark("embedded", per_group=2).tasks


def _run(tmp_path: Path, preset: str, strategy: str, schedule: str, script: CountingScript, name: str = "run") -> Path:
    register_script("checkpoint-test", script)
    agent = dataclasses.replace(scripted(preset, "checkpoint-test"), strategy=strategy)
    config = RunConfig(agent=agent, out_dir=tmp_path, run_name=name, executor="local", progress=False,
                       schedule=schedule, max_active=MAX_ACTIVE)
    return Run(config, _tasks(), Simulator(ResponseCache())).execute()


def _records(run_dir: Path) -> list[dict]:
    return sorted((untimed(r) for r in latest_records(run_dir / TRAJECTORIES_FILE).values()), key=lambda r: r["task_key"])


@pytest.mark.parametrize("preset,strategy,schedule", [("alpha-umi", "cot", "lockstep"), ("alpha-umi", "cot", "pipelined"),
                                                       ("chat-single", "cot", "lockstep"), ("chat-single", "dfsdt", "lockstep"),
                                                       ("alpha-umi", "dfsdt", "pipelined"), ("alpha-umi", "cot", "continuous"),
                                                       ("chat-single", "dfsdt", "continuous")])
def test_an_interrupted_run_resumes_each_trajectory_from_its_last_step(tmp_path, preset, strategy, schedule):
    whole = CountingScript()
    expected = _records(_run(tmp_path, preset, strategy, schedule, whole, "whole"))
    first = CountingScript(interrupt_at=whole.answered // 2)
    with pytest.raises(KeyboardInterrupt):
        _run(tmp_path, preset, strategy, schedule, first)
    journals = read_journals(tmp_path / "run" / CHECKPOINT_FILE)
    assert journals and all(journal.events for journal in journals.values())  # mid-trajectory steps were kept
    finished_before = len(latest_records(tmp_path / "run" / TRAJECTORIES_FILE))
    assert finished_before < len(expected)

    second = CountingScript()
    assert _records(_run(tmp_path, preset, strategy, schedule, second)) == expected
    redone = first.answered + second.answered - whole.answered
    assert 0 <= redone <= MAX_ACTIVE  # only the requests of the batch running at the interrupt
    assert not (tmp_path / "run" / CHECKPOINT_FILE).exists()  # a finished run has nothing in flight


def _journal_line(key, tries, start, events) -> str:
    return json.dumps({"key": key, "tries": tries, "started_at": 1.0, "from": start, "events": events}) + "\n"


def test_reading_skips_a_torn_line_and_lines_that_do_not_follow_on(tmp_path):
    path = tmp_path / CHECKPOINT_FILE
    a, b = ["g/1", "x", 0], ["g/2", "x", 0]
    path.write_text(_journal_line(a, 1, 0, [["o", {}]]) + _journal_line(a, 1, 1, [["o", {"n": 2}]])
                    + _journal_line(b, 1, 5, [["o", {}]])  # a gap: events 0-4 are missing
                    + _journal_line(a, 1, 7, [["o", {}]]) + _journal_line(a, 1, 2, [["o", {"n": 3}]])[:-9])
    journals = read_journals(path)
    assert list(journals) == [tuple(a)]
    assert journals[tuple(a)].events == [["o", {}], ["o", {"n": 2}]]


def test_opening_keeps_only_the_live_try_of_each_trajectory_in_one_line(tmp_path):
    path = tmp_path / CHECKPOINT_FILE
    live, retried, done = ["g/1", "x", 0], ["g/2", "x", 0], ["g/3", "x", 0]
    path.write_text(_journal_line(live, 1, 0, [["o", {}]]) + _journal_line(live, 1, 1, [["o", {}]])
                    + _journal_line(retried, 1, 0, [["o", {}]]) + _journal_line(done, 1, 0, [["o", {}]]))
    checkpoint = Checkpoint(path, {tuple(live): 1, tuple(retried): 2})  # g/2 failed once; g/3 is finished
    checkpoint.close()
    lines = path.read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["key"] == live
    assert read_journals(path)[tuple(live)].events == [["o", {}], ["o", {}]]


def test_a_journal_that_no_longer_replays_starts_the_trajectory_afresh(tmp_path):
    script = CountingScript(interrupt_at=9)
    with pytest.raises(KeyboardInterrupt):
        _run(tmp_path, "alpha-umi", "cot", "lockstep", script)
    path = tmp_path / "run" / CHECKPOINT_FILE
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    for line in lines:
        for kind, data in line["events"]:
            if kind == "r":
                data["request_id"] += "-changed"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    with pytest.warns(UserWarning, match="does not replay"):
        resumed = _records(_run(tmp_path, "alpha-umi", "cot", "lockstep", CountingScript()))
    assert resumed == _records(_run(tmp_path, "alpha-umi", "cot", "lockstep", CountingScript(), "whole"))


def test_a_reply_with_a_lone_surrogate_is_journaled_exactly(tmp_path):
    from types import SimpleNamespace

    from engine.types import RoleResult, Trajectory

    path = tmp_path / CHECKPOINT_FILE
    checkpoint = Checkpoint(path, {})
    unit = SimpleNamespace(trajectory=Trajectory("g/1", "g", "1", "x", 0))
    checkpoint.generated(unit, RoleResult("g/1|x|0|0", "bad \ud800 text", latency_s=0.25), None)
    checkpoint.close()
    events = read_journals(path)[("g/1", "x", 0)].events
    assert events == [["r", dataclasses.asdict(RoleResult("g/1|x|0|0", "bad \ud800 text", latency_s=0.25))]]


# issue 21, item 8: lines of the wrong shape, of another run, a checkpoint that is not a file --------------------

WRONG_SHAPES = [{"key": [["g/1"], "x", 0], "tries": 1, "started_at": 1.0, "from": 0, "events": []},  # unhashable key
                {"key": ["g/1", "x", 0], "tries": 1, "started_at": 1.0, "from": 0, "events": None},
                {"key": ["g/1", "x", 0], "tries": 1, "started_at": 1.0, "from": 0, "events": 7},
                {"key": ["g/1", "x", 0], "tries": 1, "started_at": "yesterday", "from": 0, "events": []},
                {"key": ["g/1", "x", 0], "tries": "1", "started_at": 1.0, "from": 0, "events": []},
                {"key": ["g/1", "x", 0], "tries": 1, "started_at": 1.0, "from": 0, "events": [["x", {}]]},
                {"key": "g/1", "tries": 1, "started_at": 1.0, "from": 0, "events": []},
                [1, 2], "text", None, 5]


@pytest.mark.parametrize("line", WRONG_SHAPES)
def test_a_line_of_the_wrong_shape_is_skipped_with_a_warning(tmp_path, line):
    path = tmp_path / CHECKPOINT_FILE
    good = ["g/2", "x", 0]
    path.write_text(json.dumps(line) + "\n" + _journal_line(good, 1, 0, [["o", {}]]))
    with pytest.warns(UserWarning, match="wrong shape skipped"):
        journals = read_journals(path)
    assert list(journals) == [tuple(good)]


@pytest.mark.parametrize("line", WRONG_SHAPES)
def test_a_run_resumes_over_lines_of_the_wrong_shape(tmp_path, line):
    script = CountingScript(interrupt_at=9)
    with pytest.raises(KeyboardInterrupt):
        _run(tmp_path, "chat-single", "cot", "lockstep", script)
    path = tmp_path / "run" / CHECKPOINT_FILE
    path.write_text(json.dumps(line) + "\n" + path.read_text())
    with pytest.warns(UserWarning, match="wrong shape skipped"):
        resumed = _records(_run(tmp_path, "chat-single", "cot", "lockstep", CountingScript()))
    assert resumed == _records(_run(tmp_path, "chat-single", "cot", "lockstep", CountingScript(), "whole"))


def test_lines_of_another_run_are_not_replayed(tmp_path):
    path = tmp_path / CHECKPOINT_FILE
    key = ("g/1", "x", 0)
    path.write_text(json.dumps({"key": list(key), "run": "other", "tries": 1, "started_at": 1.0, "from": 0,
                                "events": [["o", {}]]}) + "\n")
    assert read_journals(path, "this") == {}
    checkpoint = Checkpoint(path, {key: 1}, "this")
    checkpoint.close()
    assert checkpoint.saved == {} and path.read_text() == ""


def test_a_run_binds_its_lines_to_its_identity(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        _run(tmp_path, "chat-single", "cot", "lockstep", CountingScript(interrupt_at=9))
    lines = [json.loads(line) for line in (tmp_path / "run" / CHECKPOINT_FILE).read_text().splitlines()]
    assert lines and {len(line["run"]) for line in lines} == {16}


def test_a_checkpoint_that_is_a_folder_is_refused_in_one_line(tmp_path, capsys):
    import run_eval
    (tmp_path / "r" / CHECKPOINT_FILE).mkdir(parents=True)
    code = run_eval.main(["run", "--agent", "oracle", "--benchmark", "embedded", "--per-group", "1", "--executor",
                          "local", "--out", str(tmp_path), "--run-name", "r", "--no-progress"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and f"{CHECKPOINT_FILE}: expected the run's checkpoint file" in err
    assert (tmp_path / "r" / CHECKPOINT_FILE).is_dir()
