"""Scoring as a library call: `score`, `run --judge` and `sweep` all score through `score`, so a judge is asked
the same way whoever asks. Reads a run folder, converted or raw answers (benchmarks.scoring.inputs), runs the
judge's procedure (ToolEval, StableToolEval, FAC), the optional win rate and judge agreement, and writes the
scores with the judge cache beside them.

In a run folder whose scores.json holds the verified scores, another judge writes `scores.<judge>.json`
beside it (judge: the spec's kind, e.g. `scores.openai.json`), so a model judge never replaces the
benchmark's own verdicts.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.results.files import SCORES_FILE
from benchmarks.results.scores import read_scores, write_scores
from benchmarks.scoring.agreement import agreement_section
from benchmarks.scoring.inputs import ScoringInput, load_input, restrict_to_ids
from benchmarks.scoring.judges import VERIFIED_JUDGE, Judge, JudgeLog, JudgeOptions, make_judge
from benchmarks.scoring.preference import side_labels, win_rate
from benchmarks.scoring.procedures import procedure_of
from benchmarks.scoring.scores import judged_scores, passed_values, win_section
from benchmarks.scoring.tooleval import QueryResult
from benchmarks.scoring.verified_scores import regenerated_gold_facts

CACHE_FILE = "judge_cache.jsonl"


@dataclass(frozen=True)
class ScoreRequest:
    """What to score, with which judge, and where the scores go (None: beside a run, else ./scores/<name>)."""

    path: Path
    judge: str
    compare_judge: str | None = None
    times: int = 3
    reference: Path | None = None
    query_ids: Path | None = None
    out: Path | None = None
    cache: Path | None = None
    seed: int = 0
    options: JudgeOptions = field(default_factory=JudgeOptions)


def score(request: ScoreRequest) -> tuple[Path, dict[str, Any]]:
    """Scores `request.path` with its judge; writes the scores and returns their path and document."""
    if request.times < 1:
        raise ValueError(f"--times must be at least 1, got {request.times}")
    source = _selected(load_input(request.path), request.query_ids)
    reference = _selected(load_input(request.reference), request.query_ids) if request.reference else None
    out = request.out or (source.path if source.kind == "run" else Path("scores") / source.name)
    options = dataclasses.replace(request.options, cache_path=request.cache or out / CACHE_FILE)
    judge = _judge(request.judge, options, source)
    other = _judge(request.compare_judge, options, source) if request.compare_judge else None  # a bad spec fails now
    procedure, log = procedure_of(judge), JudgeLog()
    times = procedure.times(request.times)
    results = procedure.run(source.examples, judge, times, request.seed, log)
    win = None
    if reference is not None:
        reference_results = procedure.run(reference.examples, judge, times, request.seed, log)
        outcomes = win_rate(source.examples, reference.examples, side_labels(results), side_labels(reference_results),
                            judge, times, request.seed, log)
        win = win_section(reference, outcomes, results, reference_results, times, request.seed)
    document = judged_scores(source, judge.info(), results, times, request.seed, log, win, procedure.description)
    if other is not None:
        document["judge_agreement"] = compared_judge(other, source, results, request.times, request.seed)
    path = scores_path(out, request.judge)
    write_scores(path, document)
    return path, document


def scores_path(out: Path, judge: str) -> Path:
    """scores.json, unless it holds the verified scores and `judge` is another: then scores.<judge kind>.json."""
    main = out / SCORES_FILE
    if judge == "verified" or not main.is_file():
        return main
    try:
        held = read_scores(main)
    except ValueError:
        return main  # unreadable scores are replaced, as before
    if (held.get("judge") or {}).get("kind") != VERIFIED_JUDGE["kind"]:
        return main
    return out / f"scores.{re.match(r'[a-z]*', judge).group() or 'judge'}.json"


def _selected(source: ScoringInput, query_ids: Path | None) -> ScoringInput:
    if not query_ids:
        return source
    return dataclasses.replace(source, examples=restrict_to_ids(source.examples, Path(query_ids)))


def _judge(spec: str, options: JudgeOptions, source: ScoringInput) -> Judge:
    return make_judge(spec, options, _gold_facts(source) if spec == "verified" else None)


def compared_judge(other: Judge, source: ScoringInput, results: list[QueryResult], times: int,
                   seed: int) -> dict[str, Any]:
    """`--compare-judge`: the second judge's own procedure on the same answers, and how often it agrees."""
    procedure, log = procedure_of(other), JudgeLog()
    other_results = procedure.run(source.examples, other, times, seed, log)
    return agreement_section(other.info(), passed_values(results), passed_values(other_results), log.to_json(), seed)


def _gold_facts(source: ScoringInput) -> dict[str, tuple[str, ...]]:
    if source.manifest is None:
        raise ValueError("the verified judge needs a run folder of the embedded benchmark (its gold facts are "
                         "regenerated from run.json)")
    return regenerated_gold_facts(source.manifest)
