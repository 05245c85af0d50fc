"""Step-level error analysis of runs: why trajectories failed, which role made the first mistake, and
where two runs on the same tasks part. Deterministic and judge-free: it reads run files only.

chains: a record or converted answer as steps; categories + detect: the error vocabulary and its rules;
trajectory / trees: one chain, one DFSDT tree; aggregate: per run and group; sources: what is read;
document: analysis.json; diff: two runs; text: the printed tables; dispersion: repeated judge labels."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.analysis.document import ANALYSIS_FILE, SCHEMA_VERSION, build, read_analysis
from benchmarks.analysis.sources import (AnalysisInputError, Source, converted_entries, raw_entries, run_entries,
                                         run_source)
from benchmarks.results.files import RUN_FILE, SCORES_FILE
from benchmarks.results.scores import read_scores
from benchmarks.scoring.dispersion import judge_dispersion, scores_labels
from benchmarks.results.raw_answers import raw_answer_groups

__all__ = ["ANALYSIS_FILE", "SCHEMA_VERSION", "AnalysisInputError", "analyse", "read_analysis", "run_errors", "source_of"]


def source_of(path: Path) -> Source:
    """A run folder, a folder of ToolBench raw answers, or a converted answers file (or folder of them)."""
    if (path / RUN_FILE).is_file():
        return run_source(path)
    if path.is_dir() and raw_answer_groups(path):
        return Source("raw", path, path.name, "single")
    if path.is_file() and path.suffix == ".json" or path.is_dir() and any(path.glob("*.json")):
        return Source("converted", path, path.stem if path.is_file() else path.name, "single")
    raise AnalysisInputError(f"{path}: not a run folder, a raw answers folder or a converted answers file")


def analyse(source: Source) -> dict[str, Any]:
    """The analysis document of one source."""
    entries = {"run": run_entries, "raw": raw_entries, "converted": converted_entries}[source.kind]
    document = build(source, entries(source) if source.kind == "run" else entries(source.path))
    if source.kind == "run":
        labels = scores_labels(read_scores(source.path / SCORES_FILE).get("per_query", {}))
        if any(len(v) > 1 for v in labels.values()):
            document["judge_dispersion"] = judge_dispersion(labels)
    return document


def run_errors(folder: Path) -> dict[str, Any]:
    """A run's error figures for a leaderboard: its analysis.json's, or analysed now (not written) when the
    run has none: `first_error`, `first_error_roles`, `rates`, `n`."""
    document = read_analysis(folder / ANALYSIS_FILE) or analyse(run_source(folder))
    overall = document["overall"]
    return {key: overall[key] for key in ("n", "first_error", "first_error_roles", "rates")}
