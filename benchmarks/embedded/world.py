"""The embedded world assembled: categories, tools and APIs with their ToolBench documentation, the
seen/held-out partition behind the six groups, and the answer to any call.

`world_response` is what the simulator can plug in as a miss policy: calls the benchmark never
generated still get the world's real (deterministic) data instead of a synthesized guess.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from benchmarks.embedded.catalog import MODULES
from benchmarks.embedded.core import Api, Response, Tool
from benchmarks.core.naming import change_name, standardize, standardize_category
from benchmarks.core.schemas import tool_spec
from benchmarks.core.types import ToolSpec

# The ToolBench split semantics need tools and categories no training query saw: these categories are
# kept for the "unseen category" groups, and the last tool of every other category for "unseen tool".
HELD_OUT_CATEGORIES = ("Music", "Education", "Mathematics")


@dataclass(frozen=True)
class Endpoint:
    """One API placed in the world: its category and tool, its api_list entry and its function schema."""

    category: str
    tool: Tool
    api: Api
    entry: dict[str, Any]
    spec: ToolSpec

    @property
    def relevant(self) -> tuple[str, str]:
        """The `relevant APIs` pair ([tool_name, api_name])."""
        return self.tool.name, self.api.name


@dataclass(frozen=True)
class Category:
    name: str
    tools: tuple[Tool, ...]

    @property
    def held_out(self) -> bool:
        return self.name in HELD_OUT_CATEGORIES

    def tools_for(self, held_out_tool: bool) -> tuple[Tool, ...]:
        """Seen tools (all but the last) or the held-out one, of a seen category."""
        return self.tools[-1:] if held_out_tool else self.tools[:-1]


def template_of(value: Any) -> Any:
    """ToolBench's template_response: the response's shape ("str", "int", lists with `_list_length`)."""
    if isinstance(value, dict):
        return {k: template_of(v) for k, v in value.items()}
    if isinstance(value, list):
        if not value:
            return "empty list"
        if isinstance(value[0], dict):
            return [{**template_of(value[0]), "_list_length": len(value)}]
        return [f"list of {type(value[0]).__name__} with length {len(value)}"]
    return type(value).__name__


def _entry(category: str, tool: Tool, api: Api) -> dict[str, Any]:
    example = api.call(api.default_args())
    if example is None:
        raise ValueError(f"{category}/{tool.name}/{api.name}: the documented defaults are not a valid call")
    return {"category_name": category, "tool_name": tool.name, "api_name": api.name,
            "api_description": api.description,
            "required_parameters": [p.entry() for p in api.required],
            "optional_parameters": [p.entry() for p in api.optional],
            "method": "GET", "template_response": template_of(example)}


def _endpoint(category: str, tool: Tool, api: Api) -> Endpoint:
    entry = _entry(category, tool, api)
    return Endpoint(category, tool, api, entry, tool_spec(entry))


CATEGORIES = tuple(Category(m.CATEGORY, m.TOOLS) for m in MODULES)
ENDPOINTS = tuple(_endpoint(c.name, t, a) for c in CATEGORIES for t in c.tools for a in t.apis)

ApiKey = tuple[str, str, str]


def api_key(category: str, tool: str, api: str) -> ApiKey:
    """Names as the response cache folders spell them (category also lowercased), so raw and
    standardized spellings resolve alike."""
    return standardize_category(category).lower(), standardize(tool), change_name(standardize(api))


_BY_KEY = {api_key(e.category, e.tool.name, e.api.name): e for e in ENDPOINTS}
_BY_TOOL = {(c.name, t.name): tuple(e for e in ENDPOINTS if e.tool is t) for c in CATEGORIES for t in c.tools}


def endpoint(category: str, tool: str, api: str) -> Endpoint | None:
    return _BY_KEY.get(api_key(category, tool, api))


def tool_endpoints(category: str, tool: str) -> tuple[Endpoint, ...]:
    """Every API of a tool, in documentation order."""
    return _BY_TOOL[(category, tool)]


def world_response(category: str, tool: str, api: str, args: Mapping[str, Any]) -> Response | None:
    """The world's answer to a call; None for an API not in the world or invalid arguments."""
    found = endpoint(category, tool, api)
    return None if found is None else found.api.call(args)
