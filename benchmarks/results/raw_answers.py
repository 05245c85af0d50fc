"""ToolBench raw answers in (their reader), ToolEval converted answers out: the mapping between the formats.

What `umi-eval convert` and every run's `tooleval/<group>.json` are made of. The mapping is ToolBench's
`convert_to_answer_format.py` (StableToolBench's copy also reads OpenAI `tool_calls` messages), so the
bytes equal what that script writes from the same files. What it does, and therefore this module:

- `valid_data` answers (a give_answer was reached) come from the last `train_messages` conversation:
  each assistant `function_call` is one tool node (its thought text is DROPPED), an assistant message
  without a call is a thought node, Finish's response is "".
- other answers come from the search record: CoT files from one of `trys` (a seeded random pick), DFS files
  from a random walk down the search `tree`; there thoughts are KEPT (Thought nodes), Action + Action Input
  pairs become tool nodes.
- the system and user nodes come first and print an empty message; `final_answer` is the raw file's Finish
  arguments string as it is.
- one `random.Random(42)` per converted folder, drawn once per step of every answer in `os.listdir` order
  (the script seeds once and walks every answer's graph with `random.choice`), so picks and key order
  are those of the script run on the same folder.
- JSON written with Python's `json` defaults (ToolBench; StableToolBench's script adds `indent=2`).

alpha-UMi converted its answers with its own variant of the script (ToolBench-multiLLM/toolbench/tooleval/
convert_to_answer_format.py), the one its published numbers were judged on (`VARIANTS["alpha-umi"]`): it skips
`observation` messages (its runner's) where ToolBench's skips `function` ones, wraps every tool response as
`json.dumps({"error": "", "response": <observation>})`, lets `observation` nodes through the tree's cleanup,
and reads no OpenAI `tool_calls`. Like ToolBench's, it starts reading a conversation at its third message.
"""
from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.results.converted import dumps_converted
from benchmarks.results.files import group_file

CONVERTER_SEED = 42
EMPTY_MESSAGE_ROLES = ("system", "user")  # printed with an empty message
FINISH = "Finish"

# A converted answer nests two JSON levels per chain node (`answer_details` -> `next`), and Python's JSON (ToolEval's
# too) stops near 1,000 levels: longer chains are refused by name rather than failing the write (issue 21, item 11).
MAX_CHAIN_NODES = 400


@dataclass(frozen=True)
class ConverterVariant:
    """What one upstream copy of `convert_to_answer_format.py` does differently from another."""

    name: str
    skipped_roles: tuple[str, ...]  # message roles of train_messages passed over (after the first two)
    tree_roles: tuple[str, ...]  # node roles other than Thought / Action that the tree cleanup lets through
    wraps_responses: bool = False  # a tool response is json.dumps({"error": "", "response": observation})
    reads_tool_calls: bool = True  # OpenAI `tool_calls` messages (StableToolBench's copy)


VARIANTS = {
    "toolbench": ConverterVariant("toolbench", ("system", "user", "function", "tool"),
                                  ("Action Input", *EMPTY_MESSAGE_ROLES)),
    "alpha-umi": ConverterVariant("alpha-umi", ("system", "user", "observation"),
                                  ("Action Input", *EMPTY_MESSAGE_ROLES, "observation"),
                                  wraps_responses=True, reads_tool_calls=False),
}
TOOLBENCH = VARIANTS["toolbench"]


def converter_variant(name: str) -> ConverterVariant:
    if name not in VARIANTS:
        raise ValueError(f"unknown converter variant {name!r}; valid: {', '.join(VARIANTS)}")
    return VARIANTS[name]

class RawAnswerError(ValueError):
    """A raw answer file the converter cannot read (named with the file)."""


@dataclass
class _Node:
    role: Any
    message: Any
    children: list["_Node"] = field(default_factory=list)


def _tool(name: Any, arguments: Any, response: Any) -> _Node:
    return _Node("tool", {"name": name, "arguments": arguments, "response": response})


def _chain(nodes: list[_Node]) -> _Node:
    """Links nodes into a chain, each the only child of the one before; returns the first."""
    for parent, child in zip(nodes, nodes[1:]):
        parent.children.append(child)
    return nodes[0]


def _head() -> tuple[_Node, _Node]:
    """The system and user nodes (upstream fills in its system prompt and the query, then prints neither)."""
    system, user = _Node("system", ""), _Node("user", "")
    system.children.append(user)
    return system, user


# ---- valid answers: the last train_messages conversation ------------------------------------------------

def _valid_steps(conversation: list[dict[str, Any]], variant: ConverterVariant) -> list[_Node]:
    steps, index = [], 2
    while index < len(conversation):
        message = conversation[index]
        role = message["role"]
        if role == "assistant":
            if "function_call" in message:
                call = message["function_call"]
                response = _response(conversation[index + 1]["content"], variant) if call["name"] != FINISH else ""
                steps.append(_tool(call["name"], call["arguments"], response))
                index += 1  # the function message was read with its call (also skipped after Finish)
            elif variant.reads_tool_calls and message.get("tool_calls") is not None:
                steps.extend(_tool_call_steps(message["tool_calls"], conversation[index + 1:]))
            else:
                steps.append(_Node("assistant", message["content"]))
        elif role not in variant.skipped_roles:
            raise RawAnswerError(f"unknown message role {role!r} (converter variant {variant.name})")
        index += 1
    return steps


def _response(observation: Any, variant: ConverterVariant) -> Any:
    return json.dumps({"error": "", "response": observation}) if variant.wraps_responses else observation


def _tool_call_steps(calls: list[dict[str, Any]], later: list[dict[str, Any]]) -> list[_Node]:
    """OpenAI tool calls (StableToolBench): each call answered by a later `tool` message with its id; a
    Finish call ends the message; a call never answered is left out."""
    steps = []
    for call in calls:
        name, arguments = call["function"]["name"], call["function"]["arguments"]
        if name == FINISH:
            steps.append(_tool(name, arguments, ""))
            break
        reply = next((m for m in later if m["role"] == "tool" and m["tool_call_id"] == call["id"]), None)
        if reply is not None:
            steps.append(_tool(name, arguments, reply["content"]))
    return steps


# ---- other answers: the search record ---------------------------------------------------------------

def _cot_steps(chain: list[dict[str, Any]]) -> list[_Node]:
    steps, index = [], 0
    while index < len(chain):
        node = chain[index]
        if node["node_type"] == "Action":
            arguments = chain[index + 1]
            steps.append(_tool(node["description"], arguments["description"], arguments["observation"]))
            index += 1
        elif node["node_type"] == "Thought":
            steps.append(_Node("assistant", node["description"]))
        else:
            raise RawAnswerError(f"unknown node_type {node['node_type']!r} in the CoT chain")
        index += 1
    return steps


def _tree(node: dict[str, Any]) -> _Node:
    """A search-tree node and its subtree; an inner node's message holds `children: null`, as upstream's
    walk sets it before keeping the node."""
    children = [_tree(child) for child in node["children"]]
    message = {**node, "children": None} if children else node
    return _Node(node["node_type"], message, children)


def _purify(root: _Node, variant: ConverterVariant) -> None:
    """Thought nodes become assistant nodes, each Action takes its Action Input child's arguments and
    observation and adopts that child's children (after its own others); parents before children."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.role == "Action":
            arguments = next((c for c in node.children if c.role == "Action Input"), None)
            if arguments is not None:
                node.role = "tool"
                node.message = {"name": node.message["description"], "arguments": arguments.message["description"],
                                "response": arguments.message["observation"]}
                node.children = [c for c in node.children if c is not arguments] + arguments.children
        elif node.role == "Thought":
            node.role, node.message = "assistant", node.message["description"]
        elif node.role not in variant.tree_roles:
            raise RawAnswerError(f"unknown node_type {node.role!r} in the search tree (converter variant {variant.name})")
        stack.extend(reversed(node.children))


# ---- the answer -------------------------------------------------------------------------------------

def _walk(root: _Node, rng: random.Random) -> list[_Node]:
    """Upstream's `reduce_graph_to_sequence`: from the root, a random child at every step to a leaf (a draw
    even where there is one child, which moves the generator as upstream's does)."""
    path = [root]
    while path[-1].children:
        path.append(rng.choice(path[-1].children))
    return path


def _details(path: list[_Node]) -> list[dict[str, Any]]:
    following: list[dict[str, Any]] = []
    for node in reversed(path):
        message = "" if node.role in EMPTY_MESSAGE_ROLES else node.message
        following = [{"role": node.role, "message": message, "next": following}]
    return following


def converted_answer(raw: dict[str, Any], method: str, rng: random.Random,
                     variant: ConverterVariant = TOOLBENCH) -> dict[str, Any]:
    """One query's converted answer from its raw answer file's content; `rng` is the folder's generator."""
    generation = raw["answer_generation"]
    functions, query = generation["function"], generation["query"]
    system, user = _head()
    if generation["valid_data"]:
        _chain([user, *_valid_steps(generation["train_messages"][-1], variant)])
    elif "CoT" in method or "cot" in method:
        chosen = rng.choice(raw["trys"])
        _chain([user, *_cot_steps(chosen["chain"])])
    elif "DFS" in method or "dfs" in method:
        user.children = [_tree(child) for child in raw["tree"]["tree"]["children"]]
        _purify(user, variant)
    else:
        raise RawAnswerError(f"method {method!r} is neither CoT nor DFS: cannot read an answer without valid_data")
    path = _walk(system, rng)
    return {"query": query, "available_tools": functions,
            "answer": {"method": method, "total_steps": len(path), "final_answer": generation["final_answer"],
                       "answer_details": _details(path)}}


# ---- folders ----------------------------------------------------------------------------------------

def answer_files(folder: Path, method: str) -> list[str]:
    """The file names the script converts, in its order: `os.listdir`, `.json` names containing the method."""
    return [name for name in os.listdir(folder) if name.endswith(".json") and method in name]


def query_id(file_name: str) -> str:
    return file_name.split("_")[0]


def method_of(folder: Path) -> str:
    """The one method in a folder's `<qid>_<method>.json` names (CoT@1, DFS_woFilter_w2, ...)."""
    methods = {name[:-len(".json")].partition("_")[2] for name in os.listdir(folder) if name.endswith(".json")}
    methods.discard("")
    if len(methods) != 1:
        found = ", ".join(sorted(methods)) or "none"
        raise RawAnswerError(f"{folder}: cannot tell the method from the file names (<qid>_<method>.json; found: "
                             f"{found}); name it: umi-eval convert --method METHOD")
    return methods.pop()


def _load(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else exc
        raise RawAnswerError(f"cannot read a raw answer ({reason})") from None


def convert_folder(folder: Path, method: str | None = None, variant: ConverterVariant = TOOLBENCH,
                   bad: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """{query id: converted answer} of one group folder of raw answers, as the script builds it. A file that is
    no raw answer raises RawAnswerError naming it, or, given a `bad` list, is named there and left out."""
    method = method or method_of(folder)
    rng = random.Random(CONVERTER_SEED)
    answers: dict[str, dict[str, Any]] = {}
    for name in answer_files(folder, method):
        path = folder / name
        try:
            answer = converted_answer(_load(path), method, rng, variant)
            if answer["answer"]["total_steps"] > MAX_CHAIN_NODES:
                raise RawAnswerError(f"its chain of {answer['answer']['total_steps']} nodes nests deeper than JSON can "
                                     f"be written and read (at most {MAX_CHAIN_NODES})")
            answers[query_id(name)] = answer
        except RawAnswerError as exc:
            problem = f"{path}: {exc}"
        except (KeyError, IndexError, TypeError, AttributeError, RecursionError) as exc:
            problem = f"{path}: not a ToolBench raw answer ({type(exc).__name__}: {str(exc)[:200]})"
        else:
            continue
        if bad is None:
            raise RawAnswerError(problem)
        bad.append(problem)
    return answers


def is_raw_answer_folder(folder: Path) -> bool:
    """Whether a folder holds raw answer files, sniffed from its first `.json` file that reads as JSON (a
    truncated file must not hide its whole group, issue 21, item 10)."""
    for file in sorted(p for p in folder.glob("*.json") if p.is_file()):
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError):
            continue
        return isinstance(data, dict) and "answer_generation" in data
    return False


def raw_answer_groups(path: Path) -> dict[str, Path]:
    """{group: folder} of a raw-answer path: one group folder (`<model>/<group>/`, named by it) or a model
    folder of group folders; {} when the path holds no raw answers."""
    if not path.is_dir():
        return {}
    if is_raw_answer_folder(path):
        return {path.name: path}
    return {sub.name: sub for sub in sorted(path.iterdir()) if sub.is_dir() and is_raw_answer_folder(sub)}


def convert_path(path: Path, out: Path, method: str | None = None, indent: int | None = None,
                 variant: ConverterVariant = TOOLBENCH, bad: list[str] | None = None) -> list[Path]:
    """`umi-eval convert`: each group folder under `path` to `out/<group>.json`; the files written. Files that
    are no raw answers raise, or, given a `bad` list, are named there and the rest is converted."""
    groups = raw_answer_groups(path)
    if not groups:
        raise RawAnswerError(f"{path}: no raw answer files (<qid>_<method>.json holding answer_generation) here or "
                             "in its subfolders")
    converted = {group: convert_folder(folder, method, variant, bad) for group, folder in groups.items()}
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for group, answers in converted.items():
        target = group_file(out, group)
        target.write_text(dumps_converted(answers, indent), encoding="utf-8")
        written.append(target)
    return written
