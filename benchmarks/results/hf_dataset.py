"""Runs as a Hugging Face dataset (`umi-eval export`): one row per trajectory, typed columns, a dataset card.

    hf        a `save_to_disk` folder (`datasets.load_from_disk` reads it) and README.md, the card
    parquet   <out>/trajectories.parquet (pyarrow, pandas, DuckDB, the Hub read it) and README.md
(benchmarks.results.dataset_formats: the registry of these formats.)

The columns are those of a trajectories.jsonl record (benchmarks.results.trajectories), flattened where a
record holds a mapping (usage per role becomes a list of rows with a `role`), plus the run the row comes
from and its verdict from scores.json. `record_from_row` gives the record back, so nothing is lost: record
keys this schema does not name travel as JSON in `extra`. The columns are listed in docs/formats.md.
`datasets` is imported inside the functions that need it (it takes seconds to import).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from benchmarks.results.dataset_formats import DATASET_FORMATS
from benchmarks.results.files import SCORES_FILE, TRAJECTORIES_FILE, write_new_folder
from benchmarks.results.manifest import read_manifest
from benchmarks.results.markdown import markdown_table
from benchmarks.results.shapes import readable_runs
from benchmarks.results.scores import read_scores
from benchmarks.results.trajectories import latest_records

PARQUET_FILE = "trajectories.parquet"
CARD_FILE = "README.md"

_TURN = {"role": "string", "text": "string"}
_CALL = {"name": "string", "arguments": "string", "observation": "string", "status": "int64", "source": "string",
         "function_name": "string", "thought": "string"}
_USAGE = {"role": "string", "calls": "int64", "prompt_tokens": "int64", "completion_tokens": "int64",
          "latency_s": "float64"}
# Record fields copied as they are, with their column type.
_SCALARS = {"task_key": "string", "group": "string", "query_id": "string", "agent": "string", "seed": "int64",
            "status": "string", "final_answer": "string", "finish_thought": "string", "error": "string",
            "steps": "int64", "tries": "int64", "parse_failures": "int64", "unmarked_plans": "int64",
            "planner_retries": "int64", "started_at": "float64", "finished_at": "float64"}
_JSON_FIELDS = ("search",)  # free-form record fields, kept as JSON text


def run_features():
    """The column types of an exported run (datasets.Features)."""
    from datasets import Features, List, Value

    def struct(fields: Mapping[str, str]) -> dict[str, Any]:
        return {name: Value(kind) for name, kind in fields.items()}

    columns: dict[str, Any] = {"run": Value("string"), "run_name": Value("string"), "benchmark": Value("string")}
    columns.update(struct(_SCALARS))
    columns.update(turns=List(struct(_TURN)), calls=List(struct(_CALL)), usage=List(struct(_USAGE)))
    columns.update({name: Value("string") for name in _JSON_FIELDS})
    columns.update(judge=Value("string"), passed=Value("bool"), verdict=Value("string"), extra=Value("string"))
    return Features(columns)


def _json_or_none(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _row(record: Mapping[str, Any], run: Mapping[str, Any], verdict: Mapping[str, Any] | None) -> dict[str, Any]:
    known = set(_SCALARS) | set(_JSON_FIELDS) | {"turns", "calls", "usage"}
    extra = {key: value for key, value in record.items() if key not in known}
    row = {**run, **{key: record.get(key) for key in _SCALARS}}
    row.update(turns=record.get("turns", []), calls=record.get("calls", []),
               usage=[{"role": role, **figures} for role, figures in record.get("usage", {}).items()])
    row.update({name: _json_or_none(record.get(name)) for name in _JSON_FIELDS})
    passed = verdict.get("passed") if isinstance(verdict, dict) else verdict  # scores v1: a bare boolean
    row.update(passed=None if passed is None else bool(passed), verdict=_json_or_none(verdict),
               extra=_json_or_none(extra or None))
    return row


def record_from_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """The trajectories.jsonl record a row was made from (the inverse of the export)."""
    record: dict[str, Any] = {key: row[key] for key in _SCALARS}
    record.update(turns=list(row["turns"]), calls=list(row["calls"]),
                  usage={u["role"]: {k: u[k] for k in _USAGE if k != "role"} for u in row["usage"]})
    record.update({name: json.loads(row[name]) for name in _JSON_FIELDS if row[name] is not None})
    record.update(json.loads(row["extra"]) if row["extra"] else {})
    return record


def run_labels(run_dirs: list[Path]) -> dict[Path, str]:
    """Each run's folder name, with as many parent folders as tell it apart from the others' (two runs of the
    same name from different sweeps export rows that must not read the same)."""
    paths = [run_dir.resolve() for run_dir in run_dirs]
    for depth in range(1, max((len(p.parts) for p in paths), default=1) + 1):
        labels = {run_dir: "/".join(path.parts[-depth:]) for run_dir, path in zip(run_dirs, paths)}
        if len(set(labels.values())) == len(set(paths)):
            return labels
    return {run_dir: str(path) for run_dir, path in zip(run_dirs, paths)}


def run_rows(run_dir: Path, label: str | None = None) -> Iterable[dict[str, Any]]:
    """One row per trajectory of a run folder (the last try of each), with its verdict when scored; `label`
    names the run (default: its folder name)."""
    manifest = read_manifest(run_dir)
    scores = read_scores(run_dir / SCORES_FILE)
    per_query = scores.get("per_query", {})
    run = {"run": label or run_dir.name, "run_name": manifest.get("run_name", run_dir.name),
           "benchmark": (manifest.get("benchmark") or {}).get("name"),
           "judge": (scores.get("judge") or {}).get("id") if scores else None}
    for record in latest_records(run_dir / TRAJECTORIES_FILE).values():
        yield _row(record, run, per_query.get(record["task_key"]))


def runs_dataset(run_dirs: Iterable[Path]):
    """Every trajectory of the runs as one datasets.Dataset."""
    from datasets import Dataset

    run_dirs = list(run_dirs)
    labels = run_labels(run_dirs)
    rows = [row for run_dir in run_dirs for row in run_rows(run_dir, labels[run_dir])]
    features = run_features()
    if not rows:  # runs with no trajectory yet: from_list would drop the columns, and saving would fail
        return Dataset.from_dict(dict.fromkeys(features, []), features=features)
    return Dataset.from_list(rows, features=features)


# ---------------------------------------------------------------------------------------------- the card

def _models(manifest: Mapping[str, Any]) -> dict[str, str]:
    """Role -> backend:model of a run (empty for agents without a model, such as the oracle)."""
    roles = (manifest.get("agent") or {}).get("roles") or {}
    return {role: f"{spec.get('backend')}:{spec.get('model')}" for role, spec in roles.items()}


def _run_summary(run_dir: Path, label: str) -> dict[str, Any]:
    manifest = read_manifest(run_dir)
    scores = read_scores(run_dir / SCORES_FILE)
    summary = {"folder": label, "run_name": manifest.get("run_name", run_dir.name),
               "agent": (manifest.get("agent") or {}).get("name"), "models": _models(manifest),
               "benchmark": manifest.get("benchmark") or {}, "seed": manifest.get("seed"),
               "status": manifest.get("status"), "umi_eval_version": (manifest.get("versions") or {}).get("umi-eval")}
    if scores:
        summary["judge"] = (scores.get("judge") or {}).get("id")
        summary["metric"] = scores.get("metric")
        summary["overall"] = scores.get("overall")
    return summary


def _size_category(n: int) -> str:
    """The Hub's size_categories label."""
    for bound, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if n < bound:
            return label
    return "n>1M"


def _unique(values: Iterable[Any]) -> list[Any]:
    return sorted({v for v in values if v is not None}, key=str)


def dataset_card(metadata: Mapping[str, Any], title: str, body: str) -> str:
    """A dataset card: YAML front matter (what the Hub reads), then Markdown."""
    front = yaml.safe_dump(dict(metadata), sort_keys=False, allow_unicode=True)
    return f"---\n{front}---\n\n# {title}\n\n{body}"


def runs_card(run_dirs: list[Path], n_rows: int, version: str, fmt: str) -> str:
    labels = run_labels(run_dirs)
    runs = [_run_summary(d, labels[d]) for d in run_dirs]
    meta: dict[str, Any] = {
        "pretty_name": "umi-eval trajectories", "tags": ["umi-eval", "tool-use", "agents", "toolbench"],
        "size_categories": [_size_category(n_rows)],
        "umi_eval": {"version": version, "models": _unique(m for r in runs for m in r["models"].values()),
                     "benchmarks": _unique(r["benchmark"].get("name") for r in runs),
                     "judges": _unique(r.get("judge") for r in runs), "runs": runs}}
    if (configs := DATASET_FORMATS.get(fmt).hub_configs("train", PARQUET_FILE)) is not None:
        meta["configs"] = configs
    cells = []
    for r in runs:  # names come from data and configuration: escaped as literal cells (issue 21, item 17)
        models = ", ".join(f"{role}: {m}" for role, m in r["models"].items()) or "(none)"
        overall = (r.get("overall") or {}).get("rate")
        cells.append([str(value) for value in (r["folder"], r["agent"], models, r["benchmark"].get("name"), r["seed"],
                                               r.get("judge") or "-", "-" if overall is None else overall)])
    table = markdown_table(["run", "agent", "models", "benchmark", "seed", "judge", "overall"], cells)
    body = (f"{n_rows} trajectories of {len(runs)} run(s), exported by umi-eval {version}: one row per "
            "trajectory (its turns, tool calls, token usage per role and, where the run was scored, its "
            "verdict).\n\n" + table + "\n")
    return dataset_card(meta, "umi-eval trajectories", body)


# ---------------------------------------------------------------------------------------------- writing

def write_dataset(dataset, out: str | Path, fmt: str, card: str, parquet_file: str = PARQUET_FILE) -> Path:
    """The dataset and its card in a new or empty folder (files.write_new_folder); FileExistsError otherwise."""
    writer = DATASET_FORMATS.get(fmt)  # an unknown name is a ValueError listing the formats

    def fill(folder: Path) -> None:
        writer.write(dataset, folder, parquet_file)
        (folder / CARD_FILE).write_text(card, encoding="utf-8")

    return write_new_folder(out, fill)


def export_runs(run_dirs: list[Path], out: str | Path, fmt: str, version: str) -> tuple[Path, int]:
    """The runs as a dataset in `out` (hf or parquet) with its card; the folder and the number of rows. A run
    with an unreadable file is left out, with a warning."""
    run_dirs = [folder for folder, _ in readable_runs(run_dirs, lambda folder: (list(run_rows(folder)), _run_summary(folder, "")))]
    dataset = runs_dataset(run_dirs)
    return write_dataset(dataset, out, fmt, runs_card(run_dirs, len(dataset), version, fmt)), len(dataset)


def read_card_metadata(path: Path) -> dict[str, Any]:
    """The YAML front matter of a dataset card."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        raise ValueError(f"{path}: no YAML front matter")
    return yaml.safe_load(text[4:text.index("\n---\n", 4)]) or {}
