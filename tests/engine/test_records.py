"""trajectories.jsonl: appended, flushed, resumable, and repaired only at a torn tail."""
from __future__ import annotations

import json

import pytest

from benchmarks.results.files import write_json_atomic
from benchmarks.results.trajectories import TrajectoryWriter, read_records
from engine.types import Trajectory
from roles.types import Turn


def _trajectory(qid: str) -> Trajectory:
    t = Trajectory(f"G1/{qid}", "G1", qid, "agent", 0, turns=[Turn("user", "q")])
    t.finish("answered", "42")
    return t


def test_written_lines_read_back_and_are_known_done(tmp_path):
    path = tmp_path / "trajectories.jsonl"
    writer = TrajectoryWriter(path)
    writer.write(_trajectory("1").to_record())
    writer.write(_trajectory("2").to_record())
    writer.close()
    records = list(read_records(path))
    assert [r["query_id"] for r in records] == ["1", "2"]
    assert records[0] == _trajectory("1").to_record()
    assert TrajectoryWriter(path).done == {("G1/1", "agent", 0), ("G1/2", "agent", 0)}


def test_torn_last_line_is_dropped_and_earlier_lines_kept(tmp_path):
    path = tmp_path / "trajectories.jsonl"
    writer = TrajectoryWriter(path)
    writer.write(_trajectory("1").to_record())
    writer.close()
    intact = path.read_bytes()
    path.write_bytes(intact + b'{"task_key": "G1/2", "ag')
    with pytest.warns(UserWarning, match="torn last line"):
        writer = TrajectoryWriter(path)
    assert path.read_bytes() == intact
    writer.write(_trajectory("2").to_record())
    writer.close()
    assert [r["query_id"] for r in read_records(path)] == ["1", "2"]


def test_corrupt_middle_line_names_the_file_and_line(tmp_path):
    path = tmp_path / "trajectories.jsonl"
    path.write_text(json.dumps(_trajectory("1").to_record()) + '\nnot json\n')
    with pytest.raises(ValueError, match="line 2 is not valid JSON"):
        list(read_records(path))


# issue 21, item 9: JSON objects of the wrong shape ---------------------------------------------------------

def _spoilt(**change) -> dict:
    record = {**_trajectory("9").to_record(), **change}
    return {k: v for k, v in record.items() if v is not DROP}


DROP = object()
WRONG_RECORDS = [({"a": 1}, "field task_key: expected a string"), (_spoilt(status=DROP), "field status"),
                 (_spoilt(task_key=["G1", "9"]), "field task_key"), (_spoilt(tries="2"), "field tries"),
                 (_spoilt(seed=None), "field seed"), (_spoilt(usage=[]), "field usage"),
                 (_spoilt(started_at="yesterday"), "field started_at"), (_spoilt(calls=[1]), "field calls"),
                 ([1, 2], "expected a JSON object")]


@pytest.mark.parametrize("record, problem", WRONG_RECORDS)
def test_a_record_of_the_wrong_shape_names_the_file_line_and_field(tmp_path, record, problem):
    path = tmp_path / "trajectories.jsonl"
    path.write_text(json.dumps(_trajectory("1").to_record()) + "\n" + json.dumps(record) + "\n")
    with pytest.raises(ValueError, match=f"line 2 is not a trajectory record \\({problem}"):
        TrajectoryWriter(path)


@pytest.mark.parametrize("record, problem", WRONG_RECORDS)
def test_a_resume_refuses_them_in_one_line_and_repair_moves_every_one(tmp_path, capsys, record, problem):
    import run_eval
    argv = ["run", "--agent", "oracle", "--benchmark", "embedded", "--per-group", "1", "--executor", "local",
            "--out", str(tmp_path), "--run-name", "r", "--no-progress"]
    assert run_eval.main(argv) == 0
    path = tmp_path / "r" / "trajectories.jsonl"
    good = path.read_text()
    path.write_text(good + json.dumps(record) + "\n" + "not json\n")
    capsys.readouterr()
    assert run_eval.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and problem in err and "2 such line(s)" in err
    assert run_eval.main(argv + ["--repair"]) == 0
    assert path.read_text() == good
    assert (tmp_path / "r" / "trajectories.jsonl.bad").read_text() == json.dumps(record) + "\nnot json\n"


def test_atomic_json_replaces_whole_file(tmp_path):
    target = tmp_path / "run.json"
    write_json_atomic(target, {"status": "running"})
    write_json_atomic(target, {"status": "finished"})
    assert target.read_text().count("finished") == 1
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]


LONE_SURROGATE = "bad \ud800 text"


def test_a_lone_surrogate_in_model_text_is_written_as_a_replacement_character(tmp_path):
    """Any backend can return one (a JSON reply may spell \\ud800); the line is written, not lost."""
    path = tmp_path / "trajectories.jsonl"
    t = _trajectory("1")
    t.turns.append(Turn("assistant", LONE_SURROGATE))
    t.finish("answered", "pair \ud83d\ude00 and lone \udfff")
    writer = TrajectoryWriter(path)
    writer.write(t.to_record())
    writer.write(_trajectory("2").to_record())
    writer.close()
    first, second = read_records(path)
    assert first["turns"][-1]["text"] == "bad \ufffd text"
    assert first["final_answer"] == "pair \U0001F600 and lone \ufffd"  # a surrogate pair is joined
    assert second == _trajectory("2").to_record()


def test_whole_file_outputs_with_a_lone_surrogate_are_written(tmp_path):
    path = tmp_path / "metrics.json"
    write_json_atomic(path, {"answer": LONE_SURROGATE, "by_key": {LONE_SURROGATE: [1, LONE_SURROGATE]}})
    assert path.read_text(encoding="utf-8").count("\ufffd") == 3


def test_the_typed_record_names_every_field_a_trajectory_writes() -> None:
    from benchmarks.results.trajectories import TrajectoryRecord

    from engine.types import ThoughtRecord

    trajectory = _trajectory("1")
    assert set(trajectory.to_record()) == TrajectoryRecord.__required_keys__
    assert TrajectoryRecord.__optional_keys__ == {"finish_arguments", "search", "thoughts"}
    trajectory.search, trajectory.thoughts = {"strategy": "dfsdt"}, [ThoughtRecord("hm", 0)]
    trajectory.finish_arguments = '{"return_type": "give_up_and_restart"}'
    assert set(trajectory.to_record()) == TrajectoryRecord.__required_keys__ | TrajectoryRecord.__optional_keys__


def test_a_record_holds_the_fields_in_their_order_and_copies_of_their_containers() -> None:
    import dataclasses

    trajectory = _trajectory("1")
    trajectory.started_at = 5.0  # set again after __init__: it keeps its place
    trajectory.scratch = "not a field"  # type: ignore[attr-defined]  # an attribute beside the fields
    record = trajectory.to_record()
    omitted_when_empty = {"search", "finish_arguments", "thoughts"}  # empty here: records without them stay as before
    fields = [f.name for f in dataclasses.fields(trajectory) if f.name not in omitted_when_empty]
    assert list(record) == [*fields, "steps"] and record["started_at"] == 5.0
    record["turns"][0]["text"] = "changed"
    assert trajectory.turns[0].text == "q"


def test_a_line_interrupted_during_its_fsync_counts_as_saved(tmp_path, monkeypatch) -> None:
    """Ctrl-C lands in the fsync of a line already flushed: the one-line message must count that line."""
    from benchmarks.results import trajectories

    writer = trajectories.TrajectoryWriter(tmp_path / "t.jsonl")
    monkeypatch.setattr(writer, "FSYNC_INTERVAL_S", 0.0)

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(trajectories.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        writer.write({"task_key": "g/1", "agent": "a", "seed": 0})
    assert writer.done == {("g/1", "a", 0)} and (tmp_path / "t.jsonl").read_bytes().count(b"\n") == 1


def test_latest_records_one_at_a_time_keep_first_seen_order_and_last_values(tmp_path):
    from benchmarks.results.trajectories import iter_latest_records, latest_records

    path = tmp_path / "t.jsonl"
    writer = TrajectoryWriter(path)
    for qid, tries, status in [("1", 1, "failed"), ("2", 1, "answered"), ("1", 2, "answered")]:
        writer.write({**_trajectory(qid).to_record(), "tries": tries, "status": status})
    writer.close()
    streamed = list(iter_latest_records(path))
    assert [(r["task_key"], r["tries"]) for r in streamed] == [("G1/1", 2), ("G1/2", 1)]
    assert streamed == list(latest_records(path).values())
    reopened = TrajectoryWriter(path)
    assert reopened.tries == {("G1/1", "agent", 0): 2, ("G1/2", "agent", 0): 1} and len(reopened.done) == 2
    reopened.close()
