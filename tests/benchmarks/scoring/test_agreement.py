"""Agreement rate and Cohen's kappa on cases checked by hand, degenerate ones included."""
from __future__ import annotations

from collections import Counter

import pytest

from benchmarks.scoring.agreement import agreement, agreement_section, agreement_text, cohen_kappa


def _by_definition(first: list, second: list) -> float:
    """kappa = (p_o - p_e) / (1 - p_e) written out in floats, independent of the module's integer form."""
    n = len(first)
    p_o = sum(a == b for a, b in zip(first, second)) / n
    count_a, count_b = Counter(first), Counter(second)
    p_e = sum((count_a[label] / n) * (count_b[label] / n) for label in set(first) | set(second))
    return (p_o - p_e) / (1 - p_e)


def test_textbook_two_by_two_table() -> None:
    # yes/yes 20, yes/no 5, no/yes 10, no/no 15: p_o = 0.7, p_e = 0.5 x 0.6 + 0.5 x 0.4 = 0.5, kappa = 0.4
    first = ["yes"] * 25 + ["no"] * 25
    second = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    kappa, undefined = cohen_kappa(first, second)
    assert kappa == pytest.approx(0.4) and undefined is None


@pytest.mark.parametrize("first, second, expected", [
    (["p", "p", "f", "f"], ["p", "p", "f", "f"], 1.0),  # perfect, both labels used
    (["p", "p", "f", "f"], ["p", "f", "p", "f"], 0.0),  # p_o 0.5 = p_e 0.5
    (["p", "f", "p", "f"], ["f", "p", "f", "p"], -1.0),  # always opposite
    (["p", "p", "p"], ["f", "f", "f"], 0.0),  # each judge one label, but not the same one: p_e = 0
])
def test_small_tables(first: list, second: list, expected: float) -> None:
    assert cohen_kappa(first, second) == (pytest.approx(expected), None)


def test_three_labels_match_the_definition() -> None:
    first = ["Solved", "Solved", "Unsure", "Unsolved", "Unsolved", "Solved", "Unsure", "Unsolved"]
    second = ["Solved", "Unsure", "Unsure", "Unsolved", "Solved", "Solved", "Unsolved", "Unsolved"]
    kappa, _ = cohen_kappa(first, second)
    assert kappa == pytest.approx(_by_definition(first, second)) and 0 < kappa < 1


@pytest.mark.parametrize("first, second, reason", [
    (["passed"] * 4, ["passed"] * 4, "same label ('passed')"),
    ([], [], "no query"),
])
def test_degenerate_cases_are_undefined_not_a_division_by_zero(first: list, second: list, reason: str) -> None:
    kappa, undefined = cohen_kappa(first, second)
    assert kappa is None and reason in undefined


def test_lists_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="one length"):
        cohen_kappa(["a"], ["a", "b"])


def test_agreement_over_the_keys_both_judged() -> None:
    first = {"G1/1": "passed", "G1/2": "passed", "G1/3": "failed", "G1/4": "failed", "G1/only_first": "passed"}
    second = {"G1/1": "passed", "G1/2": "failed", "G1/3": "failed", "G1/4": "failed"}
    result = agreement(first, second)
    assert result["n"] == 4 and result["agreement"]["rate"] == 75.0 and result["agreement"]["n"] == 4
    # p_o 3/4, p_e (2x1 + 2x3)/16 = 1/2: kappa 1/2
    assert result["kappa"] == pytest.approx(0.5) and result["kappa_undefined"] is None
    assert result["confusion"] == {"failed/failed": 2, "passed/failed": 1, "passed/passed": 1}


def test_section_and_line_of_the_summary() -> None:
    section = agreement_section({"id": "verified"}, {"G/1": 1.0, "G/2": 1.0}, {"G/1": 1.0, "G/2": 1.0}, {"model_calls": 0})
    assert section["per_query"] == {"G/1": ["passed", "passed"], "G/2": ["passed", "passed"]}
    assert section["kappa"] is None and section["judge"] == {"id": "verified"}
    assert agreement_text(section).startswith("agreement with verified: 100.0% [34.2, 100.0] of 2 queries; "  # Wilson: 2 of 2 is no certainty
                                              "Cohen's kappa undefined (both judges gave every query the same label")
