"""No process left behind by a local Ray (issue 21, item 18). A run that starts its own Ray (no --ray-address)
also starts this watcher, in a session of its own: when the driver is gone, however it ended (a SIGKILL
included, which no handler of the driver sees), the watcher ends every process of that Ray (its GCS, raylet,
and their workers and actors) at once, rather than leaving them to notice on their own.

Run as a script (`python ray_reaper.py DRIVER_PID ROOT_PID...`): it needs only psutil, not this package.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

POLL_S = 0.2
GRACE_S = 1.0  # SIGTERM first: Ray's processes flush their logs; then SIGKILL


def start(ray: Any) -> subprocess.Popen | None:
    """Starts the watcher of the local Ray this process started; None when its processes cannot be found."""
    node = getattr(ray._private.worker, "_global_node", None)
    roots = [info.process.pid for infos in getattr(node, "all_processes", {}).values() for info in infos
             if getattr(info, "process", None) is not None]
    if not roots:
        return None
    return subprocess.Popen([sys.executable, __file__, str(os.getpid()), *map(str, roots)], start_new_session=True,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _alive(process: Any) -> bool:
    import psutil

    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _tree(roots: list[Any]) -> dict[int, Any]:
    """The roots still running and all their descendants (a process that replaced a root's pid is not one)."""
    import psutil

    found = {}
    for root in roots:
        try:
            if root.is_running():
                found.update({p.pid: p for p in (root, *root.children(recursive=True))})
        except psutil.NoSuchProcess:
            continue
    return found


def reap(driver_pid: int, root_pids: list[int]) -> None:
    import psutil

    try:
        driver = psutil.Process(driver_pid)
    except psutil.NoSuchProcess:
        driver = None
    roots = []
    for pid in root_pids:
        try:
            roots.append(psutil.Process(pid))  # its start time is kept: is_running() is false for a reused pid
        except psutil.NoSuchProcess:
            continue
    known: dict[int, Any] = {}
    while driver is not None and _alive(driver):
        # Every process the Ray ever had, kept while the driver lives: when it dies, Ray's fate-shared processes
        # die with it and their children (Ray's agents, workers) are no longer anyone's descendants.
        known.update(_tree([*roots, *known.values()]))
        time.sleep(POLL_S)
    processes = list(_tree([*roots, *known.values()]).values())
    for process in processes:
        try:
            process.terminate()
        except psutil.NoSuchProcess:
            pass
    _, left = psutil.wait_procs(processes, timeout=GRACE_S)
    for process in left:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass


if __name__ == "__main__":
    reap(int(sys.argv[1]), [int(pid) for pid in sys.argv[2:]])
