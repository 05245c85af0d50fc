"""What the analysis reads, one trajectory at a time: a run folder (trajectories.jsonl with its converted
answers' tools, scores.json's verdicts, the embedded benchmark's gold facts, DFSDT trees), a ToolEval
converted answers file (or a folder of them), or a folder of ToolBench raw answers (trees, CoT tries).
Each yields trajectory entries; a file that cannot be read is a ValueError naming the file and the field."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from benchmarks.analysis.chains import chain_from_converted, chain_from_record
from benchmarks.analysis.detect import FunctionSchema, function_schemas
from benchmarks.analysis.trajectory import analyse_chain
from benchmarks.analysis.trees import analyse_tree
from benchmarks.results.files import ANSWER_DIR, SCORES_FILE, TOOLEVAL_DIR, TRAJECTORIES_FILE, read_json
from benchmarks.results.manifest import read_manifest
from benchmarks.results.raw_answers import RawAnswerError, convert_folder, query_id, raw_answer_groups
from benchmarks.results.scores import passed_by_query, read_scores
from benchmarks.results.trajectories import iter_latest_records


class AnalysisInputError(ValueError):
    """A file the analysis cannot read, named with the field that is wrong."""


def _field(path: Path, where: str, value: Any, expected: type) -> Any:
    if not isinstance(value, expected):
        raise AnalysisInputError(f"{path}: {where} is {type(value).__name__}, expected {expected.__name__}")
    return value


@dataclass
class Source:
    kind: str  # run | converted | raw
    path: Path
    name: str
    agent_kind: str  # multi | single | oracle


def _tools_of(folder: Path) -> dict[str, list[FunctionSchema]]:
    """{task key: schemas} from a run's converted answers (tooleval/<group>.json)."""
    tools = {}
    for path in sorted((folder / TOOLEVAL_DIR).glob("*.json")):
        answers = _field(path, "the file", read_json(path), dict)
        for qid, answer in answers.items():
            _field(path, f"query {qid!r}", answer, dict)
            tools[f"{path.stem}/{qid}"] = function_schemas(answer.get("available_tools"))
    return tools


def gold_facts(manifest: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    if (manifest.get("benchmark") or {}).get("name") != "embedded":
        return {}
    from benchmarks.scoring.verified_scores import regenerated_gold_facts

    try:
        return regenerated_gold_facts(manifest)
    except ValueError:
        return {}  # a benchmark regenerated differently: no facts rather than wrong ones


def _tree_of(folder: Path, record: dict[str, Any]) -> dict[str, Any] | None:
    search = record.get("search")
    if not isinstance(search, dict) or not search.get("method"):
        return None
    path = folder / ANSWER_DIR / record["group"] / f"{record['query_id']}_{search['method']}.json"
    raw = read_json(path, missing=None)
    tree = raw.get("tree") if isinstance(raw, dict) else None
    return tree.get("tree") if isinstance(tree, dict) and isinstance(tree.get("tree"), dict) else None


def run_source(folder: Path) -> Source:
    manifest = read_manifest(folder)
    if not manifest:
        raise AnalysisInputError(f"{folder}: not a run folder (no run.json)")
    agent = _field(folder / "run.json", "agent", manifest.get("agent"), dict)
    return Source("run", folder, str(manifest.get("run_name", folder.name)), str(agent.get("kind", "single")))


def _latest_records(path: Path) -> Iterator[dict[str, Any]]:
    try:
        yield from iter_latest_records(path)
    except (KeyError, TypeError) as exc:  # a line without the fields that name its trajectory
        raise AnalysisInputError(f"{path}: a record lacks task_key, agent or seed ({type(exc).__name__}: {exc})") from None
    except ValueError as exc:  # a line that is no record (the record schema names the file, line and field)
        raise AnalysisInputError(str(exc)) from None


def run_entries(source: Source) -> Iterator[dict[str, Any]]:
    folder = source.path
    manifest = read_manifest(folder)
    passed = passed_by_query(read_scores(folder / SCORES_FILE))
    tools, facts = _tools_of(folder), gold_facts(manifest)
    path = folder / TRAJECTORIES_FILE
    for number, record in enumerate(_latest_records(path), 1):
        _field(path, f"record {number}", record, dict)
        key = _field(path, f"record {number} task_key", record.get("task_key"), str)
        _field(path, f"record {number} ({key}) turns", record.get("turns", []), list)
        _field(path, f"record {number} ({key}) calls", record.get("calls", []), list)
        verdict = bool(passed[key]) if key in passed else None
        entry = {"task_key": key, "group": str(record.get("group", key.partition("/")[0])),
                 "status": record.get("status"), "passed": verdict,
                 **analyse_chain(chain_from_record(record, source.agent_kind), tools=tools.get(key),
                                 passed=verdict, facts=facts.get(key))}
        tree = _tree_of(folder, record)
        if tree is not None:
            entry["tree"] = analyse_tree(tree, source.agent_kind, tools.get(key))
        yield entry


def converted_entries(path: Path) -> Iterator[dict[str, Any]]:
    """A converted answers file `<group>.json` (or a folder of them): one backbone, unscored."""
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    for file in files:
        answers = _field(file, "the file", read_json(file), dict)
        for qid, answer in answers.items():
            _field(file, f"query {qid!r}", answer, dict)
            yield _converted_entry(file, file.stem, qid, answer)


def _converted_entry(file: Path, group: str, qid: str, answer: dict[str, Any]) -> dict[str, Any]:
    details = _field(file, f"query {qid!r} answer", answer.get("answer"), dict)
    chain = chain_from_converted(details)
    return {"task_key": f"{group}/{qid}", "group": group, "status": chain.status, "passed": None,
            **analyse_chain(chain, tools=function_schemas(answer.get("available_tools")))}


def raw_entries(path: Path) -> Iterator[dict[str, Any]]:
    """A folder of ToolBench raw answers: each answer's chain as ToolEval's converter picks it
    (benchmarks.results.raw_answers), and a DFSDT answer's whole tree node by node."""
    for group, folder in raw_answer_groups(path).items():
        try:
            converted = convert_folder(folder)
        except RawAnswerError as exc:
            raise AnalysisInputError(str(exc)) from None
        for file in sorted(folder.glob("*.json")):
            qid = query_id(file.name)
            if qid not in converted:
                continue
            answer = converted[qid]
            entry = _converted_entry(file, group, qid, answer)
            tree = (read_json(file) or {}).get("tree")
            if isinstance(tree, dict) and isinstance(tree.get("tree"), dict):
                entry["tree"] = analyse_tree(tree["tree"], "single", function_schemas(answer.get("available_tools")))
            yield entry
