"""`sweep`: agents x benchmarks x seeds, resumable, a failed run recorded while the others go on, and a
sweep file with a mistake refused before anything is written."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import run_eval
from engine.cli.sweep import sweep_agent
from engine.runner.sweep import execute, load_sweep, start_with

SCRIPTED = "{agent: chat-single, name: chat-scripted, backend: scripted, model: call-once-then-answer}"


def _sweep_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "night.yaml"
    path.write_text(f"out: {tmp_path / 'out'}\nexecutor: local\n{body}")
    return path


def _two_by_two(tmp_path: Path, extra: str = "") -> Path:
    return _sweep_file(tmp_path, f"seeds: [0, 1]\nagents:\n  - oracle\n  - {SCRIPTED}\n"
                                 f"benchmarks:\n  - {{benchmark: embedded, per_group: 1}}\n{extra}")


def _sweep(path: Path, *flags: str) -> int:
    return run_eval.main(["sweep", str(path), "--no-progress", *flags])


def test_every_combination_runs_then_a_second_sweep_skips_them_all(tmp_path: Path, capsys) -> None:
    path = _two_by_two(tmp_path)
    assert _sweep(path) == 0
    out = tmp_path / "out"
    names = ["oracle__embedded__seed0", "oracle__embedded__seed1", "chat-scripted__embedded__seed0",
             "chat-scripted__embedded__seed1"]
    state = json.loads((out / "sweep.json").read_text())
    assert list(state["runs"]) == names and {r["status"] for r in state["runs"].values()} == {"finished"}
    board = json.loads((out / "leaderboard.json").read_text())
    assert sorted(e["run"] for e in board["entries"]) == sorted(names)
    assert board["entries"][0]["agent"] == "oracle" and board["entries"][0]["overall"]["rate"] == 100.0
    assert "| chat-scripted | single | embedded | 1 |" in capsys.readouterr().out
    before = {n: (out / n / "trajectories.jsonl").read_bytes() for n in names}
    assert _sweep(path) == 0
    again = json.loads((out / "sweep.json").read_text())
    assert {r["status"] for r in again["runs"].values()} == {"skipped"}
    assert {n: (out / n / "trajectories.jsonl").read_bytes() for n in names} == before


def test_an_interrupted_run_resumes_and_keeps_what_it_wrote(tmp_path: Path, capsys) -> None:
    path = _two_by_two(tmp_path)
    assert _sweep(path) == 0
    run = tmp_path / "out" / "chat-scripted__embedded__seed1"
    lines = (run / "trajectories.jsonl").read_text().splitlines(keepends=True)
    (run / "trajectories.jsonl").write_text("".join(lines[:2]))
    manifest = json.loads((run / "run.json").read_text())
    (run / "run.json").write_text(json.dumps({**manifest, "status": "interrupted"}))
    capsys.readouterr()
    assert _sweep(path, "--dry-run") == 0
    assert f"to run  {run.name}" in capsys.readouterr().out and len((run / "trajectories.jsonl").read_text().splitlines()) == 2
    assert _sweep(path) == 0
    resumed = (run / "trajectories.jsonl").read_text().splitlines(keepends=True)
    assert resumed[:2] == lines[:2] and len(resumed) == len(lines)
    assert json.loads((tmp_path / "out" / "sweep.json").read_text())["runs"][run.name]["status"] == "finished"


def test_a_failed_run_is_recorded_and_the_sweep_goes_on(tmp_path: Path) -> None:
    sweep = load_sweep(_two_by_two(tmp_path), sweep_agent)
    real = start_with(sweep.out, False, [])
    started = []

    def start(planned, bench, settings, control=None):
        started.append(planned.run_name)
        if planned.run_name == "oracle__embedded__seed1":
            raise RuntimeError("GPU fell off the bus")
        return real(planned, bench, settings, control)

    state = execute(sweep, start, say=lambda line: None)
    assert started == [r.run_name for r in sweep.runs]
    failed = state["runs"]["oracle__embedded__seed1"]
    assert failed["status"] == "failed" and "RuntimeError: GPU fell off the bus" in failed["error"]
    assert [r["status"] for r in state["runs"].values()].count("finished") == 3
    board = json.loads((sweep.out / "leaderboard.json").read_text())
    assert len(board["entries"]) == 3 and json.loads((sweep.out / "sweep.json").read_text()) == state


def test_benchmarks_can_be_named_so_two_sizes_of_one_fit_in_a_sweep(tmp_path: Path) -> None:
    path = _sweep_file(tmp_path, "agents: [oracle]\nbenchmarks:\n  - {benchmark: embedded, per_group: 1, name: tiny}\n"
                                 "  - {benchmark: embedded, per_group: 2, name: small}\n")
    assert _sweep(path) == 0
    lines = {n: len((tmp_path / "out" / f"oracle__{n}__seed0" / "trajectories.jsonl").read_text().splitlines())
             for n in ("tiny", "small")}
    assert lines == {"tiny": 6, "small": 12}


def test_a_judge_scores_every_finished_run(tmp_path: Path) -> None:
    assert _sweep(_two_by_two(tmp_path, "judge: verified\n")) == 0
    scores = json.loads((tmp_path / "out" / "oracle__embedded__seed0" / "scores.json").read_text())
    assert scores["metric"] == "pass_rate" and scores["judge"]["id"] == "verified" and scores["overall"]["rate"] == 100.0


@pytest.mark.parametrize("body, message", [
    ("agents: [oracle]\nbenchmarks: [embedded]\nseed: 3\n", "unknown key\\(s\\) seed; valid: .*seeds"),
    ("agents: [nope]\nbenchmarks: [embedded]\n", "agents\\[0\\]: .*nope"),
    ("agents: [oracle, {agent: oracle, colour: red}]\nbenchmarks: [embedded]\n", "agents\\[1\\]: unknown key\\(s\\) colour"),
    ("agents: [oracle, oracle]\nbenchmarks: [embedded]\n", "names must differ .*repeated: oracle"),
    ("agents: [oracle]\nbenchmarks: [no/such/folder]\n", "benchmarks\\[0\\]: benchmark not found"),
    ("agents: [oracle]\nbenchmarks: [embedded]\nseeds: []\n", "seeds must be a non-empty list"),
    ("agents: []\nbenchmarks: [embedded]\n", "agents must be a non-empty list"),
    ("agents: [oracle]\nbenchmarks: [embedded]\nschedule: eager\n", "unknown schedule 'eager'"),
    ("agents: [oracle\n", "not valid YAML"),
    ("agents: [oracle]\nbenchmarks: [embedded, {benchmark: embedded, per_group: 2}]\n", "benchmarks: names must differ"),
    ("agents: [oracle]\nbenchmarks: [embedded]\nexecutor: rya\n", "unknown executor 'rya'; valid: ray, local"),
    ("agents: [oracle]\nbenchmarks: [{benchmark: embedded, cache: no/such/cache}]\n", "cache folder not found: no/such/cache"),
    ("agents: [oracle]\nbenchmarks: [embedded]\njudge: astrology\n", "judge: unknown judge spec 'astrology'"),
    ("agents: [oracle]\nbenchmarks: [embedded]\njudge: hf:no/such/model\n", "judge: model directory 'no/such/model' has no config.json"),
    ("agents: [oracle]\nbenchmarks: [embedded]\ngrow: sometimes\n", "grow must be true or false"),
    ("agents: [oracle]\nbenchmarks: [embedded]\ngrow_cap: 0\n", "grow_cap"),
])
def test_a_mistake_anywhere_fails_before_anything_is_written(tmp_path: Path, capsys, body: str, message: str) -> None:
    path = _sweep_file(tmp_path, body)
    assert _sweep(path) == 2
    error = capsys.readouterr().err
    assert str(path) in error
    assert re.search(message, error), error
    assert not (tmp_path / "out").exists()


def test_an_alias_bomb_sweep_is_refused_before_anything_is_written(tmp_path: Path, capsys) -> None:
    from tests.helpers.hostile import alias_bomb
    bomb = alias_bomb().replace("lol", "0").replace("l8: &l8", "seeds:")
    path = _sweep_file(tmp_path, f"agents: [oracle]\nbenchmarks: [embedded]\n{bomb}")
    assert _sweep(path) == 2
    assert f"{path}: the YAML expands to more than" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_missing_sweep_file_is_named(tmp_path: Path, capsys) -> None:
    assert _sweep(tmp_path / "none.yaml") == 2
    assert "sweep file not found" in capsys.readouterr().err


def test_a_sweep_agent_can_search_with_dfsdt(tmp_path: Path) -> None:
    agent = "{agent: chat-single, backend: scripted, model: call-once-then-answer, strategy: dfsdt}"
    path = _sweep_file(tmp_path, f"agents:\n  - {agent}\nbenchmarks:\n  - {{benchmark: embedded, per_group: 1}}\n")
    assert _sweep(path) == 0
    run_dir = tmp_path / "out" / "chat-single-dfsdt__embedded__seed0"
    assert len(list((run_dir / "answer").rglob("*_DFS_woFilter_w2.json"))) == 6
    assert json.loads((run_dir / "metrics.json").read_text())["search"]["trees"] == 6


def test_a_sweep_that_selects_more_tasks_adds_them_only_with_extend(tmp_path: Path, capsys) -> None:
    path = _sweep_file(tmp_path, f"agents:\n  - {SCRIPTED}\nbenchmarks:\n  - {{benchmark: embedded, per_group: 1}}\n")
    assert _sweep(path) == 0
    run = tmp_path / "out" / "chat-scripted__embedded__seed0"
    first = (run / "trajectories.jsonl").read_text().splitlines(keepends=True)
    path.write_text(path.read_text().replace("per_group: 1", "per_group: 2"))
    capsys.readouterr()
    assert _sweep(path, "--dry-run") == 0 and f"to run  {run.name}" in capsys.readouterr().out
    assert _sweep(path) == 1  # refused as `run` refuses it, naming the flag; nothing written
    assert "add --extend" in json.loads((tmp_path / "out" / "sweep.json").read_text())["runs"][run.name]["error"]
    assert (run / "trajectories.jsonl").read_text().splitlines(keepends=True) == first
    assert _sweep(path, "--extend") == 0
    extended = (run / "trajectories.jsonl").read_text().splitlines(keepends=True)
    assert extended[:len(first)] == first and len(extended) == 2 * len(first)
    state = json.loads((tmp_path / "out" / "sweep.json").read_text())
    assert state["runs"][run.name]["status"] == "finished" and state["settings"]["extend"] is True
    assert _sweep(path) == 0 and json.loads((tmp_path / "out" / "sweep.json").read_text())["runs"][run.name]["status"] == "skipped"


def test_concurrent_runs_overlap_and_write_what_lone_runs_write(tmp_path: Path) -> None:
    """Two runs at once (modelled generation time, so they take a while): their intervals in sweep.json
    overlap, and every run folder holds the trajectories a sweep of one run at a time writes."""
    from tests.helpers.scheduling import untimed

    agents = ("agents:\n  - {agent: chat-single, name: a, backend: modelled, model: call-once-then-answer@gpu-like}\n"
              "  - {agent: chat-multi, name: b, backend: modelled, model: call-once-then-answer@gpu-like}\n"
              "benchmarks:\n  - {benchmark: embedded, per_group: 2}\n")
    records = {}
    for concurrent in (1, 2):
        root = tmp_path / f"c{concurrent}"
        root.mkdir()
        assert _sweep(_sweep_file(root, f"max_concurrent_runs: {concurrent}\n{agents}")) == 0
        state = json.loads((root / "out" / "sweep.json").read_text())
        assert list(state["runs"]) == ["a__embedded__seed0", "b__embedded__seed0"]
        records[concurrent] = {
            name: sorted((untimed(json.loads(line)) for line in (root / "out" / name / "trajectories.jsonl").read_text().splitlines()),
                         key=lambda r: r["task_key"]) for name in state["runs"]}
        a, b = state["runs"].values()
        overlap = a["start_unix_s"] < b["end_unix_s"] and b["start_unix_s"] < a["end_unix_s"]
        assert overlap == (concurrent == 2)
        assert a["replicas"] and all(w == [{"node_id": None, "gpu_ids": None}] for w in a["replicas"].values())
    assert records[1] == records[2]


def test_the_sweep_bar_shows_runs_in_flight_and_queued(tmp_path: Path) -> None:
    from engine.runner.sweep import SweepBook

    class Bar:
        def __init__(self) -> None:
            self.shown: list[str] = []
            self.n = 0

        def set_postfix_str(self, text: str, refresh: bool = True) -> None:
            self.shown.append(text)

        def update(self, n: int) -> None:
            self.n += n

    sweep = load_sweep(_two_by_two(tmp_path), sweep_agent)
    bar = Bar()
    book = SweepBook(sweep, {"runs": {}}, bar, set())
    sweep.out.mkdir(parents=True)
    seen_while_running = []

    def start(planned, bench, settings, control=None):
        seen_while_running.append(bar.shown[-1])
        raise RuntimeError("not run")  # recorded as failed: enough to move the bar

    for n, planned in enumerate(sweep.runs[:2], 1):
        book.run(n, planned, start, None, lambda _: None)
    assert seen_while_running == ["in flight 1, queued 3", "in flight 1, queued 2"]
    assert bar.shown[-1] == "in flight 0, queued 2" and bar.n == 2


class _Book:
    """The SweepBook's side a Grower reads: its lock, runs in flight and left, state."""

    def __init__(self, in_flight: int, left: int) -> None:
        import threading

        self.lock, self.in_flight, self.left, self.state = threading.Lock(), in_flight, left, {"runs": {}}

    def save(self) -> None:
        pass


class _Executor:
    """A RayExecutor's side a Grower reads: one GPU engine of one replica with `load` in flight."""

    def __init__(self, load: int) -> None:
        from types import SimpleNamespace

        from engine.execution.routing import Router

        router = Router(1)
        router.load[0] = load
        self.pools = SimpleNamespace(specs={"m": [None]}, routers={"m": router})
        self.resources = {("m", 0): SimpleNamespace(num_gpus=1.0)}
        self.replicas = [("m", 0)]
        self.grown_unix_s, self.growth_asked, self.released_unix_s = {}, [], {}

    def growing_gpus(self) -> float:
        return float(len(self.growth_asked))

    def grow(self, key: str) -> None:
        self.growth_asked.append(key)


def test_the_grower_waits_until_every_run_is_placed_and_none_is_about_to_start(monkeypatch) -> None:
    from engine.runner import sweep_growth

    monkeypatch.setattr(sweep_growth, "SETTLE_S", 0.0)
    book, saved = _Book(in_flight=2, left=3), []
    grower = sweep_growth.Grower(book, concurrent=3, cap=2, write=lambda: saved.append(1), free_gpus=lambda: 4.0)
    busy, quiet = _Executor(load=30), _Executor(load=5)
    for name in ("busy", "quiet"):
        book.state["runs"][name] = {"status": "running"}
    grower.hook("busy", {"m": 1.0})(busy, lambda: 100)
    grower.step()
    assert busy.growth_asked == []  # "quiet" is in flight but not placed yet
    detach = grower.hook("quiet", {"m": 1.0})(quiet, lambda: 10)
    grower.step()
    assert busy.growth_asked == []  # a third run is queued and a slot is free: it is about to start
    book.left = 2
    grower.step()
    assert busy.growth_asked == ["m", "m"] and quiet.growth_asked == []  # up to its cap; "quiet" has too few left
    assert [g["engine"] for g in book.state["runs"]["busy"]["grown"]] == ["m", "m"] and saved
    detach()
    assert "quiet" not in grower.attached


def test_a_run_that_gave_an_engine_back_grows_no_more(monkeypatch) -> None:
    from engine.runner import sweep_growth

    monkeypatch.setattr(sweep_growth, "SETTLE_S", 0.0)
    book = _Book(in_flight=1, left=1)
    grower = sweep_growth.Grower(book, concurrent=2, cap=2, write=lambda: None, free_gpus=lambda: 4.0)
    tail = _Executor(load=30)
    book.state["runs"]["tail"] = {"status": "running"}
    grower.hook("tail", {"m": 1.0})(tail, lambda: 100)
    tail.released_unix_s["m"] = 1.0  # in its tail: its GPUs go back, none come
    grower.step()
    assert tail.growth_asked == [] and "grown" not in book.state["runs"]["tail"]
    tail.released_unix_s.clear()
    grower.step()
    assert tail.growth_asked == ["m", "m"]  # the same run before giving back would grow


def test_grow_false_or_a_local_executor_leaves_runs_as_they_started() -> None:
    import contextlib

    from engine.runner.sweep import _grower

    for settings in ({"executor": "ray", "grow": False}, {"executor": "local"}):
        book = _Book(in_flight=0, left=2)
        book.grower = None
        assert isinstance(_grower(book, settings, 2), contextlib.nullcontext) and book.grower is None
    book.grower = None
    assert _grower(book, {"executor": "ray", "grow_cap": 2}, 2).cap == 2 and book.grower is not None


def test_an_error_while_growing_stops_growth_only_and_is_recorded(monkeypatch) -> None:
    from engine.runner import sweep_growth

    monkeypatch.setattr(sweep_growth, "POLL_S", 0.01)
    book, saved = _Book(in_flight=0, left=0), []  # still: nothing in flight, nothing queued

    def unreachable() -> float:
        raise ConnectionError("GCS at 10.0.0.1:6379 unreachable")

    with sweep_growth.Grower(book, concurrent=2, cap=2, write=lambda: saved.append(1), free_gpus=unreachable) as grower:
        monkeypatch.setattr(sweep_growth, "SETTLE_S", 0.0)
        grower._thread.join(timeout=5)
    assert book.state["growth_stopped"] == "ConnectionError: GCS at 10.0.0.1:6379 unreachable" and saved


def test_sweep_json_takes_where_replicas_ran_and_the_engines_given_back_from_run_json(tmp_path) -> None:
    import json

    from engine.runner.sweep import where_it_ran

    models = {"p": {"backend": "modelled", "released_unix_s": 12.5,
                    "replicas": [{"node_id": "aa", "gpu_ids": ["0"]}, {"node_id": "bb", "gpu_ids": ["1"]}]},
              "s": {"backend": "modelled", "node_id": "aa", "gpu_ids": ["2"]}}
    (tmp_path / "run.json").write_text(json.dumps({"models": models}))
    assert where_it_ran(tmp_path) == {"replicas": {"p": [{"node_id": "aa", "gpu_ids": ["0"]}, {"node_id": "bb", "gpu_ids": ["1"]}],
                                                   "s": [{"node_id": "aa", "gpu_ids": ["2"]}]},
                                      "released": {"p": 12.5}}
    del models["p"]["released_unix_s"]
    (tmp_path / "run.json").write_text(json.dumps({"models": models}))
    assert "released" not in where_it_ran(tmp_path)
    assert where_it_ran(tmp_path / "missing") == {"replicas": {}}
