"""How far two judges agree on the same answers: the share of queries they label alike and Cohen's kappa.

kappa = (p_o - p_e) / (1 - p_e), with p_o the observed agreement and p_e the agreement expected by chance
from each judge's own label frequencies. Computed from counts, exactly: with n queries, `agree` of them
labelled alike and S = sum over labels of count_A(label) x count_B(label), kappa = (n agree - S) / (n^2 - S).
It is undefined when p_e = 1 (S = n^2), that is when both judges give every query one and the same label
(or there is no query): the agreement is then total but says nothing about the judges, and kappa is
reported as None with the reason instead of dividing by zero.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Hashable, Mapping, Sequence

from benchmarks.scoring.intervals import rate_with_ci

PASSED_LABELS = {1.0: "passed", 0.0: "failed"}


def cohen_kappa(first: Sequence[Hashable], second: Sequence[Hashable]) -> tuple[float | None, str | None]:
    """(kappa, None), or (None, why it is undefined)."""
    if len(first) != len(second):
        raise ValueError(f"cohen_kappa needs two label lists of one length, got {len(first)} and {len(second)}")
    n = len(first)
    if n == 0:
        return None, "no query was labelled by both judges"
    agree = sum(a == b for a, b in zip(first, second))
    counts_first, counts_second = Counter(first), Counter(second)
    chance = sum(counts_first[label] * counts_second[label] for label in counts_first)
    if chance == n * n:
        return None, f"both judges gave every query the same label ({first[0]!r}): chance agreement is 1"
    return (n * agree - chance) / (n * n - chance), None


def agreement(first: Mapping[str, Hashable], second: Mapping[str, Hashable], seed: int = 0) -> dict[str, Any]:
    """Agreement over the keys both mappings label: {"n", "agreement" (a rate in percent with its 95%
    interval), "kappa", "kappa_undefined", "confusion" ({"<first>/<second>": count})}."""
    keys = sorted(set(first) & set(second))
    a, b = [first[k] for k in keys], [second[k] for k in keys]
    kappa, undefined = cohen_kappa(a, b)
    confusion = Counter(f"{x}/{y}" for x, y in zip(a, b))
    return {"n": len(keys), "agreement": rate_with_ci([x == y for x, y in zip(a, b)], seed=seed), "kappa": kappa,
            "kappa_undefined": undefined, "confusion": dict(sorted(confusion.items()))}


def agreement_section(other_judge: Mapping[str, Any], passed: Mapping[str, float], other_passed: Mapping[str, float],
                      other_stats: Mapping[str, Any], seed: int = 0) -> dict[str, Any]:
    """scores.json's `judge_agreement`: the judge of the document (first) against `other_judge` (second) on
    each query's passed/failed label."""
    first = {k: PASSED_LABELS[v] for k, v in passed.items()}
    second = {k: PASSED_LABELS[v] for k, v in other_passed.items()}
    return {"judge": dict(other_judge), **agreement(first, second, seed), "judge_stats": dict(other_stats),
            "per_query": {k: [first[k], second[k]] for k in sorted(set(first) & set(second))}}


def agreement_text(section: Mapping[str, Any]) -> str:
    """One line for the summary."""
    rate = section["agreement"]
    kappa = (f"Cohen's kappa {section['kappa']:.3f}" if section["kappa"] is not None
             else f"Cohen's kappa undefined ({section['kappa_undefined']})")
    shown = "-" if rate["rate"] is None else f"{rate['rate']:.1f}% [{rate['ci95'][0]:.1f}, {rate['ci95'][1]:.1f}]"
    return f"agreement with {section['judge'].get('id')}: {shown} of {section['n']} queries; {kappa}"
