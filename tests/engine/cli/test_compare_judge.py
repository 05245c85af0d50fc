"""`score --judge A --compare-judge B`: agreement and Cohen's kappa in scores.json and the summary; FAC
judges scored through the command line."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.core.prompt_files import STABLETOOLBENCH_ENV
from benchmarks.embedded import load_embedded
from benchmarks.scoring.fac import FAC_PROMPT_FILE
from engine.backends.scripted import register_script
from engine.cli.main import main
from tests.engine.cli.test_score import _embedded_run

# FAC's reply: Unsolved when the answer admits it found nothing, else Solved.
register_script("fac-by-words", lambda request: "Answer Status\n" + (
    "Unsolved" if "could not" in request.prompt[-1]["content"] else "Solved") + "\nReason\nr")


@pytest.fixture
def fac_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "stb"
    (folder / "prompts").mkdir(parents=True)
    (folder / "prompts" / FAC_PROMPT_FILE).write_text("Query: \\n{query}\\nAnswer: \\n{answer}\\n")
    monkeypatch.setenv(STABLETOOLBENCH_ENV, str(folder))


def _scores(folder: Path) -> dict:
    return json.loads((folder / "scores.json").read_text())


def test_fac_judge_against_the_verified_rule(fac_template: None, tmp_path: Path, capsys) -> None:
    # task 1 states every gold fact (verified: passed) but says "could not" (FAC: Unsolved)
    answer_1 = "I could not check it twice, but: " + load_embedded(per_group=2, seed=0).tasks[1].gold.answer
    run, _ = _embedded_run(tmp_path, {0: "I could not find it.", 1: answer_1, 3: None, 5: ""})
    assert main(["score", str(run), "--judge", "fac:scripted:fac-by-words", "--compare-judge", "verified"]) == 0
    scores = _scores(run)
    assert scores["procedure"].startswith("StableToolBench FAC") and scores["times"] == 1
    # FAC: 0 and 1 Unsolved; 3 gave up: no final answer, no call; 5 finished with an empty answer: FAC is asked
    # about its Finish arguments, as upstream would be (Solved by this script)
    assert scores["overall"]["rate"] == 75.0 and scores["judge_stats"]["model_calls"] == 11
    section = scores["judge_agreement"]
    assert section["judge"]["id"] == "verified" and section["n"] == 12
    # FAC 9 passed / 3 failed, verified 9 / 3, 10 alike: kappa = (12 x 10 - (9 x 9 + 3 x 3)) / (144 - 90) = 5/9
    assert section["agreement"]["rate"] == pytest.approx(100 * 10 / 12) and section["kappa"] == pytest.approx(5 / 9)
    assert section["confusion"] == {"failed/failed": 2, "failed/passed": 1, "passed/failed": 1, "passed/passed": 8}
    assert section["per_query"]["G1_instruction/1"] == ["failed", "passed"]
    assert section["per_query"]["G1_tool/1"] == ["passed", "failed"]
    assert "agreement with verified: 83.3% [" in capsys.readouterr().out


def test_identical_judges_with_one_label_have_an_undefined_kappa(tmp_path: Path, capsys) -> None:
    run, _ = _embedded_run(tmp_path, {})
    assert main(["score", str(run), "--judge", "verified", "--compare-judge", "verified"]) == 0
    section = _scores(run)["judge_agreement"]
    assert section["agreement"]["rate"] == 100.0 and section["kappa"] is None
    assert "same label ('passed')" in section["kappa_undefined"]
    assert "Cohen's kappa undefined (both judges gave every query the same label" in capsys.readouterr().out


def test_a_bad_compare_judge_is_a_clear_error(tmp_path: Path, capsys) -> None:
    run, _ = _embedded_run(tmp_path, {})
    assert main(["score", str(run), "--judge", "verified", "--compare-judge", "gpt-4"]) == 2
    assert "unknown judge spec 'gpt-4'" in capsys.readouterr().err


def test_fac_with_the_real_prompt_through_the_command_line(shared_data: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(STABLETOOLBENCH_ENV, str(shared_data / "stabletoolbench"))
    converted = shared_data / "stabletoolbench/data_example/model_predictions_converted/virtual_chatgpt_cot/G1_instruction.json"
    assert main(["score", str(converted), "--judge", "fac:scripted:fac-by-words", "--out", str(tmp_path)]) == 0
    scores = _scores(tmp_path)
    # query 588 has no final answer (Unsolved, no call); 608 and 1073 answer
    assert scores["per_query"]["G1_instruction/588"]["rule"] == ["empty_answer"]
    assert round(scores["overall"]["rate"], 1) == 66.7 and scores["judge_stats"]["model_calls"] == 2
    cached = [json.loads(line) for line in (tmp_path / "judge_cache.jsonl").read_text().splitlines()]
    assert [entry["judge"] for entry in cached] == ["fac:scripted:fac-by-words"] * 2
