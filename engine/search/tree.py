"""ToolBench's search tree: nodes, their JSON, and the chains read off them.

A model query adds up to three nodes under the node it expands: a Thought, an Action (the function name)
and an Action Input (the arguments, with the observation and its status code). Depth counts nodes, so a
chain of four Thought/Action/Action Input rounds reaches depth 12. The JSON written here has the keys, key
order and quirks of ToolBench's `tree_node.to_json` (e.g. `is_terminal` is always written false, and only
Action Input nodes carry an `io_state`), so upstream's tools read our answer files.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

THOUGHT, ACTION, ACTION_INPUT = "Thought", "Action", "Action Input"
ELO = 1000.0  # upstream's unused rating, written on every node


@dataclass(eq=False)
class TreeNode:
    node_type: str
    description: str = ""
    observation: str = ""
    observation_code: int | None = None
    father: TreeNode | None = None
    children: list[TreeNode] = field(default_factory=list)
    pruned: bool = False
    finished: bool = False
    is_terminal: bool = False
    expand_num: int = 0
    messages: list[dict[str, Any]] = field(default_factory=list)  # the upstream-shaped conversation so far
    state: Any = None  # the engine's state at this node (what an expansion from here starts from)
    path: tuple[int, ...] = ()  # child slots from the root: names the node in request ids and seeds

    def add_child(self, child: TreeNode) -> TreeNode:
        child.father = self
        self.children.append(child)
        return child

    @property
    def depth(self) -> int:
        return 0 if self.father is None else self.father.depth + 1

    def size(self) -> int:
        return 1 + sum(child.size() for child in self.children)

    def max_depth(self) -> int:
        """Nodes on the longest path down from here, this one included (upstream's `get_max_depth`)."""
        return 1 + max((child.max_depth() for child in self.children), default=0)

    def make_finish(self, inter_val: int) -> None:
        """Marks this node and its ancestors finished, up to the `inter_val`-th Action Input above it."""
        node: TreeNode | None = self
        while node is not None:
            node.finished = True
            if node.node_type == ACTION_INPUT:
                inter_val -= 1
            if inter_val < 0:
                return
            node = node.father

    def chain(self) -> list[TreeNode]:
        """The nodes from the root's first child down to this one."""
        nodes: list[TreeNode] = []
        node: TreeNode | None = self
        while node is not None and node.father is not None:
            nodes.append(node)
            node = node.father
        return nodes[::-1]

    def to_json(self) -> dict[str, Any]:
        obj: dict[str, Any] = {"is_terminal": False, "pruned": self.pruned, "finished": self.finished,
                               "depth": self.depth, "node_type": self.node_type, "description": self.description,
                               "Elo": ELO}
        if self.observation != "":
            obj["observation"] = self.observation
        if self.observation_code is not None:
            obj["observation_code"] = self.observation_code
        obj["child_count"] = len(self.children)
        obj["expand_num"] = self.expand_num
        if self.node_type == ACTION_INPUT:
            obj["io_state"] = {}
        return obj

    def to_json_recursive(self) -> dict[str, Any]:
        return {**self.to_json(), "children": [child.to_json_recursive() for child in self.children]}

    def train_messages(self) -> list[list[dict[str, Any]]]:
        """Upstream's `get_train_messages_from_this_node`: one conversation per Action Input node on the
        chain (cut after its assistant message) and per Thought node that ends with an assistant message;
        of the messages marked invalid (diversity prompts), only the latest is kept."""
        result: list[list[dict[str, Any]]] = []
        for node in self.chain():
            messages = [dict(m) for m in node.messages]
            if node.node_type == ACTION_INPUT:
                while messages and messages[-1]["role"] != "assistant":
                    messages.pop()
            elif node.node_type == THOUGHT:
                while messages and messages[-1]["role"] == "user":
                    messages.pop()
            else:
                continue
            messages = _keep_latest_invalid(messages)
            if node.node_type == ACTION_INPUT or (messages and messages[-1]["role"] == "assistant"):
                result.append(messages)
        return result


def _keep_latest_invalid(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    kept, seen_invalid = [], False
    for message in reversed(messages):
        if message.get("valid") is False:
            if seen_invalid:
                continue
            seen_invalid = True
        kept.append(message)
    return kept[::-1]


def tree_json(root: TreeNode) -> dict[str, Any]:
    return {"size": root.size(), "max_length": root.max_depth(), "tree": root.to_json_recursive()}
