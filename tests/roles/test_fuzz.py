"""Every parser on 2,000 seeded garbage strings: it never raises and always returns a valid value.

The strings mix random unicode, fragments of every format's markers, broken and deeply nested JSON
(json raises RecursionError on those) and a few huge strings.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any, get_args, get_type_hints

import pytest

from roles.registry import format_names, get_format
from roles.types import Action, Plan, Turn

SEED = 20240611
COUNT = 2000
FRAGMENTS = (
    "Action:", "Action Input:", "action :", "**Action:**", "Action Input: {", "Next: caller.", "Next: conclusion.",
    "Next: give up.", "next: give_up", "Next:", "conclusion: ", "conclusion: give up", "Final Answer:", "Thought:",
    "Give up.", "Observation:", "```json", "```", "{", "}", "[", "]", '"', "\\", '"return_type": "',
    '"final_answer": "', "give_answer", "give_up_and_restart", "Finish", '{"name": "f", "arguments": ',
    '{"action": 1}', "</s>", "\n", " ", ": ", ".", ",", "null", "1e999", "9" * 5000, "\u0130", "\ud800", "\x00",
)
PLAN_ROUTES = {"caller", "conclusion", "give_up", "retry"}
ACTION_KINDS = set(get_args(get_type_hints(Action)["kind"]))  # every kind an Action may have (roles.types)


def _piece(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.45:
        return rng.choice(FRAGMENTS)
    if roll < 0.9:
        return "".join(chr(rng.randrange(0x110000)) for _ in range(rng.randrange(1, 12)))
    return rng.choice(["{" * rng.randrange(1, 3000), "[" * rng.randrange(1, 3000), '{"a": ' * 200])


def _garbage(rng: random.Random, index: int) -> str:
    if index % 250 == 0:  # a few huge strings: 0.7-0.8 MB, where a quadratic parser would take hours
        return "".join(_piece(rng) for _ in range(2000)) * 2
    return "".join(_piece(rng) for _ in range(rng.randrange(0, 25)))


@lru_cache(maxsize=1)
def garbage() -> tuple[str, ...]:
    rng = random.Random(SEED)
    return tuple(_garbage(rng, i) for i in range(COUNT))


def _valid_plan(plan: Any) -> bool:
    return (isinstance(plan, Plan) and plan.next in PLAN_ROUTES and isinstance(plan.thought, str)
            and isinstance(plan.marked, bool))


def _valid_action(action: Any, kinds: set[str] = ACTION_KINDS) -> bool:
    if not isinstance(action, Action) or action.kind not in kinds:
        return False
    fields = (action.thought, action.name, action.arguments, action.answer, action.error)
    return all(isinstance(f, str) for f in fields) and (action.kind != "parse_error" or bool(action.error))


def _valid_turns(turns: Any) -> bool:
    return isinstance(turns, tuple) and bool(turns) and all(isinstance(t, Turn) and isinstance(t.text, str)
                                                            for t in turns)


def _multi_checks(name: str) -> list[tuple[str, Callable[[str], bool]]]:
    fmt = get_format(name)

    def call(text: str) -> bool:  # alpha-umi reads the step with its plan: a Finish is possible
        action = fmt.parse_call(text, "Go. Next: caller.")  # type: ignore[union-attr]
        return _valid_action(action) and isinstance(fmt.call_turn(text, action), Turn)  # type: ignore[union-attr]

    def summary(text: str) -> bool:  # alpha-umi accepts an empty answer, as upstream's Finish did
        return _valid_action(fmt.parse_summary(text, "Done. Next: conclusion."), {"answer", "parse_error", "give_up"})  # type: ignore[union-attr]

    return [(f"{name}.parse_plan", lambda t: _valid_plan(fmt.parse_plan(t))),  # type: ignore[union-attr]
            (f"{name}.parse_call", call), (f"{name}.parse_summary", summary)]


def _single_checks(name: str) -> list[tuple[str, Callable[[str], bool]]]:
    fmt = get_format(name)

    def step(text: str) -> bool:
        action = fmt.parse_step(text)  # type: ignore[union-attr]
        return _valid_action(action) and _valid_turns(fmt.step_turns(text, action))  # type: ignore[union-attr]

    return [(f"{name}.parse_step", step)]


CHECKS = [check for name in format_names()
          for check in (_multi_checks(name) if get_format(name).kind == "multi" else _single_checks(name))]


@pytest.mark.parametrize("check", CHECKS, ids=[c[0] for c in CHECKS])
def test_parser_survives_garbage(check: tuple[str, Callable[[str], bool]]) -> None:
    name, is_valid = check
    started = time.perf_counter()
    bad = [i for i, text in enumerate(garbage()) if not is_valid(text)]
    assert not bad, f"{name}: invalid result for garbage strings {bad[:10]}"
    assert time.perf_counter() - started < 10, f"{name} is too slow on garbage (not linear?)"


def test_garbage_is_varied() -> None:
    texts = garbage()
    assert len(set(texts)) > COUNT * 0.9
    assert max(map(len, texts)) > 100_000
    assert sum("Action:" in t for t in texts) > 100 and sum("Next: caller." in t for t in texts) > 50
