"""A Hugging Face dataset as a benchmark: the embedded benchmark written as one and read back, parquet and
JSON-lines files through load_dataset, a cached Hub id read offline, and the errors for bad columns."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import datasets
import pytest

import run_eval
from benchmarks.hf_benchmark import REQUIRED_COLUMNS, TASKS_PARQUET, is_dataset_source, task_features, task_row
from benchmarks.loading import load_benchmark
from benchmarks.results.hf_dataset import read_card_metadata
from benchmarks.results.trajectories import read_records
from benchmarks.toolbench import BenchmarkFormatError

PER_GROUP = 2


@pytest.fixture(scope="module")
def embedded():
    return load_benchmark("embedded", per_group=PER_GROUP, seed=3)


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    """The embedded benchmark (seed 3) written by the CLI in both dataset formats."""
    root = tmp_path_factory.mktemp("hf-bench")
    out = {}
    for fmt in ("hf", "parquet"):
        out[fmt] = root / fmt
        assert run_eval.main(["benchmark", "write", "--per-group", str(PER_GROUP), "--seed", "3", "--format", fmt,
                              "--out", str(out[fmt])]) == 0
    return out


def _rows(tasks):
    return [task_row(t) for t in tasks]


@pytest.mark.parametrize("fmt", ["hf", "parquet"])
def test_written_embedded_benchmark_reads_back_as_the_same_tasks(written, embedded, fmt):
    loaded = load_benchmark(str(written[fmt]))
    assert loaded.tasks == embedded.tasks
    assert all(t.gold is not None for t in loaded.tasks)
    assert loaded.cache_entries == embedded.cache_entries
    assert loaded.responder is embedded.responder  # the embedded world answers off-gold calls alike


def test_saved_folder_is_what_load_from_disk_reads(written, embedded):
    dataset = datasets.load_from_disk(str(written["hf"]))
    assert dataset.features == task_features()
    assert dataset.to_list() == _rows(embedded.tasks)


def test_benchmark_card_names_the_benchmark_and_its_parquet_file(written):
    meta = read_card_metadata(written["parquet"] / "README.md")
    assert meta["umi_eval"]["name"] == "embedded" and meta["umi_eval"]["seed"] == 3
    assert meta["configs"][0]["data_files"][0]["path"] == TASKS_PARQUET
    assert (written["parquet"] / TASKS_PARQUET).is_file()


def _run(benchmark: str, out: Path, *extra: str) -> list[dict]:
    argv = ["run", "--benchmark", benchmark, "--executor", "local", "--out", str(out), "--run-name", "r",
            "--no-progress", "--seed", "3", *extra]
    assert run_eval.main(argv) == 0
    return [{k: v for k, v in r.items() if k not in ("started_at", "finished_at", "usage")}
            for r in read_records(out / "r" / "trajectories.jsonl")]


@pytest.mark.parametrize("agent", [["--agent", "oracle"],
                                   ["--agent", "chat-single", "--backend", "scripted", "--model", "call-once-then-answer"]])
def test_a_run_on_the_written_dataset_gives_the_records_of_the_embedded_benchmark(written, tmp_path, agent):
    # The benchmark seed is the run seed: --benchmark embedded --seed 3 draws the tasks written above.
    direct = _run("embedded", tmp_path / "a", "--per-group", str(PER_GROUP), *agent)
    from_dataset = _run(str(written["hf"]), tmp_path / "b", *agent)
    assert from_dataset == direct
    assert any(r["calls"] for r in direct)


def _with_columns(rows, drop=(), rename=None):
    rename = rename or {}
    return [{rename.get(k, k): v for k, v in row.items() if k not in drop} for row in rows]


def test_parquet_file_through_load_dataset(embedded, tmp_path):
    path = tmp_path / "mine.parquet"
    datasets.Dataset.from_list(_rows(embedded.tasks), features=task_features()).to_parquet(str(path))
    assert is_dataset_source(str(path))
    assert load_benchmark(str(path)).tasks == embedded.tasks


def test_json_lines_with_toolbench_field_names_and_native_lists(embedded, tmp_path):
    """ToolBench's own names ("relevant APIs"), api_list and gold as JSON values, ids as numbers, no group."""
    rows = _with_columns(_rows(embedded.tasks[:PER_GROUP]), drop=("group", "benchmark"),
                         rename={"relevant_apis": "relevant APIs"})
    path = tmp_path / "queries.jsonl"
    path.write_text("".join(json.dumps({**r, "query_id": int(r["query_id"]), "api_list": json.loads(r["api_list"]),
                                        "gold": json.loads(r["gold"])}) + "\n" for r in rows))
    loaded = load_benchmark(str(path))
    assert [t.query for t in loaded.tasks] == [t.query for t in embedded.tasks[:PER_GROUP]]
    assert [t.tools for t in loaded.tasks] == [t.tools for t in embedded.tasks[:PER_GROUP]]
    assert [t.gold for t in loaded.tasks] == [t.gold for t in embedded.tasks[:PER_GROUP]]
    assert {t.group for t in loaded.tasks} == {"queries"} and {t.benchmark for t in loaded.tasks} == {"queries"}


def test_a_toolbench_query_file_still_goes_to_the_toolbench_loader(tmp_path):
    path = tmp_path / "G1_instruction.json"
    path.write_text("[]")
    assert not is_dataset_source(str(path))


def test_missing_columns_are_named_with_the_dataset(embedded, tmp_path):
    path = tmp_path / "bad.parquet"
    rows = _with_columns(_rows(embedded.tasks), drop=("query", "api_list"))
    datasets.Dataset.from_list(rows).to_parquet(str(path))
    with pytest.raises(BenchmarkFormatError) as caught:
        load_benchmark(str(path))
    message = str(caught.value)
    assert str(path) in message and "lacks the column(s) query, api_list" in message
    assert all(c in message for c in REQUIRED_COLUMNS)


def test_a_bad_dataset_fails_the_run_before_anything_is_written(embedded, tmp_path, capsys):
    path = tmp_path / "noquery.parquet"
    datasets.Dataset.from_list(_with_columns(_rows(embedded.tasks), drop=("query",))).to_parquet(str(path))
    out = tmp_path / "out"
    assert run_eval.main(["run", "--agent", "oracle", "--benchmark", str(path), "--executor", "local",
                          "--out", str(out)]) == 2
    assert "lacks the column(s) query" in capsys.readouterr().err
    assert not out.exists()


def test_bad_values_name_the_row(embedded, tmp_path):
    rows = _rows(embedded.tasks[:1])
    rows[0]["api_list"] = "[not json"
    path = tmp_path / "badjson.parquet"
    datasets.Dataset.from_list(rows, features=task_features()).to_parquet(str(path))
    with pytest.raises(BenchmarkFormatError, match="column api_list is not valid JSON"):
        load_benchmark(str(path))
    rows[0]["api_list"] = json.dumps([{"category_name": "x"}])
    datasets.Dataset.from_list(rows, features=task_features()).to_parquet(str(path))
    with pytest.raises(BenchmarkFormatError, match=r"record 0 \(query_id 0\): api_list\[0\] lacks tool_name, api_name"):
        load_benchmark(str(path))


def _cache_as_hub_dataset(parquet: Path, cache: Path, repo: str) -> None:
    """What `datasets.load_dataset(repo)` leaves in the datasets cache: the prepared arrow files under
    <owner>___<name>/default/<version>/<hash>/ (built here from a local file: tests never reach the Hub)."""
    from datasets.data_files import DataFilesDict
    from datasets.packaged_modules.parquet.parquet import Parquet

    owner, name = repo.split("/")
    builder = Parquet(cache_dir=str(cache / "build"), dataset_name=name, hash="0123abcd",
                      data_files=DataFilesDict.from_patterns({"test": [str(parquet)]}))
    builder.download_and_prepare()
    shutil.copytree(builder.cache_dir, cache / f"{owner}___{name}" / "default" / "0.0.0" / "0123abcd")


def test_a_cached_hub_dataset_is_read_offline(written, embedded, tmp_path, monkeypatch):
    import datasets.config
    import huggingface_hub.constants

    _cache_as_hub_dataset(written["parquet"] / TASKS_PARQUET, tmp_path, "someone/tiny")
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", str(tmp_path))
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    loaded = load_benchmark("hf:someone/tiny")
    assert loaded.tasks == embedded.tasks and loaded.info["hub_id"] == "someone/tiny"
    with pytest.raises(FileNotFoundError, match="not in the local Hugging Face cache"):
        load_benchmark("hf:someone/absent")
    assert huggingface_hub.constants.HF_HUB_OFFLINE is False  # offline only while reading


def test_the_hub_is_offline_while_a_hub_id_is_read(written, tmp_path, monkeypatch):
    import datasets.config
    import huggingface_hub.constants

    _cache_as_hub_dataset(written["parquet"] / TASKS_PARQUET, tmp_path, "someone/tiny")
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", str(tmp_path))
    seen = []
    real = datasets.load_dataset

    def watching(*args, **kwargs):
        seen.append((huggingface_hub.constants.HF_HUB_OFFLINE, datasets.config.HF_HUB_OFFLINE))
        return real(*args, **kwargs)

    monkeypatch.setattr(datasets, "load_dataset", watching)
    load_benchmark("hf:someone/tiny:test")
    assert seen == [(True, True)]


@pytest.mark.parametrize("name, text", [("broken.parquet", "not parquet"), ("broken.jsonl", '{"query": 1}\n{oops\n')])
def test_an_unreadable_file_is_a_format_error_naming_it(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(BenchmarkFormatError, match=f"{path}: cannot be read as a dataset"):
        load_benchmark(str(path))


def test_a_changed_dataset_is_another_run(embedded, tmp_path, capsys):
    """The rows' hash is part of the run identity, as a folder's file hashes are: a rerun into the same run
    folder after the dataset changed is refused."""
    path = tmp_path / "mine.parquet"
    rows = _rows(embedded.tasks)
    datasets.Dataset.from_list(rows, features=task_features()).to_parquet(str(path))
    argv = ["run", "--agent", "oracle", "--benchmark", str(path), "--executor", "local", "--out", str(tmp_path / "o"),
            "--run-name", "r", "--no-progress"]
    assert run_eval.main(argv) == 0
    rows[0]["query"] += " Please."
    datasets.Dataset.from_list(rows, features=task_features()).to_parquet(str(path))
    assert run_eval.main(argv) == 2
    assert "holds" in capsys.readouterr().err


# issue 21, item 11: empty and deeply nested datasets are clear errors ---------------------------------------------

@pytest.mark.parametrize("name, text, words", [
    ("empty.jsonl", "", "no rows"),
    ("deep.jsonl", json.dumps({"query_id": 1, "query": "q", "api_list": "[" * 5000 + "]" * 5000}) + "\n",
     "column api_list is not valid JSON (nested too deeply)")])
def test_an_empty_or_too_deep_dataset_is_a_clear_error(tmp_path, capsys, name, text, words):
    path = tmp_path / name
    path.write_text(text)
    assert run_eval.main(["run", "--agent", "oracle", "--benchmark", str(path), "--executor", "local",
                          "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and words in err and str(path) in err
