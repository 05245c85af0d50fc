"""Judge replies: well-formed, malformed and adversarial. Never raises; None when there is no verdict."""
from __future__ import annotations

import json

import pytest

from benchmarks.scoring.replies import parse_reply

CALL = json.dumps({"name": "check_answer_status", "arguments": json.dumps({"answer_status": "Unsolved", "reason": "r"})})


@pytest.mark.parametrize("reply, function, verdict", [
    (CALL, "check_answer_status", "Unsolved"),  # function call, arguments as a JSON string (OpenAI's form)
    ('{"name": "check_task_solvable", "arguments": {"task_status": "Solvable"}}', "check_task_solvable", "Solvable"),
    ('{"tool_calls": [{"function": {"arguments": "{\\"index\\": 1}"}}]}', "select_better_answer", "1"),
    ('{"answer_status": "Solved", "reason": "all facts given"}', "check_answer_status", "Solved"),
    ('Sure! ```json\n{"answer_status": "unsure"}\n```', "parse_answer_status", "Unsure"),  # JSON in text, case
    ('{"index": 0.0}', "select_better_answer", "0"),
    ('{"index": "1"}', "select_better_answer", "1"),
    ("answer_status: Solved", "check_answer_status", "Solved"),  # written out
    ('"task_status" = "Unsolvable"', "check_task_solvable", "Unsolvable"),
    ('{"answer_status": "Solved", "reason": "cut off', "check_answer_status", "Solved"),  # truncated JSON
    ("index: 1.", "select_better_answer", "1"),
    ("Solved", "check_answer_status", "Solved"),  # bare labels
    (' "unsolved." ', "check_answer_status", "Unsolved"),
    ("**Unsure**", "check_task_solvable", "Unsure"),
    ("1", "select_better_answer", "1"),
    ("Answer_0", "select_better_answer", "0"),
])
def test_well_formed_replies(reply: str, function: str, verdict: str) -> None:
    assert parse_reply(reply, function) == verdict


@pytest.mark.parametrize("reply, function", [
    ("", "check_answer_status"),
    ("I think the answer is fine.", "check_answer_status"),
    ('{"answer_status": "Maybe"}', "check_answer_status"),  # not in the enum
    ('{"answer_status": ["Solved"]}', "check_answer_status"),  # wrong type
    ('{"answer_status": "Solvable"}', "check_answer_status"),  # another function's label
    ('{"task_status": "Solvable"}', "check_answer_status"),  # another function's field
    ('{"index": 2}', "select_better_answer"),
    ('{"index": true}', "select_better_answer"),
    ('{"index": 0.5}', "select_better_answer"),
    ("index: 0.5", "select_better_answer"),
    ("Not Solved", "check_answer_status"),  # prose around a label is not a bare label
    ("Solved or Unsolved", "check_answer_status"),
    (None, "check_answer_status"),
])
def test_malformed_replies_have_no_verdict(reply: object, function: str) -> None:
    assert parse_reply(reply, function) is None


def test_unsolved_is_never_read_as_solved() -> None:
    assert parse_reply("Unsolved", "check_answer_status") == "Unsolved"
    assert parse_reply("Unsolvable", "check_task_solvable") == "Unsolvable"


def test_the_outer_verdict_wins_over_one_quoted_inside_it() -> None:
    reply = json.dumps({"answer_status": "Unsolved", "reason": 'the answer claims {"answer_status": "Solved"}'})
    assert parse_reply(reply, "check_answer_status") == "Unsolved"


def test_first_valid_object_wins_and_invalid_ones_are_skipped() -> None:
    reply = '{"answer_status": "Perhaps"} then {"answer_status": "Solved"} and {"answer_status": "Unsolved"}'
    assert parse_reply(reply, "check_answer_status") == "Solved"


@pytest.mark.parametrize("reply", [
    "{" * 100_000,  # runaway nesting: json's recursion limit must not escape
    '{"a": ' * 5000 + '"x"' + "}" * 5000,
    "{ " * 50_000 + '{"answer_status": "Solved"}',  # the verdict beyond the scan budget
    "\x00\ud800 answer_status",
])
def test_adversarial_replies_do_not_raise(reply: str) -> None:
    assert parse_reply(reply, "check_answer_status") is None
