"""YAML configuration files (agents, sweeps) read safely: PyYAML's safe loader (no Python tags), with the
size of the document bounded after alias expansion.

An alias repeats the node its anchor names, so ten lines of anchors can stand for 9**9 scalars (a
"billion laughs"): PyYAML builds them as shared objects, but anything that walks the result (validation,
an error message, a deep copy) walks every repetition. Such documents, and recursive ones, are refused
before anything is built from them.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

MAX_DEPTH = 100  # nesting of collections; PyYAML's composer recurses per level (and slowly, near the limit)
# Scalar characters plus one per node, counted as if every alias were written out. Configuration files
# are a few kilobytes; a hundred times that is still a configuration file.
MAX_EXPANDED_SIZE = 1_000_000


class YamlFileError(ValueError):
    """A YAML file that is not read: the message names the file and why."""


class _BoundedLoader(yaml.SafeLoader):
    """The safe loader, refusing collections nested deeper than MAX_DEPTH while it composes them."""

    # A table of our own: libraries patch SafeLoader's shared one when imported (lm-format-enforcer, which
    # vLLM imports, reads timestamps as strings), and a file must read the same whatever ran before.
    yaml_constructors = {**yaml.SafeLoader.yaml_constructors,
                         "tag:yaml.org,2002:timestamp": yaml.constructor.SafeConstructor.construct_yaml_timestamp}
    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(None, None, f"nested deeper than {MAX_DEPTH} levels",
                                                  self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load_yaml(text: str, source: str, max_size: int = MAX_EXPANDED_SIZE) -> Any:
    """The document in `text` (None when empty); `source` names the file in errors."""
    try:
        loader = _BoundedLoader(text)  # reads the first characters already: may raise a ReaderError
    except yaml.YAMLError as exc:
        raise YamlFileError(f"{source}: not valid YAML: {exc}") from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        size = expanded_size(node, max_size)
        if size > max_size:
            raise YamlFileError(f"{source}: the YAML expands to more than {max_size:,} characters and nodes once "
                                "its aliases are repeated (an alias bomb?); refused")
        return _construct(loader, node, source)
    except yaml.YAMLError as exc:
        raise YamlFileError(f"{source}: not valid YAML: {exc}") from None
    except RecursionError:
        raise YamlFileError(f"{source}: the YAML is nested too deeply to read") from None
    finally:
        loader.dispose()


def _construct(loader: _BoundedLoader, node: yaml.Node, source: str) -> Any:
    try:
        return loader.construct_document(node)
    except (ValueError, TypeError, OverflowError) as exc:  # a tagged or implicit value its type refuses
        raise YamlFileError(f"{source}: a value cannot be read ({type(exc).__name__}: {exc})") from None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def expanded_size(root: yaml.Node, cap: int) -> int:
    """Scalar characters plus one per node of the document with its aliases written out, counted once per
    distinct node (without recursion) and capped at cap + 1. A recursive alias is a YAMLError."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()  # nodes whose children are being counted: meeting one again is a cycle
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, counted_children = stack.pop()
        key = id(node)
        if counted_children:
            own = max(1, len(node.value)) if isinstance(node, yaml.ScalarNode) else 1
            sizes[key] = min(cap + 1, own + sum(sizes[id(child)] for child in _children(node)))
            on_path.discard(key)
        elif key in on_path:
            raise yaml.YAMLError(f"recursive alias at line {node.start_mark.line + 1}")
        elif key not in sizes:
            on_path.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    return sizes[id(root)]


def load_yaml_file(path: Path, what: str) -> Any:
    """The document of the YAML file `path`; YamlFileError naming it (as `what`) when absent or unreadable."""
    if not path.is_file():
        raise YamlFileError(f"{what} not found: {path}")
    return load_yaml(path.read_text(encoding="utf-8"), str(path))
