"""The oracle's end-to-end self-check and a shortened default main job."""
from __future__ import annotations

import json

import pytest

import run_eval
from engine.cli.main_job import MAIN_JOB_AGENTS, main_job


def test_oracle_scores_100_percent_verified_on_the_embedded_benchmark(tmp_path, capsys):
    argv = ["run", "--agent", "oracle", "--benchmark", "embedded", "--per-group", "8", "--executor", "local",
            "--out", str(tmp_path), "--no-progress"]
    assert run_eval.main(argv) == 0
    run_dir = tmp_path / "oracle__embedded__seed0"
    scores = json.loads((run_dir / "scores.json").read_text())
    assert scores["judge"]["id"] == "verified" and scores["overall"]["n"] == 48
    assert scores["overall"]["rate"] == 100.0 and scores["overall"]["ci95"] == [100.0, 100.0]
    assert set(scores["groups"]) == {"G1_instruction", "G1_category", "G1_tool", "G2_instruction", "G2_category", "G3_instruction"}
    metrics = json.loads((run_dir / "metrics.json").read_text())["overall"]
    assert metrics["answered_rate"] == 100.0 and metrics["invalid_call_rate"] == 0.0
    assert metrics["observation_sources"] == {"cache": metrics["tool_calls"]}


def test_written_benchmark_runs_with_its_gold_and_cache(tmp_path):
    out = tmp_path / "bench"
    assert run_eval.main(["benchmark", "write", "--per-group", "3", "--out", str(out)]) == 0
    argv = ["run", "--agent", "oracle", "--benchmark", str(out), "--executor", "local", "--out", str(tmp_path / "runs"),
            "--no-progress", "--miss-policy", "error"]
    assert run_eval.main(argv) == 0
    scores = json.loads((tmp_path / "runs" / "oracle__bench__seed0" / "scores.json").read_text())
    assert scores["overall"]["rate"] == 100.0 and scores["overall"]["n"] == 18


@pytest.mark.slow
@pytest.mark.ray
def test_shortened_main_job_compares_single_and_multi(tmp_path, capsys):
    assert main_job(per_group=1, out=str(tmp_path)) == 0
    board = json.loads((tmp_path / "leaderboard.json").read_text())
    assert board["schema_version"] == 1
    assert sorted(e["agent"] for e in board["entries"]) == sorted(MAIN_JOB_AGENTS)
    for entry in board["entries"]:
        assert entry["judge"] == "verified" and entry["overall"]["n"] == 6
        assert 0.0 <= entry["overall"]["rate"] <= 100.0 and entry["status"] == "finished"
        assert entry["models"] and entry["tokens"] > 0
    table = capsys.readouterr().out
    assert "| agent | kind | benchmark | seed | G1_instruction |" in table and "chat-multi" in table and "chat-single" in table
