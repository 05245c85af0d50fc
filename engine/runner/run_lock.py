"""One writer per run folder (issue 21, item 3): a process that writes a run folder holds an exclusive
`fcntl.flock` on its `run.lock` file. The OS releases it when the process ends, however it ends (a SIGKILL
included), so a stale lock never blocks a resume; a second writer is refused with the holder's pid."""
from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from benchmarks.results.files import LOCK_FILE, RUN_FILE

_held: dict[Path, int] = {}  # folder -> holders in this process (the command, then its Run), which share one lock


class RunFolderBusy(RuntimeError):
    """Another process writes the run folder."""


@contextlib.contextmanager
def hold_run_folder(run_dir: Path) -> Iterator[None]:
    """Holds the folder's lock while the block runs (making the folder if need be); RunFolderBusy at once,
    without waiting, when another process holds it."""
    run_dir.mkdir(parents=True, exist_ok=True)
    key = run_dir.resolve()
    if key in _held:
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    fd = _lock(run_dir / LOCK_FILE)
    _held[key] = 1
    try:
        yield
    finally:
        del _held[key]
        os.close(fd)  # the lock goes with the descriptor; the file stays (removing it would race a new holder)


def hold_if_run_folder(folder: Path) -> contextlib.AbstractContextManager[None]:
    """The folder's lock when it is a run folder (it has run.json); other folders (scores of converted answers)
    have no lock file and get none."""
    return hold_run_folder(folder) if (folder / RUN_FILE).is_file() else contextlib.nullcontext()


def _lock(path: Path) -> int:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # not inherited by child processes (PEP 446)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
        os.close(fd)
        raise RunFolderBusy(f"{path}: the run folder is being written by another umi-eval process (pid {holder}); "
                            "wait for it to end, or give another --run-name or --out") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd
