"""The driver's outputs after its speed work (issue 12, items 2, 4, 5): the ToolEval files and figures folded record
by record are those of the whole list of records, on a fresh run and on a resumed one; figures that engines
measure while generating are read after generating; startup has its own figures."""
from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from engine.runner import run as run_module
from engine.execution.local import LocalExecutor
from engine.runner.metrics import outcome_metrics
from engine.runner.run import Run, RunConfig
from benchmarks.results.tooleval_export import converted_group_text
from engine.types import CallRecord, RoleResult, RoleUsage, ThoughtRecord, Trajectory
from roles.types import Turn
from tests.helpers.scheduling import scripted, weather_tasks
from tools_sim.cache import ResponseCache
from tools_sim.simulator import Simulator
from engine.backends.scripted import from_spec


def _run(tmp_path: Path, n: int = 7, agent: str = "alpha-umi") -> Path:
    tasks = weather_tasks(n)
    config = RunConfig(agent=scripted(agent, "call-once-then-answer"), out_dir=tmp_path, run_name="run",
                       executor="local", progress=False)
    return Run(config, tasks, Simulator(ResponseCache())).execute()


def _records(run_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (run_dir / "trajectories.jsonl").read_text().splitlines()]


def test_streamed_tooleval_file_and_metrics_are_those_of_all_records(tmp_path: Path) -> None:
    run_dir = _run(tmp_path)
    records = _records(run_dir)
    tasks = {t.key: t for t in weather_tasks(7)}
    assert (run_dir / "tooleval" / "G1_instruction.json").read_text() == converted_group_text(tasks, records)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["overall"] == outcome_metrics(records) and metrics["overall"]["n"] == 7
    assert not list((run_dir / "tooleval").glob(".*"))  # no partial file left behind


def test_a_resumed_run_writes_the_same_outputs_from_the_file(tmp_path: Path) -> None:
    run_dir = _run(tmp_path)
    first = {name: (run_dir / name).read_bytes() for name in ("tooleval/G1_instruction.json",)}
    first_metrics = json.loads((run_dir / "metrics.json").read_text())
    shutil.rmtree(run_dir / "tooleval")
    _run(tmp_path)  # every trajectory is done: the outputs come from the file
    assert (run_dir / "tooleval/G1_instruction.json").read_bytes() == first["tooleval/G1_instruction.json"]
    again = json.loads((run_dir / "metrics.json").read_text())
    assert again["overall"] == first_metrics["overall"] and again["groups"] == first_metrics["groups"]


def test_record_is_the_dataclass_as_a_dict_in_field_order() -> None:
    trajectory = Trajectory("G1/1", "G1", "1", "agent", 0, turns=[Turn("user", "q")],
                            calls=[CallRecord("f", "{}", "obs", 0, "cache", "f", "t")],
                            usage={"planner": RoleUsage(1, 2, 3, 0.5)}, search={"nodes": [1, 2]},
                            thoughts=[ThoughtRecord("hm", 1)], finish_arguments='{"return_type": "give_up_and_restart"}')
    expected = {**dataclasses.asdict(trajectory), "steps": 1}
    record = trajectory.to_record()
    assert record == expected and list(record) == list(expected)
    assert record["search"] is not trajectory.search  # a copy: the tree goes on changing
    bare = dataclasses.replace(trajectory, search={}, thoughts=[], finish_arguments="").to_record()
    assert not {"search", "thoughts", "finish_arguments"} & set(bare)  # records without them keep their lines


class CachingBackend:
    """A test double of an engine with a prefix cache: every prompt counts as cached, known only after generating."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.cached = inner, 0

    def generate(self, requests: list) -> list[RoleResult]:
        results = self.inner.generate(requests)
        self.cached += sum(r.prompt_tokens for r in results)
        return results

    def info(self) -> dict[str, Any]:
        return {**self.inner.info(), "prefix_cache_hit_tokens": self.cached}


def test_prefix_cache_hits_are_read_after_generating(tmp_path: Path, monkeypatch) -> None:
    backends: dict[str, CachingBackend] = {}

    def local_with_caches(kind, models, *args, **options):
        backends.update({key: CachingBackend(from_spec(spec)) for key, spec in models.items()})
        return LocalExecutor(models, backends)

    monkeypatch.setattr(run_module, "make_executor", local_with_caches)
    run_dir = _run(tmp_path, n=3, agent="chat-single")
    measured = {key: backend.cached for key, backend in backends.items()}
    assert all(n > 0 for n in measured.values())
    assert json.loads((run_dir / "metrics.json").read_text())["speed"]["prefix_cache_hit_tokens"] == measured
    models = json.loads((run_dir / "run.json").read_text())["models"]
    assert {key: info["prefix_cache_hit_tokens"] for key, info in models.items()} == measured


def test_startup_and_first_request_have_their_own_figures(tmp_path: Path) -> None:
    speed = json.loads((_run(tmp_path, n=2) / "metrics.json").read_text())["speed"]
    assert 0 <= speed["startup_s"] <= speed["first_request_s"] <= speed["wall_s"]


def test_metrics_json_carries_its_schema_version_and_older_files_still_read(tmp_path: Path) -> None:
    from benchmarks.results.metrics_file import SCHEMA_VERSION, read_metrics

    run_dir = _run(tmp_path)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["schema_version"] == SCHEMA_VERSION == 1 and list(metrics)[0] == "schema_version"
    del metrics["schema_version"]  # as written before the version was recorded
    (run_dir / "metrics.json").write_text(json.dumps(metrics))
    assert read_metrics(run_dir)["overall"] == metrics["overall"]
    (run_dir / "metrics.json").write_text(json.dumps({**metrics, "schema_version": "one"}))
    with pytest.raises(ValueError, match="metrics.json: field schema_version"):
        read_metrics(run_dir)
