"""`umi-eval export`: runs as a Hugging Face dataset (load_from_disk) or a parquet file, the same records
back, verdicts from scores.json, and a card whose YAML front matter names the models."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import datasets
import pyarrow.parquet as pq
import pytest
import yaml

import run_eval
from benchmarks.results.hf_dataset import PARQUET_FILE, record_from_row, run_features
from benchmarks.results.trajectories import latest_records

MODEL = "call-once-then-answer"


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Path:
    """Two finished runs of the embedded benchmark in one folder: the oracle and a scripted single agent."""
    out = tmp_path_factory.mktemp("runs")
    common = ["--benchmark", "embedded", "--per-group", "1", "--executor", "local", "--out", str(out), "--no-progress"]
    assert run_eval.main(["run", "--agent", "oracle", *common]) == 0
    assert run_eval.main(["run", "--agent", "chat-single", "--backend", "scripted", "--model", MODEL, *common]) == 0
    return out


def _records(runs: Path) -> list[dict]:
    return [r for d in sorted(p.parent for p in runs.glob("*/run.json"))
            for r in latest_records(d / "trajectories.jsonl").values()]


def test_round_trip_through_load_from_disk_gives_the_same_records(runs, tmp_path):
    out = tmp_path / "ds"
    assert run_eval.main(["export", str(runs), "--format", "hf", "--out", str(out)]) == 0
    dataset = datasets.load_from_disk(str(out))
    assert dataset.features == run_features()
    records = _records(runs)
    assert len(dataset) == len(records) == 12
    assert [record_from_row(row) for row in dataset] == records


def _copy_oracle_run(runs: Path, to: Path, files: tuple[str, ...]) -> tuple[Path, Path]:
    """The oracle run and a copy of some of its files in `to` (a run folder of the same name)."""
    run_dir = next(runs.glob("oracle*"))
    copy = to / run_dir.name
    copy.mkdir(parents=True)
    for name in files:
        (copy / name).write_bytes((run_dir / name).read_bytes())
    return run_dir, copy


def test_unknown_record_keys_travel_in_extra(runs, tmp_path):
    run_dir, copy = _copy_oracle_run(runs, tmp_path / "copy", ("run.json", "scores.json"))
    record = next(iter(latest_records(run_dir / "trajectories.jsonl").values()))
    record = {**record, "tree": {"nodes": [1, 2]}, "search": {"expansions": 3}}
    (copy / "trajectories.jsonl").write_text(json.dumps(record) + "\n")
    assert run_eval.main(["export", str(copy), "--out", str(tmp_path / "ds")]) == 0
    row = datasets.load_from_disk(str(tmp_path / "ds"))[0]
    assert json.loads(row["extra"]) == {"tree": {"nodes": [1, 2]}}
    assert record_from_row(row) == record


def test_rows_carry_the_run_and_its_verdicts(runs, tmp_path):
    out = tmp_path / "ds"
    run_eval.main(["export", str(runs), "--out", str(out)])
    rows = datasets.load_from_disk(str(out)).to_list()
    by_agent = {a: [r for r in rows if r["agent"] == a] for a in ("oracle", "chat-single")}
    assert all(r["passed"] is True and r["judge"] == "verified" for r in by_agent["oracle"])
    assert all(r["passed"] is False for r in by_agent["chat-single"])
    assert {r["benchmark"] for r in rows} == {"embedded"}
    chat = by_agent["chat-single"][0]
    assert chat["usage"][0]["role"] == "backbone" and chat["usage"][0]["completion_tokens"] > 0
    assert chat["calls"] and isinstance(chat["calls"][0]["status"], int)


def test_unscored_run_has_no_verdict(runs, tmp_path):
    _, copy = _copy_oracle_run(runs, tmp_path / "unscored", ("run.json", "trajectories.jsonl"))
    run_eval.main(["export", str(copy), "--out", str(tmp_path / "ds")])
    rows = datasets.load_from_disk(str(tmp_path / "ds")).to_list()
    assert {(r["passed"], r["verdict"], r["judge"]) for r in rows} == {(None, None, None)}


def _front_matter(card: Path) -> dict:
    text = card.read_text()
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n")[1])


def test_card_front_matter_is_yaml_naming_models_benchmark_judge_and_version(runs, tmp_path):
    out = tmp_path / "ds"
    run_eval.main(["export", str(runs), "--out", str(out)])
    meta = _front_matter(out / "README.md")["umi_eval"]
    assert meta["models"] == [f"scripted:{MODEL}"]
    assert meta["benchmarks"] == ["embedded"] and meta["judges"] == ["verified"]
    assert meta["version"] and {r["agent"] for r in meta["runs"]} == {"oracle", "chat-single"}


def test_parquet_is_one_file_other_tools_read(runs, tmp_path):
    out = tmp_path / "pq"
    assert run_eval.main(["export", str(runs), "--format", "parquet", "--out", str(out)]) == 0
    table = pq.read_table(out / PARQUET_FILE)
    assert table.num_rows == 12 and table.schema.field("seed").type == "int64"
    assert _front_matter(out / "README.md")["configs"][0]["data_files"][0]["path"] == PARQUET_FILE
    reread = datasets.load_dataset("parquet", data_files=str(out / PARQUET_FILE), split="train")
    assert [record_from_row(row) for row in reread] == _records(runs)


def test_export_refuses_a_used_folder_and_a_non_run(runs, tmp_path, capsys):
    used = tmp_path / "used"
    used.mkdir()
    (used / "keep.txt").write_text("mine")
    assert run_eval.main(["export", str(runs), "--out", str(used)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert sorted(p.name for p in used.iterdir()) == ["keep.txt"]
    assert run_eval.main(["export", str(tmp_path / "nothing"), "--out", str(tmp_path / "x")]) == 2
    assert "not a run folder" in capsys.readouterr().err


# issue 21, item 17: names in the dataset card's table are literal cells -------------------------------------------

def test_the_card_table_escapes_run_and_agent_names(tmp_path):
    from benchmarks.results.hf_dataset import runs_card
    from tests.helpers.run_folders import fake_run

    hostile = "<img src=x onerror=alert(1)> a|b\nc"
    run = fake_run(tmp_path, "r|1", "single", [True], agent=hostile)
    card = runs_card([run], 1, "0", "hf")
    table = card[card.index("| run |"):].strip().splitlines()
    assert len(table) == 3 and "<img" not in card.split("---", 2)[2]
    assert table[2].replace("\\|", "").count("|") == 8  # seven cells, as many as the head has


def test_runs_of_the_same_name_from_different_folders_export_rows_told_apart(runs, tmp_path):
    for parent in ("a", "b"):
        shutil.copytree(runs / "oracle__embedded__seed0", tmp_path / parent / "oracle__embedded__seed0")
    out = tmp_path / "ds"
    assert run_eval.main(["export", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(out)]) == 0
    rows = datasets.load_from_disk(str(out)).to_list()
    assert {r["run"] for r in rows} == {"a/oracle__embedded__seed0", "b/oracle__embedded__seed0"}


def test_a_run_with_no_trajectory_yet_exports_an_empty_dataset_with_every_column(runs, tmp_path):
    run = next(path for path in sorted(runs.iterdir()) if (path / "trajectories.jsonl").is_file())
    empty = tmp_path / "empty"
    shutil.copytree(run, empty)
    (empty / "trajectories.jsonl").write_text("")
    out = tmp_path / "out"
    assert run_eval.main(["export", str(empty), "--out", str(out)]) == 0
    reread = datasets.load_from_disk(str(out))
    assert len(reread) == 0 and set(reread.features) == set(run_features())
