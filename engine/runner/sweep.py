"""`sweep SWEEP.yaml`: many agents x benchmarks x seeds in one unattended, resumable job.

A sweep file names what to evaluate and where the runs go:

    out: runs/overnight                  # default: runs/<file stem>
    executor: ray                        # ray | local; also ray_address, schedule, max_active
    max_concurrent_runs: 4               # runs at once (default 1); on Ray each waits until its replicas fit
    grow: true                           # on Ray, running runs grow into free GPUs (default; engine.runner.sweep_growth)
    grow_cap: 8                          # replicas a run may add (default 8)
    placement_timeout_s: 3600            # how long a run waits for room once no other run of the sweep is in flight
    seeds: [0, 1]                        # default [0]
    agents:                              # presets, agent YAML files, or mappings with overrides
      - chat-single
      - {agent: alpha-umi-backbone, name: backbone-step1000, model: /ckpts/step-1000, dtype: bf16}
    benchmarks:
      - {benchmark: embedded, per_group: 5, name: embedded-5}   # name: optional, for the run folders
      - {benchmark: solvable_queries, groups: [G1_instruction], limit: 50, cache: tool_response_cache}
    judge: verified                      # optional: score every finished run with this judge (cached)

Everything is resolved before the first run starts, so a mistake anywhere in the file fails at once and
writes nothing. Each run is the same as `umi-eval run` with the same options
(same folder names, same outputs), one after another or `max_concurrent_runs` at once. A run that finished before is skipped; one that was interrupted
resumes from its trajectories.jsonl; one that fails is recorded and the sweep goes on with the next.
`sweep --extend` is `run --extend` for every run: a benchmark entry that now selects more tasks adds them.
`<out>/sweep.json` holds every run's state after each step, and `<out>/leaderboard.json` (and `.md`)
ranks every finished run at the end.
"""
from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
import traceback
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from benchmarks.core.values import positive_int_problem, positive_number_problem, seed_problem
from benchmarks import leaderboard
from engine.judges import check_judge_spec
from benchmarks.core.naming import path_part
from benchmarks.core.registry import did_you_mean
from benchmarks.loading import LoadedBenchmark, load_benchmark
from engine.runner import provenance
from benchmarks.results.files import LEADERBOARD_FILE, METRICS_FILE, out_problem, write_json_atomic
from benchmarks.results.leaderboard import write_leaderboard
from benchmarks.results.manifest import read_manifest
from engine.runner.progress import Ticker, sweep_bar
from engine.runner.build import Simulation, build_run
from engine.execution.replicas import AUTO, MEASURED_FROM, engine_work, sized_from_run
from engine.execution.control import ROOM_TIMEOUT_S, WAKE_S, RunControl, StopFlag
from engine.runner.interrupts import again, as_received, signals_end_the_run, stopping
from engine.runner.run import RunConfig, interruption_reason
from engine.runner.sweep_growth import GROW_CAP, Grower
from engine.schedule import SCHEDULES
from engine.schedule import DEFAULT_SCHEDULE
from engine.config.safe_yaml import YamlFileError, load_yaml_file
from engine.types import AgentSpec

SWEEP_KEYS = {"out", "executor", "ray_address", "schedule", "max_active", "seeds", "agents", "benchmarks", "judge",
              "miss_policy", "max_concurrent_runs", "placement_timeout_s", "grow", "grow_cap"}
AGENT_KEYS = {"agent", "name", "backend", "model", "dtype", "batch_size", "max_steps", "strategy", "replicas", "gpus"}
BENCHMARK_KEYS = {"benchmark", "name", "groups", "limit", "tools_dir", "per_group", "cache"}
EXECUTORS = ("ray", "local")


class SweepError(ValueError):
    """A mistake in a sweep file, naming the file and the entry."""


@dataclass(frozen=True)
class BenchmarkEntry:
    options: dict[str, Any]
    name: str = ""

    def load(self, seed: int) -> LoadedBenchmark:
        opts = {k: v for k, v in self.options.items() if k not in ("benchmark", "name", "cache")}
        return load_benchmark(str(self.options["benchmark"]), seed=seed, **opts)


@dataclass(frozen=True)
class PlannedRun:
    agent: AgentSpec
    bench: BenchmarkEntry
    seed: int
    run_name: str
    auto_gpus: int | None = None  # `replicas: auto` within this many GPUs: sized again from measured work
    sizing: dict[str, Any] | None = None  # run.json `replicas` when measured work sized it (sized_from_run)


@dataclass(frozen=True)
class Sweep:
    source: Path
    out: Path
    settings: dict[str, Any]
    runs: list[PlannedRun]


def load_sweep(path: Path, resolve_agent: Callable[[dict[str, Any]], AgentSpec]) -> Sweep:
    """The sweep a file describes, every agent and benchmark resolved (resolve_agent validates one entry)."""
    doc = _read(path)
    _check_keys(doc, SWEEP_KEYS, f"{path}")
    seeds = doc.get("seeds", [0])
    if not isinstance(seeds, list) or not seeds:
        raise SweepError(f"{path}: seeds must be a non-empty list of integers, got {seeds!r:.80}")
    for seed in seeds:
        if problem := seed_problem("seeds", seed):
            raise SweepError(f"{path}: {problem}")
    if doc.get("schedule", DEFAULT_SCHEDULE) not in SCHEDULES:
        raise SweepError(f"{path}: unknown schedule {doc['schedule']!r}; valid: {', '.join(SCHEDULES)}")
    if doc.get("executor", "ray") not in EXECUTORS:
        raise SweepError(f"{path}: unknown executor {doc['executor']!r}; valid: {', '.join(EXECUTORS)}")
    entries = _list(doc, "agents", path)
    agents = [_agent(entry, f"{path}: agents[{i}]", resolve_agent) for i, entry in enumerate(entries)]
    _check_unique([a.name for a in agents], f"{path}: agents")
    auto_gpus = {agent.name: _auto_gpus(entry) for agent, entry in zip(agents, entries)}
    benches = [_benchmark(entry, f"{path}: benchmarks[{i}]") for i, entry in enumerate(_list(doc, "benchmarks", path))]
    _check_unique([b.name for b in benches], f"{path}: benchmarks")
    _check_max_active(doc.get("max_active"), path)
    if doc.get("max_concurrent_runs") is not None and (problem := positive_int_problem("max_concurrent_runs", doc["max_concurrent_runs"])):
        raise SweepError(f"{path}: {problem}")
    _check_growth(doc, path)
    if doc.get("placement_timeout_s") is not None and (problem := positive_number_problem("placement_timeout_s", doc["placement_timeout_s"])):
        raise SweepError(f"{path}: {problem}")
    runs = [PlannedRun(agent, bench, seed, f"{agent.name}__{bench.name}__seed{seed}", auto_gpus[agent.name])
            for agent in agents for bench in benches for seed in seeds]
    _check_folder_names(runs, path)
    _check_judge(doc.get("judge"), path)
    if not isinstance(doc.get("out") or "", str):
        raise SweepError(f"{path}: out must be a folder name, got {doc['out']!r:.80}")
    out = Path(doc.get("out") or Path("runs") / path.stem)
    if problem := out_problem(out, "out:"):
        raise SweepError(f"{path}: {problem}")
    return Sweep(path, out, {k: doc.get(k) for k in sorted(SWEEP_KEYS - {"agents", "benchmarks", "seeds", "out"})}, runs)


def _check_growth(doc: dict[str, Any], path: Path) -> None:
    if doc.get("grow") is not None and not isinstance(doc["grow"], bool):
        raise SweepError(f"{path}: grow must be true or false (whether running runs grow into free GPUs), "
                         f"got {doc['grow']!r:.80}")
    if doc.get("grow_cap") is not None and (problem := positive_int_problem("grow_cap", doc["grow_cap"])):
        raise SweepError(f"{path}: {problem}")


def _check_max_active(value: Any, path: Path) -> None:
    if value is not None and (problem := positive_int_problem("max_active", value)):
        raise SweepError(f"{path}: {problem}")


def _check_folder_names(runs: list[PlannedRun], path: Path) -> None:
    """Agent and benchmark names make the run folders: each must stay inside `out`."""
    for run in runs:
        try:
            path_part(run.agent.name, "agent name")
            path_part(run.bench.name, "benchmark name")
        except ValueError as exc:
            raise SweepError(f"{path}: {exc}") from None


def _read(path: Path) -> dict[str, Any]:
    try:
        doc = load_yaml_file(path, "sweep file")
    except YamlFileError as exc:
        raise SweepError(str(exc)) from None
    if not isinstance(doc, dict):
        raise SweepError(f"{path}: a sweep file is a mapping with agents and benchmarks")
    return doc


def _check_keys(entry: dict[str, Any], valid: set[str], where: str) -> None:
    unknown = sorted(set(entry) - valid, key=str)
    if unknown:
        raise SweepError(f"{where}: unknown key(s) {', '.join(map(str, unknown))}; valid: {', '.join(sorted(valid))}"
                         f"{did_you_mean(unknown[0], valid)}")


def _list(doc: dict[str, Any], key: str, path: Path) -> list[Any]:
    value = doc.get(key)
    if not isinstance(value, list) or not value:
        raise SweepError(f"{path}: {key} must be a non-empty list")
    return value


def _check_unique(names: list[str], where: str) -> None:
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise SweepError(f"{where}: names must differ (they name the run folders); repeated: {', '.join(repeated)}")


def _agent(entry: Any, where: str, resolve_agent: Callable[[dict[str, Any]], AgentSpec]) -> AgentSpec:
    entry = {"agent": entry} if isinstance(entry, str) else entry
    if not isinstance(entry, dict) or "agent" not in entry:
        raise SweepError(f"{where}: expected a preset, an agent file, or a mapping with 'agent'")
    _check_keys(entry, AGENT_KEYS, where)
    try:
        agent = resolve_agent(entry)
    except ValueError as exc:
        raise SweepError(f"{where}: {exc}") from exc
    return dataclasses.replace(agent, name=str(entry["name"])) if entry.get("name") else agent


def _auto_gpus(entry: Any) -> int | None:
    auto = isinstance(entry, dict) and str(entry.get("replicas")).strip() == AUTO
    return int(entry["gpus"]) if auto else None  # resolve_agent has refused auto without gpus


def _benchmark(entry: Any, where: str) -> BenchmarkEntry:
    entry = {"benchmark": entry} if isinstance(entry, str) else entry
    if not isinstance(entry, dict) or "benchmark" not in entry:
        raise SweepError(f"{where}: expected a benchmark name or path, or a mapping with 'benchmark'")
    _check_keys(entry, BENCHMARK_KEYS, where)
    if entry.get("cache") and not Path(entry["cache"]).is_dir():
        raise SweepError(f"{where}: cache folder not found: {entry['cache']}")
    bench = BenchmarkEntry(dict(entry))
    try:
        return dataclasses.replace(bench, name=str(entry.get("name") or bench.load(0).name))
    except (ValueError, FileNotFoundError) as exc:
        raise SweepError(f"{where}: {exc}") from exc


def _check_judge(spec: Any, path: Path) -> None:
    if spec is None:
        return
    try:
        check_judge_spec(str(spec))
    except (ValueError, FileNotFoundError) as exc:
        raise SweepError(f"{path}: judge: {exc}") from exc


def is_finished(run_dir: Path) -> bool:
    """Whether a run folder holds a run that ended normally (an interrupted one resumes instead)."""
    try:
        return read_manifest(run_dir).get("status") == "finished" and (run_dir / METRICS_FILE).is_file()
    except (OSError, ValueError, KeyError, TypeError):
        return False


RunStarter = Callable[[PlannedRun, LoadedBenchmark, dict[str, Any], RunControl], Path]


def execute(sweep: Sweep, start_run: RunStarter, score_run: Callable[[Path, str], None] | None = None,
            say: Callable[[str], None] = print, progress: bool = False) -> dict[str, Any]:
    """Runs every planned run not finished before; returns (and keeps writing) <out>/sweep.json. With
    `progress`, an overall bar over the runs (in flight, queued, done) stays above each run's own bar.

    Up to `max_concurrent_runs` runs go at once, each in its own thread with its own executor; on Ray each
    run's replicas are one placement group, so a run whose group does not fit waits for room (docs/cluster.md).
    One Ray serves them all: it is started or joined here, on the main thread, as ray.init must be."""
    state = {"sweep": str(sweep.source), "started_at": provenance.now(), "git_commit": provenance.git_commit(),
             "settings": sweep.settings, "runs": {}}
    done_before = {r.run_name for r in sweep.runs if is_finished(sweep.out / r.run_name)}
    state["runs"] = {r.run_name: {"status": "queued"} for r in sweep.runs}  # in the plan's order, whatever ends first
    concurrent = max(1, int(sweep.settings.get("max_concurrent_runs") or 1))
    with sweep_bar(len(sweep.runs), len(done_before), progress) as bar, Ticker(bar), _shared_ray(sweep.settings, concurrent):
        book = SweepBook(sweep, state, bar, done_before)
        tell = bar.write if progress else say
        if concurrent == 1:  # in the main thread: Ctrl-C and signals stop the run at once, as `run` does
            for n, planned in enumerate(sweep.runs, 1):
                book.run(n, planned, start_run, score_run, tell)
        else:
            with _grower(book, sweep.settings, concurrent):
                _run_concurrently(book, concurrent, start_run, score_run, tell)
    finished = [sweep.out / name for name, run in state["runs"].items() if run["status"] in ("finished", "skipped")]
    if finished:
        board = leaderboard.build(finished)
        write_leaderboard(sweep.out / LEADERBOARD_FILE, board)
        (sweep.out / "leaderboard.md").write_text(leaderboard.markdown(board), encoding="utf-8")
    state["ended_at"] = provenance.now()
    write_json_atomic(sweep.out / "sweep.json", state)
    return state


def _grower(book: SweepBook, settings: dict[str, Any], concurrent: int) -> contextlib.AbstractContextManager[Any]:
    """Concurrent runs on Ray grow into free GPUs (engine.runner.sweep_growth) unless the file says `grow: false`."""
    if (settings.get("executor") or "ray") != "ray" or settings.get("grow") is False:
        return contextlib.nullcontext()
    book.grower = Grower(book, concurrent, settings.get("grow_cap") or GROW_CAP, book.save)
    return book.grower


class SweepBook:
    """sweep.json and the sweep bar, kept by concurrent runs: each run's state, start and end, where it ran."""

    def __init__(self, sweep: Sweep, state: dict[str, Any], bar: Any, done_before: set[str]) -> None:
        self.sweep, self.state, self.bar, self.done_before = sweep, state, bar, done_before
        self.lock = threading.Lock()
        self.stop = StopFlag()  # set on a sweep's Ctrl-C: the runs in flight stop (_run_concurrently)
        self.in_flight = 0
        self.waiting_for_room = 0  # of those in flight
        self.left = len(sweep.runs)
        self.grower: Grower | None = None

    def run(self, n: int, planned: PlannedRun, start_run: RunStarter, score_run: Callable[[Path, str], None] | None,
            tell: Callable[[str], None]) -> None:
        run_dir = self.sweep.out / planned.run_name
        if self.stop.is_set():  # interrupted before it started: it stays queued
            return
        with self.lock:
            doing = "finished before: skipped" if planned.run_name in self.done_before else "running"
            tell(f"[{n}/{len(self.sweep.runs)}] {planned.run_name}: {doing}")
            self.in_flight += 1
            self._show()
        started = {"started_at": provenance.now(), "start_unix_s": round(time.time(), 3)}  # the second: to order runs
        with self.lock:
            self.state["runs"][planned.run_name] = {"status": "running", **started}
            self.save()
        try:
            planned = self._sized(planned, tell)
            entry = _one(planned, run_dir, self._settings(planned), start_run, score_run, self._control())
        except KeyboardInterrupt as exc:  # saved and resumable (the run's folder says what is done)
            self._ended(planned, {"status": "interrupted", "dir": str(run_dir), "reason": interruption_reason(exc)}, started)
            raise
        self._ended(planned, entry, started)

    def _sized(self, planned: PlannedRun, tell: Callable[[str], None]) -> PlannedRun:
        """A run sized `auto` sizes from the work measured by the last run before it in the plan with the same
        agent shape (kind, format, strategy, limits, roles: checkpoints of one preset) that has finished, or,
        resuming, from what its first attempt sized from (its replica counts are part of its identity)."""
        if planned.auto_gpus is None:
            return planned
        with self.lock:
            done = self.done_before | {name for name, run in self.state["runs"].items() if run["status"] == "finished"}
        source = _first_sizing(self.sweep.out / planned.run_name)
        if source is None:
            earlier = self.sweep.runs[:self.sweep.runs.index(planned)]
            source = next((self.sweep.out / run.run_name for run in reversed(earlier)
                           if run.run_name in done and _shape(run.agent) == _shape(planned.agent)), None)
        if source is None:
            return planned
        try:
            agent, sizing = sized_from_run(planned.agent, planned.auto_gpus, source)
        except ValueError as exc:  # an unreadable metrics.json: the declared work sizes it
            tell(f"{planned.run_name}: replicas sized from declared work ({exc})")
            return planned
        return dataclasses.replace(planned, agent=agent, sizing=sizing)

    def _settings(self, planned: PlannedRun) -> dict[str, Any]:
        """The sweep's settings, with the grower's hook when runs grow (the run attaches its executor to the
        grower: RunConfig.on_executor)."""
        if self.grower is None:
            return self.sweep.settings
        return {**self.sweep.settings, "on_executor": self.grower.hook(planned.run_name, engine_work(planned.agent))}

    def _control(self) -> RunControl:
        """A run's stop flag (the sweep's) and room deadline: counted only while every run in flight waits for
        room too (one that holds room frees it when it ends)."""
        timeout = self.sweep.settings.get("placement_timeout_s") or ROOM_TIMEOUT_S
        return RunControl(stop=self.stop, room_timeout_s=float(timeout), waiting=self._waiting,
                          others_running=lambda: self.in_flight > self.waiting_for_room)

    def _waiting(self, started: bool) -> None:
        with self.lock:
            self.waiting_for_room += 1 if started else -1

    def _ended(self, planned: PlannedRun, entry: dict[str, Any], started: dict[str, Any]) -> None:
        run_dir = self.sweep.out / planned.run_name
        with self.lock:
            grown = {k: v for k, v in self.state["runs"][planned.run_name].items() if k == "grown"}
            self.state["runs"][planned.run_name] = {**entry, **started, "ended_at": provenance.now(),
                                                    "end_unix_s": round(time.time(), 3), **grown,
                                                    **(where_it_ran(run_dir) if entry["status"] != "skipped" else {})}
            self.save()
            self.in_flight -= 1
            self.left -= 1
            if planned.run_name not in self.done_before:
                self.bar.update(1)
            self._show()

    def save(self) -> None:
        """sweep.json as it stands (the caller holds the lock)."""
        write_json_atomic(self.sweep.out / "sweep.json", self.state)

    def _show(self) -> None:
        self.bar.set_postfix_str(f"in flight {self.in_flight}, queued {self.left - self.in_flight}", refresh=False)


def _run_concurrently(book: SweepBook, concurrent: int, start_run: RunStarter,
                      score_run: Callable[[Path, str], None] | None, tell: Callable[[str], None]) -> None:
    """The runs in `concurrent` threads. Signals reach only this, the main, thread: one Ctrl-C (or SIGTERM)
    sets the runs' stop flag, so every run in flight saves and ends as a lone run's interrupt does (its
    executor's waits raise it) and no queued one starts; the interrupt is raised again once they have ended,
    with their saved trajectories summed. A second signal ends the process at once (engine.runner.interrupts)."""
    with ThreadPoolExecutor(concurrent, thread_name_prefix="sweep-run") as pool, signals_end_the_run():
        futures: list[Future] = []
        try:
            for n, planned in enumerate(book.sweep.runs, 1):
                futures.append(pool.submit(book.run, n, planned, start_run, score_run, tell))
            _wait_all(futures)
            for future in futures:  # a run's failure is in sweep.json; anything else is a bug to show, not lose
                if future.exception() is not None:
                    raise future.exception()  # type: ignore[misc]
        except KeyboardInterrupt as caught:
            exc = as_received(caught)
            book.stop.set(again(exc))  # first: what stopping() cancels must reach no run as a failure
            stopping()
            for future in futures:
                future.cancel()
            _wait_all(futures)
            exc.saved_trajectories = sum(getattr(future.exception(), "saved_trajectories", 0)  # type: ignore[attr-defined]
                                         for future in futures if not future.cancelled())
            raise exc from None


def _wait_all(futures: list[Future]) -> None:
    """Waits for every future in short waits (the main thread handles a signal only once it wakes)."""
    while not all(future.done() for future in futures):
        wait_futures(futures, timeout=WAKE_S)


def _shape(agent: AgentSpec) -> tuple[Any, ...]:
    """What makes two agents' work per role comparable: the same prompts and limits, whatever the models."""
    return agent.kind, agent.format, agent.strategy, agent.max_steps, tuple(sorted(agent.roles))


def _first_sizing(run_dir: Path) -> Path | None:
    """The run folder an earlier attempt of this run sized its replicas from (run.json `replicas.sized_from`)."""
    try:
        sized_from = (read_manifest(run_dir).get("replicas") or {}).get("sized_from") or ""
    except (OSError, ValueError, AttributeError):
        return None
    return Path(sized_from.removeprefix(MEASURED_FROM)) if sized_from.startswith(MEASURED_FROM) else None


def where_it_ran(run_dir: Path) -> dict[str, Any]:
    """A run's sweep.json marks from its run.json `models`: `replicas` (replicas_where) and, when it gave engines
    back before its end, `released` (per engine, when: Unix seconds)."""
    try:
        models = read_manifest(run_dir).get("models") or {}
    except (OSError, ValueError):
        models = {}
    models = {key: info for key, info in models.items() if isinstance(info, dict)}
    released = {key: info["released_unix_s"] for key, info in models.items() if "released_unix_s" in info}
    return {"replicas": replicas_where(models), **({"released": released} if released else {})}


def replicas_where(models: dict[str, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Per engine, where each replica ran (run.json `models`: Ray node id and GPU ids; none for a local run)."""
    return {key: [{k: replica.get(k) for k in ("node_id", "gpu_ids")} for replica in info.get("replicas", [info])]
            for key, info in models.items()}


@contextlib.contextmanager
def _shared_ray(settings: dict[str, Any], concurrent: int) -> Iterator[None]:
    """Concurrent runs on Ray share one connection, made here on the main thread (each run's executor then
    finds Ray initialised and leaves it up); a sweep of one run at a time leaves that to each run."""
    if concurrent == 1 or (settings.get("executor") or "ray") != "ray":
        yield
        return
    import ray

    from engine.execution.ray_start import init_ray, ray_environment

    owns = not ray.is_initialized()
    if owns:
        ray_environment()
        init_ray(ray, settings.get("ray_address"))
    try:
        yield
    finally:
        if owns:
            ray.shutdown()


def is_done(planned: PlannedRun, run_dir: Path) -> bool:
    """Whether the planned run finished before with every task it plans now. When the sweep file selects more
    tasks (a bigger limit or per_group, more groups), the run is to do again: `sweep --extend` adds them to
    its folder, and without it the run fails naming the flag, as `run` does."""
    if not is_finished(run_dir):
        return False
    recorded = read_manifest(run_dir).get("identity") or {}
    if "tasks" not in recorded:  # written before identities were recorded
        return True
    return {task.key for task in planned.bench.load(planned.seed).tasks} <= set(recorded["tasks"])


def _one(planned: PlannedRun, run_dir: Path, settings: dict[str, Any], start_run: RunStarter,
         score_run: Callable[[Path, str], None] | None, control: RunControl) -> dict[str, Any]:
    if is_done(planned, run_dir):
        return {"status": "skipped", "dir": str(run_dir), "note": "finished before"}
    try:
        start_run(planned, planned.bench.load(planned.seed), settings, control)
        if score_run is not None and settings.get("judge"):
            score_run(run_dir, settings["judge"])
    except Exception as exc:  # noqa: BLE001 - one broken run must not stop an overnight sweep
        return {"status": "failed", "dir": str(run_dir), "error": f"{type(exc).__name__}: {exc}",
                "traceback": traceback.format_exc(limit=8)}
    return {"status": "finished", "dir": str(run_dir)}


def plan_table(sweep: Sweep) -> str:
    lines = [f"{len(sweep.runs)} runs into {sweep.out}/"]
    lines += [f"  {'done   ' if is_done(r, sweep.out / r.run_name) else 'to run '} {r.run_name}" for r in sweep.runs]
    return "\n".join(lines)


def run_config(planned: PlannedRun, bench: LoadedBenchmark, settings: dict[str, Any], out: Path,
               progress: bool, command: list[str], control: RunControl | None = None) -> RunConfig:
    return RunConfig(agent=planned.agent, out_dir=out, run_name=planned.run_name, seed=planned.seed,
                     executor=settings.get("executor") or "ray", ray_address=settings.get("ray_address"),
                     max_active=settings.get("max_active"), schedule=settings.get("schedule") or DEFAULT_SCHEDULE,
                     progress=progress, extend=bool(settings.get("extend")), command=command, control=control,
                     sizing=planned.sizing, on_executor=settings.get("on_executor"))


def start_with(out: Path, progress: bool, command: list[str]) -> RunStarter:
    """What runs one planned run: the same build step as `umi-eval run` (engine.runner.build)."""
    def start(planned: PlannedRun, bench: LoadedBenchmark, settings: dict[str, Any], control: RunControl | None = None) -> Path:
        simulation = Simulation(planned.bench.options.get("cache"), settings.get("miss_policy") or "synthesize")
        alone = (settings.get("max_concurrent_runs") or 1) == 1  # concurrent runs' bars would overwrite each other
        config = run_config(planned, bench, settings, out, progress and alone, command, control)
        return build_run(config, bench, simulation).execute()
    return start
