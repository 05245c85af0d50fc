"""Every node of a DFSDT search tree (ToolBench's raw answer `tree.tree`): the errors of each call (an Action
Input under its Action), of each empty Thought and of each Finish, with the role that wrote the node.

Walked with an explicit stack (a tree can be deeper than Python's recursion limit); nodes are numbered in
preorder from 0, the root. A call repeats one made on the path from the root to it (the search's
siblings are alternatives, not repeats). Routes are not checked here: a tree's Thought is cut before them."""
from __future__ import annotations

from typing import Any

from benchmarks.analysis.categories import CALL
from benchmarks.analysis.chains import CallView, Chain, Output, Round, finish_arguments
from benchmarks.analysis.detect import FunctionSchema, StepContext, call_key
from benchmarks.analysis.trajectory import scope_errors

NODE_ROLES = {"multi": {"Thought": "planner", "Action": "caller", "Finish": "summarizer"},
              "single": {"Thought": "backbone", "Action": "backbone", "Finish": "backbone"}}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _finish_errors(arguments: str, role: str, chooser: str) -> list[dict[str, Any]]:
    args = finish_arguments(arguments)
    if args.get("return_type") == "give_up_and_restart":
        return [{"category": "gave_up", "role": chooser, "detail": ""}]
    if args.get("return_type") == "give_answer" and not _text(args.get("final_answer")).strip():
        return [{"category": "empty_output", "role": role, "detail": "empty answer"}]
    if args.get("return_type") not in ("give_answer", "give_up_and_restart"):
        return [{"category": "unparseable_output", "role": role, "detail": "bad Finish arguments"}]
    return []


def _node_errors(node: dict[str, Any], parent: dict[str, Any] | None, kind: str, seen: set, tools) -> list[dict[str, Any]]:
    roles = NODE_ROLES["multi" if kind == "multi" else "single"]
    node_type = node.get("node_type")
    if node_type == "Thought" and not _text(node.get("description")).strip():
        return [{"category": "empty_output", "role": roles["Thought"], "detail": "empty thought"}]
    if node_type != "Action Input" or parent is None or parent.get("node_type") != "Action":
        return []
    name, arguments = _text(parent.get("description")), _text(node.get("description"))
    if name == "Finish":
        return _finish_errors(arguments, roles["Finish"], "planner" if kind == "multi" else "backbone")
    code = node.get("observation_code")
    call = CallView(name, arguments, _text(node.get("observation")), code if isinstance(code, int) else None, None, None)
    round_ = Round(0, [Output(roles["Action"], f"Action: {name}\nAction Input: {arguments}")], call)
    ctx = StepContext(Chain(kind, [round_], "running", ""), round_, round_.outputs[0], call, seen, tools)
    return scope_errors(CALL, ctx, roles["Action"])


def analyse_tree(root: dict[str, Any], kind: str, tools: list[FunctionSchema] | None = None) -> dict[str, Any]:
    """{"nodes": count, "errors": [{"node", "depth", "category", "role", "detail"}], "counts": {category: n}}."""
    errors, counts, number = [], {}, 0
    stack: list[tuple[dict[str, Any], dict[str, Any] | None, frozenset, int]] = [(root, None, frozenset(), 0)]
    while stack:
        node, parent, seen, depth = stack.pop()
        found = _node_errors(node, parent, kind, set(seen), tools)
        for error in found:
            errors.append({"node": number, "depth": depth, **error})
            counts[error["category"]] = counts.get(error["category"], 0) + 1
        if node.get("node_type") == "Action Input" and parent is not None and parent.get("node_type") == "Action":
            seen = seen | {call_key(CallView(_text(parent.get("description")), _text(node.get("description")), "", None, None, None))}
        number += 1
        children = node.get("children") if isinstance(node.get("children"), list) else []
        stack.extend((child, node, seen, depth + 1) for child in reversed(children) if isinstance(child, dict))
    return {"nodes": number, "errors": errors, "counts": counts}
