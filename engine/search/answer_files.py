"""ToolBench's raw answer files (`answer/<group>/<qid>_DFS_woFilter_w2.json`) and per-tree figures."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks.core.naming import path_part
from benchmarks.results.files import ANSWER_DIR, write_bytes_atomic
from engine.search.dfsdt import METHOD

TREE_FIGURES = ("nodes", "nodes_expanded", "model_queries", "max_depth", "backtracks", "give_ups")


def answer_dir(run_dir: Path, group: str) -> Path:
    return run_dir / ANSWER_DIR / path_part(group, "group")


def answer_path(run_dir: Path, group: str, query_id: str, method: str = METHOD) -> Path:
    return answer_dir(run_dir, group) / f"{path_part(query_id, 'query_id', f'_{method}.json.tmp.')}_{method}.json"


def write_raw_json(path: Path, data: Any) -> None:
    """Upstream's `json.dump(data, f, indent=2)` bytes, replaced atomically (a crash leaves old or new)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, json.dumps(data, indent=2).encode())


def read_answer_file(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def tree_metrics(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Means over the trees, the answer-found rate, and every tree's own figures by task."""
    trees = {r["task_key"]: r["search"] for r in records if r.get("search")}
    n = len(trees)
    means = {f"mean_{key}": round(sum(t[key] for t in trees.values()) / n, 3) if n else 0.0 for key in TREE_FIGURES}
    found = sum(t["answer_found"] for t in trees.values())
    return {"trees": n, "answer_found_rate": round(100.0 * found / n, 2) if n else 0.0, **means,
            "per_tree": dict(sorted(trees.items()))}
