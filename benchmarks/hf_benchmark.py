"""A benchmark as a Hugging Face dataset: one row per task, ToolBench's query fields as columns.

    benchmark      string, optional   the benchmark the task belongs to (default: the dataset's name)
    group          string, optional   ToolBench group, e.g. G1_instruction (default: the dataset's name)
    query_id       string or integer  unique within a group
    query          string             what the user asks
    api_list       string (JSON) or a list of objects: ToolBench's api_list, full form (each entry with its
                   documentation: api_description, required_parameters, optional_parameters, template_response)
                   or minimal form (names only, completed from --tools-dir like a ToolBench query file)
    relevant_apis  list of [tool_name, api_name], optional (ToolBench's "relevant APIs", also read by that name)
    gold           string (JSON), optional: {"calls": [{"name", "arguments", "response"}], "answer", "facts"}

Where it comes from (`--benchmark`): a `save_to_disk` folder, parquet or JSON-lines files (`load_dataset`),
or `hf:OWNER/NAME[:SPLIT]`, a Hub dataset already in the local cache: it is read with the Hub offline,
never downloaded while a run starts. `write_tasks` writes tasks in this schema (the embedded benchmark's
`benchmark write --format hf`). The gold calls' responses are preloaded into the simulator's cache; tasks of
the embedded benchmark are also answered by its world, as `--benchmark embedded` answers them.
"""
from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from benchmarks.core.schemas import CollisionPolicy
from benchmarks.core.types import CachedResponse, LoadedBenchmark, Task
from benchmarks.embedded.generate import BENCHMARK as EMBEDDED
from benchmarks.embedded.goldfile import gold_from_json, gold_to_json
from benchmarks.embedded.source import world_reply
from benchmarks.results.dataset_formats import DATASET_FORMATS
from benchmarks.results.hf_dataset import dataset_card, write_dataset
from benchmarks.toolbench import BenchmarkFormatError, order_groups, tasks_from_records

HUB_PREFIX = "hf:"
TASKS_PARQUET = "tasks.parquet"
REQUIRED_COLUMNS = ("query_id", "query", "api_list")
_ALIASES = {"relevant APIs": "relevant_apis"}  # ToolBench's field name
_DATA_SUFFIXES = (".parquet", ".jsonl", ".json")
_SAVED_MARKERS = ("state.json", "dataset_dict.json")  # what save_to_disk writes, for a Dataset or a DatasetDict


def task_features():
    from datasets import Features, List, Value

    return Features({"benchmark": Value("string"), "group": Value("string"), "query_id": Value("string"),
                     "query": Value("string"), "api_list": Value("string"),
                     "relevant_apis": List(List(Value("string"))), "gold": Value("string")})


def task_row(task: Task) -> dict[str, Any]:
    return {"benchmark": task.benchmark, "group": task.group, "query_id": task.query_id, "query": task.query,
            "api_list": json.dumps([t.api_entry for t in task.tools], ensure_ascii=False),
            "relevant_apis": [list(pair) for pair in task.relevant_apis],
            "gold": json.dumps(gold_to_json(task.gold), ensure_ascii=False) if task.gold else None}


def write_tasks(tasks: Sequence[Task], out: str | Path, fmt: str, about: Mapping[str, Any]) -> Path:
    """Tasks as a dataset in this schema (`fmt` hf or parquet), with a card carrying `about`."""
    from datasets import Dataset

    dataset = Dataset.from_list([task_row(t) for t in tasks], features=task_features())
    groups = order_groups({t.group for t in tasks})
    meta: dict[str, Any] = {"pretty_name": f"umi-eval benchmark {about.get('name', '')}".strip(),
                            "tags": ["umi-eval", "tool-use", "agents", "toolbench"], "umi_eval": dict(about)}
    if (configs := DATASET_FORMATS.get(fmt).hub_configs("test", TASKS_PARQUET)) is not None:
        meta["configs"] = configs
    body = (f"{len(tasks)} ToolBench-shaped tasks in groups {', '.join(groups)}. Evaluate an agent on them with "
            "`umi-eval run --benchmark <this folder>`; the columns are described in umi-eval's docs/formats.md.\n")
    return write_dataset(dataset, out, fmt, dataset_card(meta, meta["pretty_name"], body), TASKS_PARQUET)


# ---------------------------------------------------------------------------------------------- reading

def is_dataset_source(spec: str) -> bool:
    """Whether `--benchmark spec` names a dataset (rather than a ToolBench query file or folder)."""
    if spec.startswith(HUB_PREFIX):
        return True
    path = Path(spec)
    if path.is_dir():
        return any((path / marker).is_file() for marker in _SAVED_MARKERS) or (
            not (path / "test_instruction").is_dir() and any(_data_files(path)))
    return path.is_file() and path.suffix in _DATA_SUFFIXES and not _is_json_list(path)


def _data_files(folder: Path) -> Iterator[Path]:
    """Parquet and JSON-lines files at the top of a folder or in its data/ (the Hub's layout)."""
    return (p for where in (folder, folder / "data") for p in where.glob("*") if p.suffix in (".parquet", ".jsonl"))


def _is_json_list(path: Path) -> bool:
    """A ToolBench query file is one JSON list; JSON lines (a row per line) go to `load_dataset`."""
    if path.suffix != ".json":
        return False
    with path.open("rb") as handle:
        return handle.read(4096).lstrip()[:1] == b"["


@contextlib.contextmanager
def _hub_offline() -> Iterator[None]:
    """No request to the Hub while a benchmark is read: a hub id resolves from the local cache or fails."""
    import datasets.config
    import huggingface_hub.constants as hub

    saved = hub.HF_HUB_OFFLINE, datasets.config.HF_HUB_OFFLINE
    hub.HF_HUB_OFFLINE = datasets.config.HF_HUB_OFFLINE = True
    try:
        yield
    finally:
        hub.HF_HUB_OFFLINE, datasets.config.HF_HUB_OFFLINE = saved


def _one_split(data: Any, where: str, split: str | None = None):
    """A Dataset from a Dataset or a DatasetDict: the named split, the only one, or `test`."""
    from datasets import DatasetDict

    if not isinstance(data, DatasetDict):
        return data
    if split is None and len(data) == 1:
        split = next(iter(data))
    split = split or ("test" if "test" in data else None)
    if split not in data:
        raise ValueError(f"{where}: splits {', '.join(data)}; name one as hf:OWNER/NAME:SPLIT" if split is None
                         else f"{where}: no split {split!r} (it has {', '.join(data)})")
    return data[split]


def _open(spec: str) -> tuple[Any, str, dict[str, Any]]:
    """The dataset `spec` names, its name, and where it came from (for run.json)."""
    import datasets
    import pyarrow

    datasets.disable_progress_bars()
    if spec.startswith(HUB_PREFIX):
        repo, _, split = spec[len(HUB_PREFIX):].partition(":")
        with _hub_offline():
            try:
                data = datasets.load_dataset(repo)
            except (ConnectionError, FileNotFoundError, datasets.exceptions.DatasetNotFoundError) as exc:
                raise FileNotFoundError(f"{spec}: not in the local Hugging Face cache (runs never download; fetch it "
                                        f"once with datasets.load_dataset({repo!r})): {exc}") from None
        return _one_split(data, spec, split or None), repo.rsplit("/", 1)[-1], {"hub_id": repo, "split": split or None}
    path = Path(spec)
    try:
        data = _open_local(path)
    except (datasets.exceptions.DatasetGenerationError, pyarrow.ArrowException, OSError, ValueError,
            StopIteration, IndexError, RecursionError) as exc:  # the last three: an empty or a too deeply nested file
        cause = f" ({exc.__cause__})" if exc.__cause__ else ""
        if isinstance(exc, (StopIteration, IndexError)):
            exc = "no rows"
        raise BenchmarkFormatError(f"{spec}: cannot be read as a dataset: {exc}{cause}") from None
    return _one_split(data, spec), path.stem if path.is_file() else path.name, {"path": str(path)}


def _open_local(path: Path):
    import datasets

    if path.is_dir() and any((path / m).is_file() for m in _SAVED_MARKERS):
        return datasets.load_from_disk(str(path))
    if path.is_dir():
        return datasets.load_dataset(str(path))
    return datasets.load_dataset("parquet" if path.suffix == ".parquet" else "json", data_files=str(path))


def _check_columns(columns: Sequence[str], where: str) -> None:
    present = {_ALIASES.get(c, c) for c in columns}
    missing = [c for c in REQUIRED_COLUMNS if c not in present]
    if missing:
        raise BenchmarkFormatError(f"{where}: the dataset lacks the column(s) {', '.join(missing)} (it has "
                                   f"{', '.join(columns) or 'none'}); a benchmark dataset needs "
                                   f"{', '.join(REQUIRED_COLUMNS)} (see docs/formats.md)")


def _parsed(value: Any, column: str, where: str) -> Any:
    """A column that holds JSON text (as written) or the value itself (a JSON-lines file's nested data)."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except (json.JSONDecodeError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else exc
        raise BenchmarkFormatError(f"{where}: column {column} is not valid JSON ({reason})") from None


def _record(row: Mapping[str, Any], where: str) -> dict[str, Any]:
    """A row as a ToolBench query record (what the ToolBench loader checks and reads)."""
    return {"query_id": row["query_id"], "query": row["query"], "api_list": _parsed(row["api_list"], "api_list", where),
            "relevant APIs": row.get("relevant_apis") or []}


def _gold(row: Mapping[str, Any], where: str):
    raw = _parsed(row.get("gold"), "gold", where)
    if raw in (None, ""):
        return None
    try:
        return gold_from_json(raw)
    except ValueError as exc:
        raise BenchmarkFormatError(f"{where}: query {row['query_id']}: gold: {exc}") from None


def tasks_from_rows(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], name: str, *, where: str = "",
                    tools_dir: str | Path | None = None, collision: CollisionPolicy = "last") -> list[Task]:
    """Tasks of a dataset's rows, group by group (`name`: the benchmark and group of rows that name none);
    errors name the dataset (`where`), the row and what is wrong."""
    where = where or name
    _check_columns(columns, where)
    by_group: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for row in rows:
        row = {_ALIASES.get(k, k): v for k, v in row.items()}
        by_group.setdefault((row.get("benchmark") or name, row.get("group") or name), []).append(row)
    tasks: list[Task] = []
    for (benchmark, group), members in by_group.items():
        found = tasks_from_records([_record(r, where) for r in members], where, benchmark=benchmark, group=group,
                                   tools_dir=tools_dir, collision=collision)
        golds = {str(r["query_id"]): _gold(r, where) for r in members}
        tasks += [dataclasses.replace(t, gold=golds[t.query_id]) for t in found]
    return tasks


def _gold_responses(tasks: Sequence[Task]) -> list[CachedResponse]:
    """Each gold call's response as a cache entry (the first of each call), so the simulator answers the gold
    solution as recorded."""
    entries: dict[tuple[str, str, str, str], CachedResponse] = {}
    for task in tasks:
        specs = {spec.function_name: spec for spec in task.tools}  # the last of a name, as dispatch picks it
        for call in task.gold.calls if task.gold else ():
            if (spec := specs.get(call.name)) is not None:
                entries.setdefault((spec.category, spec.tool, spec.api, str(call.arguments)),
                                   (spec.category, spec.tool, spec.api, call.arguments, "", call.response))
    return list(entries.values())


def _fingerprint(rows: Sequence[Mapping[str, Any]]) -> str:
    """sha256 of the rows as read (part of the run identity, as a folder's file hashes are)."""
    return hashlib.sha256(json.dumps(list(rows), sort_keys=True, default=str).encode()).hexdigest()


def load_dataset_benchmark(spec: str, tools_dir: str | Path | None = None) -> LoadedBenchmark:
    """`--benchmark spec` for a dataset: its tasks, gold responses to preload, and the embedded world
    for the embedded benchmark's tasks."""
    dataset, name, where = _open(spec)
    rows = dataset.to_list()
    tasks = tasks_from_rows(rows, dataset.column_names, name, where=spec, tools_dir=tools_dir)
    info = {"name": name, "format": "hf-dataset", **where, "rows": len(rows), "rows_sha256": _fingerprint(rows)}
    embedded = bool(tasks) and all(t.benchmark == EMBEDDED for t in tasks)
    return LoadedBenchmark(name, tasks, info, cache_entries=_gold_responses(tasks),
                           responder=world_reply if embedded else None)
