"""The verified pass rule on hand-made answers, and the bootstrap intervals."""
from __future__ import annotations

import unicodedata

import pytest

from benchmarks.scoring.intervals import bootstrap_ci, rate_with_ci
from benchmarks.scoring.verified import states, tokens, verified_pass

FACTS = ("14.5", "Lisbon")


def test_an_answer_stating_every_fact_passes() -> None:
    assert verified_pass("It is 14.5 degrees and sunny in Lisbon.", True, FACTS)
    assert verified_pass("lisbon: 14.50 C", True, FACTS)  # order, case and trailing zeros do not matter


@pytest.mark.parametrize("answer", [
    "It is sunny in Lisbon.",  # a fact missing
    "It is 15.5 degrees in Lisbon.",  # a wrong value
    "It is 14 degrees in Lisbon.",  # 14 is not 14.5
    "It is 145 degrees in Lisbon.",  # digits of a longer number
    "It is 14.5 degrees in Porto.",
])
def test_missing_or_wrong_facts_fail(answer: str) -> None:
    assert not verified_pass(answer, True, FACTS)


@pytest.mark.parametrize("answer", [None, "", "   "])
def test_no_answer_fails(answer: str | None) -> None:
    assert not verified_pass(answer, True, FACTS)


def test_giving_up_fails_even_with_the_facts() -> None:
    assert not verified_pass("It is 14.5 degrees in Lisbon.", False, FACTS)


@pytest.mark.parametrize("answer, fact", [
    ("14.0 degrees", "14"), ("14 degrees", "14.0"), ("14.50", "14.5"), ("1,234,567 people", "1234567"),
    ("1234567 people", "1,234,567"), ("sunrise at 6:42 AM", "06:42"), ("NEW   york", "New York"),
    ("Sao Paulo", "São Paulo"), ("flight LH 400", "LH400"), ("$2,500.00", "2500"),
])
def test_normalised_matches(answer: str, fact: str) -> None:
    assert states(answer, fact)


@pytest.mark.parametrize("answer, fact", [
    ("140 km", "14"), ("2140", "140"), ("14.5", "14"), ("1.45", "14.5"), ("York New", "New York"),
    ("Newark", "New"), ("anything", "%"),
])
def test_numbers_and_words_match_whole(answer: str, fact: str) -> None:
    assert not states(answer, fact)


def test_tokens() -> None:
    assert tokens("It's 1,234.50 USD (-3.0 C)") == ("it", "s", "1234.5", "usd", "3", "c")


def test_a_task_without_facts_cannot_be_verified() -> None:
    with pytest.raises(ValueError, match="fact"):
        verified_pass("anything", True, [])


def test_bootstrap_interval_contains_the_mean_and_is_seeded() -> None:
    values = [1.0] * 30 + [0.0] * 70
    low, high = bootstrap_ci(values)
    assert low <= 0.3 <= high
    assert 0.15 < low < high < 0.45
    assert bootstrap_ci(values, seed=5) == bootstrap_ci(values, seed=5)
    assert bootstrap_ci([1.0, 1.0, 1.0]) == (1.0, 1.0)


def test_bootstrap_interval_shrinks_with_n() -> None:
    widths = []
    for n in (20, 200, 20_000):
        low, high = bootstrap_ci([1.0, 0.0] * (n // 2))
        widths.append(high - low)
    assert widths[0] > widths[1] > widths[2] > 0


def test_bootstrap_level_and_bad_input() -> None:
    values = [1.0, 0.0] * 50
    narrow, wide = bootstrap_ci(values, level=0.5), bootstrap_ci(values, level=0.99)
    assert wide[0] < narrow[0] < narrow[1] < wide[1]
    with pytest.raises(ValueError):
        bootstrap_ci([])
    with pytest.raises(ValueError):
        bootstrap_ci(values, level=1.0)


def test_rate_with_ci() -> None:
    result = rate_with_ci([True, True, False, True])
    assert result["rate"] == 75.0 and result["n"] == 4
    low, high = result["ci95"]
    assert 0 <= low <= 75.0 <= high <= 100
    assert rate_with_ci([]) == {"rate": None, "ci95": None, "n": 0}


@pytest.mark.parametrize("mark", ["❶", "⓵", "፩", "①", "²", "Ⅻ"])
def test_numeric_characters_that_are_not_decimal_digits_are_words(mark: str) -> None:
    """Model text with such characters must not crash end-of-run scoring (issue 13, item 1)."""
    assert states(f"{mark} Paris", "Paris")
    assert not states(f"{mark} Lisbon", "Paris")
    assert verified_pass(f"{mark} Paris", True, ["Paris"])


def test_every_numeric_code_point_can_be_tokenised() -> None:
    """Each character with a numeric value, alone and between two digits."""
    points = [chr(c) for c in range(0x110000) if unicodedata.numeric(chr(c), None) is not None]
    assert len(points) > 1500
    for c in points:
        assert states(f"{c} 1{c}2 Paris", "Paris")


def test_long_numbers_compare_exactly() -> None:
    """32 significant digits: two numbers differing in the last one are different facts."""
    assert not states("12345678901234567890123456789012", "12345678901234567890123456789011")
    assert states("0012345678901234567890123456789012.000", "12345678901234567890123456789012")


def test_decimal_digits_of_other_scripts_are_numbers() -> None:
    assert tokens("١٢٣٫ ٤٥") == ("123", "45")  # Arabic-Indic digits (the separator is no ASCII point)
    assert states("Population: ١٢٣", "123")


def test_wilson_interval_is_not_certainty_at_a_few_queries():
    from benchmarks.scoring.intervals import wilson_interval

    assert [round(x, 1) for x in wilson_interval(0, 6)] == [0.0, 39.0]
    assert [round(x, 1) for x in wilson_interval(2, 2)] == [34.2, 100.0]
    assert [round(x, 1) for x in wilson_interval(50, 100)] == [40.4, 59.6]
