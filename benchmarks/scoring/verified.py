"""The `verified` rule: a pass needs a given answer that states every gold fact (no model involved).

Matching works on tokens: words (lowercased) and numbers (thousands separators dropped, trailing
zeros removed, sign ignored), so "14.50" states "14.5", "1,234" states "1234", "6:42 AM" states
"06:42", but "140" does not state "14" and "14.5" does not state "14". A fact is stated when its
tokens appear consecutively in the answer.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable


# A number with thousands separators ("1,234,567.5") or a plain one ("1234.5", "07"); or a word. A word
# may hold numeric characters that are not decimal digits ("❶", "፩"): the groups, not the first
# character, say which a token is.
_TOKEN = re.compile(r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)|\d+(?:\.\d+)?)|([^\W\d_]+)")


def _number(text: str) -> str:
    """Canonical spelling of a decimal number: ASCII digits, no separators, no leading zeros, no
    trailing zeros after the point. Exact at any length (Decimal rounded past 28 digits)."""
    if text.isascii():  # its decimal characters are the digits themselves: only the separators go
        digits = text.replace(",", "")
    else:
        digits = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text if c != ",")
    whole, _, fraction = digits.partition(".")
    whole, fraction = whole.lstrip("0") or "0", fraction.rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole


def tokens(text: str) -> tuple[str, ...]:
    """Words (lowercased, accents dropped) and canonical numbers; punctuation and signs dropped."""
    if text.isascii():  # NFKD leaves ASCII as it is and it has no combining marks: the common case, done fast
        plain = text
    else:
        plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return tuple(_number(number) if number else word.casefold() for number, word in _TOKEN.findall(plain))


def _stated(answer: tuple[str, ...], fact: tuple[str, ...]) -> bool:
    n = len(fact)
    if n == 0 or fact[0] not in answer:  # its first token nowhere: no window to compare (the common miss)
        return False
    return any(answer[i:i + n] == fact for i in range(len(answer) - n + 1))


def states(answer: str, fact: str) -> bool:
    """Whether the answer states the fact (see the module docstring for the normalisation)."""
    return _stated(tokens(answer), tokens(fact))


def verified_pass(final_answer: str | None, gave_answer: bool, facts: Iterable[str]) -> bool:
    """Passed: the agent finished with give_answer and the answer states every fact.

    Raises ValueError for a task without facts, which this judge cannot score.
    """
    facts = tuple(facts)
    if not facts:
        raise ValueError("verified_pass needs at least one gold fact")
    if not gave_answer or not final_answer or not final_answer.strip():
        return False
    answer = tokens(final_answer)
    return all(_stated(answer, tokens(f)) for f in facts)
