"""What `score` reads: a run folder (its `tooleval/<group>.json`), one ToolEval converted-answers file
(`<model>/<group>.json`, from any tool), a folder of them (`<model>/`), or ToolBench raw answers (a group
folder `<model>/<group>/` of `<qid>_<method>.json`, or `<model>/` of such folders), converted as
`umi-eval convert` would."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.results.raw_answers import convert_folder, raw_answer_groups
from benchmarks.results.files import RUN_FILE, SCORES_FILE, TOOLEVAL_DIR
from benchmarks.results.manifest import read_manifest
from benchmarks.results.converted import Example, converted_examples, read_converted
from benchmarks.toolbench import order_groups



@dataclass(frozen=True)
class ScoringInput:
    name: str
    path: Path
    kind: str  # "run" | "converted" | "raw"
    examples: list[Example]
    manifest: dict[str, Any] | None = None  # run.json of a run folder

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "path": str(self.path), "kind": self.kind, "n": len(self.examples)}


def load_input(path: Path) -> ScoringInput:
    if (path / RUN_FILE).is_file():
        manifest = read_manifest(path)
        files = sorted((path / TOOLEVAL_DIR).glob("*.json"))
        if not files:
            raise ValueError(f"{path}: the run has no tooleval/<group>.json converted answers (it has not finished "
                             "writing its results)")
        return ScoringInput(str(manifest.get("run_name", path.name)), path, "run", _examples(files), manifest)
    raw_groups = raw_answer_groups(path)
    if raw_groups:
        return _raw_input(path, raw_groups)
    if path.is_dir():
        files = sorted(p for p in path.glob("*.json") if p.name != SCORES_FILE)
        if not files:
            raise ValueError(f"{path}: neither a run folder (no run.json), a folder of converted answers, nor one of raw "
                             "answers (<qid>_<method>.json)")
        return ScoringInput(path.name, path, "converted", _examples(files))
    if path.is_file():
        return ScoringInput(path.parent.name, path, "converted", _examples([path]))
    raise FileNotFoundError(f"nothing to score at {path} (give a run folder or a ToolEval converted-answers file)")


def _raw_input(path: Path, groups: dict[str, Path]) -> ScoringInput:
    """Raw answers, named by their model folder (the parent of a single group folder)."""
    name = path.parent.name if groups == {path.name: path} else path.name
    by_group = {group: converted_examples(convert_folder(folder), group, folder) for group, folder in groups.items()}
    return ScoringInput(name, path, "raw", _ordered(by_group))


def _examples(files: list[Path]) -> list[Example]:
    return _ordered({p.stem: read_converted(p) for p in files})


def _ordered(by_group: dict[str, list[Example]]) -> list[Example]:
    return [e for group in order_groups(by_group) for e in by_group[group]]


def restrict_to_ids(examples: list[Example], path: Path) -> list[Example]:
    """Only the queries a ToolEval query-id file lists (`{"588": 0, ...}`; only keys matter): `path` is one
    file for every group or a folder of `<group>.json`, as StableToolBench's `test_query_ids/`."""
    listed: dict[str, set[str]] = {}
    for group in {e.group for e in examples}:
        file = path / f"{group}.json" if path.is_dir() else path
        try:
            ids = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"{file}: cannot read the query ids of group {group} ({exc})") from None
        if not isinstance(ids, dict):
            raise ValueError(f"{file}: a query-id file is an object keyed by query id")
        listed[group] = set(map(str, ids))
    unmatched = set().union(*listed.values()) - {e.query_id for e in examples} if listed else set()
    if unmatched:
        shown = ", ".join(sorted(unmatched)[:10])
        raise ValueError(f"{path}: {len(unmatched)} listed query id(s) match no query: {shown}")
    return [e for e in examples if e.query_id in listed[e.group]]
