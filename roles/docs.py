"""How each prompt format documents the offered tools to the model.

All renderings read a ToolSpec (benchmarks.core.types); the function schema builder (benchmarks.core.schemas)
has already applied ToolBench's naming and truncation rules, so these functions only lay the text out.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

from benchmarks.core.memo import IdentityMemo
from benchmarks.core.naming import change_name, standardize
from benchmarks.core.schemas import FINISH_SCHEMA
from benchmarks.core.types import ToolSpec

DocStyle = Literal["training", "bare"]
DOC_STYLES: tuple[str, ...] = ("training", "bare")
_CUT = 256  # alpha-UMi cuts descriptions to 256 chars (function: head, argument: tail)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def training_entry(tool: ToolSpec) -> dict[str, Any]:
    """As alpha-UMi's training data (GLPFT prepro_raw_stage_1.py) derives it from the function schema:
    `function` = schema description[:256]; `input` = "<schema type>, <description[-256:]>", or just the
    type when the property has no description key (an empty description still gives "string, ")."""
    inputs: dict[str, str] = {}
    for name, prop in (tool.parameters.get("properties") or {}).items():
        prop = prop if isinstance(prop, dict) else {}
        arg_type = _text(prop.get("type", "string"))
        inputs[name] = f"{arg_type}, {_text(prop['description'])[-_CUT:]}" if "description" in prop else arg_type
    return {"Name": tool.function_name, "function": tool.description[:_CUT], "input": inputs}


def _bare_entry(tool: ToolSpec) -> dict[str, Any]:
    """As the authors' real-time code (ToolBench-multiLLM rapidapi.py `template_for_input`) builds it
    from the raw api entry: `function` = the api description alone (api name replaced by the function
    name, cut to 256, "" when empty); `input` keyed by RAW parameter names, only when the api has a
    required parameter; an empty description gives the bare type."""
    entry = tool.api_entry
    desc = _text(entry.get("api_description")).strip()
    function = (desc.replace(tool.api, tool.function_name) if tool.api else desc)[:_CUT]
    required = entry.get("required_parameters") or []
    inputs: dict[str, str] = {}
    if required:
        props = tool.parameters.get("properties") or {}
        for param in [*required, *(entry.get("optional_parameters") or [])]:
            raw_name = _text(param.get("name"))
            # The schema property of the same parameter already holds upstream's type mapping.
            prop = props.get(change_name(standardize(raw_name)))
            arg_type = _text(prop.get("type", "string")) if isinstance(prop, dict) else "string"
            arg_desc = _text(param.get("description"))
            inputs[raw_name] = f"{arg_type}, {arg_desc[-_CUT:]}" if arg_desc.strip() else arg_type
    return {"Name": tool.function_name, "function": function, "input": inputs}


_DOC_LINES = {"training": IdentityMemo(lambda tool: json.dumps(training_entry(tool)) + "\n"),
              "bare": IdentityMemo(lambda tool: json.dumps(_bare_entry(tool)) + "\n")}


def alpha_umi_doc(tools: Sequence[ToolSpec], style: DocStyle) -> str:
    """alpha-UMi's {doc} slot: one `json.dumps` line per tool, each followed by a newline."""
    line = _DOC_LINES[style]
    return "".join(line(t) for t in tools)


def tool_names(tools: Sequence[ToolSpec]) -> str:
    """alpha-UMi's {tool_names} slot."""
    return ", ".join(t.function_name for t in tools)


def toolbench_tool_list(tools: Sequence[ToolSpec]) -> str:
    """The tool lines of ToolBench's RapidAPI task description: `{k}.{standard_tool_name}: {desc}\\n`
    per distinct tool, desc = tool_description[:512] without newlines, stripped, "None" if empty.

    The tool description comes from the toolenv tool JSON files (benchmarks.tool_descriptions); a tool
    without one gets upstream's placeholder for an empty description (the loader warns and run.json counts it).
    """
    described: dict[str, str] = {}
    for tool in tools:
        described[standardize(tool.tool)] = tool.tool_description or ""
    lines = []
    for k, (name, desc) in enumerate(described.items(), start=1):
        lines.append(f"{k}.{name}: {desc[:512].replace(chr(10), '').strip() or 'None'}\n")
    return "".join(lines)


def toolbench_functions_repr(tools: Sequence[ToolSpec]) -> str:
    """ToolLLaMA's function list: Python `str()` of the schemas plus Finish (toolbench/utils.py)."""
    return str([*(t.schema for t in tools), FINISH_SCHEMA])


_SIGNATURE_DESCRIPTION = 160


def tool_signatures(tools: Sequence[ToolSpec]) -> str:
    """One line per tool, `name(arg: type, opt?: type): what it does`, for instruct models.

    Far shorter than JSON schemas (prompt length is what a CPU pays for: prefill dominates), and closer
    to how instruct models see function signatures; the api description is cut to 160 characters.
    """
    lines = []
    for tool in tools:
        props = tool.parameters.get("properties") or {}
        required = set(tool.parameters.get("required") or ())
        args = ", ".join(f"{name}{'' if name in required else '?'}: {_text(p.get('type', 'string')) if isinstance(p, dict) else 'string'}"
                         for name, p in props.items())
        what = " ".join(_text(tool.api_entry.get("api_description")).split())[:_SIGNATURE_DESCRIPTION]
        lines.append(f"- {tool.function_name}({args}): {what}".rstrip(": "))
    return "\n".join(lines)
