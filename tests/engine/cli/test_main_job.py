"""The oracle's end-to-end self-check and a shortened default main job."""
from __future__ import annotations

import dataclasses
import importlib.util
import json
import re
from pathlib import Path
import time

import pytest

import run_eval
from benchmarks.scoring.intervals import wilson_interval
from engine.cli.benchmark import STATIC_TEST_FILE
from engine.cli.main_job import MAIN_JOB_AGENTS, MAIN_JOB_STATIC_AGENTS, STATIC_FILE, main_job
from roles.alpha_umi_steps import static_samples
from benchmarks.loading import load_benchmark
from engine.backends.scripted import register_script
from engine.cli.main_job import prepare_embedded_model, static_agent
from engine.execution.kinds import make_executor
from engine.execution.placement import distinct_models
from engine.runner.static_eval import StaticConfig, load_static, run_static
from roles.alpha_umi_static_file import write_static_file


def test_oracle_scores_100_percent_verified_on_the_embedded_benchmark(tmp_path, capsys):
    argv = ["run", "--agent", "oracle", "--benchmark", "embedded", "--per-group", "8", "--executor", "local",
            "--out", str(tmp_path), "--no-progress"]
    assert run_eval.main(argv) == 0
    run_dir = tmp_path / "oracle__embedded__seed0"
    scores = json.loads((run_dir / "scores.json").read_text())
    assert scores["judge"]["id"] == "verified" and scores["overall"]["n"] == 48
    assert scores["overall"]["rate"] == 100.0 and scores["overall"]["ci95"] == list(wilson_interval(48, 48))  # not the bootstrap's certainty
    assert set(scores["groups"]) == {"G1_instruction", "G1_category", "G1_tool", "G2_instruction", "G2_category", "G3_instruction"}
    metrics = json.loads((run_dir / "metrics.json").read_text())["overall"]
    assert metrics["answered_rate"] == 100.0 and metrics["invalid_call_rate"] == 0.0
    assert metrics["observation_sources"] == {"cache": metrics["tool_calls"]}


def test_written_benchmark_runs_with_its_gold_and_cache(tmp_path):
    out = tmp_path / "bench"
    assert run_eval.main(["benchmark", "write", "--per-group", "3", "--out", str(out)]) == 0
    assert len(static_samples(out / STATIC_TEST_FILE)) > 18  # every gold call and every answer of the 18 queries
    argv = ["run", "--agent", "oracle", "--benchmark", str(out), "--executor", "local", "--out", str(tmp_path / "runs"),
            "--no-progress", "--miss-policy", "error"]
    assert run_eval.main(argv) == 0
    scores = json.loads((tmp_path / "runs" / "oracle__bench__seed0" / "scores.json").read_text())
    assert scores["overall"]["rate"] == 100.0 and scores["overall"]["n"] == 18


def check_both_tables(out, printed, per_group):
    """Table 1 (static: one row per alpha-UMi agent, five metrics) and Table 2 (real time: the leaderboard)."""
    table1, _, table2 = printed.partition("Table 2")
    assert "Table 1" in table1 and "| agent | kind | steps | Plan ACC | Act. EM | Hallu. | Arg. F1 | R-L |" in table1
    steps = len(static_samples(out / STATIC_FILE))
    for name in MAIN_JOB_STATIC_AGENTS:
        report = json.loads((out / f"static__{name}__embedded_gold" / "static.json").read_text())
        assert report["metrics"]["n"]["samples"] == steps and report["metrics"]["plan_acc"] is not None
        assert f"| {name} | {report['agent']['kind']} | {steps} | {report['metrics']['plan_acc']:.1f} |" in table1
    board = json.loads((out / "leaderboard.json").read_text())
    assert sorted(e["agent"] for e in board["entries"]) == sorted([*MAIN_JOB_AGENTS, "oracle"])
    for entry in board["entries"]:
        assert entry["judge"] == "verified" and entry["overall"]["n"] == 6 * per_group and entry["status"] == "finished"
        assert entry["agent"] in table2
    assert "verified pass rate" in table2
    check_compact_table_2(table2, 6 * per_group)


def check_compact_table_2(table2, n):
    """Fits a 160-column terminal; single first as in Table 1; every base named; the oracle's reference row shows
    that the scoring can say 100; multi - single below."""
    rows = [line for line in table2.splitlines() if line.startswith("| ")]
    assert rows[0] == "| agent | kind | pass % [95% CI] | queries | answered % of queries | invalid % of tool calls | mean steps |"
    assert [row.split(" | ")[1] for row in rows[2:]] == ["single", "multi", "oracle"]
    wilson_low = {6: 61, 12: 76}[n]  # n of n passed: Wilson's interval, not the bootstrap's [100, 100]
    assert rows[-1].startswith(f"| oracle (reference) | oracle | 100 [{wilson_low}, 100] | {n} |") and max(map(len, rows)) < 160
    assert "multi - single (chat-multi__embedded__seed0 - chat-single__embedded__seed0): " in table2


def test_shortened_main_job_prints_both_tables_with_scripted_models(tmp_path, capsys, monkeypatch):
    asked = []
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: True if name == "engine.cli.report" else real_find_spec(name))
    assert main_job(per_group=1, out=str(tmp_path), executor="local", backend="scripted",
                    run_subcommand=lambda argv: asked.append(argv) or 0) == 0
    runs = [str(tmp_path / f"{name}__embedded__seed0") for name in (*MAIN_JOB_AGENTS, "oracle")]
    statics = [str(tmp_path / f"static__{name}__embedded_gold") for name in MAIN_JOB_STATIC_AGENTS]
    assert asked == [["report", *runs, *statics, "--out", str(tmp_path / "report")]]  # runs and Table 1 in the report
    captured = capsys.readouterr()
    printed, said = captured.out, captured.err.replace("\r", "\n")
    check_both_tables(tmp_path, printed, 1)
    # what it is doing from the first line on, and a bar for the static requests
    assert said.startswith("umi-eval: main job: single- vs multi-LLM agents built from the embedded model on 6 queries")
    assert said.index("umi-eval: Table 1:") < said.index("static alpha-umi: 17 planner") < said.index("umi-eval: Table 2:")
    assert re.search(r"static alpha-umi-backbone: 17 backbone: 100%.*17/17", said)
    # the scripted models call the first tool then answer: some plans right, never a hallucinated name
    report = json.loads((tmp_path / "static__alpha-umi__embedded_gold" / "static.json").read_text())
    assert 0 < report["metrics"]["plan_acc"] < 100 and report["metrics"]["hallu"] == 0
    # and why they failed: each run's first errors (its analysis.json), after Table 2
    why = printed.partition("Table 2")[2].partition("Why (first error")[2]
    for run in runs[:len(MAIN_JOB_AGENTS)]:  # not the oracle's reference row
        analysis = json.loads((Path(run) / "analysis.json").read_text())
        assert analysis["overall"]["first_error"] == {"missing_required_argument": 6}  # the first tool, called with {}
        assert f"{analysis['source']['name']}: 6 trajectories" in why
    assert why.count("missing_required_argument") == 2



def test_static_reports_on_a_shared_executor_count_their_own_actor_time(tmp_path):
    register_script("sleepy", lambda request: time.sleep(0.05) or "Next: give up.")
    agent = dataclasses.replace(static_agent("alpha-umi-backbone", "scripted"), roles={
        "backbone": dataclasses.replace(static_agent("alpha-umi-backbone", "scripted").roles["backbone"], model="sleepy")})
    path = tmp_path / "s.json"
    write_static_file(load_benchmark("embedded", per_group=1, seed=0).tasks[:2], path)
    executor = make_executor("local", distinct_models(agent.roles))
    try:
        reports = [run_static(StaticConfig(agent=agent, data=path, out_dir=tmp_path / str(i), executor="local", progress=False),
                              load_static(agent, path), executor)[1] for i in range(2)]
    finally:
        executor.shutdown()
    first, second = (sum(r["speed"]["actor_busy_s"].values()) for r in reports)
    assert first > 0.1 and second < 1.5 * first  # not the first report's time again

def test_the_main_job_announces_the_embedded_models_one_time_conversion(monkeypatch, capsys):
    converted = []
    monkeypatch.setattr("engine.backends.embedded_model.embedded_model_converted", lambda: bool(converted))
    monkeypatch.setattr("engine.backends.embedded_model.embedded_model_dir", lambda: converted.append(1))
    prepare_embedded_model("hf")
    prepare_embedded_model("hf")
    assert converted == [1] and capsys.readouterr().err.count("converting the embedded model once") == 1


@pytest.mark.slow
@pytest.mark.ray
def test_shortened_main_job_compares_single_and_multi(tmp_path, capsys):
    assert main_job(per_group=1, out=str(tmp_path)) == 0
    check_both_tables(tmp_path, capsys.readouterr().out, 1)
    board = json.loads((tmp_path / "leaderboard.json").read_text())
    models = [entry for entry in board["entries"] if entry["kind"] != "oracle"]
    assert len(models) == 2
    for entry in models:
        assert 0.0 <= entry["overall"]["rate"] <= 100.0 and entry["models"] and entry["tokens"] > 0
    oracle = [entry for entry in board["entries"] if entry["kind"] == "oracle"]  # the reference row: replays gold
    assert [entry["overall"]["rate"] for entry in oracle] == [100.0] and not oracle[0]["models"]
