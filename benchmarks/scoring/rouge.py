"""ROUGE-L as alpha-UMi scored its summaries: the `rouge` package 1.0.1 (pltrdy) `Rouge().get_scores(...)
["rouge-l"]["f"]`, reimplemented so the numbers compare with the paper's.

Its quirks are kept: sentences are split on "." (each whitespace-normalised, words split on single
spaces), the score is summary-level union LCS, and every count is over DISTINCT words (its `Ngrams` are
sets): R = |union of LCS words| / |distinct reference words|, P = the same / |distinct candidate words|,
F = 2PR / (P + R + 1e-8). Where that package raises (a text with no sentence), the score here is 0.
"""
from __future__ import annotations


def _sentences(text: str) -> list[str]:
    return [" ".join(s.split()) for s in text.split(".") if len(s) > 0]


def _words(sentences: list[str]) -> set[str]:
    return {w for s in sentences for w in s.split(" ")}


def lcs_words(x: list[str], y: list[str]) -> list[str]:
    """The words of one longest common subsequence of x and y, chosen by that package's backtracking."""
    table = [[0] * (len(y) + 1) for _ in range(len(x) + 1)]
    for i in range(1, len(x) + 1):
        for j in range(1, len(y) + 1):
            table[i][j] = table[i - 1][j - 1] + 1 if x[i - 1] == y[j - 1] else max(table[i - 1][j], table[i][j - 1])
    words, i, j = [], len(x), len(y)
    while i > 0 and j > 0:
        if x[i - 1] == y[j - 1]:
            words.append(x[i - 1])
            i, j = i - 1, j - 1
        elif table[i - 1][j] > table[i][j - 1]:
            i -= 1
        else:
            j -= 1
    return words[::-1]


def rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F in [0, 1] of a candidate text against a reference text."""
    hyp, ref = _sentences(candidate), _sentences(reference)
    if not hyp or not ref:
        return 0.0
    union = {w for r in ref for h in hyp for w in lcs_words(r.split(" "), h.split(" "))}
    recall, precision = len(union) / len(_words(ref)), len(union) / len(_words(hyp))
    return 2.0 * precision * recall / (precision + recall + 1e-8)
