"""Hostile model replies through a whole run (issue 13): the run finishes and every trajectory is saved."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from engine.backends.scripted import call_once_then_answer, register_script
from engine.runner.run import Run, RunConfig
from engine.types import RoleRequest
from tests.helpers.scheduling import scripted, weather_tasks
from tools_sim.cache import ResponseCache
from tools_sim.simulator import Simulator


def run_script(tmp_path: Path, name: str, script: Callable[[RoleRequest], str], n: int = 4,
               preset: str = "chat-single") -> tuple[dict, list[dict]]:
    """A local run of `n` weather tasks whose model replies come from `script`: (run.json, records)."""
    register_script(name, script)
    config = RunConfig(agent=scripted(preset, name), out_dir=tmp_path, run_name="run", executor="local",
                       progress=False)
    run_dir = Run(config, weather_tasks(n), Simulator(ResponseCache())).execute()
    lines = (run_dir / "trajectories.jsonl").read_text(encoding="utf-8").splitlines()
    return json.loads((run_dir / "run.json").read_text()), [json.loads(line) for line in lines]


def test_a_lone_surrogate_in_replies_does_not_stop_the_run(tmp_path: Path) -> None:
    def with_surrogate(request: RoleRequest) -> str:
        return call_once_then_answer(request).replace("the answer", "the \ud800 answer")

    manifest, records = run_script(tmp_path, "lone-surrogate", with_surrogate)
    assert manifest["status"] == "finished"
    assert len(records) == 4 and all(r["status"] == "answered" for r in records)
    assert all(r["final_answer"] == "Here is the \ufffd answer from the API." for r in records)
