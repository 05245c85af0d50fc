"""analysis.json: the analysis of one run (or answers file), its schema version, and its reading back.

    {"schema_version": 1, "source": {kind, path, name, agent_kind}, "vocabulary": [...],
     "overall": figures, "groups": {group: figures}, "trajectories": {task_key: entry},
     "against": diff (analyze A B), "judge_dispersion": ... (a judge that scored several times)}
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from benchmarks.analysis.aggregate import Aggregate
from benchmarks.analysis.detect import vocabulary
from benchmarks.analysis.sources import Source

SCHEMA_VERSION = 1
ANALYSIS_FILE = "analysis.json"


def build(source: Source, entries: Iterable[dict[str, Any]]) -> dict[str, Any]:
    aggregate, trajectories = Aggregate(), {}
    for entry in entries:
        aggregate.add(entry)
        trajectories[entry["task_key"]] = entry
    return {"schema_version": SCHEMA_VERSION,
            "source": {"kind": source.kind, "path": str(source.path), "name": source.name, "agent_kind": source.agent_kind},
            "vocabulary": vocabulary(), **aggregate.figures(), "trajectories": trajectories}


def read_analysis(path: Path) -> dict[str, Any] | None:
    """A run's analysis.json, or None when absent or of another schema version."""
    from benchmarks.results.files import read_json

    document = read_json(path, missing=None)
    return document if isinstance(document, dict) and document.get("schema_version") == SCHEMA_VERSION else None
