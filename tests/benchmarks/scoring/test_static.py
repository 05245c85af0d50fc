"""alpha-UMi static metrics on hand-computed examples, and the gold steps as predictions scoring 100."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.scoring.rouge import lcs_words, rouge_l
from benchmarks.core.steps import CALL, FINISH, GIVE_UP, StepOutcome
from benchmarks.scoring.static import argument_f1, static_metrics
from roles.alpha_umi_steps import StaticSample, multi_outcome, single_outcome, static_samples
from tests.helpers.static_fixtures import GIVE_UP_RECORD, RECORD, TOOLS


@pytest.fixture
def samples(tmp_path: Path) -> list[StaticSample]:
    path = tmp_path / "test.json"
    path.write_text(json.dumps([RECORD, GIVE_UP_RECORD]))
    return static_samples(path)


def test_samples_and_references(samples: list[StaticSample]) -> None:
    assert [s.reference for s in samples] == [
        StepOutcome(CALL, "weather_for_meteo", '{"city": "Lisbon", "units": "C"}'),
        StepOutcome(CALL, "forecast_for_meteo", "{}"),
        StepOutcome(FINISH, answer="It is 14.5 degrees and sunny in Lisbon."),
        StepOutcome(GIVE_UP)]
    assert [len(s.history) for s in samples] == [1, 5, 8, 1]
    assert samples[1].history[-1].text == "Just thinking aloud, no marker."


def _gold_as_multi(sample: StaticSample, record: dict) -> StepOutcome:
    turns = record["conversations"]
    index = len(sample.history)
    follow = turns[index + 1]["value"] if index + 1 < len(turns) else None
    return multi_outcome(turns[index]["value"], caller=follow, summarizer=follow)


def _gold_as_single(sample: StaticSample) -> StepOutcome:
    ref = sample.reference
    if ref.plan == CALL:
        return single_outcome(f"thought\nAction: {ref.action}\nAction Input: {ref.arguments}")
    return single_outcome("conclusion: give up" if ref.plan == GIVE_UP else f"thought\nconclusion: {ref.answer}")


def test_gold_as_prediction_scores_100(samples: list[StaticSample]) -> None:
    records = [RECORD] * 3 + [GIVE_UP_RECORD]
    for predictions in ([_gold_as_multi(s, r) for s, r in zip(samples, records)], [_gold_as_single(s) for s in samples]):
        metrics = static_metrics(samples, predictions)
        assert metrics["plan_acc"] == metrics["act_em"] == metrics["arg_f1"] == 100.0 and metrics["hallu"] == 0.0
        assert metrics["rouge_l"] == pytest.approx(100.0, abs=1e-5)
        assert metrics["n"] == {"samples": 4, "calls": 2, "calls_with_json_arguments": 2, "finishes": 1}


def test_hand_computed_metrics(samples: list[StaticSample]) -> None:
    predictions = [
        StepOutcome(CALL, "weather_for_meteo", '{"city": "Lisbon", "units": "F", "extra": 1}'),  # F1 0.6
        StepOutcome(CALL, "made_up_api", "{}"),  # wrong action (F1 0) and a hallucination
        StepOutcome(FINISH, answer="It is 14.5 degrees."),
        StepOutcome(CALL, "none", "{}"),  # wrong plan; `none` is not a hallucination
    ]
    metrics = static_metrics(samples, predictions)
    assert metrics["plan_acc"] == 75.0
    assert metrics["act_em"] == 50.0
    assert metrics["hallu"] == 25.0
    assert metrics["arg_f1"] == pytest.approx(100 * (0.6 + 0.0) / 2)
    # candidate words {it, is, 14, 5, degrees} (sentences split on "."), reference adds {and, sunny, in, lisbon}
    # case-sensitively: {It, is, 14, 5, degrees, and, sunny, in, Lisbon}; LCS union {It, is, 14, 5, degrees}
    assert metrics["rouge_l"] == pytest.approx(100 * 2 * (5 / 9) / (1 + 5 / 9), rel=1e-6)


@pytest.mark.parametrize("ref_args, pred_action, pred_args, expected", [
    ('{"a": 1, "b": 2}', "api", '{"a": 1, "b": 3, "c": 4}', 0.6),  # R 1.5/2, P 1.5/3
    ('{"a": 1, "b": 2}', "api", '{"a": 1, "b": 2}', 1.0),
    ('{"a": 1}', "api", '{"b": 1}', 0.0),
    ('{"a": 1}', "other", '{"a": 1}', 0.0),  # another API
    ('{"a": 1}', "api", "not json", 0.0),
    ('{"a": 1}', "api", "[1]", 0.0),
    ("{}", "api", "{}", 1.0),
    ("{}", "api", '{"a": 1}', 0.0),
    ("not json", "api", "{}", None),  # skipped
])
def test_argument_f1(ref_args: str, pred_action: str, pred_args: str, expected: float | None) -> None:
    f1 = argument_f1(StepOutcome(CALL, "api", ref_args), StepOutcome(CALL, pred_action, pred_args))
    assert f1 == (None if expected is None else pytest.approx(expected))


def test_predictions_are_read_with_the_routing_rules() -> None:
    assert multi_outcome("Unmarked text", caller="Action: x\nAction Input: {}") == StepOutcome(CALL, "x", "{}")
    assert multi_outcome("done. Next: conclusion.", summarizer="") == StepOutcome(FINISH, answer="none")
    assert multi_outcome("Next: give up. Next: caller.") == StepOutcome(GIVE_UP)
    assert multi_outcome("Next: caller.", caller="garbage") == StepOutcome(CALL, "none", "{}")
    assert single_outcome("I am done\nconclusion: 42") == StepOutcome(FINISH, answer="42")


# evaluate-multi_agent.py reads the text infer_pipeline.py wrote: "asssitant: <plan></s>caller: <output>".
@pytest.mark.parametrize(("planner", "caller", "summarizer", "expected"), [
    # markers without the period count where upstream's reader counts them
    ("Stop. Next: give up", "Action: x\nAction Input: {}", None, StepOutcome(GIVE_UP)),
    ("Done. Next: conclusion", "Action: x\nAction Input: {}", None,
     StepOutcome(FINISH, answer="asssitant: Done. Next: conclusionNext: caller.caller: Action: x\nAction Input: {}")),
    ("Go. Next: caller.", "Next: conclusion, conclusion: 7", None, StepOutcome(FINISH, answer="7")),
    # the answer: after the last "conclusion: ", unstripped, ": " dropped once
    ("Done. Next: conclusion.", None, ": It is 7 C.  ", StepOutcome(FINISH, answer="It is 7 C.  ")),
    ("Done. Next: conclusion.", None, "So conclusion: 7 C", StepOutcome(FINISH, answer="7 C")),
    ("Done. Next: conclusion.", None, "Next: give up", StepOutcome(GIVE_UP)),
])
def test_predictions_are_read_as_upstreams_evaluate_script(planner: str, caller: str | None, summarizer: str | None,
                                                           expected: StepOutcome) -> None:
    assert multi_outcome(planner, caller, summarizer) == expected


def test_backbone_answers_are_not_stripped() -> None:
    assert single_outcome(": Done.\nconclusion:  42 ") == StepOutcome(FINISH, answer=" 42 ")
    assert single_outcome("conclusion: give up.") == StepOutcome(GIVE_UP)


def test_references_are_read_from_upstreams_reference_text(tmp_path: Path) -> None:
    record = {"tools": TOOLS, "instruction": "q", "conversations": [
        {"from": "user", "value": "q"},
        {"from": "assistant", "value": "Answer now. Next: conclusion."},
        {"from": "conclusion", "value": "A conclusion: 7 C</s>"},
        {"from": "assistant", "value": "Give up? Next: give up but Next: caller."},
        {"from": "caller", "value": "Action: weather_for_meteo\nAction Input: {}"}]}
    path = tmp_path / "t.json"
    path.write_text(json.dumps([record]))
    assert [s.reference for s in static_samples(path)] == [StepOutcome(FINISH, answer="7 C"), StepOutcome(GIVE_UP)]
    backbone = [s.reference for s in static_samples(path, "single")]
    assert backbone == [StepOutcome(FINISH, answer="7 C</s>"), StepOutcome(CALL, "weather_for_meteo", "{}")]


def test_rouge_l_by_hand() -> None:
    assert rouge_l("the cat sat", "the cat sat on the mat") == pytest.approx(2 * 0.6 / 1.6, rel=1e-6)
    assert rouge_l("a b. c d", "a c. b d") == pytest.approx(1.0, rel=1e-6)  # union LCS over sentence pairs
    assert rouge_l("", "anything") == rouge_l("...", "x") == 0.0
    assert lcs_words(["a", "b", "c"], ["b", "a", "c"]) == ["b", "c"]  # the package's tie-break


@pytest.mark.parametrize("content, match", [
    ("{}", "JSON list"),
    ('[{"tools": [], "conversations": []}]', "record 0: not an object"),
    ('[{"tools": [{}], "instruction": "q", "conversations": []}]', "record 0: 'tools'"),
    ('[{"tools": [], "instruction": "q", "conversations": [{"from": "robot", "value": "x"}]}]', "record 0: a turn"),
])
def test_malformed_test_files_name_the_record(tmp_path: Path, content: str, match: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(ValueError, match=match):
        static_samples(path)
