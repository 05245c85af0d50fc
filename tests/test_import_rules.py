"""The house plan's import rules (docs/ARCHITECTURE.md), checked by parsing every module's imports.

Layers, from the foundation up: `benchmarks.core` imports nothing of the project; `roles` and `tools_sim`
import only themselves and the core; the rest of `benchmarks` (loaders, embedded, scoring, leaderboards)
imports itself and the core; only `engine` imports `engine`, and it may import everything outside it. Inside
engine, each sub-package imports only those below it (types, agents, backends, search, execution, judges,
schedule, config, runner, cli). Imports inside
functions count too, and no two modules may import each other, directly or through others.

`python tests/test_import_rules.py ROOT` prints the violations of another checkout.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGES = ("benchmarks", "engine", "roles", "tools_sim")

# What each layer may import besides itself: the longest matching prefix names a module's layer.
ALLOWED: dict[str, set[str]] = {
    "benchmarks.core": set(),
    "roles": {"benchmarks.core"},
    "tools_sim": {"benchmarks.core"},
    "benchmarks": {"benchmarks.core"},
    "engine": {"benchmarks", "benchmarks.core", "roles", "tools_sim"},
}
# Inside engine, each sub-package may import the outer layers and the sub-packages below it (its docstring
# says which); engine.cli may import everything.
_BELOW: dict[str, set[str]] = {
    "engine.types": set(),
    "engine.agents": {"engine.types"},
    "engine.backends": {"engine.types"},
    "engine.search": {"engine.types", "engine.agents"},
    "engine.execution": {"engine.types", "engine.backends"},
    "engine.judges": {"engine.types", "engine.backends"},
    "engine.schedule": {"engine.types", "engine.agents", "engine.backends", "engine.execution"},
    "engine.config": {"engine.types", "engine.agents", "engine.backends", "engine.search", "engine.execution"},
    "engine.runner": {"engine.types", "engine.agents", "engine.backends", "engine.search", "engine.execution",
                      "engine.judges", "engine.schedule", "engine.config"},
}
ALLOWED.update({name: ALLOWED["engine"] | below for name, below in _BELOW.items()})
ALLOWED["engine.cli"] = ALLOWED["engine"] | set(_BELOW)

ROOT = Path(__file__).resolve().parents[1]


def modules(root: Path) -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules `path` imports (`from a import b` is module a.b when that is a module)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.update(f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module for a in node.names)
    return {name for name in out if name.split(".")[0] in PACKAGES}


def layer(module: str) -> str:
    return max((key for key in ALLOWED if module == key or module.startswith(key + ".")), key=len)


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    bad = []
    for module, targets in sorted(graph.items()):
        own = layer(module)
        for target in sorted(targets):
            other = layer(target)
            if other != own and other not in ALLOWED[own]:
                bad.append(f"{module} ({own}) imports {target} ({other})")
    return bad


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))  # a deep import chain; restored after
    try:
        for node in sorted(graph):
            if node not in index:
                visit(node)
    finally:
        sys.setrecursionlimit(limit)
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    known = modules(root)
    # A package's __init__ is the package itself; importing a module also runs its parents, which the
    # rules do not count (an __init__ that re-exports is checked on its own imports).
    return {name: {t for t in imports(path, known) if t != name} for name, path in known.items()}


def violations(root: Path) -> list[str]:
    graph = import_graph(root)
    return upward_imports(graph) + [f"cycle: {' <-> '.join(group)}" for group in cycles(graph)]


def test_every_module_of_the_layout_keeps_the_import_rules() -> None:
    assert violations(ROOT) == []


def test_the_rules_catch_an_upward_import_and_a_cycle(tmp_path: Path) -> None:
    for package, body in {"benchmarks/core/types.py": "from engine.runner.run import Run\n",
                          "roles/a.py": "import roles.b\n", "roles/b.py": "from roles import a\n",
                          "engine/runner/run.py": "from roles.a import x\n", "tools_sim/x.py": "from benchmarks.loading import y\n",
                          "benchmarks/loading.py": "def f():\n    from tools_sim.x import z\n",
                          "engine/execution/executor.py": "from engine.schedule.loop import Scheduler\n",
                          "engine/schedule/loop.py": "", "engine/cli/run.py": "from engine.runner.run import Run\n"}.items():
        path = tmp_path / package
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
    found = violations(tmp_path)
    assert "benchmarks.core.types (benchmarks.core) imports engine.runner.run (engine.runner)" in found
    assert "tools_sim.x (tools_sim) imports benchmarks.loading (benchmarks)" in found
    assert "benchmarks.loading (benchmarks) imports tools_sim.x (tools_sim)" in found  # inside a function
    assert "cycle: roles.a <-> roles.b" in found
    assert not any(line.startswith("engine.runner.run") for line in found)  # engine may import everything outside
    assert ("engine.execution.executor (engine.execution) imports engine.schedule.loop (engine.schedule)"
            in found)  # inside engine, only downward
    assert not any(line.startswith("engine.cli.run") for line in found)


if __name__ == "__main__":
    problems = violations(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT)
    print("\n".join(problems) or "no violations")
    sys.exit(1 if problems else 0)
