"""Function schemas the agent sees, built exactly as ToolBench builds them (spec section 3), and the
dispatch rule that maps a model's action name back to a tool (spec section 4).

The schemas are an interface with ToolEval (`available_tools`), so the upstream quirks are kept:
optional parameters only when a required one exists, `[]` (not StableToolBench HEAD's `[""]`), the
tail-truncated 64-char names and the 256-char description cut.
"""
from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Sequence
from typing import Any, Literal

from benchmarks.core.naming import change_name, function_name, standardize
from benchmarks.core.types import Task, ToolSpec

CollisionPolicy = Literal["last", "first"]

DESCRIPTION_MAX = 256
_TYPE_MAP = {"NUMBER": "integer", "STRING": "string", "BOOLEAN": "boolean"}

FINISH_SCHEMA: dict[str, Any] = {
    "name": "Finish",
    "description": "If you believe that you have obtained a result that can answer the task, please call this function to provide the final answer. Alternatively, if you recognize that you are unable to proceed with the task in the current state, call this function to restart. Remember: you must ALWAYS call this function at the end of your attempt, and the only part that will be shown to the user is the final answer, so it should contain sufficient information.",  # noqa: E501
    "parameters": {
        "type": "object",
        "properties": {
            "return_type": {"type": "string", "enum": ["give_answer", "give_up_and_restart"]},
            "final_answer": {
                "type": "string",
                "description": "The final answer you want to give the user. You should have this field if \"return_type\"==\"give_answer\"",  # noqa: E501
            },
        },
        "required": ["return_type"],
    },
}


def _text(value: Any) -> str:
    """Descriptions in the wild are sometimes null; upstream would crash, we read them as empty."""
    return "" if value is None else str(value)


def _template(value: Any) -> Any:
    """template_response is a dict, a JSON string (230 of the solvable entries, all cut mid-way, so
    parsing mostly fails and the string is kept) or missing (None)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _description(api_name: str, api_description: str, std_tool: str, name: str) -> str:
    text = f'This is the subfunction for tool "{std_tool}", you can use this tool.'
    desc = api_description.strip()
    if desc:
        # Upstream cuts the api description (after renaming) to 256, not the whole string.
        text += f'The description of this function is: "{desc.replace(api_name, name)[:DESCRIPTION_MAX]}"'
    return text


def _property(param: dict[str, Any]) -> dict[str, Any]:
    raw_type = param.get("type")
    prop: dict[str, Any] = {
        "type": _TYPE_MAP.get(raw_type, "string") if isinstance(raw_type, str) else "string",
        "description": _text(param.get("description"))[:DESCRIPTION_MAX],
    }
    default = param.get("default", "")
    if str(default):
        prop["example_value"] = default
    return prop


def _parameters(required: Sequence[dict[str, Any]], optional: Sequence[dict[str, Any]]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    names: dict[str, list[str]] = {"required": [], "optional": []}
    # Quirk kept: upstream adds optional parameters only inside its "has required parameters" branch.
    if required:
        for kind, params in (("required", required), ("optional", optional)):
            for param in params:
                pname = change_name(standardize(param["name"]))
                properties[pname] = _property(param)
                names[kind].append(pname)
    return {"type": "object", "properties": properties, **names}


def tool_spec(api_entry: dict[str, Any]) -> ToolSpec:
    """A ToolSpec from a complete api_list entry (names are kept raw; the schema uses the standardized ones).

    The entry must already be validated (string names, parameter lists of dicts with a string `name`):
    the loader does that and reports the file and record on failure.
    """
    api, tool = api_entry["api_name"], api_entry["tool_name"]
    name = function_name(api, tool)
    return ToolSpec(
        category=api_entry["category_name"],
        tool=tool,
        api=api,
        function_name=name,
        description=_description(api, _text(api_entry.get("api_description")), standardize(tool), name),
        parameters=_parameters(api_entry.get("required_parameters") or [],
                               api_entry.get("optional_parameters") or []),
        template_response=_template(api_entry.get("template_response")),
        api_entry=api_entry,
        # A record may carry its tool's description (ours do); otherwise the loader looks it up.
        tool_description=desc if isinstance(desc := api_entry.get("tool_description"), str) else None,
    )


def function_schemas(task: Task) -> list[dict[str, Any]]:
    """The `available_tools` list of ToolBench/ToolEval: every tool schema in order, then Finish.

    Returns fresh dicts, so callers may mutate them without touching the task.
    """
    return copy.deepcopy(shared_function_schemas(task))


def shared_function_schemas(task: Task) -> list[dict[str, Any]]:
    """function_schemas without the copy: the task's own schema dicts, for readers that only serialize them
    (a run's ToolEval export, once per record)."""
    return [*(t.schema for t in task.tools), FINISH_SCHEMA]


def find_collisions(tools: Sequence[ToolSpec]) -> list[str]:
    """Function names given to more than one tool (tail truncation or equal standardized api names)."""
    counts = Counter(t.function_name for t in tools)
    return [name for name, n in counts.items() if n > 1]


def resolve_function(tools: Sequence[ToolSpec], name: str, collision: CollisionPolicy = "last", *,
                     empty_matches_first: bool = False) -> ToolSpec | None:
    """The tool a model's action name dispatches to, or None when nothing matches.

    An exact name match wins; otherwise ToolBench's `function_name.endswith(name)` picks the first
    matching name. Among tools sharing that name, upstream ends up calling the LAST one (its
    name -> api map is overwritten by later entries): `collision="last"` reproduces that, "first"
    picks the first. An empty name matches nothing, unless `empty_matches_first` keeps upstream's quirk
    (`endswith("")` is true of every name, so the first API is called).
    """
    if not name:
        return tools[0] if empty_matches_first and tools else None
    matched = name if any(t.function_name == name for t in tools) else next(
        (t.function_name for t in tools if t.function_name.endswith(name)), None)
    if matched is None:
        return None
    same = [t for t in tools if t.function_name == matched]
    return same[-1] if collision == "last" else same[0]
