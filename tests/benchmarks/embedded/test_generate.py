"""Generated tasks: sizes, determinism, ToolBench group semantics, and gold solutions that check out."""
from __future__ import annotations

import json
import re
import time

import pytest

from benchmarks.embedded import generate, world_response
from benchmarks.embedded.generate import POOLS, EmbeddedBenchmark
from benchmarks.embedded.phrasing import date_spellings
from benchmarks.embedded.world import CATEGORIES, HELD_OUT_CATEGORIES
from benchmarks.toolbench import GROUP_ORDER
from benchmarks.core.types import Task
from benchmarks.scoring.verified import states, verified_pass

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.fixture(scope="module")
def big() -> EmbeddedBenchmark:
    start = time.perf_counter()
    bench = generate(2000, seed=0)
    assert time.perf_counter() - start < 120  # a guard against minutes-long generation, not a speed figure
    return bench


def _groups(bench: EmbeddedBenchmark) -> dict[str, list[Task]]:
    out: dict[str, list[Task]] = {}
    for t in bench.tasks:
        out.setdefault(t.group, []).append(t)
    return out


@pytest.mark.parametrize("n", [5, 2000])
def test_sizes_and_ids(n: int, big: EmbeddedBenchmark) -> None:
    bench = big if n == 2000 else generate(n)
    groups = _groups(bench)
    assert list(groups) == list(GROUP_ORDER)
    for tasks in groups.values():
        assert [t.query_id for t in tasks] == [str(i) for i in range(n)]
        assert len({t.query for t in tasks}) == n  # no repeated query within a group
        assert all(t.benchmark == "embedded" for t in tasks)


def test_same_seed_same_tasks_other_seed_other_tasks() -> None:
    assert generate(30, seed=7).tasks == generate(30, seed=7).tasks
    assert [t.query for t in generate(30, seed=7).tasks] != [t.query for t in generate(30, seed=8).tasks]


def test_smaller_benchmark_is_a_prefix_of_a_larger_one(big: EmbeddedBenchmark) -> None:
    small, large = _groups(generate(40)), _groups(big)
    for group, tasks in small.items():
        assert tasks == large[group][:40]


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="per_group"):
        generate(0)
    with pytest.raises(ValueError, match="G9_nothing"):
        generate(5, groups=["G9_nothing"])
    assert {t.group for t in generate(3, groups=["G3_instruction"]).tasks} == {"G3_instruction"}


def _category_of(task: Task, tool: str) -> str:
    return next(t.category for t in task.tools if t.tool == tool)


def test_group_semantics(big: EmbeddedBenchmark) -> None:
    held_out_tools = {c.tools[-1].name for c in CATEGORIES if not c.held_out}
    for task in big.tasks:
        tools = {t.tool for t in task.tools}
        categories = {t.category for t in task.tools}
        needed_tools = {tool for tool, _ in task.relevant_apis}
        needed_categories = {_category_of(task, tool) for tool in needed_tools}
        kind = task.group[:2]
        if kind == "G1":
            assert len(tools) == 1 and len(categories) == 1, task.key
        elif kind == "G2":
            assert len(needed_tools) >= 2 and len(categories) == 1, task.key
        else:
            assert len(needed_categories) >= 2, task.key
        unseen_category = task.group in ("G1_category", "G2_category")
        assert all((c in HELD_OUT_CATEGORIES) == unseen_category for c in categories), task.key
        if not unseen_category:
            assert all((t in held_out_tools) == (task.group == "G1_tool") for t in tools), task.key


def test_every_pool_tool_is_used(big: EmbeddedBenchmark) -> None:
    used = {(g.group, tool) for g in big.tasks for tool, _ in g.relevant_apis}
    for group, pool in POOLS.items():
        assert {(group, t.name) for _, t in pool} <= used


def test_api_lists_and_relevant_apis(big: EmbeddedBenchmark) -> None:
    for task in big.tasks:
        assert 2 <= len(task.tools) <= 10, task.key
        offered = {(t.tool, t.api) for t in task.tools}
        assert set(task.relevant_apis) <= offered
        assert len(set(task.relevant_apis)) == len(task.relevant_apis) >= 1
        assert len(task.relevant_apis) <= 4
        assert len({t.function_name for t in task.tools}) == len(task.tools)


def test_gold_calls_are_the_worlds_answers(big: EmbeddedBenchmark) -> None:
    for task in big.tasks[::7]:
        assert len(task.gold.calls) == len(task.relevant_apis)
        for call, (tool, api) in zip(task.gold.calls, task.relevant_apis):
            spec = next(t for t in task.tools if (t.tool, t.api) == (tool, api))
            assert call.name == spec.function_name
            assert set(call.arguments) <= set(spec.parameters["properties"])
            assert call.response == world_response(spec.category, tool, api, call.arguments)
            assert json.loads(json.dumps(call.response)) == call.response


@pytest.mark.slow
def test_facts_are_in_the_gold_observations_and_the_gold_answer(big: EmbeddedBenchmark) -> None:
    for task in big.tasks[::3]:
        observations = " ".join(json.dumps({"error": "", "response": c.response})[:1024] for c in task.gold.calls)
        assert task.gold.facts
        for fact in task.gold.facts:
            assert states(observations, fact), (task.key, fact)
        assert verified_pass(task.gold.answer, True, task.gold.facts), task.key


def test_queries_do_not_give_the_facts_away(big: EmbeddedBenchmark) -> None:
    """Echoing the question must not pass: facts stated by the query itself are rare coincidences."""
    facts = [(t.query, f) for t in big.tasks[::4] for f in t.gold.facts]
    assert sum(states(query, fact) for query, fact in facts) < 0.02 * len(facts)


def _written_in(query: str, value: object) -> bool:
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        return any(spelling in query for spelling in date_spellings(value))
    if isinstance(value, str) and "," in value:  # a list argument ("EUR,GBP") is written as a list
        return all(_written_in(query, part) for part in value.split(","))
    return str(value).casefold() in query.casefold()


def test_queries_state_every_argument(big: EmbeddedBenchmark) -> None:
    for task in big.tasks[::5]:
        for call in task.gold.calls:
            for name, value in call.arguments.items():
                assert _written_in(task.query, value), (task.key, name, value, task.query)


def test_queries_are_varied(big: EmbeddedBenchmark) -> None:
    first_words = {t.query.split()[0] for t in big.tasks}
    assert len(first_words) > 20


def test_cache_holds_each_gold_call_once(big: EmbeddedBenchmark) -> None:
    keys = [(e.category, e.tool, e.api, str(e.arguments)) for e in big.cache]
    assert len(keys) == len(set(keys))
    gold = {(t.category, t.tool, t.api, str(c.arguments))
            for task in big.tasks for c, (tool, api) in zip(task.gold.calls, task.relevant_apis)
            for t in task.tools if (t.tool, t.api) == (tool, api)}
    assert set(keys) == gold
    for e in big.cache[::50]:
        assert e.response == world_response(e.category, e.tool, e.api, e.arguments)
