"""Export in ToolBench's layout: byte-determinism, formats matching the real files, and read-back."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from benchmarks.embedded import export, generate, load, write
from tools_sim.cache import write_cache_dir
from benchmarks.embedded.generate import EmbeddedBenchmark
from benchmarks.embedded.world import ENDPOINTS
from benchmarks.core.naming import standardize
from benchmarks.toolbench import BenchmarkFormatError, load_benchmark_dir, load_query_file
from tools_sim.cache import ResponseCache

RECORD_KEYS = ["api_list", "query", "relevant APIs", "query_id"]
GROUPS = ["G1_instruction", "G1_category", "G1_tool", "G2_instruction", "G2_category", "G3_instruction"]


@pytest.fixture(scope="module")
def bench() -> EmbeddedBenchmark:
    return generate(12, seed=3)


@pytest.fixture(scope="module")
def written(bench: EmbeddedBenchmark, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(bench, tmp_path_factory.mktemp("export") / "embedded", write_cache_dir)


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_layout(written: Path) -> None:
    names = set(_files(written))
    for group in GROUPS:
        assert {f"test_instruction/{group}.json", f"test_query_ids/{group}.json", f"gold/{group}.json"} <= names
    assert "manifest.json" in names
    assert any(n.startswith("toolenv/tools/Weather/") for n in names)
    assert any(n.startswith("tool_response_cache/Weather/") for n in names)
    assert not list(written.parent.glob(".*partial*"))  # the temporary folder is gone


def test_same_seed_same_bytes_other_seed_other_bytes(bench: EmbeddedBenchmark, written: Path, tmp_path: Path) -> None:
    again = write(generate(12, seed=3), tmp_path / "again", write_cache_dir)
    other = write(generate(12, seed=4), tmp_path / "other", write_cache_dir)
    assert _files(again) == _files(written)
    assert _files(other) != _files(written)


def test_records_have_the_upstream_key_order(written: Path) -> None:
    for group in GROUPS:
        records = json.loads((written / "test_instruction" / f"{group}.json").read_text())
        assert all(list(r) == RECORD_KEYS and isinstance(r["query_id"], int) for r in records)
        ids = json.loads((written / "test_query_ids" / f"{group}.json").read_text())
        assert ids == {str(r["query_id"]): 0 for r in records}


def test_formats_match_the_real_files(written: Path, shared_data: Path) -> None:
    real_dir = shared_data / "stabletoolbench" / "solvable_queries"
    real = json.loads((real_dir / "test_instruction" / "G1_tool.json").read_text())[0]
    ours = json.loads((written / "test_instruction" / "G1_tool.json").read_text())[0]
    assert list(ours) == list(real)
    full_real_entry = next(e for e in real["api_list"] if "template_response" in e)
    assert list(ours["api_list"][0]) == list(full_real_entry)
    # Same JSON formatting as upstream (indent 4, ASCII escapes), so diffs against real files are clean.
    real_text = (real_dir / "test_instruction" / "G1_tool.json").read_text()
    assert real_text == json.dumps(json.loads(real_text), indent=4)
    olato = json.loads((shared_data / "toolbench/toolenv/tools/Social/olato_quotes.json").read_text())
    tool = json.loads(next((written / "toolenv" / "tools" / "Weather").glob("*.json")).read_text())
    assert list(tool) == list(olato)
    assert list(tool["score"]) == list(olato["score"])
    assert list(tool["api_list"][0]) == [*olato["api_list"][0], "template_response"]


def test_loader_reads_back_the_same_tasks(bench: EmbeddedBenchmark, written: Path) -> None:
    plain = load_benchmark_dir(written, benchmark="embedded")
    assert plain == [dataclasses.replace(t, gold=None) for t in bench.tasks]
    assert load(written) == bench.tasks
    one = load_query_file(written / "test_instruction" / "G2_category.json", benchmark="embedded")
    assert one == [dataclasses.replace(t, gold=None) for t in bench.tasks if t.group == "G2_category"]
    assert load(written, groups=["G3_instruction"]) == [t for t in bench.tasks if t.group == "G3_instruction"]


def test_minimal_form_completed_from_tool_files_is_identical(bench: EmbeddedBenchmark, written: Path,
                                                            tmp_path: Path) -> None:
    record = json.loads((written / "test_instruction" / "G3_instruction.json").read_text())[0]
    record["api_list"] = [{k: e[k] for k in ("category_name", "tool_name", "api_name")} for e in record["api_list"]]
    path = tmp_path / "G3_instruction.json"
    path.write_text(json.dumps([record]))
    [task] = load_query_file(path, benchmark="embedded", tools_dir=written / "toolenv" / "tools")
    assert task == dataclasses.replace(bench.tasks[5 * 12], gold=None)


def test_tool_files_document_every_api(written: Path) -> None:
    documented = set()
    for e in ENDPOINTS:
        tool = json.loads((written / "toolenv" / "tools" / e.category / f"{standardize(e.tool.name)}.json").read_text())
        api = next(a for a in tool["api_list"] if a["name"] == e.api.name)
        assert api["test_endpoint"] == e.api.call(e.api.default_args())
        assert tool["standardized_name"] == standardize(e.tool.name)
        documented.add((e.tool.name, e.api.name))
    assert len(documented) == len(ENDPOINTS)


def test_response_cache_answers_every_gold_call(bench: EmbeddedBenchmark, written: Path) -> None:
    cache = ResponseCache.read_dir(written / "tool_response_cache")
    assert len(cache) == len(bench.cache)
    for task in bench.tasks:
        for call, (tool, api) in zip(task.gold.calls, task.relevant_apis):
            category = next(t.category for t in task.tools if t.tool == tool)
            assert cache.lookup(category, tool, api, call.arguments) == {"error": "", "response": call.response}


def test_gold_file_errors_name_file_and_query(written: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    for name, data in _files(written).items():
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).write_bytes(data)
    gold = copy / "gold" / "G1_tool.json"
    golds = json.loads(gold.read_text())
    golds["3"] = {"calls": "nope"}
    gold.write_text(json.dumps(golds))
    with pytest.raises(BenchmarkFormatError, match=r"G1_tool.json: query 3"):
        load(copy)
    del golds["3"]
    gold.write_text(json.dumps(golds))
    with pytest.raises(BenchmarkFormatError, match=r"G1_tool.json: no gold for query 3"):
        load(copy)


def test_refuses_a_non_empty_target(bench: EmbeddedBenchmark, tmp_path: Path) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not empty"):
        write(bench, target, write_cache_dir)
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(FileExistsError, match="not a folder"):
        write(bench, tmp_path / "a_file", write_cache_dir)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert (write(bench, empty, write_cache_dir) / "manifest.json").is_file()
    assert (write(bench, tmp_path / "new" / "nested", write_cache_dir) / "manifest.json").is_file()


def test_a_crash_leaves_nothing_behind(bench: EmbeddedBenchmark, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(bench: EmbeddedBenchmark, root: Path, write_cache) -> None:
        (root / "test_instruction").mkdir()
        (root / "test_instruction" / "G1_tool.json").write_text("[")
        raise OSError("disk full")

    monkeypatch.setattr(export, "_write_all", crash)
    with pytest.raises(OSError, match="disk full"):
        write(bench, tmp_path / "out", write_cache_dir)
    assert list(tmp_path.iterdir()) == []
