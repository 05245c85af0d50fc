"""Generate the embedded benchmark: ToolBench-shaped queries in the six groups, each with a gold solution
(calls, observations) and the facts a correct final answer must state.

Group semantics follow ToolBench: G1 = one tool, G2 = several tools of one category, G3 = tools of
several categories; `_instruction` groups use tools of the "seen" part of the world, `G1_tool` the
held-out tools, `G1_category`/`G2_category` the held-out categories (see world.HELD_OUT_CATEGORIES).
Query i of a group depends only on (seed, group, i) and the queries before it (a repeated text is
redrawn), so a larger benchmark starts with the smaller one.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from random import Random
from typing import Any

from benchmarks.embedded import phrasing
from benchmarks.embedded.core import Tool
from benchmarks.embedded.world import CATEGORIES, Endpoint, tool_endpoints
from benchmarks.toolbench import GROUP_ORDER
from benchmarks.core.types import CachedResponse, Gold, GoldCall, Task

BENCHMARK = "embedded"
MAX_APIS = 10  # api_list length cap (ToolBench's queries have 1 to 13)
Placed = tuple[str, Tool]  # (category, tool)


@dataclass(frozen=True)
class CacheEntry:
    """One gold call's response as the StableToolBench cache stores it."""

    category: str
    tool: str
    api: str
    arguments: dict[str, Any]
    response: Any


@dataclass(frozen=True)
class EmbeddedBenchmark:
    """The generated tasks (group by group) and the cached response of every gold call."""

    seed: int
    per_group: int
    tasks: list[Task]
    cache: tuple[CacheEntry, ...]

    def cached_responses(self) -> list[CachedResponse]:
        """The gold responses in the form a simulator's cache takes them (no raw arguments text)."""
        return [(e.category, e.tool, e.api, e.arguments, "", e.response) for e in self.cache]


def _pool(group: str) -> list[Placed]:
    """The tools a group may use (ToolBench's seen/unseen split, see the module docstring)."""
    if group in ("G1_category", "G2_category"):
        return [(c.name, t) for c in CATEGORIES if c.held_out for t in c.tools]
    held_out_tool = group == "G1_tool"
    return [(c.name, t) for c in CATEGORIES if not c.held_out for t in c.tools_for(held_out_tool)]


POOLS = {group: _pool(group) for group in GROUP_ORDER}


def _categories(pool: Sequence[Placed]) -> list[str]:
    return sorted({c for c, _ in pool})


def _pick_tools(group: str, rng: Random) -> list[Placed]:
    """One tool (G1), 2+ tools of one category (G2) or one tool in each of 2-3 categories (G3)."""
    pool = POOLS[group]
    if group.startswith("G1"):
        return [rng.choice(pool)]
    if group.startswith("G2"):
        category = rng.choice(_categories(pool))
        tools = [p for p in pool if p[0] == category]
        return rng.sample(tools, rng.randint(2, len(tools)))
    return [rng.choice([p for p in pool if p[0] == c]) for c in rng.sample(_categories(pool), rng.randint(2, 3))]


def _distractor_tool(group: str, tools: list[Placed], rng: Random) -> list[Placed]:
    """Multi-tool groups sometimes offer one more tool that the query does not need (same category in G2)."""
    if group.startswith("G1") or rng.random() < 0.5:
        return tools
    same = group.startswith("G2")
    candidates = [p for p in POOLS[group] if p not in tools and (not same or p[0] == tools[0][0])]
    return tools + [rng.choice(candidates)] if candidates else tools


def _relevant(tools: Sequence[Placed], rng: Random) -> list[Endpoint]:
    """The APIs the query needs: 1-3 of a single tool; otherwise one per tool, sometimes one more."""
    apis = [tool_endpoints(c, t.name) for c, t in tools]
    if len(apis) == 1:
        return rng.sample(apis[0], rng.randint(1, min(3, len(apis[0]))))
    chosen = [rng.choice(a) for a in apis]
    spare = [e for a in apis for e in a if e not in chosen]
    if len(chosen) < 4 and rng.random() < 0.3:
        chosen.append(rng.choice(spare))
    rng.shuffle(chosen)
    return chosen


def _api_list(tools: Sequence[Placed], relevant: Sequence[Endpoint]) -> list[Endpoint]:
    """Every API of the query's tools (the others are distractors), cut to MAX_APIS keeping the relevant."""
    apis = [e for c, t in tools for e in tool_endpoints(c, t.name)]
    while len(apis) > MAX_APIS:
        apis.remove(next(e for e in reversed(apis) if e not in relevant))
    return apis


def _task(group: str, index: int, rng: Random) -> tuple[Task, list[CacheEntry]]:
    needed = _pick_tools(group, rng)
    relevant = _relevant(needed, rng)
    offered = _distractor_tool(group, needed, rng)
    rng.shuffle(offered)
    calls, requests, answers, facts, entries = [], [], [], [], []
    for e in relevant:
        args = e.api.draw_args(rng)
        response = e.api.call(args)
        if response is None:
            raise AssertionError(f"{e.category}/{e.tool.name}/{e.api.name}: sampled arguments {args} are invalid")
        context = e.api.context(args, response)
        calls.append(GoldCall(e.spec.function_name, args, response))
        requests.append(phrasing.request(e.api, args, rng))
        answers.append(phrasing.answer(e.api, context))
        facts += [f for f in e.api.facts(context) if f not in facts]
        entries.append(CacheEntry(e.category, e.tool.name, e.api.name, args, response))
    text = phrasing.query(requests, [e.category for e in relevant], rng)
    task = Task(benchmark=BENCHMARK, group=group, query_id=str(index), query=text,
                tools=tuple(e.spec for e in _api_list(offered, relevant)),
                relevant_apis=tuple(e.relevant for e in relevant),
                gold=Gold(calls=tuple(calls), answer=" ".join(answers), facts=tuple(facts)))
    return task, entries


def generate(per_group: int, seed: int = 0, groups: Sequence[str] = GROUP_ORDER) -> EmbeddedBenchmark:
    """`per_group` queries in each of `groups` (ids 0..per_group-1, groups in ToolBench's order); the same
    arguments give the same benchmark."""
    if per_group < 1:
        raise ValueError(f"per_group must be at least 1, got {per_group}")
    unknown = sorted(set(groups) - set(GROUP_ORDER))
    if unknown:
        raise ValueError(f"unknown groups {unknown}; valid: {list(GROUP_ORDER)}")
    tasks: list[Task] = []
    cache: dict[tuple[str, str, str, str], CacheEntry] = {}
    for group in (g for g in GROUP_ORDER if g in groups):
        queries: set[str] = set()
        for index in range(per_group):
            task, entries = _unique_task(group, index, seed, queries)
            queries.add(task.query)
            tasks.append(task)
            for e in entries:
                cache.setdefault((e.category, e.tool, e.api, str(e.arguments)), e)
    return EmbeddedBenchmark(seed=seed, per_group=per_group, tasks=tasks, cache=tuple(cache.values()))


def _unique_task(group: str, index: int, seed: int, taken: set[str]) -> tuple[Task, list[CacheEntry]]:
    """Query `index`, redrawn while an earlier query of the group has the same text (only earlier ones
    count, so a larger benchmark still starts with the smaller one)."""
    for attempt in range(100):
        task, entries = _task(group, index, Random(f"{seed}/{group}/{index}/{attempt}"))
        if task.query not in taken:
            return task, entries
    raise RuntimeError(f"{group}/{index}: no new query after 100 draws; the world is too small for this size")
