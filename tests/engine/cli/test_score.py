"""`score`: a converted-answers file with replayed labels, a run of the embedded benchmark with the verified
judge, a model judge scoring twice (the second from the cache), a win rate, and bad input."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from benchmarks.embedded import load_embedded
from engine.cli.main import main
from benchmarks.scoring.verified import verified_pass
from engine.backends.scripted import register_script
from benchmarks.results.tooleval_export import converted_group

DATA = "stabletoolbench/data_example"
register_script("judge-always-solved", lambda request: '{"answer_status": "Solved", "reason": "r"}')


def score(*argv: str) -> int:
    return main(["score", *argv])


def _read(out: Path) -> dict:
    return json.loads((out / "scores.json").read_text())


def test_converted_file_with_replayed_labels(shared_data: Path, tmp_path: Path, capsys) -> None:
    converted = shared_data / DATA / "model_predictions_converted/virtual_chatgpt_cot/G1_instruction.json"
    labels = shared_data / DATA / "pass_rate_results/virtual_chatgpt_cot/G1_instruction_virtual_chatgpt_cot.json"
    assert score(str(converted), "--judge", f"replay:{labels}", "--out", str(tmp_path)) == 0
    scores = _read(tmp_path)
    assert (scores["metric"], scores["judge"]["kind"], scores["times"]) == ("pass_rate", "replay", 3)
    assert round(scores["sopr"]["overall"]["rate"], 1) == 66.7 and scores["sopr"]["overall"]["std"] == 0.0
    assert round(scores["groups"]["G1_instruction"]["rate"], 1) == 66.7
    assert scores["per_query"]["G1_instruction/588"]["rule"] == ["no_finish"] * 3
    assert scores["source"] == {"name": "virtual_chatgpt_cot", "path": str(converted), "kind": "converted", "n": 3}
    assert "SoPR 66.7 +- 0.0" in capsys.readouterr().out


@pytest.mark.parametrize("model, sopr", [("virtual_chatgpt_cot", 66.7), ("virtual_chatgpt_dfs", 100.0)])
def test_raw_answer_folders_are_scored_as_their_conversion(shared_data: Path, tmp_path: Path, model: str, sopr: float) -> None:
    labels = shared_data / DATA / f"pass_rate_results/{model}/G1_instruction_{model}.json"
    raw = shared_data / DATA / "answer" / model
    for path, out in ((raw, tmp_path / "model"), (raw / "G1_instruction", tmp_path / "group")):
        assert score(str(path), "--judge", f"replay:{labels}", "--out", str(out)) == 0  # replay matches the steps
        scores = _read(out)
        assert scores["source"] == {"name": model, "path": str(path), "kind": "raw", "n": 3}
        assert round(scores["sopr"]["overall"]["rate"], 1) == sopr and sorted(scores["per_query"]) == [
            "G1_instruction/1073", "G1_instruction/588", "G1_instruction/608"]


def test_replay_without_a_label_for_a_query_is_an_error_naming_it(shared_data: Path, tmp_path: Path, capsys) -> None:
    converted = shared_data / DATA / "model_predictions_converted/virtual_chatgpt_dfs/G1_instruction.json"
    labels = shared_data / DATA / "pass_rate_results/virtual_chatgpt_cot/G1_instruction_virtual_chatgpt_cot.json"
    assert score(str(converted), "--judge", f"replay:{labels}", "--out", str(tmp_path)) == 2  # CoT labels, DFS answers
    assert "record no label for G1_instruction/1073 (check_answer_status #0, #1, #2)" in capsys.readouterr().err
    assert not (tmp_path / "scores.json").exists()


def test_query_id_files_select_the_scored_queries(shared_data: Path, tmp_path: Path, capsys) -> None:
    converted = shared_data / DATA / "model_predictions_converted/virtual_chatgpt_cot/G1_instruction.json"
    ids = tmp_path / "ids"
    ids.mkdir()
    (ids / "G1_instruction.json").write_text('{"588": 0, "1073": 1}')
    labels = shared_data / DATA / "pass_rate_results/virtual_chatgpt_cot/G1_instruction_virtual_chatgpt_cot.json"
    assert score(str(converted), "--judge", f"replay:{labels}", "--query-ids", str(ids), "--out", str(tmp_path)) == 0
    scores = _read(tmp_path)
    assert sorted(scores["per_query"]) == ["G1_instruction/1073", "G1_instruction/588"]
    assert scores["overall"]["rate"] == 50.0
    assert score(str(converted), "--judge", "verified", "--query-ids", str(tmp_path / "none")) == 2
    assert "cannot read the query ids of group G1_instruction" in capsys.readouterr().err


def _embedded_run(root: Path, answers: dict[int, str | None]) -> tuple[Path, list]:
    """A run folder of the embedded benchmark: task n answers answers[n] (None: gives up), others the gold answer."""
    bench = load_embedded(per_group=2, seed=0)
    records = []
    for n, task in enumerate(bench.tasks):
        answer = answers.get(n, task.gold.answer)
        records.append({"task_key": task.key, "group": task.group, "query_id": task.query_id, "status":
                        "gave_up" if answer is None else "answered", "final_answer": answer or "",
                        "turns": [{"role": "user", "text": task.query}], "calls": []})
    run = root / "run"
    (run / "tooleval").mkdir(parents=True)
    (run / "run.json").write_text(json.dumps({"run_name": "run", "benchmark": bench.info}))
    tasks = {t.key: t for t in bench.tasks}
    for group in {r["group"] for r in records}:
        group_records = [r for r in records if r["group"] == group]
        (run / "tooleval" / f"{group}.json").write_text(json.dumps(converted_group(tasks, group_records)))
    return run, [(tasks[r["task_key"]], r) for r in records]


def test_verified_judge_on_an_embedded_run_agrees_with_the_verified_rule(tmp_path: Path, capsys) -> None:
    run, pairs = _embedded_run(tmp_path, {0: "I could not find it.", 3: None, 5: ""})
    assert score(str(run), "--judge", "verified") == 0
    printed = capsys.readouterr().out
    assert "evaluations per query" not in printed and "judge verified (gold facts stated" in printed
    scores = _read(run)  # written into the run folder by default
    expected = {t.key: verified_pass(r["final_answer"], r["status"] == "answered", t.gold.facts) for t, r in pairs}
    assert {k: q["passed"] for k, q in scores["per_query"].items()} == expected
    assert sum(expected.values()) == len(expected) - 3
    assert scores["judge"]["id"] == "verified" and scores["judge_stats"]["model_calls"] == 0


def test_model_judge_scores_again_from_the_cache(tmp_path: Path, capsys) -> None:
    run, _ = _embedded_run(tmp_path, {})
    out = tmp_path / "out"
    assert score(str(run), "--judge", "scripted:judge-always-solved", "--out", str(out)) == 0
    assert "3 evaluations per query" in capsys.readouterr().out  # a model judge samples: the count matters
    first = _read(out)
    assert first["judge_stats"]["model_calls"] == 12 * 3 and first["overall"]["rate"] == 100.0
    assert score(str(run), "--judge", "scripted:judge-always-solved", "--out", str(out)) == 0
    second = _read(out)
    assert second["judge_stats"]["model_calls"] == 0 and second["judge_stats"]["cache_hits"] == 36
    assert second["per_query"] == first["per_query"]
    assert (out / "judge_cache.jsonl").is_file()


def test_a_model_judge_shows_a_bar_per_function_it_asks(tmp_path: Path, capsys) -> None:
    run, _ = _embedded_run(tmp_path, {})
    assert score(str(run), "--judge", "scripted:judge-always-solved", "--out", str(tmp_path / "out")) == 0
    bars = capsys.readouterr().err.replace("\r", "\n")
    assert re.search(r"judge check_answer_status: 100%.*\| 36/36 \[", bars)  # 12 answers x 3 evaluations


def test_a_model_judge_keeps_the_verified_scores_of_a_run(tmp_path: Path, capsys) -> None:
    run, _ = _embedded_run(tmp_path, {0: "I could not find it."})
    assert score(str(run), "--judge", "verified") == 0
    verified = (run / "scores.json").read_bytes()
    assert score(str(run), "--judge", "scripted:judge-always-solved") == 0
    assert "scores.scripted.json" in capsys.readouterr().out
    assert (run / "scores.json").read_bytes() == verified  # the benchmark's own verdicts stay
    judged = json.loads((run / "scores.scripted.json").read_text())
    assert judged["judge"]["kind"] != "verified" and judged["overall"]["rate"] == 100.0


def test_the_library_call_and_the_command_write_the_same_scores(tmp_path: Path) -> None:
    from engine.judges.scoring import ScoreRequest, score as score_call

    run, _ = _embedded_run(tmp_path, {2: ""})
    assert score(str(run), "--judge", "verified", "--out", str(tmp_path / "cli")) == 0
    path, document = score_call(ScoreRequest(run, "verified", out=tmp_path / "lib"))
    assert path == tmp_path / "lib" / "scores.json"
    cli = json.loads((tmp_path / "cli" / "scores.json").read_text())
    assert {k: q["passed"] for k, q in cli["per_query"].items()} == {k: q["passed"] for k, q in document["per_query"].items()}


def test_win_rate_against_a_reference(tmp_path: Path) -> None:
    candidate, _ = _embedded_run(tmp_path / "c", {})
    reference, _ = _embedded_run(tmp_path / "r", {0: None, 1: None})
    assert score(str(candidate), "--judge", "verified", "--reference", str(reference)) == 0
    win = _read(candidate)["win_rate"]
    assert win["reference"]["kind"] == "run" and win["counts"]["tie"] == 0  # 3 rounds, every round decided
    assert win["per_query"]["G1_instruction/0"]["outcome"] == win["per_query"]["G1_instruction/1"]["outcome"] == "win"
    assert win["per_query"]["G1_tool/0"]["decided_by"] == ["identical"] * 3  # same answers: a seeded coin
    assert win["pass_rate_difference"]["n"] == 12 and win["pass_rate_difference"]["diff"] == pytest.approx(200 / 12)
    assert win["per_query"]["G1_instruction/0"]["decided_by"] == ["pass_label"] * 3


@pytest.mark.parametrize("argv, message", [
    (["no/such/run", "--judge", "verified"], "nothing to score"),
    (["{converted}", "--judge", "verified"], "needs a run folder"),
    (["{converted}", "--judge", "gpt-4"], "unknown judge spec"),
    (["{converted}", "--judge", "verified", "--times", "0"], "--times"),
])
def test_bad_input_is_a_clear_error(tmp_path: Path, capsys, argv: list[str], message: str) -> None:
    converted = tmp_path / "model" / "G1_instruction.json"
    converted.parent.mkdir()
    converted.write_text("{}")
    assert score(*[a.replace("{converted}", str(converted)) for a in argv]) == 2
    assert message in capsys.readouterr().err


def test_a_malformed_record_names_file_and_query(tmp_path: Path, capsys) -> None:
    converted = tmp_path / "G1_instruction.json"
    converted.write_text(json.dumps({"42": {"query": "q", "available_tools": [], "answer": {"final_answer": 3}}}))
    assert score(str(converted), "--judge", "verified", "--out", str(tmp_path)) == 2
    assert f"{converted}: record '42': 'answer.final_answer'" in capsys.readouterr().err
