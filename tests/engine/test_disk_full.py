"""A full disk (issue 21, item 15): one line naming the file, what the write needed and what is free; run.json
says the run was interrupted (rewritten in place when no new file can be made); a rerun resumes."""
from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest

import run_eval
from benchmarks.results import files, trajectories

RUN = ["run", "--agent", "oracle", "--benchmark", "embedded", "--per-group", "2", "--executor", "local",
       "--run-name", "r", "--no-progress"]


class FullAfter:
    """A file whose writes fail with ENOSPC after `n` successful ones."""

    def __init__(self, handle, n: int) -> None:
        self.handle, self.left = handle, n

    def write(self, data: bytes) -> int:
        if self.left <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.left -= 1
        return self.handle.write(data)

    def __getattr__(self, name):
        return getattr(self.handle, name)


@pytest.fixture
def full_disk(monkeypatch):
    """After two records, the disk is full: trajectories.jsonl takes no line and no new file can be made."""
    opened = trajectories.TrajectoryWriter.__init__
    state = {"full": False}

    def init(self, *args, **kwargs):
        opened(self, *args, **kwargs)
        self._handle = FullAfter(self._handle, 2)
        original_write = self._handle.write

        def write(data):
            try:
                return original_write(data)
            except OSError:
                state["full"] = True
                raise
        self._handle.write = write

    def no_new_file(path, data, original=Path.write_bytes):
        if state["full"]:
            raise OSError(errno.ENOSPC, "No space left on device")
        return original(path, data)

    monkeypatch.setattr(trajectories.TrajectoryWriter, "__init__", init)
    monkeypatch.setattr(Path, "write_bytes", no_new_file)
    return state


def test_a_full_disk_is_one_line_and_run_json_says_interrupted(tmp_path: Path, capsys, full_disk) -> None:
    assert run_eval.main(RUN + ["--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert f"no space left on the device to write {tmp_path / 'r' / 'trajectories.jsonl'}" in err
    assert "are free" in err and "Traceback" not in err
    manifest = json.loads((tmp_path / "r" / "run.json").read_text())
    assert manifest["status"] == "interrupted" and manifest["reason"].startswith("DiskFull: no space left")
    assert not list((tmp_path / "r").glob(".*.tmp"))


def test_the_run_resumes_once_there_is_space(tmp_path: Path, capsys, monkeypatch, full_disk) -> None:
    assert run_eval.main(RUN + ["--out", str(tmp_path)]) == 2
    monkeypatch.undo()
    assert run_eval.main(RUN + ["--out", str(tmp_path)]) == 0
    lines = (tmp_path / "r" / "trajectories.jsonl").read_text().splitlines()
    assert len(lines) == 12 and len({json.loads(line)["task_key"] for line in lines}) == 12


def test_a_write_that_does_not_fit_names_the_file(tmp_path: Path, monkeypatch) -> None:
    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    with pytest.raises(files.DiskFull, match=r"to write .*metrics.json: the write needed 2 bytes"):
        files.write_bytes_atomic(tmp_path / "metrics.json", b"{}")
